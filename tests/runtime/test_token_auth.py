"""Refresh-on-401 end to end: HttpClient + TokenAuthHook + TokenManager + a loopback API."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from requestforge import (
    ClientCredentialsTokenProvider,
    HttpClient,
    HttpClientConfigBuilder,
    HttpResponse,
    InMemoryTokenStorage,
    RedisTokenStorage,
    TokenFetchError,
    TokenManager,
    TokenStorage,
)
from requestforge.tokens import utcnow

from tests.runtime.token_support import FakeClock, TokenEndpoint
from tests.support.server import LoopbackServer, RecordedRequest, Reply

SECRET = "api-client-secret"


def api(server: LoopbackServer, accepts: Callable[[str], bool]) -> None:
    """GET /api/data answers 200 to accepted bearer tokens and 401 otherwise."""

    def handle(request: RecordedRequest) -> Reply:
        header = request.header("Authorization") or ""
        if header.startswith("Bearer ") and accepts(header[len("Bearer ") :]):
            return Reply.json({"ok": True})
        return Reply.json(
            {"error": "invalid_token"},
            status=401,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )

    server.route("GET", "/api/data", handle)


def sent_tokens(server: LoopbackServer) -> list[str | None]:
    return [request.header("Authorization") for request in server.requests_to("/api/data")]


def build(
    server: LoopbackServer,
    endpoint: TokenEndpoint,
    storage: TokenStorage | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> tuple[HttpClient, TokenManager]:
    provider = ClientCredentialsTokenProvider(endpoint.url, "api-client", SECRET)
    manager = TokenManager(provider, storage or InMemoryTokenStorage(), clock=clock)
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_no_retry()
        .with_token_auth(manager)
        .build()
    )
    return HttpClient(config), manager


def test_a_revoked_token_is_refreshed_once_and_the_request_replayed_once(
    server: LoopbackServer,
) -> None:
    endpoint = TokenEndpoint(server)
    api(server, accepts=lambda token: token != "tok-1")  # the server revoked tok-1
    client, manager = build(server, endpoint)
    assert manager.get_token().access_token == "tok-1"

    response = client.get("/api/data")

    assert response.status_code == 200
    assert endpoint.grants == ["client_credentials", "refresh_token"]  # exactly one refresh
    assert sent_tokens(server) == ["Bearer tok-1", "Bearer tok-2"]  # exactly one replay
    assert manager.get_token().access_token == "tok-2"


def test_a_second_401_is_returned_not_looped(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    api(server, accepts=lambda token: False)
    client, _ = build(server, endpoint)

    response = client.get("/api/data")

    assert response.status_code == 401
    assert sent_tokens(server) == ["Bearer tok-1", "Bearer tok-2"]
    assert endpoint.grants == ["client_credentials", "refresh_token"]

    again = client.get("/api/data")  # a new call gets its own (single) renewal
    assert again.status_code == 401
    assert len(sent_tokens(server)) == 4
    assert endpoint.count == 3


def test_threads_hitting_401_together_cause_one_refresh(server: LoopbackServer) -> None:
    callers = 8
    endpoint = TokenEndpoint(server, delay=0.05)
    all_rejected = threading.Barrier(callers)

    def accepts(token: str) -> bool:
        if token == "tok-1":
            all_rejected.wait(timeout=5)  # every caller has sent tok-1 before anyone hears 401
            return False
        return True

    api(server, accepts)
    client, manager = build(server, endpoint)
    manager.get_token()
    start = threading.Barrier(callers)
    responses: list[HttpResponse] = []

    def call() -> None:
        start.wait()
        responses.append(client.get("/api/data"))

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [response.status_code for response in responses] == [200] * callers
    assert endpoint.grants == ["client_credentials", "refresh_token"]  # fetched once
    sent = sent_tokens(server)
    assert sorted(sent) == ["Bearer tok-1"] * callers + ["Bearer tok-2"] * callers


def test_an_expired_token_is_renewed_before_sending(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server, expires_in=3600)
    api(server, accepts=lambda token: True)
    clock = FakeClock(datetime.now(timezone.utc))
    client, _ = build(server, endpoint, clock=clock)

    assert client.get("/api/data").status_code == 200
    clock.advance(3600 - 29)  # inside the 30 s leeway
    assert client.get("/api/data").status_code == 200

    assert sent_tokens(server) == ["Bearer tok-1", "Bearer tok-2"]  # no 401 round trip
    assert endpoint.grants == ["client_credentials", "refresh_token"]


def test_a_failing_token_endpoint_fails_the_call_before_sending(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    endpoint.override = lambda request: Reply.json({"error": "invalid_client"}, status=401)
    api(server, accepts=lambda token: True)
    client, _ = build(server, endpoint)

    with pytest.raises(TokenFetchError) as caught:
        client.get("/api/data")
    assert caught.value.error == "invalid_client"
    assert SECRET not in str(caught.value)
    assert sent_tokens(server) == []


@pytest.mark.redis
def test_another_process_picks_up_the_renewed_token_without_fetching(
    server: LoopbackServer, redis_url: str
) -> None:
    endpoint = TokenEndpoint(server)
    api(server, accepts=lambda token: token != "tok-1")
    client_a, manager_a = build(server, endpoint, RedisTokenStorage(redis_url))
    client_b, manager_b = build(server, endpoint, RedisTokenStorage(redis_url))
    assert manager_a.get_token().access_token == "tok-1"
    assert manager_b.get_token().access_token == "tok-1"  # from Redis

    assert client_a.get("/api/data").status_code == 200  # A hits the 401 and refreshes

    manager_b.invalidate("tok-1")  # B's stale rejection must not throw away A's new token
    assert client_b.get("/api/data").status_code == 200
    assert endpoint.grants == ["client_credentials", "refresh_token"]
    assert sent_tokens(server) == ["Bearer tok-1", "Bearer tok-2", "Bearer tok-2"]
