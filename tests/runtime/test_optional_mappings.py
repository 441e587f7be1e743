"""``None`` for an optional mapping of a request, response, context or config means "empty".

Each case goes through a real request to the loopback server, with the sync
and the async client, and compares what the server received with the same
request built without the field: ``None`` must be indistinguishable from
leaving the field out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Sequence

import pytest
from requestforge import (
    ConfigurationError,
    Headers,
    HttpClient,
    HttpClientConfig,
    HttpClientConfigBuilder,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    NoRetryStrategy,
    RequestContext,
    TransportError,
    correlation_id_scope,
    parse_retry_after,
)
from requestforge.async_client import AsyncHttpClient

from tests.support.server import LoopbackServer, RecordedRequest, Reply, refused_url

Send = Callable[[HttpClientConfig, Sequence[HttpRequest]], list[HttpResponse]]


def _send_sync(config: HttpClientConfig, requests: Sequence[HttpRequest]) -> list[HttpResponse]:
    with HttpClient(config) as client:
        return [client.execute(request) for request in requests]


def _send_async(config: HttpClientConfig, requests: Sequence[HttpRequest]) -> list[HttpResponse]:
    async def go() -> list[HttpResponse]:
        async with AsyncHttpClient(config) as client:
            return [await client.execute(request) for request in requests]

    return asyncio.run(go())


@pytest.fixture(params=["sync", "async"])
def send(request: pytest.FixtureRequest) -> Send:
    senders: dict[str, Send] = {"sync": _send_sync, "async": _send_async}
    return senders[request.param]


def _config(server: LoopbackServer) -> HttpClientConfigBuilder:
    return HttpClientConfigBuilder().with_base_url(server.url).with_timeout(5.0).with_no_retry()


def _assert_same_on_the_wire(first: RecordedRequest, second: RecordedRequest) -> None:
    assert (second.method, second.path, second.query) == (first.method, first.path, first.query)
    assert second.headers == first.headers
    assert second.body == first.body


# -- HttpRequest ----------------------------------------------------------------------

NONE_FIELDS = ["headers", "params", "cookies", "files", "data", "json_data"]


@pytest.mark.parametrize("fields", [[name] for name in NONE_FIELDS] + [NONE_FIELDS], ids=str)
def test_a_none_request_field_sends_what_leaving_it_out_sends(
    server: LoopbackServer, send: Send, fields: list[str]
) -> None:
    server.route("POST", "/echo", Reply.json({"ok": True}))
    omitted = HttpRequest(HttpMethod.POST, "/echo")
    given_none = HttpRequest(HttpMethod.POST, "/echo", **dict.fromkeys(fields))
    assert given_none.headers == {}
    assert given_none == omitted

    responses = send(_config(server).build(), [omitted, given_none])

    assert [r.status_code for r in responses] == [200, 200]
    first, second = server.requests
    _assert_same_on_the_wire(first, second)
    assert second.query == {}
    assert second.body == b""
    assert second.header("cookie") is None


def test_headers_none_still_carries_default_auth_and_correlation_headers(
    server: LoopbackServer, send: Send
) -> None:
    server.route("POST", "/echo", Reply.json({"ok": True}))
    config = _config(server).with_header("X-Default", "d").with_bearer_token("tok").build()
    request = HttpRequest(HttpMethod.POST, "/echo", headers=None, json_data={"a": 1})

    with correlation_id_scope("corr-1"):
        (response,) = send(config, [request])

    assert response.status_code == 200
    (seen,) = server.requests
    assert seen.header("x-default") == "d"
    assert seen.header("authorization") == "Bearer tok"
    assert seen.header("x-request-id") == "corr-1"
    assert seen.header("content-type") == "application/json"
    assert seen.json() == {"a": 1}
    assert request.headers == {}  # the caller's request is not changed by the hooks


def test_with_helpers_given_none_keep_the_request_as_it_was(
    server: LoopbackServer, send: Send
) -> None:
    server.route("GET", "/echo", Reply.json({"ok": True}))
    request = HttpRequest(
        HttpMethod.GET, "/echo", headers={"X-A": "1"}, params={"q": "x"}, cookies={"c": "v"}
    )
    unchanged = request.with_headers(None).with_params(None).with_cookies(None)
    assert unchanged is request

    send(_config(server).build(), [unchanged])

    (seen,) = server.requests
    assert seen.header("x-a") == "1"
    assert seen.query == {"q": ["x"]}
    assert seen.header("cookie") == "c=v"


def test_a_request_with_headers_none_describes_itself() -> None:
    request = HttpRequest(HttpMethod.GET, "https://api.test/x", headers=None)
    assert request.to_dict()["headers"] == {}
    assert request.to_curl() == "curl -X GET https://api.test/x"
    assert request.header("accept") is None
    assert request.with_headers({"Accept": "a/b"}).headers == {"Accept": "a/b"}


def test_a_dataclass_subclass_of_the_request_takes_headers_none_too() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class TaggedRequest(HttpRequest):
        tag: str = ""

    tagged = TaggedRequest(HttpMethod.GET, "/x", headers=None, tag="t")  # type: ignore[arg-type]
    assert tagged.headers == {}
    assert tagged.with_headers({"X-A": "1"}).headers == {"X-A": "1"}


# -- HttpResponse ---------------------------------------------------------------------


class _Rebuild:
    """A response hook that rebuilds the response with other headers (a test double would)."""

    def __init__(self, headers: dict[str, str] | None) -> None:
        self.headers = headers

    def after_response(self, response: HttpResponse, context: RequestContext) -> HttpResponse:
        return HttpResponse(
            response.status_code,
            self.headers,
            response.content,
            url=response.url,
            request=response.request,
        )


def test_a_response_rebuilt_with_headers_none_has_empty_headers(
    server: LoopbackServer, send: Send
) -> None:
    server.route("GET", "/x", Reply.json({"ok": True}, headers={"X-Answer": "42"}))
    config = _config(server).with_response_hook(_Rebuild(None)).build()

    (response,) = send(config, [HttpRequest(HttpMethod.GET, "/x")])

    assert isinstance(response.headers, Headers)
    assert dict(response.headers) == {}
    assert response.encoding == "utf-8"
    assert response.json() == {"ok": True}
    assert response.raise_for_status() is response


def test_a_response_rebuilt_with_a_plain_dict_reads_headers_case_insensitively(
    server: LoopbackServer, send: Send
) -> None:
    server.route("GET", "/x", Reply.json({"ok": True}))
    rebuilt = {"Retry-After": "2", "Content-Type": "application/json; charset=latin-1"}
    config = _config(server).with_response_hook(_Rebuild(rebuilt)).build()

    (response,) = send(config, [HttpRequest(HttpMethod.GET, "/x")])

    assert isinstance(response.headers, Headers)
    assert response.headers["retry-after"] == "2"
    assert parse_retry_after(response.headers) == 2.0
    assert response.encoding == "latin-1"


# -- RequestContext -------------------------------------------------------------------


def test_request_context_collections_given_none_are_new_and_empty() -> None:
    request = HttpRequest(HttpMethod.GET, "/x")
    before = time.monotonic()
    first = RequestContext(
        request, metadata=None, sensitive_headers=None, sensitive_params=None, started_at=None
    )
    second = RequestContext(request, metadata=None)
    assert first.metadata == {}
    assert first.sensitive_headers == set() == first.sensitive_params
    first.metadata["k"] = 1
    first.sensitive_headers.add("x-key")
    assert second.metadata == {}
    assert second.sensitive_headers == set()
    assert before <= first.started_at <= time.monotonic()
    given = {"k": "v"}
    assert RequestContext(request, metadata=given).metadata is given


# -- HttpClientConfig and its builder ------------------------------------------------


def test_config_default_headers_none_sends_what_no_default_headers_sends(
    server: LoopbackServer, send: Send
) -> None:
    server.route("GET", "/x", Reply.json({"ok": True}))
    without = HttpClientConfig(base_url=server.url, retry_strategy=NoRetryStrategy())
    given_none = HttpClientConfig(
        base_url=server.url, default_headers=None, retry_strategy=NoRetryStrategy()
    )
    assert given_none.default_headers == {}
    assert "default_headers={}" in repr(given_none)

    send(without, [HttpRequest(HttpMethod.GET, "/x")])
    send(given_none, [HttpRequest(HttpMethod.GET, "/x")])

    first, second = server.requests
    _assert_same_on_the_wire(first, second)


def test_builder_with_headers_none_adds_no_header(server: LoopbackServer, send: Send) -> None:
    server.route("GET", "/x", Reply.json({"ok": True}))
    config = _config(server).with_header("X-A", "1").with_headers(None).build()
    assert dict(config.default_headers) == {"X-A": "1"}

    send(config, [HttpRequest(HttpMethod.GET, "/x")])

    (seen,) = server.requests
    assert seen.header("x-a") == "1"


def test_builder_with_proxies_none_undoes_explicit_proxies(
    server: LoopbackServer, send: Send
) -> None:
    server.route("GET", "/x", Reply.json({"ok": True}))
    with refused_url() as dead_proxy:
        proxied = _config(server).with_trust_env(False).with_proxies({"http": dead_proxy})
        with pytest.raises(TransportError):  # the proxy is really used: nothing listens there
            send(proxied.build(), [HttpRequest(HttpMethod.GET, "/x")])
        assert server.requests == []

        config = proxied.with_proxies(None).build()
        assert config.proxies is None
        (response,) = send(config, [HttpRequest(HttpMethod.GET, "/x")])

    assert response.status_code == 200
    assert len(server.requests) == 1


def test_config_retry_strategy_none_is_still_refused_not_read_as_the_default() -> None:
    with pytest.raises(ConfigurationError) as caught:
        HttpClientConfig(retry_strategy=None)  # type: ignore[arg-type]
    assert caught.value.setting == "retry_strategy"
    # Each config still gets a default strategy of its own.
    assert HttpClientConfig().retry_strategy is not HttpClientConfig().retry_strategy
