"""Generated clients authenticate themselves: every scheme kind, OR / AND / empty requirements.

Each test generates a client from a small spec into a tmp dir, imports it and
calls a loopback server that records exactly which credentials arrive.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from requestforge import (
    ApiKeyAuthHook,
    BearerTokenAuthHook,
    ClientCredentialsTokenProvider,
    ConfigurationError,
    TokenManager,
)

from tests.generator.auth_support import generated_client, op, spec
from tests.support.server import LoopbackServer, RecordedRequest, Reply

SCHEMES = {
    "header_key": {"type": "apiKey", "in": "header", "name": "X-Key"},
    "query_key": {"type": "apiKey", "in": "query", "name": "key"},
    "cookie_key": {"type": "apiKey", "in": "cookie", "name": "session"},
    "basic": {"type": "http", "scheme": "basic"},
    "bearer": {"type": "http", "scheme": "bearer"},
    "user_oauth": {
        "type": "oauth2",
        "flows": {"implicit": {"authorizationUrl": "https://auth.invalid/authorize", "scopes": {}}},
    },
    "mtls": {"type": "mutualTLS"},
}
PATHS = {
    "/header": {"get": op("header", [{"header_key": []}])},
    "/query": {"get": op("query", [{"query_key": []}])},
    "/cookie": {"get": op("cookie", [{"cookie_key": []}])},
    "/basic": {"get": op("basic", [{"basic": []}])},
    "/bearer": {"get": op("bearer", [{"bearer": []}])},
    "/user": {"get": op("user", [{"user_oauth": ["read"]}])},
    "/mtls": {"get": op("mtls", [{"mtls": []}])},
    "/either": {"get": op("either", [{"header_key": []}, {"basic": []}])},
    "/both": {"get": op("both", [{"header_key": [], "basic": []}])},
    "/anonymous": {"get": op("anonymous", [])},
    "/optional": {"get": op("optional", [{}, {"bearer": []}])},
    "/inherited": {"get": op("inherited")},
}
BASIC = "Basic " + base64.b64encode(b"ann:s3cret").decode()


@pytest.fixture(scope="module")
def authall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    document = spec(PATHS, SCHEMES, security=[{"bearer": []}])
    with generated_client(document, tmp_path_factory.mktemp("authall"), "authall") as module:
        yield module


def only(server: LoopbackServer) -> RecordedRequest:
    (request,) = server.requests
    server.requests.clear()
    return request


def credentials(request: RecordedRequest) -> dict[str, Any]:
    """Everything credential-like that arrived: auth headers, query, cookies."""
    found: dict[str, Any] = {}
    for name in ("authorization", "x-key", "cookie"):
        if request.header(name) is not None:
            found[name] = request.header(name)
    if request.query:
        found["query"] = request.query
    return found


def test_parameters_follow_the_naming_rule(authall: ModuleType) -> None:
    import inspect

    parameters = list(inspect.signature(authall.Client).parameters)
    # three apiKey schemes: prefixed; bearer and the oauth2 implicit flow both want `token`
    assert parameters[:12] == [
        "base_url",
        "header_key_api_key",
        "query_key_api_key",
        "cookie_key_api_key",
        "username",
        "password",
        "bearer_token",
        "bearer_token_manager",
        "user_oauth_token",
        "user_oauth_refresh_token",
        "user_oauth_token_url",  # a prefixed scheme has all of its parameters prefixed
        "client_cert",
    ]
    assert parameters[12:] == [
        "token_storage",
        "auth",
        "auth_by_scheme",
        "http_client",
        "timeout",
        "headers",
        "strict_responses",
    ]


def test_each_api_key_location(authall: ModuleType, server: LoopbackServer) -> None:
    server.route("GET", "/*", Reply.json({}))
    client = authall.Client(
        server.url, header_key_api_key="hk", query_key_api_key="qk", cookie_key_api_key="ck"
    )
    client.calls.header()
    assert credentials(only(server)) == {"x-key": "hk"}
    client.calls.query()
    assert credentials(only(server)) == {"query": {"key": ["qk"]}}
    client.calls.cookie()
    assert credentials(only(server)) == {"cookie": "session=ck"}


def test_basic_bearer_and_oauth2_static_token(authall: ModuleType, server: LoopbackServer) -> None:
    server.route("GET", "/*", Reply.json({}))
    client = authall.Client(
        server.url, username="ann", password="s3cret", bearer_token="bt", user_oauth_token="ut"
    )
    client.calls.basic()
    assert credentials(only(server)) == {"authorization": BASIC}
    client.calls.bearer()
    assert credentials(only(server)) == {"authorization": "Bearer bt"}
    client.calls.user()
    assert credentials(only(server)) == {"authorization": "Bearer ut"}
    client.calls.inherited()  # the spec's top-level security: bearer
    assert credentials(only(server)) == {"authorization": "Bearer bt"}


def test_bearer_token_manager(authall: ModuleType, server: LoopbackServer) -> None:
    server.route("GET", "/*", Reply.json({}))
    server.route("POST", "/token", Reply.json({"access_token": "managed", "expires_in": 600}))
    manager = TokenManager(ClientCredentialsTokenProvider(server.url + "/token", "id", "secret"))
    client = authall.Client(server.url, bearer_token_manager=manager)
    client.calls.bearer()
    client.calls.bearer()
    assert [r.path for r in server.requests] == ["/token", "/bearer", "/bearer"]
    assert server.requests[-1].header("Authorization") == "Bearer managed"


def test_or_takes_the_first_alternative_the_user_gave(
    authall: ModuleType, server: LoopbackServer
) -> None:
    server.route("GET", "/*", Reply.json({}))
    authall.Client(server.url, username="ann", password="s3cret").calls.either()
    assert credentials(only(server)) == {"authorization": BASIC}
    everything = authall.Client(
        server.url, header_key_api_key="hk", username="ann", password="s3cret"
    )
    everything.calls.either()
    assert credentials(only(server)) == {"x-key": "hk"}


def test_and_applies_every_scheme(authall: ModuleType, server: LoopbackServer) -> None:
    server.route("GET", "/*", Reply.json({}))
    client = authall.Client(server.url, header_key_api_key="hk", username="ann", password="s3cret")
    client.calls.both()
    assert credentials(only(server)) == {"x-key": "hk", "authorization": BASIC}
    half = authall.Client(server.url, header_key_api_key="hk")
    with pytest.raises(authall.MissingCredentialsError) as caught:
        half.calls.both()
    assert "Client(header_key_api_key=..., username=..., password=...)" in str(caught.value)
    assert server.requests == []


def test_empty_security_sends_nothing(authall: ModuleType, server: LoopbackServer) -> None:
    server.route("GET", "/*", Reply.json({}))
    client = authall.Client(
        server.url, header_key_api_key="hk", username="ann", password="s3cret", bearer_token="bt"
    )
    client.calls.anonymous()
    assert credentials(only(server)) == {}
    client.calls.optional()  # [{}, {bearer: []}]: bearer when given...
    assert credentials(only(server)) == {"authorization": "Bearer bt"}
    authall.Client(server.url).calls.optional()  # ...else anonymous
    assert credentials(only(server)) == {}


def test_missing_credentials_name_the_parameters(
    authall: ModuleType, server: LoopbackServer
) -> None:
    client = authall.Client(server.url)
    with pytest.raises(authall.MissingCredentialsError) as caught:
        client.calls.either()
    message = str(caught.value)
    assert "Client(header_key_api_key=...) or Client(username=..., password=...)" in message
    assert caught.value.requirements == (("header_key",), ("basic",))
    with pytest.raises(authall.MissingCredentialsError, match=r"user_oauth_token=\.\.\."):
        client.calls.user()
    assert server.requests == []


def test_partial_credentials_are_refused_naming_the_missing_one(authall: ModuleType) -> None:
    with pytest.raises(ConfigurationError, match="password") as caught:
        authall.Client("http://127.0.0.1:9", username="ann")
    assert "s3cret" not in str(caught.value)


def test_secrets_stay_out_of_reprs_and_errors(authall: ModuleType) -> None:
    client = authall.Client(
        "http://127.0.0.1:9", header_key_api_key="hk-secret", password="pw-secret", username="u"
    )
    hooks = [client._schemes[name].hook() for name in ("header_key", "basic")]
    text = repr(client) + repr(hooks) + repr(client.security_schemes)
    assert "ApiKeyAuthHook" in text
    assert "BasicAuthHook" in text
    assert "hk-secret" not in text
    assert "pw-secret" not in text


def test_mutual_tls_passes_the_certificate_to_requests(
    authall: ModuleType, server: LoopbackServer
) -> None:
    server.route("GET", "/*", Reply.json({}))
    client = authall.Client(server.url, client_cert=("client.pem", "client.key"))
    assert client.http_client.config.client_cert == ("client.pem", "client.key")
    with pytest.raises(authall.MissingCredentialsError, match=r"client_cert=\.\.\."):
        authall.Client(server.url).calls.mtls()
    with pytest.raises(ConfigurationError, match="client_cert"):
        authall.Client(client_cert=42)


def test_escape_hatches_auth_and_auth_by_scheme(
    authall: ModuleType, server: LoopbackServer
) -> None:
    server.route("GET", "/*", Reply.json({}))
    generic = authall.Client(server.url, auth=BearerTokenAuthHook("generic"))
    generic.calls.basic()
    assert credentials(only(server)) == {"authorization": "Bearer generic"}
    generic.calls.anonymous()
    assert credentials(only(server)) == {}
    # auth_by_scheme wins over the typed keyword for its scheme
    client = authall.Client(
        server.url,
        header_key_api_key="typed",
        auth_by_scheme={"header_key": ApiKeyAuthHook("X-Key", "hatch")},
    )
    client.calls.header()
    assert credentials(only(server)) == {"x-key": "hatch"}


def test_from_env(authall: ModuleType, server: LoopbackServer) -> None:
    server.route("GET", "/*", Reply.json({}))
    environ = {
        "AUTHALL_BASE_URL": server.url,
        "AUTHALL_HEADER_KEY_API_KEY": "from-env",
        "AUTHALL_USERNAME": "ann",
        "AUTHALL_PASSWORD": "s3cret",
        "AUTHALL_BEARER_TOKEN": "",
    }
    client = authall.Client.from_env(environ)
    client.calls.both()
    assert credentials(only(server)) == {"x-key": "from-env", "authorization": BASIC}
    with pytest.raises(authall.MissingCredentialsError):
        client.calls.bearer()  # empty variables are left out
    override = authall.Client.from_env(environ, header_key_api_key="given")
    override.calls.header()
    assert credentials(only(server)) == {"x-key": "given"}


def test_readme_shows_each_scheme(authall: ModuleType) -> None:
    readme = (Path(authall.__file__).parent / "README.md").read_text()
    section = readme.split("## Authentication", 1)[1].split("## Errors", 1)[0]
    for scheme in SCHEMES:
        assert f"### `{scheme}`" in section
    assert 'client = Client(username="...", password="...")' in section
    assert "`AUTHALL_HEADER_KEY_API_KEY`" in section
    assert 'Client(client_cert=("client.pem", "client.key"))' in section
    assert "Client.from_env()" in section
