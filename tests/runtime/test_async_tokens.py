"""Token auth under asyncio: single-flight renewal across tasks, 401 refresh, cancellation.

The token endpoint and the API are on loopback servers; fetches are counted
where they arrive (the token endpoint), not inside the runtime.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from requestforge.async_client import AsyncHttpClient
from requestforge.auth import CompositeAuthHook, TokenAuthHook
from requestforge.config import HttpClientConfigBuilder
from requestforge.errors import TokenFetchError
from requestforge.manager import TokenManager
from requestforge.providers import ClientCredentialsTokenProvider
from requestforge.storage import InMemoryTokenStorage, RedisTokenStorage, TokenStorage
from requestforge.tokens import TokenData, utcnow

from tests.runtime.token_support import TokenEndpoint
from tests.support.server import LoopbackServer, RecordedRequest, Reply

TASKS = 1000


def api(server: LoopbackServer, accepts: Callable[[str], bool]) -> None:
    """GET /api/data answers 200 to accepted bearer tokens and 401 otherwise."""

    def handle(request: RecordedRequest) -> Reply:
        header = request.header("Authorization") or ""
        if header.startswith("Bearer ") and accepts(header[len("Bearer ") :]):
            return Reply.json({"ok": True})
        return Reply.json({"error": "invalid_token"}, status=401)

    server.route("GET", "/api/data", handle)


def build(
    server: LoopbackServer,
    endpoint: TokenEndpoint,
    storage: TokenStorage | None = None,
    pool: int = 10,
) -> tuple[AsyncHttpClient, TokenManager]:
    provider = ClientCredentialsTokenProvider(endpoint.url, "api-client", "secret")
    manager = TokenManager(provider, storage or InMemoryTokenStorage())
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_no_retry()
        .with_pool_size(pool)
        .with_token_auth(manager)
        .build()
    )
    return AsyncHttpClient(config), manager


def _many(client: AsyncHttpClient, count: int) -> tuple[list[int], float]:
    async def go() -> tuple[list[int], float]:
        started = time.perf_counter()
        try:
            responses = await asyncio.gather(*(client.get("/api/data") for _ in range(count)))
        finally:
            await client.aclose()
        return [r.status_code for r in responses], time.perf_counter() - started

    return asyncio.run(go())


def _expired(storage: TokenStorage, manager: TokenManager) -> None:
    stale = TokenData(access_token="stale", expires_at=utcnow() - timedelta(minutes=5))
    storage.set(manager.cache_key, stale)


def _valid(access_token: str) -> TokenData:
    return TokenData(access_token=access_token, expires_at=utcnow() + timedelta(hours=1))


def test_a_thousand_tasks_on_an_expired_token_cause_one_fetch(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server, delay=0.2)
    api(server, lambda token: token == "tok-1")
    storage = InMemoryTokenStorage()
    client, manager = build(server, endpoint, storage)
    _expired(storage, manager)
    statuses, elapsed = _many(client, TASKS)
    assert statuses == [200] * TASKS
    assert endpoint.count == 1
    print(f"\n{TASKS} tasks, expired token: {endpoint.count} fetch, {elapsed:.2f}s")


def test_the_event_loop_keeps_running_during_the_fetch(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server, delay=0.5)
    api(server, lambda token: token == "tok-1")
    client, _manager = build(server, endpoint)

    async def go() -> int:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        running = asyncio.ensure_future(ticker())
        try:
            await client.get("/api/data")
        finally:
            running.cancel()
            await client.aclose()
        return ticks

    assert asyncio.run(go()) >= 20  # a blocking fetch would have frozen the ticker


def test_401_invalidates_refreshes_and_replays_once(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    api(server, lambda token: token == "tok-1")
    client, manager = build(server, endpoint)
    manager.storage.set(manager.cache_key, _valid("revoked"))
    statuses, _ = _many(client, 1)
    assert statuses == [200]
    assert endpoint.grants == ["client_credentials"]
    sent = [r.header("authorization") for r in server.requests_to("/api/data")]
    assert sent == ["Bearer revoked", "Bearer tok-1"]


def test_401_on_many_tasks_refreshes_once(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server, delay=0.1)
    api(server, lambda token: token == "tok-1")
    client, manager = build(server, endpoint)
    manager.storage.set(manager.cache_key, _valid("revoked"))
    statuses, _ = _many(client, 200)
    assert statuses == [200] * 200
    assert endpoint.count == 1


def test_a_401_with_the_same_new_token_is_final(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    api(server, lambda _token: False)
    client, _manager = build(server, endpoint)
    statuses, _ = _many(client, 1)
    assert statuses == [401]
    assert len(server.requests_to("/api/data")) == 2  # one replay, never a loop


def test_composite_hooks_warm_every_token(server: LoopbackServer) -> None:
    first = TokenEndpoint(server, "/t1", prefix="a")
    second = TokenEndpoint(server, "/t2", prefix="b")
    server.route("GET", "/both", Reply(status=204))
    managers = [
        TokenManager(ClientCredentialsTokenProvider(e.url, "c", "s"), cache_key=e.path)
        for e in (first, second)
    ]
    hook = CompositeAuthHook(
        [TokenAuthHook(managers[0]), TokenAuthHook(managers[1], header_name="X-Second")]
    )
    config = HttpClientConfigBuilder().with_base_url(server.url).with_auth_hook(hook).build()

    async def go() -> None:
        async with AsyncHttpClient(config) as client:
            await asyncio.gather(*(client.get("/both") for _ in range(50)))

    asyncio.run(go())
    assert (first.count, second.count) == (1, 1)
    assert server.requests_to("/both")[0].header("x-second") == "Bearer b-1"


def test_a_failed_fetch_reaches_every_waiting_task_once(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server, delay=0.2)
    endpoint.override = lambda _request: Reply.json({"error": "invalid_client"}, status=401)
    api(server, lambda _token: True)
    client, _manager = build(server, endpoint)

    async def go() -> list[BaseException | Any]:
        try:
            return await asyncio.gather(
                *(client.get("/api/data") for _ in range(100)), return_exceptions=True
            )
        finally:
            await client.aclose()

    results = asyncio.run(go())
    assert all(isinstance(result, TokenFetchError) for result in results)
    assert endpoint.count == 1


def test_cancelling_a_task_mid_fetch_does_not_poison_the_single_flight(
    server: LoopbackServer,
) -> None:
    endpoint = TokenEndpoint(server, delay=0.4)
    api(server, lambda token: token == "tok-1")
    client, manager = build(server, endpoint)

    async def go() -> list[int]:
        try:
            first = asyncio.ensure_future(client.get("/api/data"))
            await asyncio.sleep(0.1)  # the fetch is in flight, started by ``first``
            others = [asyncio.ensure_future(client.get("/api/data")) for _ in range(20)]
            await asyncio.sleep(0.05)
            first.cancel()
            with pytest.raises(asyncio.CancelledError):
                await first
            done = await asyncio.gather(*others)
            later = await client.get("/api/data")
            return [r.status_code for r in [*done, later]]
        finally:
            await client.aclose()

    assert asyncio.run(go()) == [200] * 21
    assert endpoint.count == 1
    assert manager.storage.get(manager.cache_key) is not None


def test_async_path_across_two_loops_in_two_threads(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server, delay=0.3)
    api(server, lambda token: token == "tok-1")
    client, _manager = build(server, endpoint)
    results: list[list[int]] = []

    def worker() -> None:
        async def go() -> list[int]:
            responses = await asyncio.gather(*(client.get("/api/data") for _ in range(100)))
            return [r.status_code for r in responses]

        results.append(asyncio.run(go()))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == [[200] * 100, [200] * 100]
    assert endpoint.count == 1  # the manager's thread lock joins the two loops' renewals


def test_aget_token_and_ainvalidate_directly(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    manager = TokenManager(ClientCredentialsTokenProvider(endpoint.url, "c", "s"))

    async def go() -> tuple[str, str, str]:
        first = await manager.aget_token()
        cached = await manager.aget_token()
        await manager.ainvalidate("not-the-current-one")
        kept = await manager.aget_token()
        await manager.ainvalidate(first.access_token)
        renewed = await manager.aget_token()
        assert cached is first
        assert kept is first
        return first.access_token, kept.access_token, renewed.access_token

    assert asyncio.run(go()) == ("tok-1", "tok-1", "tok-2")
    assert manager.reads_are_local


@pytest.mark.redis
def test_a_thousand_tasks_with_redis_storage_cause_one_fetch(
    server: LoopbackServer, redis_url: str
) -> None:
    endpoint = TokenEndpoint(server, delay=0.2)
    api(server, lambda token: token == "tok-1")
    storage = RedisTokenStorage(redis_url, key_prefix=f"async-{time.monotonic_ns()}:")
    client, manager = build(server, endpoint, storage)
    assert not manager.reads_are_local
    _expired(storage, manager)
    statuses, elapsed = _many(client, TASKS)
    assert statuses == [200] * TASKS
    assert endpoint.count == 1
    print(f"\n{TASKS} tasks, Redis storage: {endpoint.count} fetch, {elapsed:.2f}s")


@pytest.mark.redis
def test_401_refresh_with_redis_storage(server: LoopbackServer, redis_url: str) -> None:
    endpoint = TokenEndpoint(server)
    api(server, lambda token: token == "tok-1")
    storage = RedisTokenStorage(redis_url, key_prefix=f"async-{time.monotonic_ns()}:")
    client, manager = build(server, endpoint, storage)
    storage.set(manager.cache_key, _valid("revoked"))
    statuses, _ = _many(client, 50)
    assert statuses == [200] * 50
    assert endpoint.count == 1
