"""Flask: the ``RequestForge`` extension through ``app.test_client()``."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from requestforge import ConfigurationError, InMemoryTokenStorage, RedisTokenStorage
from requestforge.context import get_correlation_id
from requestforge.integrations.flask import RequestForge

from tests.integrations.flask_app import create_app, forge
from tests.integrations.upstream import UpstreamClient, echo_reply
from tests.runtime.token_support import TokenEndpoint
from tests.support.server import LoopbackServer

HEX_ID = re.compile(r"[0-9a-f]{32}")
HOSTILE_IDS = ["x" * 129, "has space", "caf\u00e9", "tab\tid", ""]


@pytest.fixture
def app(server: LoopbackServer) -> Flask:
    server.route("GET", "/data", echo_reply)
    return create_app(server.url, token_storage=InMemoryTokenStorage())


def test_incoming_id_reaches_the_upstream_and_is_echoed(app: Flask, server: LoopbackServer) -> None:
    response = app.test_client().get("/call", headers={"X-Request-ID": "flask-req-1"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "flask-req-1"
    body = response.get_json()
    assert body["request_id"] == "flask-req-1"
    assert body["metadata"] == {"method": "GET", "path": "/call", "endpoint": "call"}
    assert server.requests_to("/data")[-1].header("X-Request-ID") == "flask-req-1"
    assert get_correlation_id() is None


def test_a_missing_id_is_generated_and_errors_are_echoed_too(
    app: Flask, server: LoopbackServer
) -> None:
    client = app.test_client()
    generated = client.get("/call").headers["X-Request-ID"]
    assert HEX_ID.fullmatch(generated)
    assert server.requests_to("/data")[-1].header("X-Request-ID") == generated
    missing = client.get("/nowhere", headers={"X-Request-ID": "on-404"})
    assert (missing.status_code, missing.headers["X-Request-ID"]) == (404, "on-404")


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_hostile_ids_are_replaced(app: Flask, server: LoopbackServer, hostile: str) -> None:
    response = app.test_client().get("/call", headers={"X-Request-ID": hostile})
    replaced = response.headers["X-Request-ID"]
    assert HEX_ID.fullmatch(replaced)
    assert server.requests_to("/data")[-1].header("X-Request-ID") == replaced


def test_concurrent_threads_each_send_their_own_id(app: Flask, server: LoopbackServer) -> None:
    def call(n: int) -> str:
        response = app.test_client().get(f"/call?n={n}", headers={"X-Request-ID": f"fr-{n}"})
        assert response.status_code == 200
        return str(response.headers["X-Request-ID"])

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert list(pool.map(call, range(150))) == [f"fr-{n}" for n in range(150)]
    seen = {(r.query["n"][0], r.header("X-Request-ID")) for r in server.requests_to("/data")}
    assert seen == {(str(n), f"fr-{n}") for n in range(150)}


def test_one_client_per_app_created_once_under_concurrency(server: LoopbackServer) -> None:
    server.route("GET", "/data", echo_reply)
    first, second = create_app(server.url), create_app(server.url)
    barrier = threading.Barrier(12)

    def client_of(app: Flask) -> UpstreamClient:
        barrier.wait()
        with app.app_context():
            return forge.client

    with ThreadPoolExecutor(max_workers=12) as pool:
        clients = list(pool.map(client_of, [first] * 6 + [second] * 6))
    assert all(c is clients[0] for c in clients[:6])
    assert all(c is clients[6] for c in clients[6:])
    assert clients[0] is not clients[6]


@pytest.mark.redis
def test_configuration_from_app_config(server: LoopbackServer, redis_url: str) -> None:
    tokens = TokenEndpoint(server)
    server.route("GET", "/data", echo_reply)
    app = create_app(server.url, tokens.url, token_storage=redis_url)
    with app.app_context():
        client = forge.client
    assert isinstance(client.token_storage, RedisTokenStorage)
    for n in range(3):
        app.test_client().get(f"/call?n={n}")
    assert tokens.count == 1
    assert {r.header("Authorization") for r in server.requests_to("/data")} == {"Bearer tok-1"}


def test_bad_settings_are_configuration_errors(server: LoopbackServer) -> None:
    app = Flask(__name__)
    app.config["REQUESTFORGE_BASE_URL"] = server.url
    app.config["REQUESTFORGE_TOKEN_STORAGE"] = "memcached://nope"
    ext = RequestForge(app, client_class=UpstreamClient)
    with app.app_context(), pytest.raises(ConfigurationError, match="TOKEN_STORAGE"):
        _ = ext.client
    bare_app = Flask(__name__)
    bare = RequestForge(bare_app)
    with bare_app.app_context(), pytest.raises(ConfigurationError, match="client_class"):
        _ = bare.client
    broken = Flask(__name__)
    broken.config["REQUESTFORGE_REQUEST_ID_HEADER"] = "Bad Header"
    with pytest.raises(ConfigurationError):
        RequestForge(broken)


def test_custom_prefix_and_header(server: LoopbackServer) -> None:
    server.route("GET", "/data", echo_reply)
    app = Flask(__name__)
    app.config.update(UPSTREAM_BASE_URL=server.url, UPSTREAM_REQUEST_ID_HEADER="X-Trace-ID")
    ext = RequestForge(app, client_class=UpstreamClient, config_prefix="UPSTREAM")

    @app.get("/c")
    def c() -> dict[str, object]:
        return {"upstream": ext.client.get_data(7)}

    response = app.test_client().get("/c", headers={"X-Trace-ID": "trace-7"})
    assert response.headers["X-Trace-ID"] == "trace-7"
    assert server.requests_to("/data")[-1].header("X-Request-ID") == "trace-7"
