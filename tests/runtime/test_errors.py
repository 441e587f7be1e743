"""Transport failures over real sockets become the runtime's typed errors, free of secrets."""

from __future__ import annotations

import pytest
import requestforge
from requestforge import (
    ApiKeyAuthHook,
    ConnectError,
    HttpClient,
    HttpClientConfigBuilder,
    HttpMethod,
    HttpRequest,
    InvalidRequestError,
    MaxRetryException,
    ReadError,
    ReadTimeoutError,
    RequestForgeError,
    RequestTimeoutError,
    TransportError,
)

from tests.support.server import LoopbackServer, Reply, refused_url

SECRET = "s3cr3t-value"


def _client(server: LoopbackServer, timeout: float = 5.0, **extra: str) -> HttpClient:
    builder = HttpClientConfigBuilder().with_base_url(server.url).with_timeout(timeout)
    builder.with_no_retry()
    if "appid" in extra:
        builder.with_api_key(extra["appid"], name="appid", location="query")
    return HttpClient(builder.build())


def test_connection_refused_is_a_connect_error(server: LoopbackServer) -> None:
    with refused_url("/x") as url, pytest.raises(ConnectError) as caught:
        _client(server).get(url)
    assert "refused" in str(caught.value).lower()
    assert isinstance(caught.value, TransportError)


def test_slow_headers_are_a_read_timeout(server: LoopbackServer) -> None:
    server.route("GET", "/slow", Reply(200, b"late", delay=0.3))
    with pytest.raises(ReadTimeoutError):
        _client(server, timeout=0.05).get("/slow")


def test_slow_body_is_a_read_timeout_too(server: LoopbackServer) -> None:
    server.route("GET", "/slow-body", Reply(200, b"late body", body_delay=0.3))
    with pytest.raises(ReadTimeoutError) as caught:
        _client(server, timeout=0.05).get("/slow-body")
    assert isinstance(caught.value, RequestTimeoutError)


def test_per_request_timeout_overrides_the_default(server: LoopbackServer) -> None:
    server.route("GET", "/slow", Reply(200, b"late", delay=0.2))
    client = _client(server, timeout=0.05)
    assert client.get("/slow", timeout=2.0).content == b"late"
    with pytest.raises(ReadTimeoutError):
        _client(server, timeout=5.0).get("/slow", timeout=0.05)


def test_truncated_body_is_a_read_error(server: LoopbackServer) -> None:
    server.route("GET", "/cut", Reply(200, b"0123456789", truncate=3))
    with pytest.raises(ReadError):
        _client(server).get("/cut")


def test_reset_connection_is_a_read_error(server: LoopbackServer) -> None:
    server.route("GET", "/rst", Reply(reset=True))
    with pytest.raises(ReadError):
        _client(server).get("/rst")


def test_auth_query_parameters_never_appear_in_error_messages(server: LoopbackServer) -> None:
    server.route("GET", "/slow", Reply(200, delay=0.3))
    server.route("GET", "/rst", Reply(reset=True))
    client = _client(server, timeout=0.05, appid=SECRET)
    messages = []
    for path in ("/slow", "/rst"):
        with pytest.raises(TransportError) as caught:
            client.get(path)
        messages.append(str(caught.value))
    with refused_url("/x") as url, pytest.raises(ConnectError) as refused:
        client.get(url)
    messages.append(str(refused.value))
    assert all(SECRET not in message for message in messages), messages
    assert all("appid=" in message for message in messages)  # redacted, not dropped


def test_auth_query_parameters_never_appear_in_response_repr_or_status_errors(
    server: LoopbackServer,
) -> None:
    server.route("GET", "/missing", Reply(404))
    response = _client(server, appid=SECRET).get("/missing")
    assert SECRET in response.url  # the real URL is still there for whoever needs it
    assert SECRET not in repr(response)
    with pytest.raises(requestforge.HttpStatusError) as caught:
        response.raise_for_status()
    assert SECRET not in str(caught.value)
    with pytest.raises(requestforge.ResponseDecodeError) as decode:
        response.json()
    assert SECRET not in str(decode.value)


def test_giving_up_message_is_free_of_secrets(server: LoopbackServer) -> None:
    server.route("GET", "/slow", Reply(200, delay=0.3))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_timeout(0.05)
        .with_retry(max_retries=1, base_delay=0.0)
        .with_auth_hook(ApiKeyAuthHook("key", SECRET, "query"))
        .build()
    )
    with pytest.raises(MaxRetryException) as caught:
        HttpClient(config).get("/slow")
    assert SECRET not in str(caught.value)
    assert SECRET not in str(caught.value.last_error)


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), True, "5"])
def test_invalid_request_timeout_is_an_invalid_request(
    server: LoopbackServer, timeout: object
) -> None:
    with pytest.raises(InvalidRequestError):
        _client(server).get("/x", timeout=timeout)  # type: ignore[arg-type]
    assert server.requests == []


def test_unknown_method_is_an_invalid_request(server: LoopbackServer) -> None:
    with pytest.raises(InvalidRequestError):
        _client(server).request("FROB", "/x")
    with pytest.raises(InvalidRequestError):
        HttpRequest("FROB", "/x")  # type: ignore[arg-type]
    assert HttpRequest("get", "/x").method is HttpMethod.GET  # type: ignore[arg-type]


def test_relative_url_without_base_url_is_an_invalid_request() -> None:
    client = HttpClient(HttpClientConfigBuilder().build())
    with pytest.raises(InvalidRequestError):
        client.get("/users")


def test_unbuildable_url_is_an_invalid_request(server: LoopbackServer) -> None:
    with pytest.raises(InvalidRequestError):
        _client(server).get("http://exa mple.test:99999/")


def test_every_runtime_error_is_a_request_forge_error() -> None:
    for name in requestforge.errors.__all__:
        error_class = getattr(requestforge.errors, name)
        assert issubclass(error_class, RequestForgeError), name
    assert issubclass(requestforge.ClientClosedError, RequestForgeError)
