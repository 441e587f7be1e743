"""Django: ``RequestIdMiddleware`` (sync and async) and ``client_from_settings``.

Django's own ``Client``/``AsyncClient`` drive the views of ``django_app``; each
view calls the loopback upstream through ``client_from_settings(UpstreamClient)``,
and the assertions read the headers the upstream actually received.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.cache import caches
from django.test import AsyncClient, Client, override_settings
from requestforge import ConfigurationError, DjangoCacheTokenStorage
from requestforge.context import get_correlation_id
from requestforge.integrations.django import client_from_settings, reset_clients

from tests.integrations.upstream import UpstreamClient, echo_reply
from tests.runtime.token_support import TokenEndpoint
from tests.support.server import LoopbackServer

HEX_ID = re.compile(r"[0-9a-f]{32}")
HOSTILE_IDS = ["x" * 129, "has space", "crlf\r\nX-Evil: 1", "caf\u00e9", "tab\t", ""]


def _settings(server: LoopbackServer, **client: Any) -> dict[str, Any]:
    return {
        "REQUEST_ID_HEADER": "X-Request-ID",
        "CLIENTS": {"default": {"BASE_URL": server.url, "TOKEN_CACHE": "default", **client}},
    }


@pytest.fixture
def upstream(server: LoopbackServer) -> Iterator[LoopbackServer]:
    server.route("GET", "/data", echo_reply)
    with override_settings(REQUESTFORGE=_settings(server)):
        yield server
    reset_clients()
    caches["default"].clear()


def test_incoming_id_reaches_the_upstream_and_is_echoed(upstream: LoopbackServer) -> None:
    response = Client().get("/call", headers={"X-Request-ID": "req-abc-123"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-abc-123"
    body = response.json()
    assert body["request_id"] == "req-abc-123"
    assert body["metadata"] == {"method": "GET", "path": "/call"}
    assert upstream.requests_to("/data")[-1].header("X-Request-ID") == "req-abc-123"
    assert get_correlation_id() is None  # nothing leaks out of the request


def test_a_missing_id_is_generated(upstream: LoopbackServer) -> None:
    response = Client().get("/call")
    generated = response["X-Request-ID"]
    assert HEX_ID.fullmatch(generated)
    assert upstream.requests_to("/data")[-1].header("X-Request-ID") == generated


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_hostile_ids_are_replaced(upstream: LoopbackServer, hostile: str) -> None:
    response = Client().get("/call", HTTP_X_REQUEST_ID=hostile)
    replaced = response["X-Request-ID"]
    assert HEX_ID.fullmatch(replaced)
    assert upstream.requests_to("/data")[-1].header("X-Request-ID") == replaced


def test_the_header_name_comes_from_settings(upstream: LoopbackServer) -> None:
    with override_settings(
        REQUESTFORGE={**_settings(upstream), "REQUEST_ID_HEADER": "X-Correlation-ID"}
    ):
        response = Client().get("/call", headers={"X-Correlation-ID": "corr-1"})
    assert response["X-Correlation-ID"] == "corr-1"
    # Outgoing calls use the client's correlation header (X-Request-ID by default).
    assert upstream.requests_to("/data")[-1].header("X-Request-ID") == "corr-1"


def test_concurrent_threads_each_send_their_own_id(upstream: LoopbackServer) -> None:
    def call(n: int) -> str:
        response = Client().get(f"/call?n={n}", headers={"X-Request-ID": f"thread-req-{n}"})
        assert response.status_code == 200
        return str(response["X-Request-ID"])

    with ThreadPoolExecutor(max_workers=16) as pool:
        echoed = list(pool.map(call, range(120)))
    assert echoed == [f"thread-req-{n}" for n in range(120)]
    seen = {(r.query["n"][0], r.header("X-Request-ID")) for r in upstream.requests_to("/data")}
    assert seen == {(str(n), f"thread-req-{n}") for n in range(120)}


def test_async_view_under_concurrent_tasks(upstream: LoopbackServer) -> None:
    async def main() -> list[Any]:
        client = AsyncClient()
        return list(
            await asyncio.gather(
                *(
                    client.get(f"/acall?n={n}", headers={"X-Request-ID": f"task-req-{n}"})
                    for n in range(60)
                )
            )
        )

    responses = asyncio.run(main())
    assert [r["X-Request-ID"] for r in responses] == [f"task-req-{n}" for n in range(60)]
    assert [r.json()["request_id"] for r in responses] == [f"task-req-{n}" for n in range(60)]
    seen = {(r.query["n"][0], r.header("X-Request-ID")) for r in upstream.requests_to("/data")}
    assert seen == {(str(n), f"task-req-{n}") for n in range(60)}


# -- client_from_settings ---------------------------------------------------------------


def test_one_client_per_class_and_name_even_when_first_use_is_concurrent(
    upstream: LoopbackServer,
) -> None:
    barrier = threading.Barrier(16)

    def first_use() -> UpstreamClient:
        barrier.wait()
        return client_from_settings(UpstreamClient)

    with ThreadPoolExecutor(max_workers=16) as pool:
        clients = list(pool.map(lambda _: first_use(), range(16)))
    assert all(client is clients[0] for client in clients)
    assert isinstance(clients[0].token_storage, DjangoCacheTokenStorage)
    assert clients[0].http_client.config.base_url == upstream.url


def test_settings_changes_rebuild_the_client(upstream: LoopbackServer) -> None:
    before = client_from_settings(UpstreamClient)
    with override_settings(REQUESTFORGE=_settings(upstream, TIMEOUT=3, HEADERS={"X-App": "a"})):
        during = client_from_settings(UpstreamClient)
        assert during is not before
        assert during.http_client.config.default_timeout == 3
        assert during.http_client.config.default_headers == {"X-App": "a"}
    assert client_from_settings(UpstreamClient) is not during


def test_unknown_names_and_keys_are_configuration_errors(upstream: LoopbackServer) -> None:
    with pytest.raises(ConfigurationError, match="'other'"):
        client_from_settings(UpstreamClient, name="other")
    with (
        override_settings(REQUESTFORGE=_settings(upstream, BASEURL="typo")),
        pytest.raises(ConfigurationError, match="BASEURL"),
    ):
        client_from_settings(UpstreamClient)


def test_credentials_and_token_cache_from_settings(upstream: LoopbackServer) -> None:
    tokens = TokenEndpoint(upstream)
    credentials = {"client_id": "app", "client_secret": "s3cret", "token_url": tokens.url}
    with override_settings(REQUESTFORGE=_settings(upstream, CREDENTIALS=credentials)):
        for n in range(3):
            Client().get(f"/call?n={n}", headers={"X-Request-ID": f"auth-{n}"})
        storage = client_from_settings(UpstreamClient).token_storage
    assert tokens.count == 1
    sent = upstream.requests_to("/data")
    assert [r.header("Authorization") for r in sent] == ["Bearer tok-1"] * 3
    assert isinstance(storage, DjangoCacheTokenStorage)
