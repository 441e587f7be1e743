"""AsyncHttpClient over real sockets: the same requests, hooks, retries and errors as HttpClient.

Each parity test sends one ``HttpRequest`` through both clients and compares
what the loopback server recorded, so "the same as the sync client" is checked
on the wire rather than assumed.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from requestforge._sessions import ClientClosedError
from requestforge.async_client import AsyncHttpClient
from requestforge.auth import ApiKeyAuthHook, BearerTokenAuthHook
from requestforge.client import HttpClient
from requestforge.config import HttpClientConfig, HttpClientConfigBuilder
from requestforge.context import correlation_id_scope
from requestforge.errors import (
    CircuitOpenError,
    ConnectError,
    MaxRetryException,
    ReadError,
    ReadTimeoutError,
    RetryBudgetExceededError,
    TooManyRedirectsError,
    TransportError,
)
from requestforge.hooks import AuthHookInterface
from requestforge.models import HttpMethod, HttpRequest, HttpResponse, RequestContext
from requestforge.retry import CircuitBreakerRetryStrategy, CircuitState, NoRetryStrategy

from tests.support.server import LoopbackServer, RecordedRequest, Reply, refused_url

T = TypeVar("T")


def run(factory: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await factory()

    return asyncio.run(main())


class Sleeps(list[float]):
    """Records the delays the client asks for instead of sleeping."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _config(server: LoopbackServer, **retry: Any) -> HttpClientConfig:
    builder = HttpClientConfigBuilder().with_base_url(server.url).with_timeout(5.0)
    if retry:
        builder.with_retry(**retry)
    else:
        builder.with_no_retry()
    return builder.build()


def _both(config: HttpClientConfig, request: HttpRequest) -> tuple[HttpResponse, HttpResponse]:
    sync = HttpClient(config).execute(request)

    async def go() -> HttpResponse:
        async with AsyncHttpClient(config) as client:
            return await client.execute(request)

    return sync, run(go)


def _route_all(server: LoopbackServer, path: str, reply: Reply) -> None:
    for method in ("GET", "HEAD", "OPTIONS", "DELETE", "POST", "PUT", "PATCH"):
        server.route(method, path, reply)


def _same_on_the_wire(first: RecordedRequest, second: RecordedRequest) -> None:
    assert (second.method, second.path, second.query) == (first.method, first.path, first.query)
    assert second.headers.keys() == first.headers.keys()
    for name, value in first.headers.items():
        if name == "cookie":
            # RFC 6265 5.4: the order of cookies in the header carries no meaning
            # (requests orders them by its cookie jar, which differs across Pythons).
            assert sorted(second.headers[name].split("; ")) == sorted(value.split("; "))
        elif name != "host":
            assert second.headers[name] == value, name
    assert second.body == first.body


# -- the same request on the wire ----------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        HttpRequest(HttpMethod.GET, "/r", params={"q": "a b", "n": [1, 2]}),
        HttpRequest(HttpMethod.HEAD, "/r?x=1"),
        HttpRequest(HttpMethod.OPTIONS, "/r"),
        HttpRequest(HttpMethod.DELETE, "/r", json_data={"why": "gone"}),
        HttpRequest(HttpMethod.DELETE, "/r"),
        HttpRequest(HttpMethod.POST, "/r", json_data={"name": "café", "tags": [1.5, None]}),
        HttpRequest(HttpMethod.POST, "/r", data={"a": "1", "b": ["x", "y z"]}),
        HttpRequest(HttpMethod.POST, "/r", data=b"\x00raw", headers={"Content-Type": "x/y"}),
        HttpRequest(HttpMethod.POST, "/r", data="plain text"),
        HttpRequest(HttpMethod.POST, "/r"),
        HttpRequest(HttpMethod.PUT, "/r", json_data=[1, 2], headers={"X-Trace": "t"}),
        HttpRequest(HttpMethod.PATCH, "/r", data={"k": "v"}, cookies={"session": "s1", "b": "2"}),
    ],
    ids=lambda r: f"{r.method.value}",
)
def test_each_method_sends_what_the_sync_client_sends(
    server: LoopbackServer, request_: HttpRequest
) -> None:
    _route_all(server, "/r", Reply.json({"ok": True}, headers={"X-Answer": "42"}))
    sync, async_ = _both(_config(server), request_)
    first, second = server.requests
    _same_on_the_wire(first, second)
    assert async_.status_code == sync.status_code == 200
    assert async_.headers["x-answer"] == "42"
    assert async_.content == sync.content
    assert async_.url == sync.url
    assert async_.request is not None
    assert async_.request.method is request_.method


