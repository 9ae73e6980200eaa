"""Several Rasa servers share one Redis lock store (deploy/endpoints.yml): a parent's messages
that reach two servers at once must be handled one after the other, never together, or one
message is lost from the conversation. Each "server" here is its own store and connection."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore
from tests.engines import Redis

ROOT = Path(__file__).resolve().parents[2]
SERVERS, TICKETS_EACH = 6, 40


@pytest.fixture(scope="module")
def redis():
    with Redis() as server:
        yield server


def _store(kind, redis: Redis, prefix: str):
    return kind(host="127.0.0.1", port=redis.port, db=1, key_prefix=prefix)


def _issue_from_every_server(kind, redis: Redis, prefix: str) -> list[int]:
    stores = [_store(kind, redis, prefix) for _ in range(SERVERS)]
    issued: list[int] = []
    start = threading.Barrier(SERVERS)

    def server(store) -> None:
        start.wait()
        for _ in range(TICKETS_EACH):
            issued.append(store.issue_ticket("parent-1", lock_lifetime=600))

    threads = [threading.Thread(target=server, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return issued


def test_rasas_own_redis_store_hands_out_the_same_ticket_twice(redis):
    # Why we don't use it: the flaw this store fixes is real on this Redis.
    issued = _issue_from_every_server(RedisLockStore, redis, "stock")
    assert len(set(issued)) < len(issued)


def test_every_ticket_is_different_and_none_is_lost(redis):
    issued = _issue_from_every_server(AtomicRedisLockStore, redis, "atomic")
    assert sorted(issued) == list(range(SERVERS * TICKETS_EACH))  # Rasa counts from 0
    lock = _store(AtomicRedisLockStore, redis, "atomic").get_lock("parent-1")
    assert len(lock.tickets) == SERVERS * TICKETS_EACH  # every ticket is still waiting its turn


def test_turns_of_one_conversation_never_overlap(redis):
    stores = [_store(AtomicRedisLockStore, redis, "turns") for _ in range(SERVERS)]
    inside: Counter[str] = Counter()
    overlaps: list[int] = []
    done: list[int] = []

    async def turn(store, n: int) -> None:
        async with store.lock("parent-2", wait_time_in_seconds=0.01):
            inside["now"] += 1
            overlaps.append(inside["now"])
            await asyncio.sleep(0.02)
            inside["now"] -= 1
            done.append(n)

    def server(store, first: int) -> None:
        async def run() -> None:
            await asyncio.gather(*(turn(store, first + k) for k in range(3)))
        asyncio.run(run())

    threads = [threading.Thread(target=server, args=(s, 10 * i)) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(done) == SERVERS * 3
    assert max(overlaps) == 1
    assert stores[0].get_lock("parent-2") is None  # the last turn cleared it away


def test_the_deployment_uses_this_store_with_the_same_settings(redis):
    config = yaml.safe_load((ROOT / "deploy" / "endpoints.yml").read_text())["lock_store"]
    assert config["type"] == "bot.lock_store.AtomicRedisLockStore"
    settings = {k: v for k, v in config.items() if k not in ("type", "url", "port")}
    store = AtomicRedisLockStore(endpoint_config=EndpointConfig(
        url="127.0.0.1", port=redis.port, **settings))
    assert store.key_prefix.startswith("signpost:")
    assert store.issue_ticket("parent-3") == 0  # a first ticket, from a fresh lock
