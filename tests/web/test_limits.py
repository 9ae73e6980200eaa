"""Oversized, malformed and too-frequent chat requests get a polite, plain answer."""

from __future__ import annotations


async def test_a_message_of_1000_characters_is_fine_but_1001_is_refused_politely(client, standin_rasa):
    ok = await client.post("/api/chat", json={"text": "a" * 1000, "session_id": None})
    assert ok.status == 200
    refused = await client.post("/api/chat", json={"text": "a" * 1001, "session_id": None})
    assert refused.status == 400
    body = await refused.json()
    assert body["error"] == "too_long"
    assert "1,000 characters" in body["message"]
    assert len(standin_rasa.received) == 1


async def test_a_body_over_16_kb_is_refused_without_reaching_rasa(client, standin_rasa):
    response = await client.post("/api/chat", data=b'{"text": "' + b"a" * 17000 + b'"}',
                                 headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert "too long" in (await response.json())["message"]
    assert standin_rasa.received == []


async def test_a_chunked_body_over_16_kb_is_refused_too(client, standin_rasa):
    async def chunks():
        yield b'{"text": "'
        for _ in range(20):
            yield b"a" * 1024
        yield b'"}'

    response = await client.post("/api/chat", data=chunks(),
                                 headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert standin_rasa.received == []


async def test_malformed_json_gets_a_400_that_explains(client):
    response = await client.post("/api/chat", data=b"{text: hello",
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400
    body = await response.json()
    assert "could not read" in body["message"]
    assert '"text"' in body["message"]


async def test_wrong_types_get_a_400_that_names_the_field(client):
    for payload, field in (([1, 2], "JSON object"), ({"text": 5}, '"text"'),
                           ({"text": "hi", "session_id": 7}, '"session_id"'),
                           ({"text": "hi", "message_id": "x" * 65}, '"message_id"')):
        response = await client.post("/api/chat", json=payload)
        assert response.status == 400, payload
        assert field in (await response.json())["message"]


async def test_an_empty_message_is_refused(client, standin_rasa):
    response = await client.post("/api/chat", json={"text": "   ", "session_id": None})
    assert response.status == 400
    assert standin_rasa.received == []


async def test_one_session_sending_too_fast_is_asked_to_wait(make_client, standin_rasa):
    client = await make_client(rate_limit_session="3/minute", rate_limit_client="100/minute")
    first = await (await client.post("/api/chat", json={"text": "hi", "session_id": None})).json()
    statuses = []
    for _ in range(4):
        response = await client.post("/api/chat", json={"text": "hi", "session_id": first["session_id"]})
        statuses.append(response.status)
    assert statuses == [200, 200, 200, 429]
    assert int(response.headers["Retry-After"]) >= 1
    assert "wait a minute" in (await response.json())["message"]
    assert len(standin_rasa.received) == 4


async def test_one_address_starting_many_chats_is_asked_to_wait(make_client, standin_rasa):
    client = await make_client(rate_limit_session="100/minute", rate_limit_client="5/minute")
    statuses = [(await client.post("/api/chat", json={"text": "hi", "session_id": None})).status
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert len(standin_rasa.received) == 5


# --- behind a reverse proxy (SIGNPOST_TRUSTED_PROXIES) ---------------------------------------

def _from(address: str) -> dict[str, str]:
    """What our proxy adds: the parent's address, after anything the parent sent."""
    return {"X-Forwarded-For": address}


async def test_behind_a_trusted_proxy_each_parent_has_their_own_allowance(make_client, standin_rasa):
    # The test client connects from 127.0.0.1: here, that is our proxy.
    client = await make_client(rate_limit_session="100/minute", rate_limit_client="3/minute",
                               trusted_proxies=["127.0.0.1"])
    flood = [(await client.post("/api/chat", json={"text": "hi", "session_id": None},
                                headers=_from("203.0.113.5"))).status for _ in range(4)]
    assert flood == [200, 200, 200, 429]
    other = await client.post("/api/chat", json={"text": "hi", "session_id": None},
                              headers=_from("198.51.100.9"))
    assert other.status == 200


async def test_forwarded_for_is_ignored_from_a_peer_that_is_not_a_trusted_proxy(make_client):
    client = await make_client(rate_limit_session="100/minute", rate_limit_client="3/minute",
                               trusted_proxies=["10.0.0.0/8"])
    statuses = [(await client.post("/api/chat", json={"text": "hi", "session_id": None},
                                   headers=_from(f"203.0.113.{n}"))).status for n in range(4)]
    assert statuses == [200, 200, 200, 429]


async def test_a_parent_cannot_dodge_the_limit_by_writing_their_own_forwarded_for(make_client):
    client = await make_client(rate_limit_session="100/minute", rate_limit_client="3/minute",
                               trusted_proxies=["127.0.0.1", "10.0.0.0/8"])
    # The parent sends a made-up header; our proxies append the real address (and their own).
    statuses = [(await client.post(
        "/api/chat", json={"text": "hi", "session_id": None},
        headers=_from(f"192.0.2.{n}, 203.0.113.5, 10.1.2.3"))).status for n in range(4)]
    assert statuses == [200, 200, 200, 429]


async def test_starting_new_chats_in_a_loop_is_refused_politely_and_spares_other_parents(
        make_client, standin_rasa):
    client = await make_client(rate_limit_session="100/minute", rate_limit_client="100/minute",
                               rate_limit_new_sessions="3/hour", trusted_proxies=["127.0.0.1"])
    replies = [await client.post("/api/chat", json={"text": "hi", "session_id": None},
                                 headers=_from("203.0.113.5")) for _ in range(4)]
    assert [r.status for r in replies] == [200, 200, 200, 429]
    refused = await replies[-1].json()
    assert refused["error"] == "too_many_chats"
    assert "carry on in the chat you have open" in refused["message"]
    assert int(replies[-1].headers["Retry-After"]) >= 1
    assert len(standin_rasa.received) == 3
    # The chats already open carry on, and a parent at another address starts one.
    first = (await replies[0].json())["session_id"]
    going_on = await client.post("/api/chat", json={"text": "hi", "session_id": first},
                                 headers=_from("203.0.113.5"))
    assert going_on.status == 200 and (await going_on.json())["session_id"] == first
    other = await client.post("/api/chat", json={"text": "hi", "session_id": None},
                              headers=_from("198.51.100.9"))
    assert other.status == 200


def test_a_trusted_proxy_that_is_not_an_address_stops_start_up():
    import pytest

    from common.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="SIGNPOST_TRUSTED_PROXIES"):
        Settings.from_env({"SIGNPOST_TRUSTED_PROXIES": "10.0.0.2, proxy.example"})
    settings = Settings.from_env({"SIGNPOST_TRUSTED_PROXIES": "10.0.0.2, 172.16.0.0/12"})
    assert settings.trusted_proxies == ["10.0.0.2", "172.16.0.0/12"]


async def test_the_oruk_api_is_limited_per_address(make_client):
    client = await make_client(rate_limit_api="3/minute", trusted_proxies=["127.0.0.1"])
    statuses = [(await client.get("/oruk/taxonomy_terms", headers=_from("203.0.113.5"))).status
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = await client.get("/oruk/services", headers=_from("203.0.113.5"))
    assert refused.status == 429 and "wait a minute" in (await refused.json())["message"]
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    other = await client.get("/oruk/taxonomy_terms", headers=_from("198.51.100.9"))
    assert other.status == 200


# --- hostile JSON --------------------------------------------------------------------------

DEEP = b"[" * 7000 + b"]" * 7000  # 14 KB: under the body limit, far over any real nesting


async def test_deeply_nested_json_gets_a_400_that_explains_and_logs_no_traceback(
        client, standin_rasa, caplog):
    for path in ("/api/chat", "/api/chat/end", "/api/report"):
        for body in (DEEP, b'{"text": ' + b"[" * 7000 + b"]" * 7000 + b"}",
                     b'{"text": "hi", "x": ' + b"[" * 40 + b"]" * 40 + b"}"):
            response = await client.post(path, data=body, headers={
                "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"})
            assert response.status == 400, (path, body[:20], response.status)
            assert "nested" in (await response.json())["message"], path
    assert standin_rasa.received == []
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text
