"""The request lifecycle's hooks (seed 001), over a real server."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest
from requestforge import (
    ApiKeyAuthHook,
    AuthHookInterface,
    AuthorizationHook,
    BasicAuthHook,
    BearerTokenAuthHook,
    CompositeAuthHook,
    ConfigurationError,
    CorrelationIdHook,
    ErrorHookInterface,
    Headers,
    HttpClient,
    HttpClientConfigBuilder,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    IdempotencyKeyHook,
    LoggingErrorHook,
    LoggingRequestHook,
    LoggingResponseHook,
    MaxRetryException,
    RateLimitInfo,
    RateLimitResponseHook,
    ReadError,
    RequestContext,
    RequestHookInterface,
    ResponseHookInterface,
    correlation_id_scope,
)

from tests.support.server import LoopbackServer, RecordedRequest, Reply

SECRET = "s3cr3t-value"


class Events(list[str]):
    pass


class NamedRequestHook(RequestHookInterface):
    def __init__(self, name: str, events: Events) -> None:
        self.name, self.events = name, events

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        self.events.append(self.name)
        return request.with_headers({f"X-{self.name}": ",".join(request.headers)})


class NamedAuthHook(AuthHookInterface):
    def __init__(self, events: Events) -> None:
        self.events = events

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        self.events.append("auth")
        return request.with_headers({"Authorization": f"Bearer {SECRET}"})


class NamedResponseHook(ResponseHookInterface):
    def __init__(self, name: str, events: Events) -> None:
        self.name, self.events = name, events

    def after_response(self, response: HttpResponse, context: RequestContext) -> HttpResponse:
        self.events.append(self.name)
        return response


class NamedErrorHook(ErrorHookInterface):
    def __init__(self, name: str, events: Events, seen: list[BaseException]) -> None:
        self.name, self.events, self.seen = name, events, seen

    def on_error(self, error: BaseException, context: RequestContext) -> None:
        self.events.append(self.name)
        self.seen.append(error)


class MetadataProbe(ResponseHookInterface):
    """Keeps the context of the last call so tests can look at its metadata."""

    context: RequestContext | None = None

    def after_response(self, response: HttpResponse, context: RequestContext) -> HttpResponse:
        self.context = context
        return response


def _builder(server: LoopbackServer) -> HttpClientConfigBuilder:
    return HttpClientConfigBuilder().with_base_url(server.url).with_timeout(5.0)


def _ordered_client(
    server: LoopbackServer, events: Events, seen: list[BaseException]
) -> HttpClient:
    config = (
        _builder(server)
        .with_retry(max_retries=2, base_delay=0.0, jitter=False)
        .with_request_hook(NamedRequestHook("req1", events))
        .with_request_hook(NamedRequestHook("req2", events))
        .with_auth_hook(NamedAuthHook(events))
        .with_response_hook(NamedResponseHook("resp1", events))
        .with_response_hook(NamedResponseHook("resp2", events))
        .with_error_hook(NamedErrorHook("err1", events, seen))
        .with_error_hook(NamedErrorHook("err2", events, seen))
        .build()
    )
    return HttpClient(config)


def _recording(events: Events, reply: Reply) -> Any:
    def handler(_request: RecordedRequest) -> Reply:
        events.append("send")
        return reply

    return handler


def test_request_hooks_then_auth_then_send_then_response_hooks(server: LoopbackServer) -> None:
    events, seen = Events(), []
    server.route("GET", "/x", _recording(events, Reply(200, b"ok")))
    response = _ordered_client(server, events, seen).get("/x")
    assert response.content == b"ok"
    assert events == ["req1", "req2", "auth", "send", "resp1", "resp2"]
    received = server.requests[0]
    assert received.header("X-req2") is not None
    assert "X-req1" in (received.header("X-req2") or "")  # req2 saw what req1 added
    assert received.header("Authorization") == f"Bearer {SECRET}"
    assert seen == []


def test_error_hooks_run_in_order_and_the_error_is_re_raised(server: LoopbackServer) -> None:
    events, seen = Events(), []
    server.route("POST", "/x", _recording(events, Reply(reset=True)))
    with pytest.raises(ReadError) as caught:
        _ordered_client(server, events, seen).post("/x", json={})
    assert events == ["req1", "req2", "auth", "send", "err1", "err2"]
    assert seen == [caught.value, caught.value]


def test_error_hooks_run_once_per_call_when_retries_give_up(server: LoopbackServer) -> None:
    events, seen = Events(), []
    server.route("GET", "/x", _recording(events, Reply(503)))
    with pytest.raises(MaxRetryException) as caught:
        _ordered_client(server, events, seen).get("/x")
    assert events == ["req1", "req2"] + ["auth", "send"] * 3 + ["err1", "err2"]
    assert seen == [caught.value, caught.value]


def test_request_hooks_run_once_per_call_and_the_auth_hook_per_attempt(
    server: LoopbackServer,
) -> None:
    events, seen = Events(), []
    server.queue("GET", "/x", Reply(503), Reply(502), Reply(200, b"ok"))
    assert _ordered_client(server, events, seen).get("/x").content == b"ok"
    assert events.count("req1") == 1
    assert events.count("req2") == 1
    assert events.count("auth") == 3
    assert events[-2:] == ["resp1", "resp2"]


def test_a_failing_request_hook_reaches_the_error_hooks_and_sends_nothing(
    server: LoopbackServer,
) -> None:
    class Broken(RequestHookInterface):
        def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
            raise LookupError("no tenant")

    events, seen = Events(), []
    config = (
        _builder(server)
        .with_request_hook(Broken())
        .with_error_hook(NamedErrorHook("err", events, seen))
        .build()
    )
    with pytest.raises(LookupError):
        HttpClient(config).get("/x")
    assert events == ["err"]
    assert server.requests == []


def test_401_replays_once_with_renewed_credentials(server: LoopbackServer) -> None:
    class Renewing(AuthHookInterface):
        def __init__(self) -> None:
            self.token = "old"

        def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
            return request.with_headers({"Authorization": f"Bearer {self.token}"})

        def on_unauthorized(
            self, request: HttpRequest, response: HttpResponse, context: RequestContext
        ) -> HttpRequest | None:
            self.token = "new"
            return self.before_request(request, context)

    server.route(
        "GET",
        "/me",
        lambda r: Reply(200, b"me") if r.header("Authorization") == "Bearer new" else Reply(401),
    )
    client = HttpClient(_builder(server).with_auth_hook(Renewing()).with_no_retry().build())
    assert client.get("/me").content == b"me"
    assert [r.header("Authorization") for r in server.requests] == ["Bearer old", "Bearer new"]


def test_401_after_a_replay_is_final(server: LoopbackServer) -> None:
    class AlwaysRenewing(AuthHookInterface):
        def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
            return request.with_headers({"Authorization": "Bearer x"})

        def on_unauthorized(
            self, request: HttpRequest, response: HttpResponse, context: RequestContext
        ) -> HttpRequest | None:
            return request

    server.route("GET", "/me", Reply(401))
    client = HttpClient(_builder(server).with_auth_hook(AlwaysRenewing()).build())
    assert client.get("/me").status_code == 401
    assert len(server.requests) == 2  # one replay, never a loop


def test_static_credentials_do_not_replay_on_401(server: LoopbackServer) -> None:
    server.route("GET", "/me", Reply(401))
    client = HttpClient(_builder(server).with_bearer_token(SECRET).build())
    assert client.get("/me").status_code == 401
    assert len(server.requests) == 1


# -- correlation ids -------------------------------------------------------------------


def _correlated(server: LoopbackServer, probe: MetadataProbe | None = None) -> HttpClient:
    builder = _builder(server).with_request_hook(CorrelationIdHook())
    if probe is not None:
        builder.with_response_hook(probe)
    return HttpClient(builder.build())


def test_correlation_id_comes_from_the_scope_when_set(server: LoopbackServer) -> None:
    server.route("GET", "/x", Reply(200))
    probe = MetadataProbe()
    client = _correlated(server, probe)
    with correlation_id_scope("incoming-123"):
        client.get("/x")
    assert server.requests[-1].header("X-Correlation-ID") == "incoming-123"
    assert probe.context is not None
    assert probe.context.metadata["correlation_id"] == "incoming-123"


def test_correlation_id_is_generated_per_call_without_a_scope(server: LoopbackServer) -> None:
    server.route("GET", "/x", Reply(200))
    client = _correlated(server)
    client.get("/x")
    client.get("/x")
    first, second = (r.header("X-Correlation-ID") for r in server.requests)
    assert first
    assert second
    assert first != second


def test_correlation_id_already_on_the_request_wins(server: LoopbackServer) -> None:
    server.route("GET", "/x", Reply(200))
    with correlation_id_scope("from-scope"):
        _correlated(server).get("/x", headers={"x-correlation-id": "explicit"})
    assert server.requests[-1].header("X-Correlation-ID") == "explicit"


def test_correlation_id_is_the_same_on_every_retry(server: LoopbackServer) -> None:
    server.queue("GET", "/x", Reply(503), Reply(200))
    config = (
        _builder(server)
        .with_retry(max_retries=1, base_delay=0.0)
        .with_request_hook(CorrelationIdHook(generator=lambda: "generated-once"))
        .build()
    )
    HttpClient(config).get("/x")
    assert [r.header("X-Correlation-ID") for r in server.requests] == ["generated-once"] * 2


def test_correlation_scopes_do_not_cross_threads(server: LoopbackServer) -> None:
    server.route("GET", "/x", Reply(200))
    client = _correlated(server)
    start = threading.Barrier(4)

    def worker(number: int) -> None:
        with correlation_id_scope(f"thread-{number}"):
            start.wait(timeout=10)
            client.get("/x", params={"n": number})

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    pairs = {(r.query["n"][0], r.header("X-Correlation-ID")) for r in server.requests}
    assert pairs == {(str(n), f"thread-{n}") for n in range(4)}


def test_correlation_scopes_follow_asyncio_tasks_into_worker_threads(
    server: LoopbackServer,
) -> None:
    server.route("GET", "/x", Reply(200, delay=0.02))
    client = _correlated(server)

    async def handle(number: int) -> None:
        with correlation_id_scope(f"task-{number}"):
            await asyncio.sleep(0)
            await asyncio.to_thread(client.get, "/x", params={"n": number})

    async def main() -> None:
        await asyncio.gather(*(handle(n) for n in range(4)))

    asyncio.run(main())
    pairs = {(r.query["n"][0], r.header("X-Correlation-ID")) for r in server.requests}
    assert pairs == {(str(n), f"task-{n}") for n in range(4)}


# -- rate limits -----------------------------------------------------------------------

NOW = 1_700_000_000.0


def _rate_limit(headers: dict[str, str]) -> RateLimitInfo | None:
    context = RequestContext(HttpRequest(HttpMethod.GET, "http://x.test/"))
    response = HttpResponse(200, Headers(headers), b"")
    assert RateLimitResponseHook(clock=lambda: NOW).after_response(response, context) is response
    info = context.metadata.get("rate_limit")
    assert info is None or isinstance(info, RateLimitInfo)
    return info


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {"RateLimit-Limit": "100", "RateLimit-Remaining": "7", "RateLimit-Reset": "30"},
            RateLimitInfo(100, 7, 30.0),
        ),
        (
            {
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "1700000090",
            },
            RateLimitInfo(5000, 0, 90.0),
        ),
        ({"x-ratelimit-remaining": "3"}, RateLimitInfo(None, 3, None)),
        ({"X-RateLimit-Reset": "1699999000"}, RateLimitInfo(None, None, 0.0)),  # in the past
        (
            {"RateLimit-Remaining": "1", "X-RateLimit-Remaining": "9"},
            RateLimitInfo(None, 1, None),
        ),
        ({"RateLimit-Limit": "lots"}, None),
        ({}, None),
    ],
)
def test_rate_limit_headers(headers: dict[str, str], expected: RateLimitInfo | None) -> None:
    assert _rate_limit(headers) == expected


def test_rate_limit_hook_over_the_wire(server: LoopbackServer) -> None:
    server.route(
        "GET",
        "/x",
        Reply(200, headers={"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "59"}),
    )
    probe = MetadataProbe()
    config = _builder(server).with_response_hook(RateLimitResponseHook()).with_response_hook(probe)
    HttpClient(config.build()).get("/x")
    assert probe.context is not None
    assert probe.context.metadata["rate_limit"] == RateLimitInfo(60, 59, None)


# -- logging never shows secrets -------------------------------------------------------


def test_logging_hooks_never_log_secrets(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.route("GET", "/ok", Reply(200, b"ok"))
    server.route("GET", "/slow", Reply(200, delay=0.3))
    config = (
        _builder(server)
        .with_timeout(0.05)
        .with_no_retry()
        .with_api_key(SECRET, name="appid", location="query")  # a name that looks harmless
        .with_request_hook(LoggingRequestHook(include_headers=True))
        .with_response_hook(LoggingResponseHook())
        .with_error_hook(LoggingErrorHook())
        .build()
    )
    client = HttpClient(config)
    caller_secrets = {
        "headers": {
            "Authorization": f"Bearer {SECRET}",
            "Cookie": f"sid={SECRET}",
            "X-Api-Key": SECRET,
            "Proxy-Authorization": f"Basic {SECRET}",
        },
        "params": {"access_token": SECRET, "api_key": SECRET, "page": 1},
    }
    with caplog.at_level(logging.DEBUG, logger="requestforge"):
        client.get("/ok", **caller_secrets)  # type: ignore[arg-type]
        with pytest.raises(Exception, match="timed out"):
            client.get("/slow", **caller_secrets)  # type: ignore[arg-type]

    text = caplog.text
    assert "request GET" in text
    assert "response 200" in text
    assert "failed after 1 attempt" in text
    assert "page=1" in text  # what is not secret is still logged
    assert SECRET not in text
    assert [r.levelno for r in caplog.records].count(logging.WARNING) == 1


def test_logging_hooks_redact_what_a_bearer_or_basic_hook_added(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.route("GET", "/ok", Reply(200))
    for auth in (BearerTokenAuthHook(SECRET), BasicAuthHook("user", SECRET)):
        config = (
            _builder(server)
            .with_auth_hook(auth)
            .with_request_hook(LoggingRequestHook(include_headers=True))
            .with_response_hook(LoggingResponseHook())
            .build()
        )
        with caplog.at_level(logging.DEBUG, logger="requestforge"):
            HttpClient(config).get("/ok")
    assert "response 200" in caplog.text
    assert SECRET not in caplog.text


def test_logging_hooks_use_the_given_logger_and_level(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.route("GET", "/ok", Reply(200))
    logger = logging.getLogger("my.app.http")
    config = (
        _builder(server)
        .with_request_hook(LoggingRequestHook(logger, logging.INFO))
        .with_response_hook(LoggingResponseHook(logger, logging.INFO))
        .build()
    )
    with caplog.at_level(logging.INFO, logger="my.app.http"):
        HttpClient(config).get("/ok")
    assert [(r.name, r.levelno) for r in caplog.records] == [("my.app.http", logging.INFO)] * 2


# -- idempotency keys and dynamic authorization --------------------------------------------


def test_idempotency_key_hook_adds_keys_to_post_and_patch_only(server: LoopbackServer) -> None:
    for method in ("GET", "PUT", "DELETE", "POST", "PATCH"):
        server.route(method, "/x", Reply(200))
    keys = iter(["k1", "k2"])
    config = _builder(server).with_request_hook(IdempotencyKeyHook(generator=lambda: next(keys)))
    client = HttpClient(config.build())
    for method in ("GET", "PUT", "DELETE", "POST", "PATCH"):
        client.request(method, "/x")
    client.post("/x", headers={"Idempotency-Key": "mine"})
    assert [(r.method, r.header("Idempotency-Key")) for r in server.requests] == [
        ("GET", None),
        ("PUT", None),
        ("DELETE", None),
        ("POST", "k1"),
        ("PATCH", "k2"),
        ("POST", "mine"),
    ]


def test_authorization_hook_sets_the_header_from_a_callable(server: LoopbackServer) -> None:
    server.route("GET", "/x", Reply(200))
    values = iter([f"Bearer {SECRET}", None])
    config = _builder(server).with_request_hook(AuthorizationHook(lambda: next(values)))
    client = HttpClient(config.build())
    client.get("/x")
    client.get("/x")
    assert [r.header("Authorization") for r in server.requests] == [f"Bearer {SECRET}", None]


# -- static auth hooks -----------------------------------------------------------------------


def test_static_auth_hooks_put_credentials_where_asked(server: LoopbackServer) -> None:
    server.route("GET", "/x", Reply(200))
    hooks = [
        ApiKeyAuthHook("X-Key", "k1"),
        ApiKeyAuthHook("key", "k2", "query"),
        ApiKeyAuthHook("sid", "k3", "cookie"),
        BasicAuthHook("aladdin", "open sesame"),
        BearerTokenAuthHook("t0k"),
        CompositeAuthHook([ApiKeyAuthHook("X-Key", "k4"), ApiKeyAuthHook("key", "k5", "query")]),
    ]
    for hook in hooks:
        HttpClient(_builder(server).with_auth_hook(hook).build()).get("/x", params={"p": "1"})
    received = server.requests
    assert received[0].header("X-Key") == "k1"
    assert received[1].query == {"p": ["1"], "key": ["k2"]}
    assert received[2].header("Cookie") == "sid=k3"
    assert received[3].header("Authorization") == "Basic YWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    assert received[4].header("Authorization") == "Bearer t0k"
    assert received[5].header("X-Key") == "k4"
    assert received[5].query["key"] == ["k5"]


def test_builder_shortcuts_configure_static_auth(server: LoopbackServer) -> None:
    server.route("GET", "/x", Reply(200))
    HttpClient(_builder(server).with_api_key("k", name="X-Key").build()).get("/x")
    HttpClient(_builder(server).with_basic_auth("u", "p").build()).get("/x")
    HttpClient(_builder(server).with_bearer_token("b").build()).get("/x")
    assert [(r.header("X-Key"), r.header("Authorization")) for r in server.requests] == [
        ("k", None),
        (None, "Basic dTpw"),
        (None, "Bearer b"),
    ]


def test_static_auth_hook_reprs_hide_secrets() -> None:
    hooks: list[object] = [
        ApiKeyAuthHook("X-Key", SECRET),
        BasicAuthHook("user", SECRET),
        BearerTokenAuthHook(SECRET),
        CompositeAuthHook([BearerTokenAuthHook(SECRET), ApiKeyAuthHook("k", SECRET, "query")]),
    ]
    for hook in hooks:
        assert SECRET not in repr(hook)


@pytest.mark.parametrize(
    ("make", "setting"),
    [
        (lambda: ApiKeyAuthHook("k", "v", "body"), "api_key.location"),  # type: ignore[arg-type]
        (lambda: ApiKeyAuthHook("", "v"), "api_key.name"),
        (lambda: BasicAuthHook("a:b", "p"), "basic_auth.username"),
        (lambda: BearerTokenAuthHook(""), "bearer_token"),
        (lambda: CompositeAuthHook([]), "auth_hooks"),
    ],
)
def test_static_auth_hooks_validate_their_settings(make: Any, setting: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        make()
    assert caught.value.setting == setting
