"""ASGI: ``RequestIdMiddleware`` under FastAPI/Starlette, via ``TestClient`` and httpx tasks."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, WebSocket
from requestforge import (
    HttpClient,
    HttpClientConfigBuilder,
    HttpRequest,
    InMemoryTokenStorage,
    RequestContext,
)
from requestforge.context import get_correlation_id, get_request_metadata
from requestforge.integrations.asgi import RequestIdMiddleware
from starlette.testclient import TestClient

from tests.integrations.upstream import UpstreamClient, echo_reply
from tests.support.server import LoopbackServer

HEX_ID = re.compile(r"[0-9a-f]{32}")


def build_app(client: UpstreamClient, lifespan_log: list[str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        lifespan_log.append("startup")
        yield
        lifespan_log.append("shutdown")

    app = FastAPI(lifespan=lifespan)
    app.add_middleware(RequestIdMiddleware)

    @app.get("/acall")
    async def acall(n: int = 0) -> dict[str, Any]:
        await asyncio.sleep(0.01)  # interleave with the other requests' tasks
        upstream = await asyncio.to_thread(client.get_data, n)
        return {"request_id": get_correlation_id(), "upstream": upstream}

    @app.get("/call")
    def call(n: int = 0) -> dict[str, Any]:  # a sync endpoint: runs in the thread pool
        return {
            "request_id": get_correlation_id(),
            "metadata": dict(get_request_metadata()),
            "upstream": client.get_data(n),
        }

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        upstream = await asyncio.to_thread(client.get_data, "ws")
        await websocket.send_json({"request_id": get_correlation_id(), "upstream": upstream})
        await websocket.close()

    return app


@pytest.fixture
def upstream_client(server: LoopbackServer) -> Iterator[UpstreamClient]:
    server.route("GET", "/data", echo_reply)
    with UpstreamClient(server.url, token_storage=InMemoryTokenStorage()) as client:
        yield client


@pytest.fixture
def app(upstream_client: UpstreamClient) -> FastAPI:
    return build_app(upstream_client, [])


def test_incoming_id_reaches_the_upstream_and_is_echoed(
    app: FastAPI, server: LoopbackServer
) -> None:
    with TestClient(app) as client:
        for path in ("/call", "/acall"):
            response = client.get(path, headers={"X-Request-ID": f"asgi{path}"})
            assert response.headers["X-Request-ID"] == f"asgi{path}"
            assert response.json()["request_id"] == f"asgi{path}"
            assert server.requests_to("/data")[-1].header("X-Request-ID") == f"asgi{path}"
        assert client.get("/call").json()["metadata"] == {"method": "GET", "path": "/call"}


@pytest.mark.parametrize("incoming", [None, "x" * 129, "has space", "", "caf\u00e9"])
def test_missing_or_hostile_ids_are_replaced(
    app: FastAPI, server: LoopbackServer, incoming: str | None
) -> None:
    headers = {} if incoming is None else {"X-Request-ID": incoming.encode("latin-1")}
    with TestClient(app) as client:
        response = client.get("/call", headers=headers)  # type: ignore[arg-type]
    replaced = response.headers["X-Request-ID"]
    assert HEX_ID.fullmatch(replaced)
    assert response.headers.get_list("X-Request-ID") == [replaced]
    assert server.requests_to("/data")[-1].header("X-Request-ID") == replaced


def test_concurrent_tasks_each_send_their_own_id(app: FastAPI, server: LoopbackServer) -> None:
    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            return list(
                await asyncio.gather(
                    *(
                        client.get(f"/acall?n={n}", headers={"X-Request-ID": f"task-{n}"})
                        for n in range(100)
                    )
                )
            )

    responses = asyncio.run(main())
    assert [r.headers["X-Request-ID"] for r in responses] == [f"task-{n}" for n in range(100)]
    seen = {(r.query["n"][0], r.header("X-Request-ID")) for r in server.requests_to("/data")}
    assert seen == {(str(n), f"task-{n}") for n in range(100)}


def test_websocket_connections_get_an_id(app: FastAPI, server: LoopbackServer) -> None:
    with (
        TestClient(app) as client,
        client.websocket_connect("/ws", headers={"X-Request-ID": "ws-req-1"}) as websocket,
    ):
        message = websocket.receive_json()
    assert message["request_id"] == "ws-req-1"
    assert server.requests_to("/data")[-1].header("X-Request-ID") == "ws-req-1"


def test_lifespan_passes_through(upstream_client: UpstreamClient) -> None:
    log: list[str] = []
    with TestClient(build_app(upstream_client, log)) as client:
        assert client.get("/call").status_code == 200
    assert log == ["startup", "shutdown"]


def test_custom_header_and_the_apps_own_header_is_replaced() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"x-trace", b"from-app"), (b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": str(get_correlation_id()).encode()})

    client = TestClient(RequestIdMiddleware(app, header="X-Trace"))  # no lifespan: plain ASGI
    response = client.get("/", headers={"X-Trace": "t-1"})
    assert response.text == "t-1"
    assert response.headers.get_list("X-Trace") == ["t-1"]


def test_hooks_see_the_request_metadata(server: LoopbackServer) -> None:
    server.route("GET", "/data", echo_reply)
    seen: list[dict[str, str]] = []

    class RecordingHook:
        def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
            seen.append({**get_request_metadata(), "id": str(get_correlation_id())})
            return request

    config = HttpClientConfigBuilder().with_base_url(server.url).with_request_hook(RecordingHook())
    with UpstreamClient(http_client=HttpClient(config.build())) as client:
        app = build_app(client, [])
        with TestClient(app) as test_client:
            test_client.get("/call", headers={"X-Request-ID": "hooked"})
    assert seen == [{"method": "GET", "path": "/call", "id": "hooked"}]
