"""When Rasa is down or slow, the parent still gets phone numbers and hours, never an error."""

from __future__ import annotations

import time

from tests.stack import free_port

# From the sample directory: a centre's name, phone and opening hours.
DARWEN = ("Darwen Family Hub: 01632 960180. "
          "Open Monday to Friday, 9am to 5pm and Saturday, 10am to 1pm.")


async def _ask(client):
    response = await client.post("/api/chat", json={"text": "stay and play", "session_id": None})
    return response, await response.json()


def _assert_friendly(response, body):
    assert response.status == 200
    [message] = body["messages"]
    assert message["text"].startswith("Sorry, the chat is not working right now.")
    assert "Family hubs team: 01254 666444, Monday to Friday, 9am to 5pm." in message["text"]
    assert DARWEN in message["text"]
    assert message["custom"]["type"] == "unavailable"
    assert body["session_id"]


async def test_rasa_not_running_gives_the_centres_phone_numbers(make_client):
    client = await make_client(rasa_url=f"http://127.0.0.1:{free_port()}")
    _assert_friendly(*await _ask(client))


async def test_rasa_answering_with_an_error_gives_the_friendly_reply(client, standin_rasa):
    standin_rasa.mode = "down"
    _assert_friendly(*await _ask(client))


async def test_rasa_answering_nonsense_gives_the_friendly_reply(client, standin_rasa):
    standin_rasa.mode = "garbage"
    _assert_friendly(*await _ask(client))


async def test_rasa_slower_than_the_timeout_gives_the_friendly_reply_in_time(make_client, standin_rasa):
    client = await make_client(rasa_timeout=0.5)
    standin_rasa.mode = "slow"
    started = time.monotonic()
    response, body = await _ask(client)
    assert time.monotonic() - started < 3
    _assert_friendly(response, body)


async def test_a_retry_after_a_slow_reply_is_not_sent_to_rasa_again(make_client, standin_rasa):
    client = await make_client(rasa_timeout=0.3)
    first = await (await client.post("/api/chat", json={"text": "hi", "session_id": None})).json()
    standin_rasa.delay = 1
    payload = {"text": "stay and play", "session_id": first["session_id"], "message_id": "r1"}
    await client.post("/api/chat", json=payload)
    standin_rasa.delay = 0
    again = await (await client.post("/api/chat", json=payload)).json()
    assert again["messages"][0]["custom"]["type"] == "unavailable"
    assert [r["message"] for r in standin_rasa.received].count("stay and play") == 1


def test_a_centre_without_opening_hours_gives_the_days_it_runs_sessions():
    from web.fallback import fallback_text
    text = fallback_text("01254 666444", "Monday to Friday, 9am to 5pm", [
        {"name": "Hoddlesden Village Hall", "phone": "01632 960195", "hours": "Tuesday, 10am to 12pm",
         "opening_hours": None},
        {"name": "Darwen Family Hub", "phone": "01632 960180", "hours": "Monday to Saturday",
         "opening_hours": "Monday to Friday, 9am to 5pm"}])
    assert "Hoddlesden Village Hall: 01632 960195. Sessions Tuesday, 10am to 12pm." in text
    assert "Darwen Family Hub: 01632 960180. Open Monday to Friday, 9am to 5pm." in text