def test_multipart_upload_has_the_same_parts(server: LoopbackServer) -> None:
    server.route("POST", "/upload", Reply(status=204))
    request = HttpRequest(
        HttpMethod.POST,
        "/upload",
        data={"caption": "a cat"},
        files={"file": ("cat.txt", b"meow", "text/plain")},
    )
    _both(_config(server), request)
    first, second = server.requests

    def parts(recorded: RecordedRequest) -> bytes:
        boundary = recorded.header("content-type").split("boundary=")[1]  # type: ignore[union-attr]
        return recorded.body.replace(boundary.encode(), b"BOUNDARY")

    assert parts(first) == parts(second)
    assert b'name="file"; filename="cat.txt"' in second.body


def test_the_verbs_build_the_request(server: LoopbackServer) -> None:
    _route_all(server, "/v", Reply.json({"ok": True}))

    async def go() -> list[int]:
        async with AsyncHttpClient(_config(server)) as client:
            return [
                (await client.get("/v", params={"a": "1"})).status_code,
                (await client.head("/v")).status_code,
                (await client.options("/v")).status_code,
                (await client.delete("/v")).status_code,
                (await client.post("/v", json={"x": 1})).status_code,
                (await client.put("/v", data={"y": "2"})).status_code,
                (await client.patch("/v", data=b"z")).status_code,
                (await client.request("GET", "/v", cookies={"c": "1"})).status_code,
            ]

    assert run(go) == [200] * 8
    methods = [r.method for r in server.requests]
    assert methods == ["GET", "HEAD", "OPTIONS", "DELETE", "POST", "PUT", "PATCH", "GET"]
    assert server.requests[0].query == {"a": ["1"]}
    assert server.requests[4].json() == {"x": 1}
    assert server.requests[7].header("cookie") == "c=1"


def test_gzip_bodies_are_decoded(server: LoopbackServer) -> None:
    payload = b'{"big": "' + b"x" * 5000 + b'"}'
    server.route(
        "GET", "/z", Reply(200, gzip.compress(payload), headers={"Content-Encoding": "gzip"})
    )

    async def go() -> HttpResponse:
        async with AsyncHttpClient(_config(server)) as client:
            return await client.get("/z")

    assert run(go).content == payload


def test_correlation_id_is_propagated_like_the_sync_client(server: LoopbackServer) -> None:
    server.route("GET", "/c", Reply(status=204))
    request = HttpRequest(HttpMethod.GET, "/c")
    with correlation_id_scope("req-123"):
        _both(_config(server), request)
    first, second = server.requests
    assert first.header("x-request-id") == second.header("x-request-id") == "req-123"


# -- hooks -------------------------------------------------------------------------------


