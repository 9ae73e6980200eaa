"""POST /api/chat: the contract, server-issued sessions, forged ids, retries answered once."""

from __future__ import annotations

import asyncio
import re


async def chat(client, text, session_id=None, **extra):
    response = await client.post("/api/chat", json={"text": text, "session_id": session_id, **extra})
    return response, await response.json()


async def test_first_message_gets_an_unguessable_session_id_used_as_the_rasa_sender(client, standin_rasa):
    response, body = await chat(client, "hello")
    assert response.status == 200
    session_id = body["session_id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", session_id)
    assert standin_rasa.received == [{"sender": session_id, "message": "hello"}]


async def test_reply_has_exactly_the_contract_shape_and_nothing_from_rasa_leaks(client):
    _, body = await chat(client, "stay and play please")
    assert set(body) == {"session_id", "messages"}
    assert [set(m) for m in body["messages"]] == [{"text", "buttons", "custom"}] * 3
    first, card, last = body["messages"]
    assert first == {"text": "Here are some stay and play sessions near you.", "buttons": [],
                     "custom": None}
    assert card["text"] is None and card["custom"]["type"] == "services"
    assert card["custom"]["services"][0]["phone"] == "01632 960180"
    assert last["buttons"] == [{"title": "Different day", "payload": "/refine_search"},
                               {"title": "Talk to a person", "payload": "/request_human"}]
    assert "tracker.example" not in str(body)  # Rasa's image field is dropped


async def test_the_same_session_continues_with_the_same_sender(client, standin_rasa):
    _, first = await chat(client, "stay and play")
    # A click on a button the bot offered: its payload reaches Rasa as it is (an intent).
    _, second = await chat(client, "/request_human", first["session_id"])
    assert second["session_id"] == first["session_id"]
    assert standin_rasa.senders() == [first["session_id"]] * 2
    assert standin_rasa.received[1]["message"] == "/request_human"


async def test_typed_text_starting_with_a_slash_reaches_rasa_as_words_never_an_intent(
        client, standin_rasa):
    _, first = await chat(client, "hello")  # offers only a "stay and play" button
    sid = first["session_id"]
    for typed in ("/restart", "/session_start", '/inform{"place":"BB3"}', "  //request_human",
                  "/request_human"):
        response, body = await chat(client, typed, sid)
        assert response.status == 200, typed
        assert body["messages"] and body["session_id"] == sid
    seen = [r["message"] for r in standin_rasa.received[1:]]
    assert seen == ["restart", "session_start", 'inform{"place":"BB3"}', "request_human",
                    "request_human"]
    assert not any(message.startswith("/") for message in seen)


async def test_a_button_offered_to_another_conversation_is_typed_text_here(client, standin_rasa):
    _, other = await chat(client, "stay and play")  # offers /request_human to that chat
    _, mine = await chat(client, "hello")
    await chat(client, "/request_human", mine["session_id"])
    assert standin_rasa.received[-1] == {"sender": mine["session_id"], "message": "request_human"}


async def test_a_slash_alone_is_an_empty_message(client, standin_rasa):
    response, body = await chat(client, " / ")
    assert response.status == 400 and body["error"] == "empty"
    assert standin_rasa.received == []


async def test_control_characters_and_lone_surrogates_are_cleaned_and_the_turn_works(
        client, standin_rasa):
    response = await client.post(
        "/api/chat", data=b'{"text": "hi\\u0000\\ud800 there\\u0007\\nsecond\\tline", "session_id": null}',
        headers={"Content-Type": "application/json"})
    assert response.status == 200
    assert (await response.json())["messages"]
    assert standin_rasa.received[0]["message"] == "hi\ufffd there\nsecond\tline"


async def test_a_forged_session_id_gets_a_new_id_and_never_reaches_rasa(client, standin_rasa):
    _, victim = await chat(client, "hello")
    forged = "attacker-chosen-id"
    _, body = await chat(client, "hello", forged)
    assert body["session_id"] not in (forged, victim["session_id"])
    assert forged not in standin_rasa.senders()
    assert len(set(standin_rasa.senders())) == 2


async def test_different_browsers_get_different_sessions(client):
    ids = {(await chat(client, "hello"))[1]["session_id"] for _ in range(5)}
    assert len(ids) == 5


async def test_a_retried_message_is_answered_once(client, standin_rasa):
    _, first = await chat(client, "hello")
    sid = first["session_id"]
    _, reply = await chat(client, "stay and play", sid, message_id="m-42")
    _, again = await chat(client, "stay and play", sid, message_id="m-42")
    assert again == reply
    assert [r["message"] for r in standin_rasa.received].count("stay and play") == 1


async def test_retries_that_arrive_together_are_answered_once(client, standin_rasa):
    _, first = await chat(client, "hello")
    sid = first["session_id"]
    standin_rasa.delay = 0.3
    results = await asyncio.gather(*[chat(client, "stay and play", sid, message_id="same")
                                     for _ in range(3)])
    assert len({str(body) for _, body in results}) == 1
    assert [r["message"] for r in standin_rasa.received].count("stay and play") == 1


async def test_a_new_message_id_is_a_new_message(client, standin_rasa):
    _, first = await chat(client, "hello")
    sid = first["session_id"]
    await chat(client, "hello", sid, message_id="a")
    await chat(client, "hello", sid, message_id="b")
    assert len(standin_rasa.received) == 3


async def test_end_chat_retires_the_session_id(client, standin_rasa):
    _, first = await chat(client, "hello")
    response = await client.post("/api/chat/end", json={"session_id": first["session_id"]})
    assert response.status == 200
    _, after = await chat(client, "hello", first["session_id"])
    assert after["session_id"] != first["session_id"]


async def test_the_same_session_continues_after_the_web_tier_restarts(make_client, standin_rasa):
    before = await make_client()
    _, first = await chat(before, "hello")
    await before.close()
    after = await make_client()  # a new app on the same settings: the same sessions file
    _, second = await chat(after, "what about saturday", first["session_id"])
    assert second["session_id"] == first["session_id"]
    assert standin_rasa.senders() == [first["session_id"]] * 2


async def test_an_ended_chat_stays_ended_after_the_web_tier_restarts(make_client):
    before = await make_client()
    _, first = await chat(before, "hello")
    await before.post("/api/chat/end", json={"session_id": first["session_id"]})
    await before.close()
    after = await make_client()
    _, again = await chat(after, "hello", first["session_id"])
    assert again["session_id"] != first["session_id"]


async def test_chat_replies_are_never_cached(client):
    response, _ = await chat(client, "hello")
    assert response.headers["Cache-Control"] == "no-store"
