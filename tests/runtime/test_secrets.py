"""Issue 7: secrets never appear in logs, exception messages, reprs or ``to_curl``.

One module drives real failures over loopback sockets -- token endpoints that
echo the credentials they were sent, refused connections and timeouts with an
API key in the query, 5xx retries, cross-origin redirects, a dead Redis with a
password in its URL -- with every logger at DEBUG, and looks for each secret
(and its Basic/base64 forms) in the log records, in the message, ``repr`` and
``args`` of every exception and of everything chained to it, and in the
``repr``/``str`` of every public object that holds a credential.
"""

from __future__ import annotations

import base64
import logging
import traceback
from datetime import timedelta
from typing import Any

import pytest
from requestforge import (
    ApiKeyAuthHook,
    BasicAuthHook,
    BearerTokenAuthHook,
    ClientCredentialsTokenProvider,
    HttpClient,
    HttpClientConfigBuilder,
    HttpMethod,
    HttpRequest,
    InMemoryTokenStorage,
    LoggingErrorHook,
    LoggingRequestHook,
    LoggingResponseHook,
    PasswordGrantTokenProvider,
    RedisTokenStorage,
    RefreshTokenProvider,
    RequestForgeError,
    TokenAuthHook,
    TokenData,
    TokenFetchError,
    TokenManager,
    TokenStorageError,
)

from tests.runtime.token_support import TokenEndpoint
from tests.support.server import LoopbackServer, RecordedRequest, Reply, refused_url

API_KEY = "ak-S3CRET-q1"
CLIENT_SECRET = "cs-S3CRET-c2"
PASSWORD = "pw-S3CRET-p3"
ACCESS = "at-S3CRET-t4"
REFRESH = "rt-S3CRET-r5"
BEARER = "bt-S3CRET-b6"
REDIS_PASSWORD = "rp-S3CRET-x7"
BASIC_PASSWORD = "bp-S3CRET-y8"

SECRETS = [API_KEY, CLIENT_SECRET, PASSWORD, ACCESS, REFRESH, BEARER, REDIS_PASSWORD]
SECRETS += [BASIC_PASSWORD]
# The encoded forms that travel in Basic headers.
SECRETS += [
    base64.b64encode(f"app:{CLIENT_SECRET}".encode()).decode(),
    base64.b64encode(f"alice:{BASIC_PASSWORD}".encode()).decode(),
]