class Recorder:
    """Request, response, error and auth hooks that log their calls in one list."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def hooks(self, builder: HttpClientConfigBuilder) -> HttpClientConfigBuilder:
        recorder = self

        class Req:
            def __init__(self, name: str) -> None:
                self.name = name

            def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
                recorder.calls.append(f"request:{self.name}")
                return request.with_headers({f"X-{self.name}": "1"})

        class Resp:
            def __init__(self, name: str) -> None:
                self.name = name

            def after_response(
                self, response: HttpResponse, context: RequestContext
            ) -> HttpResponse:
                recorder.calls.append(f"response:{self.name}")
                return response

        class Err:
            def on_error(self, error: BaseException, context: RequestContext) -> None:
                recorder.calls.append(f"error:{type(error).__name__}")

        class Auth(AuthHookInterface):
            def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
                recorder.calls.append(f"auth:{context.attempt}")
                return request.with_headers({"Authorization": "Bearer static"})

        return (
            builder.with_request_hook(Req("a"))
            .with_request_hook(Req("b"))
            .with_response_hook(Resp("a"))
            .with_response_hook(Resp("b"))
            .with_error_hook(Err())
            .with_auth_hook(Auth())
        )


@pytest.mark.parametrize("path", ["/ok", "/flaky", "/refused"])
def test_hooks_fire_in_the_same_order_as_sync(server: LoopbackServer, path: str) -> None:
    server.route("GET", "/ok", Reply.json({}))
    with refused_url() as refused:
        url = refused if path == "/refused" else path
        recorders = []
        outcomes = []
        for flavour in ("sync", "async"):
            server.queue("GET", "/flaky", Reply(status=503), Reply(status=200))
            recorder = Recorder()
            builder = HttpClientConfigBuilder().with_base_url(server.url).with_timeout(5.0)
            config = recorder.hooks(builder).with_retry(max_retries=1, base_delay=0.0).build()
            request = HttpRequest(HttpMethod.GET, url)
            try:
                if flavour == "sync":
                    outcome: object = HttpClient(config).execute(request).status_code
                else:

                    async def go(
                        config: HttpClientConfig = config, request: HttpRequest = request
                    ) -> int:
                        async with AsyncHttpClient(config) as client:
                            return (await client.execute(request)).status_code

                    outcome = run(go)
            except MaxRetryException as error:
                outcome = type(error)
            recorders.append(recorder.calls)
            outcomes.append(outcome)
    assert recorders[0] == recorders[1]
    assert outcomes[0] == outcomes[1]
    assert recorders[1][:2] == ["request:a", "request:b"]


def test_auth_override_per_call_and_no_auth(server: LoopbackServer) -> None:
    server.route("GET", "/a", Reply(status=204))
    config = HttpClientConfigBuilder().with_base_url(server.url).with_bearer_token("config").build()

    async def go() -> None:
        async with AsyncHttpClient(config) as client:
            await client.get("/a")
            await client.execute(HttpRequest(HttpMethod.GET, "/a"), auth=BearerTokenAuthHook("x"))
            await client.execute(HttpRequest(HttpMethod.GET, "/a"), auth=None)

    run(go)
    assert [r.header("authorization") for r in server.requests] == [
        "Bearer config",
        "Bearer x",
        None,
    ]


# -- retries -------------------------------------------------------------------------------


def _retrying(
    server: LoopbackServer, sleeps: Sleeps, **retry: Any
) -> Callable[[Callable[[AsyncHttpClient], Awaitable[T]]], T]:
    config = _config(server, **{"jitter": False, "base_delay": 0.25, **retry})

    def with_client(body: Callable[[AsyncHttpClient], Awaitable[T]]) -> T:
        async def go() -> T:
            async with AsyncHttpClient(config, sleep=sleeps) as client:
                return await body(client)

        return asyncio.run(go())

    return with_client


def test_exponential_backoff_retries_transient_statuses() -> None:
    with LoopbackServer() as server:
        server.queue("GET", "/f", Reply(status=503), Reply(status=502), Reply.json({"ok": 1}))
        sleeps = Sleeps()
        response = _retrying(server, sleeps, max_retries=3)(lambda c: c.get("/f"))
        assert response.status_code == 200
        assert sleeps == [0.25, 0.5]
        assert len(server.requests) == 3


def test_fixed_delay_strategy_sleeps_the_same_each_time(server: LoopbackServer) -> None:
    from requestforge.retry import SimpleRetryStrategy

    server.queue("GET", "/f", Reply(status=503), Reply(status=503), Reply(status=200))
    sleeps = Sleeps()
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_retry_strategy(SimpleRetryStrategy(max_retries=3, delay=0.1))
        .build()
    )

    async def go() -> HttpResponse:
        async with AsyncHttpClient(config, sleep=sleeps) as client:
            return await client.get("/f")

    assert run(go).status_code == 200
    assert sleeps == [0.1, 0.1]


def test_no_retry_strategy_returns_the_status_as_is(server: LoopbackServer) -> None:
    server.route("GET", "/f", Reply(status=503))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_retry_strategy(NoRetryStrategy())
        .build()
    )

    async def go() -> HttpResponse:
        async with AsyncHttpClient(config) as client:
            return await client.get("/f")

    assert run(go).status_code == 503
    assert len(server.requests) == 1


def test_retry_after_is_honoured(server: LoopbackServer) -> None:
    server.queue("GET", "/f", Reply(status=429, headers={"Retry-After": "3"}), Reply(status=200))
    sleeps = Sleeps()
    response = _retrying(server, sleeps, max_retries=2)(lambda c: c.get("/f"))
    assert response.status_code == 200
    assert sleeps == [3.0]


def test_giving_up_on_a_status_carries_the_last_response(server: LoopbackServer) -> None:
    server.route("GET", "/f", Reply(status=503))
    sleeps = Sleeps()
    with pytest.raises(MaxRetryException) as raised:
        _retrying(server, sleeps, max_retries=2)(lambda c: c.get("/f"))
    assert raised.value.attempts == 3
    assert raised.value.last_response is not None
    assert raised.value.last_response.status_code == 503


def test_retry_after_past_the_total_timeout_gives_up_without_sleeping(
    server: LoopbackServer,
) -> None:
    server.route("GET", "/f", Reply(status=503, headers={"Retry-After": "30"}))
    sleeps = Sleeps()
    with pytest.raises(RetryBudgetExceededError):
        _retrying(server, sleeps, max_retries=3, total_timeout=2.0)(lambda c: c.get("/f"))
    assert sleeps == []


def test_total_timeout_bounds_a_hanging_attempt(server: LoopbackServer) -> None:
    server.route("GET", "/slow", Reply(status=200, delay=2.0))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_timeout(10.0)
        .with_retry(max_retries=1, total_timeout=0.3)
        .build()
    )

    async def go() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with AsyncHttpClient(config) as client:
            with pytest.raises((ReadTimeoutError, MaxRetryException)):
                await client.get("/slow")
        return loop.time() - started

    assert run(go) < 1.5


def test_circuit_breaker_opens_half_opens_and_closes(server: LoopbackServer) -> None:
    now = [1000.0]
    breaker = CircuitBreakerRetryStrategy(
        NoRetryStrategy(), failure_threshold=2, recovery_timeout=10.0, clock=lambda: now[0]
    )
    config = (
        HttpClientConfigBuilder().with_base_url(server.url).with_retry_strategy(breaker).build()
    )
    server.queue("GET", "/cb", Reply(status=500), Reply(status=500), Reply(status=200))

    async def go() -> None:
        async with AsyncHttpClient(config) as client:
            assert (await client.get("/cb")).status_code == 500
            assert (await client.get("/cb")).status_code == 500
            assert breaker.state is CircuitState.OPEN
            with pytest.raises(CircuitOpenError):
                await client.get("/cb")
            assert len(server.requests) == 2  # failed fast, no network
            now[0] += 10.5
            assert breaker.state is CircuitState.HALF_OPEN
            assert (await client.get("/cb")).status_code == 200
            assert breaker.state is CircuitState.CLOSED

    run(go)


def test_a_cancelled_half_open_probe_releases_the_breaker(server: LoopbackServer) -> None:
    now = [1000.0]
    breaker = CircuitBreakerRetryStrategy(
        NoRetryStrategy(), failure_threshold=1, recovery_timeout=10.0, clock=lambda: now[0]
    )
    config = (
        HttpClientConfigBuilder().with_base_url(server.url).with_retry_strategy(breaker).build()
    )
    server.queue("GET", "/cb", Reply(status=500), Reply(status=200, delay=1.0), Reply(status=200))

    async def go() -> None:
        async with AsyncHttpClient(config) as client:
            await client.get("/cb")
            assert breaker.state is CircuitState.OPEN
            now[0] += 10.5
            probe = asyncio.ensure_future(client.get("/cb"))
            await asyncio.sleep(0.2)
            probe.cancel()
            with pytest.raises(asyncio.CancelledError):
                await probe
            now[0] += 10.5  # the cancelled probe counted as a failure: wait again
            assert (await client.get("/cb")).status_code == 200
            assert breaker.state is CircuitState.CLOSED

    run(go)


# -- errors: the same classes as the sync client -------------------------------------------


def _sync_and_async_errors(config: HttpClientConfig, url: str) -> tuple[Exception, Exception]:
    errors: list[Exception] = []
    try:
        HttpClient(config).get(url)
    except Exception as error:
        errors.append(error)

    async def go() -> None:
        async with AsyncHttpClient(config) as client:
            await client.get(url)

    try:
        run(go)
    except Exception as error:
        errors.append(error)
    assert len(errors) == 2
    return errors[0], errors[1]


def test_connection_refused_maps_to_connect_error() -> None:
    config = HttpClientConfigBuilder().with_no_retry().build()
    with refused_url("/x?api_key=secret-value") as url:
        sync, async_ = _sync_and_async_errors(config, url)
    assert type(async_) is type(sync) is ConnectError
    assert "secret-value" not in str(async_)
    assert async_.__cause__ is None
    assert async_.__context__ is None


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(status=200, delay=1.0), ReadTimeoutError),
        (Reply(status=200, body=b"x" * 10, body_delay=1.0), ReadTimeoutError),
        (Reply(reset=True), ReadError),
        (Reply(status=200, body=b"0123456789", truncate=3), ReadError),
    ],
    ids=["read-timeout", "body-timeout", "reset", "truncated"],
)
def test_transport_failures_map_to_the_same_classes(
    server: LoopbackServer, reply: Reply, expected: type[TransportError]
) -> None:
    server.route("GET", "/e", reply)
    config = (
        HttpClientConfigBuilder().with_base_url(server.url).with_timeout(0.3).with_no_retry()
    ).build()
    sync, async_ = _sync_and_async_errors(config, "/e?token=hidden")
    assert type(async_) is type(sync)
    assert isinstance(async_, expected)
    assert "hidden" not in str(async_)


# -- redirects ---------------------------------------------------------------------------------


def test_redirect_to_another_origin_drops_credentials(server: LoopbackServer) -> None:
    with LoopbackServer() as other:
        other.route("GET", "/landing", Reply(status=200))
        server.route("GET", "/start", Reply.redirect(f"{other.url}/landing?api_key=k-123"))
        server.route("GET", "/same", Reply.redirect("/final"))
        server.route("GET", "/final", Reply(status=200))
        config = (
            HttpClientConfigBuilder()
            .with_base_url(server.url)
            .with_headers({"X-Api-Token": "default-secret"})
            .with_auth_hook(ApiKeyAuthHook("api_key", "k-123", "query"))
            .build()
        )

        async def go() -> None:
            async with AsyncHttpClient(config) as client:
                await client.get("/start", headers={"Authorization": "Bearer caller"})
                await client.request("GET", "/same", cookies={"sid": "1"})

        run(go)
        landed = other.requests[0]
        assert landed.header("authorization") is None
        assert landed.header("x-api-token") is None
        assert "api_key" not in landed.query
        final = server.requests_to("/final")[0]
        assert final.query == {"api_key": ["k-123"]}  # same origin: re-authenticated, once
        assert final.header("cookie") == "sid=1"


def test_too_many_redirects(server: LoopbackServer) -> None:
    server.route("GET", "/loop", Reply.redirect("/loop"))
    config = HttpClientConfigBuilder().with_base_url(server.url).with_redirects(max_redirects=3)

    async def go() -> None:
        async with AsyncHttpClient(config.build()) as client:
            await client.get("/loop")

    with pytest.raises(TooManyRedirectsError):
        run(go)
    assert len(server.requests) == 4


# -- event loops and lifetime ----------------------------------------------------------------


def test_one_client_on_two_event_loops_in_sequence(server: LoopbackServer) -> None:
    server.route("GET", "/p", Reply.json({"ok": True}))
    client = AsyncHttpClient(_config(server))

    async def use() -> int:
        return (await client.get("/p")).status_code

    assert asyncio.run(use()) == 200
    assert asyncio.run(use()) == 200  # a new loop gets its own pool, not the dead loop's
    assert client.open_pools == 0  # each pool closed when its loop shut down
    asyncio.run(client.aclose())
    with pytest.raises(ClientClosedError):
        asyncio.run(use())


def test_two_loops_in_two_threads_do_not_share_a_pool(server: LoopbackServer) -> None:
    server.route("GET", "/p", Reply.json({"ok": True}))
    client = AsyncHttpClient(_config(server))
    results: list[int] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        async def go() -> None:
            for _ in range(5):
                results.append((await client.get("/p")).status_code)
            barrier.wait(timeout=5)  # both loops alive at once: two pools
            results.append(client.open_pools)

        asyncio.run(go())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert results.count(200) == 10
    assert 2 in results[-2:]
    assert len({r.connection_id for r in server.requests}) >= 2


def test_concurrent_tasks_share_the_loop_pool(server: LoopbackServer) -> None:
    server.route("GET", "/p", Reply.json({"ok": True}))

    async def go() -> list[int]:
        async with AsyncHttpClient(_config(server)) as client:
            responses = await asyncio.gather(*(client.get("/p") for _ in range(50)))
            return [r.status_code for r in responses]

    assert run(go) == [200] * 50
    assert server.total_connections <= 10  # pool_maxsize caps the sockets


def test_waiting_for_a_free_connection_is_bounded_by_the_connect_timeout(
    server: LoopbackServer,
) -> None:
    from requestforge.errors import ConnectTimeoutError

    server.route("GET", "/slow", Reply(status=200, delay=1.0))
    server.route("GET", "/fast", Reply(status=200))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_timeout(5.0, connect=0.2)
        .with_pool_size(1)
        .with_no_retry()
        .build()
    )

    async def go() -> None:
        async with AsyncHttpClient(config) as client:
            slow = asyncio.ensure_future(client.get("/slow"))
            await asyncio.sleep(0.1)
            with pytest.raises(ConnectTimeoutError, match="free connection"):
                await client.get("/fast")
            assert (await slow).status_code == 200
            assert (await client.get("/fast")).status_code == 200  # the slot came back

    run(go)
