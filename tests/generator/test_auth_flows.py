"""Generated clients run OAuth2 / OpenID Connect flows and token pipelines against loopback.

The specs name the loopback server's own token endpoints, so every token
request the client makes is recorded next to the API calls it authorises.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs

import pytest
from requestforge import (
    InMemoryTokenStorage,
    RedisTokenStorage,
    TokenFetchError,
    clear_discovery_cache,
)

from tests.generator.auth_support import generated_client, op, spec
from tests.runtime.test_storage import django_caches  # noqa: F401 -- a fixture
from tests.support.server import LoopbackServer, RecordedRequest, Reply


def form(request: RecordedRequest) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.body.decode()).items()}


def oauth_spec(base: str) -> dict[str, Any]:
    schemes = {
        "machine": {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": f"{base}/token",
                    "scopes": {"reports:read": "", "reports:write": ""},
                }
            },
        },
        "login": {
            "type": "oauth2",
            "flows": {"password": {"tokenUrl": f"{base}/login-token", "scopes": {"me": ""}}},
        },
        "user": {
            "type": "oauth2",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": f"{base}/authorize",
                    "tokenUrl": f"{base}/code-token",
                    "refreshUrl": f"{base}/refresh",
                    "scopes": {},
                }
            },
        },
    }
    paths = {
        "/reports": {
            "get": op("listReports", [{"machine": ["reports:read"]}]),
            "post": op("createReport", [{"machine": ["reports:write", "reports:read"]}]),
        },
        "/me": {"get": op("me", [{"login": ["me"]}])},
        "/profile": {"get": op("profile", [{"user": []}])},
    }
    return spec(paths, schemes)


@pytest.fixture
def oauth(tmp_path: Path, server: LoopbackServer) -> Iterator[ModuleType]:
    with generated_client(oauth_spec(server.url), tmp_path, "authoauth") as module:
        yield module


def token_requests(server: LoopbackServer, path: str = "/token") -> list[RecordedRequest]:
    return server.requests_to(path, "POST")


def test_client_credentials_fetched_once_across_threads(
    oauth: ModuleType, server: LoopbackServer
) -> None:
    server.route(
        "POST",
        "/token",
        Reply.json(
            {"access_token": "t1", "expires_in": 3600},
        ),
    )
    server.route("GET", "/reports", Reply.json({}))
    client = oauth.Client(server.url, machine_client_id="app", machine_client_secret="sec")
    errors: list[BaseException] = []

    def call() -> None:
        try:
            client.calls.list_reports()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    (fetch,) = token_requests(server)
    assert form(fetch) == {"grant_type": "client_credentials", "scope": "reports:read"}
    assert fetch.header("Authorization") is not None  # client_secret_basic
    reports = server.requests_to("/reports")
    assert len(reports) == 16
    assert {r.header("Authorization") for r in reports} == {"Bearer t1"}


def test_each_operation_gets_a_token_for_its_own_scopes(
    oauth: ModuleType, server: LoopbackServer
) -> None:
    server.queue(
        "POST",
        "/token",
        Reply.json({"access_token": "read-token", "expires_in": 3600}),
        Reply.json({"access_token": "write-token", "expires_in": 3600}),
    )
    server.route("GET", "/reports", Reply.json({}))
    server.route("POST", "/reports", Reply.json({}))
    client = oauth.Client(server.url, machine_client_id="app", machine_client_secret="sec")
    client.calls.list_reports()
    client.calls.create_report()
    client.calls.list_reports()
    scopes = [form(r)["scope"] for r in token_requests(server)]
    assert scopes == ["reports:read", "reports:write reports:read"]
    sent = [r.header("Authorization") for r in server.requests_to("/reports")]
    assert sent == ["Bearer read-token", "Bearer write-token", "Bearer read-token"]
    # scopes= fixes one scope set for every operation
    server.requests.clear()
    fixed = oauth.Client(
        server.url, machine_client_id="app", machine_client_secret="sec", machine_scopes=["x"]
    )
    fixed.calls.list_reports()
    fixed.calls.create_report()
    assert [form(r)["scope"] for r in token_requests(server)] == ["x"]


def test_refetched_on_expiry_and_on_401(oauth: ModuleType, server: LoopbackServer) -> None:
    server.queue(
        "POST",
        "/token",
        Reply.json({"access_token": "short", "expires_in": 1}),  # inside the leeway
        Reply.json({"access_token": "long", "expires_in": 3600}),
        Reply.json({"access_token": "renewed", "expires_in": 3600}),
    )
    server.queue(
        "GET",
        "/reports",
        Reply.json({}),
        Reply.json({}),
        Reply.json({"error": "revoked"}, status=401),
        Reply.json({}),
    )
    client = oauth.Client(server.url, machine_client_id="app", machine_client_secret="sec")
    client.calls.list_reports()  # short
    client.calls.list_reports()  # short expired -> long
    client.calls.list_reports()  # long refused with 401 -> renewed, replayed
    sent = [r.header("Authorization") for r in server.requests_to("/reports")]
    assert sent == ["Bearer short", "Bearer long", "Bearer long", "Bearer renewed"]
    assert len(token_requests(server)) == 3


def test_password_grant(oauth: ModuleType, server: LoopbackServer) -> None:
    server.route("POST", "/login-token", Reply.json({"access_token": "pw", "expires_in": 600}))
    server.route("GET", "/me", Reply.json({}))
    client = oauth.Client(
        server.url, login_username="ann", login_password="s3cret", login_client_id="cli"
    )
    client.calls.me()
    (fetch,) = token_requests(server, "/login-token")
    assert form(fetch) == {
        "grant_type": "password",
        "username": "ann",
        "password": "s3cret",
        "scope": "me",
        "client_id": "cli",
    }
    assert server.requests_to("/me")[0].header("Authorization") == "Bearer pw"


def test_authorization_code_token_refreshed_through_refresh_url(
    oauth: ModuleType, server: LoopbackServer
) -> None:
    server.route(
        "POST",
        "/refresh",
        Reply.json({"access_token": "fresh", "refresh_token": "r2", "expires_in": 600}),
    )
    server.queue("GET", "/profile", Reply(status=401), Reply.json({}))
    client = oauth.Client(server.url, user_token="stale", user_refresh_token="r1")
    client.calls.profile()
    sent = [r.header("Authorization") for r in server.requests_to("/profile")]
    assert sent == ["Bearer stale", "Bearer fresh"]
    (refresh,) = token_requests(server, "/refresh")
    assert form(refresh) == {"grant_type": "refresh_token", "refresh_token": "r1"}


def test_token_url_is_overridable(oauth: ModuleType, server: LoopbackServer) -> None:
    server.route("POST", "/elsewhere", Reply.json({"access_token": "e", "expires_in": 600}))
    server.route("GET", "/reports", Reply.json({}))
    client = oauth.Client(
        server.url,
        machine_client_id="app",
        machine_client_secret="sec",
        machine_token_url=f"{server.url}/elsewhere",
    )
    client.calls.list_reports()
    assert [r.path for r in server.requests] == ["/elsewhere", "/reports"]


def test_token_storage_is_shared(oauth: ModuleType, server: LoopbackServer) -> None:
    server.route("POST", "/token", Reply.json({"access_token": "shared", "expires_in": 600}))
    server.route("GET", "/reports", Reply.json({}))
    storage = InMemoryTokenStorage()
    for _ in range(2):
        client = oauth.Client(
            server.url, machine_client_id="app", machine_client_secret="sec", token_storage=storage
        )
        client.calls.list_reports()
        assert client.token_storage is storage
    assert len(token_requests(server)) == 1


def test_redis_token_storage(oauth: ModuleType, server: LoopbackServer, redis_url: str) -> None:
    server.route("POST", "/token", Reply.json({"access_token": "redis", "expires_in": 600}))
    server.route("GET", "/reports", Reply.json({}))
    for _ in range(2):  # two clients, as two processes would be
        client = oauth.Client(
            server.url,
            machine_client_id="app",
            machine_client_secret="sec",
            token_storage=RedisTokenStorage(redis_url),
        )
        client.calls.list_reports()
    assert len(token_requests(server)) == 1
    assert server.requests_to("/reports")[1].header("Authorization") == "Bearer redis"


@pytest.mark.usefixtures("django_caches")
def test_django_cache_token_storage(oauth: ModuleType, server: LoopbackServer) -> None:
    from requestforge import DjangoCacheTokenStorage

    server.route("POST", "/token", Reply.json({"access_token": "dj", "expires_in": 600}))
    server.route("GET", "/reports", Reply.json({}))
    for _ in range(2):
        client = oauth.Client(
            server.url,
            machine_client_id="app",
            machine_client_secret="sec",
            token_storage=DjangoCacheTokenStorage(),
        )
        client.calls.list_reports()
    assert len(token_requests(server)) == 1
    assert server.requests_to("/reports")[1].header("Authorization") == "Bearer dj"


def test_missing_oauth_credentials(oauth: ModuleType, server: LoopbackServer) -> None:
    client = oauth.Client(server.url)
    with pytest.raises(oauth.MissingCredentialsError) as caught:
        client.calls.list_reports()
    assert "Client(machine_client_id=..., machine_client_secret=...)" in str(caught.value)
    with pytest.raises(oauth.MissingCredentialsError) as caught:
        client.calls.profile()
    assert "Client(user_token=... or user_refresh_token=...)" in str(caught.value)
    assert server.requests == []


def test_token_endpoint_secrets_stay_out_of_errors(
    oauth: ModuleType, server: LoopbackServer
) -> None:
    server.route(
        "POST",
        "/login-token",
        Reply.json({"error": "invalid_grant", "error_description": "pw s3cret-pw"}, status=400),
    )
    client = oauth.Client(server.url, login_username="ann", login_password="s3cret-pw")
    with pytest.raises(TokenFetchError) as caught:
        client.calls.me()
    assert "invalid_grant" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)


# -- OpenID Connect ----------------------------------------------------------------


def oidc_spec(base: str) -> dict[str, Any]:
    schemes = {
        "oidc": {
            "type": "openIdConnect",
            "openIdConnectUrl": f"{base}/.well-known/openid-configuration",
        }
    }
    return spec({"/claims": {"get": op("claims", [{"oidc": ["openid", "claims"]}])}}, schemes)


@pytest.fixture
def oidc(tmp_path: Path, server: LoopbackServer) -> Iterator[ModuleType]:
    clear_discovery_cache()
    with generated_client(oidc_spec(server.url), tmp_path, "authoidc") as module:
        yield module
    clear_discovery_cache()


def test_openid_connect_discovers_the_token_endpoint_once(
    oidc: ModuleType, server: LoopbackServer
) -> None:
    server.route(
        "GET",
        "/.well-known/openid-configuration",
        Reply.json({"issuer": server.url, "token_endpoint": f"{server.url}/oidc/token"}),
    )
    server.route("POST", "/oidc/token", Reply.json({"access_token": "id-t", "expires_in": 600}))
    server.route("GET", "/claims", Reply.json({}))
    for _ in range(2):
        client = oidc.Client(server.url, client_id="app", client_secret="sec")
        client.calls.claims()
        client.calls.claims()
    assert len(server.requests_to("/.well-known/openid-configuration")) == 1
    fetches = token_requests(server, "/oidc/token")
    assert len(fetches) == 2  # one per client (each has its own memory storage)
    assert form(fetches[0]) == {"grant_type": "client_credentials", "scope": "openid claims"}
    assert {r.header("Authorization") for r in server.requests_to("/claims")} == {"Bearer id-t"}


def test_openid_connect_static_token(oidc: ModuleType, server: LoopbackServer) -> None:
    server.route("GET", "/claims", Reply.json({}))
    oidc.Client(server.url, token="given").calls.claims()
    assert [r.path for r in server.requests] == ["/claims"]
    assert server.requests[0].header("Authorization") == "Bearer given"


# -- x-forgegen-token-pipeline -------------------------------------------------------


PIPELINE = {
    "inputs": ["device_key"],
    "steps": [
        {
            "name": "device",
            "operationId": "deviceToken",
            "token": {"header": "X-Device-Token"},
            "ttl": 86400,
            "headers": {"X-Device-Key": "{device_key}"},
        },
        {
            "name": "app",
            "operationId": "appToken",
            "dependsOn": ["device"],
            "token": {"json": "data.token"},
            "ttl": 3600,
            "headers": {"Authorization": "Device {device}"},
        },
        {
            "name": "user",
            "operationId": "userToken",
            "dependsOn": ["app", "device"],
            "token": {"json": "token"},
            "ttl": 300,
            "headers": {"X-App-Token": "{app}"},
            "json": {"device": "{device}", "key": "{device_key}"},
        },
    ],
}


def pipeline_spec() -> dict[str, Any]:
    paths = {
        "/auth/device": {"post": op("deviceToken", [])},
        "/auth/app": {"post": op("appToken", [])},
        "/auth/user": {"post": op("userToken", [])},
        "/data": {"get": op("data", [{"session": []}])},
    }
    schemes = {
        "session": {"type": "http", "scheme": "bearer", "x-forgegen-token-pipeline": PIPELINE}
    }
    return spec(paths, schemes)


@pytest.fixture
def piped(tmp_path: Path) -> Iterator[ModuleType]:
    with generated_client(pipeline_spec(), tmp_path, "authpipe") as module:
        yield module


def test_token_pipeline_with_three_steps(piped: ModuleType, server: LoopbackServer) -> None:
    server.route("POST", "/auth/device", Reply(headers={"X-Device-Token": "dev-1"}))
    server.route("POST", "/auth/app", Reply.json({"data": {"token": "app-1"}}))
    server.queue(
        "POST",
        "/auth/user",
        Reply.json({"token": "user-1"}),
        Reply.json({"token": "user-2"}),
    )
    server.queue("GET", "/data", Reply.json({}), Reply.json({}), Reply(status=401), Reply.json({}))
    client = piped.Client(server.url, device_key="dk")
    client.calls.data()
    client.calls.data()
    assert [r.path for r in server.requests] == [
        "/auth/device",
        "/auth/app",
        "/auth/user",
        "/data",
        "/data",
    ]
    device, app, user = server.requests[:3]
    assert device.header("X-Device-Key") == "dk"
    assert app.header("Authorization") == "Device dev-1"
    assert user.header("X-App-Token") == "app-1"
    assert user.json() == {"device": "dev-1", "key": "dk"}
    assert server.requests[3].header("Authorization") == "Bearer user-1"
    server.requests.clear()
    client.calls.data()  # 401: only the last step is fetched again
    assert [r.path for r in server.requests] == ["/data", "/auth/user", "/data"]
    assert server.requests[-1].header("Authorization") == "Bearer user-2"


def test_token_pipeline_needs_its_inputs(piped: ModuleType, server: LoopbackServer) -> None:
    with pytest.raises(piped.MissingCredentialsError, match=r"Client\(token=\.\.\. or "):
        piped.Client(server.url).calls.data()
    assert server.requests == []
    readme = (Path(piped.__file__).parent / "README.md").read_text()
    assert 'client = Client(device_key="...")' in readme
    assert "`device: POST /auth/device`" in readme


def test_close_releases_the_token_clients_connections(
    oauth: ModuleType, server: LoopbackServer
) -> None:
    server.route("POST", "/token", Reply.json({"access_token": "t", "expires_in": 600}))
    server.route("GET", "/reports", Reply.json({}))
    client = oauth.Client(server.url, machine_client_id="app", machine_client_secret="sec")
    client.calls.list_reports()
    assert server.open_connections == 2  # keep-alive: the API client and the token client
    client.close()
    assert server.wait_for_connections(0)