def leaked(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def everything_said_about(error: BaseException) -> str:
    """Message, repr and args of the error and of every exception chained to it,
    and the full traceback as ``logger.exception`` would print it."""
    said: list[str] = ["".join(traceback.format_exception(error))]
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        said += [str(current), repr(current), repr(current.args)]
        for attribute in ("last_error", "__cause__", "__context__"):
            linked = getattr(current, attribute, None)
            if isinstance(linked, BaseException):
                pending.append(linked)
        response = getattr(current, "last_response", None) or getattr(current, "response", None)
        if response is not None:
            said.append(repr(response))
    return "\n".join(said)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # the root logger: requestforge, urllib3, everything
    return caplog


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as formatted, plus its raw message and args."""
    return "\n".join(
        f"{record.name} {record.getMessage()} {record.msg!r} {record.args!r} "
        f"{record.exc_text or ''}"
        for record in caplog.records
    )


def logging_config(server: LoopbackServer) -> HttpClientConfigBuilder:
    return (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_request_hook(LoggingRequestHook(include_headers=True))
        .with_response_hook(LoggingResponseHook())
        .with_error_hook(LoggingErrorHook())
    )


def echo_everything(request: RecordedRequest) -> Reply:
    """A hostile endpoint: repeats every header, parameter and body byte it got."""
    return Reply.json(
        {
            "error": "invalid_request",
            "error_description": f"got {request.headers} {request.query} {request.body!r}",
        },
        status=400,
        headers={"X-Echo": str(request.headers.get("authorization"))},
    )


# -- failures driven over the wire ---------------------------------------------------


def test_token_endpoint_echoing_the_credentials_leaks_nothing(
    server: LoopbackServer, debug_logs: pytest.LogCaptureFixture
) -> None:
    server.route("POST", "/token", echo_everything)
    url = server.url + "/token"
    providers: list[Any] = [
        ClientCredentialsTokenProvider(url, "app", CLIENT_SECRET),
        ClientCredentialsTokenProvider(url, "app", CLIENT_SECRET, auth_method="client_secret_post"),
        PasswordGrantTokenProvider(
            url, "bob", PASSWORD, client_id="app", client_secret=CLIENT_SECRET
        ),
    ]
    said: list[str] = []
    for provider in providers:
        with pytest.raises(TokenFetchError) as caught:
            TokenManager(provider).get_token()
        said.append(everything_said_about(caught.value))
    refresher = RefreshTokenProvider(
        url, REFRESH, client_id="app", client_secret=CLIENT_SECRET, auth_method="client_secret_post"
    )
    with pytest.raises(TokenFetchError) as caught:
        refresher.fetch_token()
    said.append(everything_said_about(caught.value))
    assert all("400" in text or "invalid_request" in text for text in said)  # still useful
    assert leaked("\n".join(said)) == []
    assert leaked(logged(debug_logs)) == []
    # The endpoint really received (and echoed) the secrets: the test is not vacuous.
    assert any(CLIENT_SECRET.encode() in r.body for r in server.requests_to("/token"))


def test_token_endpoint_returning_the_token_in_an_error_leaks_nothing(
    server: LoopbackServer, debug_logs: pytest.LogCaptureFixture
) -> None:
    endpoint = TokenEndpoint(server)
    endpoint.override = lambda _r: Reply(
        502, f"upstream said access_token={ACCESS}&refresh_token={REFRESH}".encode()
    )
    with pytest.raises(TokenFetchError) as caught:
        TokenManager(ClientCredentialsTokenProvider(endpoint.url, "app", CLIENT_SECRET)).get_token()
    text = everything_said_about(caught.value) + logged(debug_logs)
    assert leaked(text) == [], text


def test_transport_failures_with_credentials_leak_nothing_in_errors_or_logs(
    server: LoopbackServer, debug_logs: pytest.LogCaptureFixture
) -> None:
    server.route("GET", "/slow", Reply(200, delay=0.5))
    server.route("GET", "/rst", Reply(reset=True))
    server.route("GET", "/cut", Reply(200, b"0123456789", truncate=2))
    server.route("GET", "/boom", Reply(503))
    server.route("GET", "/ok", Reply.json({"ok": True}))
    said: list[str] = []
    for hook in (
        ApiKeyAuthHook("appid", API_KEY, "query"),
        ApiKeyAuthHook("X-Custom", API_KEY, "header"),
        ApiKeyAuthHook("sid", API_KEY, "cookie"),
        BearerTokenAuthHook(BEARER),
        BasicAuthHook("alice", BASIC_PASSWORD),
    ):
        client = HttpClient(
            logging_config(server)
            .with_timeout(0.1)
            .with_retry(max_retries=1, base_delay=0.0)
            .with_auth_hook(hook)
            .build()
        )
        for path in ("/slow", "/rst", "/cut", "/boom"):
            with pytest.raises(RequestForgeError) as caught:  # /boom: retries exhausted
                client.get(path, params={"page": "1"})
            said.append(everything_said_about(caught.value))
        with refused_url("/x") as url, pytest.raises(RequestForgeError) as refused:
            client.get(url, params={"page": "1"})
        said.append(everything_said_about(refused.value))
        ok = client.get("/ok")
        said += [repr(ok), str(ok), repr(ok.request)]
    assert [text for text in said if leaked(text)] == []
    text = logged(debug_logs)
    assert "/slow" in text  # the hooks did log at DEBUG
    assert "/ok" in text
    assert leaked(text) == [], text
    assert any(r.query.get("appid") == [API_KEY] for r in server.requests)  # sent for real


def test_cross_origin_redirect_logs_and_errors_leak_nothing(
    server: LoopbackServer, debug_logs: pytest.LogCaptureFixture
) -> None:
    with LoopbackServer() as other:
        other.route("GET", "/landing", Reply(500, b"elsewhere"))
        server.route("GET", "/go", Reply.redirect(other.url + "/landing?next=1"))
        client = HttpClient(
            logging_config(server)
            .with_no_retry()
            .with_auth_hook(ApiKeyAuthHook("api_key", API_KEY, "query"))
            .with_header("Authorization", f"Bearer {BEARER}")
            .build()
        )
        response = client.get("/go")
        with pytest.raises(RequestForgeError) as caught:
            response.raise_for_status()
        landed = other.requests_to("/landing")
    assert len(landed) == 1
    assert leaked(f"{landed[0].headers} {landed[0].query}") == []  # stripped on the wire too
    text = everything_said_about(caught.value) + repr(response) + logged(debug_logs)
    assert leaked(text) == [], text


def test_dead_redis_with_a_password_in_its_url_leaks_nothing(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    with refused_url() as url:
        port = url.rsplit(":", 1)[1].rstrip("/")
        storage = RedisTokenStorage(
            f"redis://:{REDIS_PASSWORD}@127.0.0.1:{port}/0", socket_timeout=0.5
        )
        manager = TokenManager(
            ClientCredentialsTokenProvider("http://127.0.0.1:9/token", "app", CLIENT_SECRET),
            storage,
        )
        with pytest.raises(TokenStorageError) as caught:
            manager.get_token()
    text = everything_said_about(caught.value) + repr(storage) + repr(manager)
    text += logged(debug_logs)
    assert "127.0.0.1" in text
    assert leaked(text) == [], text


# -- repr / str / to_curl of every public object ---------------------------------------


def test_repr_str_and_to_curl_of_every_public_object_hold_no_secret(
    server: LoopbackServer,
) -> None:
    token = TokenData.from_response(
        {"access_token": ACCESS, "refresh_token": REFRESH, "expires_in": 60}
    )
    storage = InMemoryTokenStorage()
    storage.set("token:x", token)
    url = server.url + "/token"
    providers: list[Any] = [
        ClientCredentialsTokenProvider(url, "app", CLIENT_SECRET),
        PasswordGrantTokenProvider(
            url, "bob", PASSWORD, client_id="app", client_secret=CLIENT_SECRET
        ),
        RefreshTokenProvider(url, token, client_id="app", client_secret=CLIENT_SECRET),
        RefreshTokenProvider(url, REFRESH),
    ]
    managers = [TokenManager(provider, storage, cache_key="token:x") for provider in providers]
    redis_storage = RedisTokenStorage(f"redis://:{REDIS_PASSWORD}@127.0.0.1:1/0")
    hooks: list[Any] = [
        ApiKeyAuthHook("appid", API_KEY, "query"),
        BasicAuthHook("alice", BASIC_PASSWORD),
        BearerTokenAuthHook(BEARER),
        TokenAuthHook(managers[0]),
    ]
    config = (
        logging_config(server)
        .with_header("Authorization", f"Bearer {BEARER}")
        .with_header("X-Api-Key", API_KEY)
        .with_proxies({"https": f"http://user:{PASSWORD}@proxy.test:3128"})
        .with_token_auth(managers[0])
        .build()
    )
    request = HttpRequest(
        method=HttpMethod.POST,
        url=server.url + "/login",
        headers={"Authorization": f"Bearer {BEARER}", "Cookie": f"session={ACCESS}"},
        params={"api_key": API_KEY, "page": "2"},
        json_data={"username": "bob", "password": PASSWORD, "client_secret": CLIENT_SECRET},
        cookies={"session": ACCESS},
    )
    form = HttpRequest(
        method=HttpMethod.POST,
        url=server.url + "/token",
        data={"grant_type": "password", "password": PASSWORD, "refresh_token": REFRESH},
    )
    objects: list[Any] = [
        token,
        token.expired(token.expires_at - timedelta(seconds=1)),
        storage,
        redis_storage,
        redis_storage.lock("k", 1.0),
        config,
        HttpClient(config),
        request,
        form,
        *providers,
        *managers,
        *hooks,
    ]
    text = "\n".join(f"{obj!r}\n{obj}" for obj in objects)
    text += "\n" + request.to_curl() + "\n" + form.to_curl()
    assert leaked(text) == [], text
    assert "[REDACTED]" in request.to_curl()
    # Without redaction the curl line is the real request: the check above is not vacuous.
    assert API_KEY in request.to_curl(redact=False)
