"""The web chat answers a disclosure first, even with Rasa down, and never twice; the privacy
notice is there, plain and true to the settings."""

from __future__ import annotations

import re

import textstat

from directory.language import stigma_phrases_in


async def chat(client, text: str, session_id: str | None = None) -> dict:
    response = await client.post("/api/chat", json={"text": text, "session_id": session_id})
    assert response.status == 200
    return await response.json()


async def test_rasas_safety_reply_comes_before_anything_else(client, standin_rasa, monkeypatch):
    from tests.web import standin_rasa as module

    rasa_reply = [{"recipient_id": "x", "text": "Here is what I found"},
                  {"recipient_id": "x", "text": "Rasa's safety reply"},
                  {"recipient_id": "x", "custom": {"type": "safety", "category": "domestic_abuse",
                                                   "level": "urgent"}}]
    monkeypatch.setattr(module, "canned_reply", lambda text: rasa_reply)
    reply = await chat(client, "he checks my phone and won't let me see my friends")
    assert [m["text"] for m in reply["messages"]] == ["Rasa's safety reply", None, "Here is what I found"]
    assert standin_rasa.received  # the message went to Rasa


async def test_when_rasa_answers_the_web_tier_does_not_read_the_message_again(client, standin_rasa,
                                                                             monkeypatch):
    from web import keys

    checker = client.server.app[keys.SAFETY]

    def read_again(text):
        raise AssertionError("the web tier read the message a second time")

    monkeypatch.setattr(checker, "detect", read_again)
    monkeypatch.setattr(checker, "verdict", read_again)
    reply = await chat(client, "my partner hits me")
    assert reply["messages"]  # Rasa's answer, untouched


async def test_with_rasa_down_the_safety_reply_still_comes_first(client, standin_rasa):
    standin_rasa.mode = "down"
    reply = await chat(client, "my baby isn't breathing")
    first = reply["messages"][0]
    assert first["custom"] == {**first["custom"], "type": "safety", "category": "medical",
                               "level": "emergency"}
    assert first["text"].startswith("Call 999 now.")
    assert reply["messages"][1]["custom"]["type"] == "unavailable"


async def test_with_rasa_down_the_learned_detector_still_catches_new_words(client, standin_rasa):
    standin_rasa.mode = "down"
    reply = await chat(client, "i cant cope anymore, i just want it all to stop")
    first = reply["messages"][0]
    assert first["custom"]["type"] == "safety" and "116 123" in first["text"]


async def test_the_social_care_number_comes_from_configuration(make_client, standin_rasa):
    standin_rasa.mode = "down"
    client = await make_client(social_care_phone="01632 960999")
    reply = await chat(client, "my partner hits the kids")
    assert "01632 960999" in reply["messages"][0]["text"]


async def test_with_rasa_down_an_urgent_need_gets_the_family_hubs_same_day_line(make_client, standin_rasa):
    standin_rasa.mode = "down"
    client = await make_client(family_hubs_phone="01632 960444")
    reply = await chat(client, "we've got no food in the house and no money till monday")
    first = reply["messages"][0]
    assert first["custom"]["category"] == "urgent_need"
    assert "01632 960444" in first["text"] and "0800 144 8848" in first["text"]


async def test_when_rasa_already_answered_safely_the_reply_is_not_doubled(client, standin_rasa, monkeypatch):
    from tests.web import standin_rasa as module

    # As Rasa's REST channel sends it: the reply's text, then its payload as a second message.
    rasa_safety = [{"recipient_id": "x", "text": "Rasa's safety reply",
                    "buttons": [{"title": "Carry on", "payload": "/carry_on"}]},
                   {"recipient_id": "x",
                    "custom": {"type": "safety", "category": "self_harm", "level": "urgent"}}]
    monkeypatch.setattr(module, "canned_reply",
                        lambda text: [{"recipient_id": "x", "text": "Before"}, *rasa_safety])
    reply = await chat(client, "i want to die")
    kinds = [(m["custom"] or {}).get("type") for m in reply["messages"]]
    assert kinds.count("safety") == 1
    assert [m["text"] for m in reply["messages"]] == ["Rasa's safety reply", None, "Before"]


async def test_ordinary_messages_are_untouched(client):
    reply = await chat(client, "stay and play near Darwen")
    assert all((m["custom"] or {}).get("type") != "safety" for m in reply["messages"])


async def test_privacy_notice_says_what_is_kept_for_how_long_and_how_to_delete_it(make_client):
    client = await make_client(retention_days=21, family_hubs_phone="01632 960000")
    response = await client.get("/privacy")
    assert response.status == 200
    html = await response.text()
    main = html.split('id="privacy-notice"')[1].split("</main>")[0]
    text = re.sub(r"<[^>]+>", " ", main)
    text = re.sub(r"\s+", " ", text)
    for heading in ("What we keep", "How long we keep it", "Who can see it", "Ask us to delete it"):
        assert heading in text
    assert "deleted after 21 days" in text
    assert "90 days" in text and "01632 960000" in text
    assert not stigma_phrases_in(text)
    without_numbers = re.sub(r"[0-9][0-9 ]*", "", text)
    assert textstat.flesch_kincaid_grade(without_numbers) <= 6


async def test_the_chat_page_links_to_the_privacy_notice(client):
    html = await (await client.get("/")).text()
    assert 'href="/privacy"' in html
