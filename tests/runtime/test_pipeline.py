"""Multi-step token pipelines against a loopback server: device -> app -> user."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta

import pytest
from requestforge import (
    BodyTokenFetcher,
    FetchContext,
    HeaderTokenFetcher,
    InMemoryTokenStorage,
    PipelineError,
    PipelineTokenProvider,
    RedisTokenStorage,
    TokenData,
    TokenFetcherInterface,
    TokenFetchError,
    TokenFetchPipeline,
    TokenManager,
)
from requestforge.tokens import utcnow

from tests.runtime.token_support import FakeClock
from tests.support.server import LoopbackServer, RecordedRequest, Reply

DAY = 86400


class IssuingServer:
    """Three endpoints, each checking it was called with the latest token of the step before."""

    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.calls: Counter[str] = Counter()
        self.latest: dict[str, str] = {}
        self.bodies: list[object] = []
        self._lock = threading.Lock()
        server.route("POST", "/device", self._device)
        server.route("POST", "/app", self._app)
        server.route("POST", "/user", self._user)

    def _issue(self, step: str) -> str:
        with self._lock:
            self.calls[step] += 1
            value = f"{step}-{self.calls[step]}"
            self.latest[step] = value
            return value

    def _device(self, request: RecordedRequest) -> Reply:
        return Reply(status=204, headers={"X-Device-Token": self._issue("device")})

    def _app(self, request: RecordedRequest) -> Reply:
        if request.header("Authorization") != f"Bearer {self.latest.get('device')}":
            return Reply.json({"error": "invalid_device"}, status=401)
        return Reply.json({"data": {"token": self._issue("app")}})

    def _user(self, request: RecordedRequest) -> Reply:
        if request.header("X-App-Token") != self.latest.get("app"):
            return Reply.json({"error": "invalid_app"}, status=401)
        self.bodies.append(request.json())
        return Reply.json({"access_token": self._issue("user"), "expires_in": "900"})

    def counts(self) -> tuple[int, int, int]:
        return self.calls["device"], self.calls["app"], self.calls["user"]


def three_steps(
    url: str, clock: FakeClock | None = None
) -> list[HeaderTokenFetcher | BodyTokenFetcher]:
    """device (30 days) -> app (1 hour) -> user (15 minutes), listed out of order on purpose."""
    device = HeaderTokenFetcher("device", f"{url}/device", "X-Device-Token", ttl=30 * DAY)
    app = BodyTokenFetcher(
        "app",
        f"{url}/app",
        "data.token",
        depends_on=["device"],
        ttl=3600,
        headers={"Authorization": "Bearer {device}"},
    )
    user = BodyTokenFetcher(
        "user",
        f"{url}/user",
        depends_on=["app"],
        ttl=900,
        headers={"X-App-Token": "{app}"},
        json=lambda tokens: {"app_token_type": tokens["app"].token_type},
        expires_in_path="expires_in",
        clock=clock if clock is not None else utcnow,
    )
    return [user, device, app]


@pytest.fixture
def issuer(server: LoopbackServer) -> IssuingServer:
    return IssuingServer(server)


def test_three_steps_fetch_once_then_only_what_expired(
    server: LoopbackServer, issuer: IssuingServer
) -> None:
    clock = FakeClock()
    pipeline = TokenFetchPipeline(
        three_steps(server.url, clock), InMemoryTokenStorage(), clock=clock
    )
    assert pipeline.steps == ("device", "app", "user")
    assert pipeline.final_step == "user"

    token = pipeline.execute()
    assert token.access_token == "user-1"
    assert issuer.counts() == (1, 1, 1)
    assert [r.path for r in server.requests] == ["/device", "/app", "/user"]
    assert issuer.bodies == [{"app_token_type": "Bearer"}]
    assert token.expires_at == clock() + timedelta(seconds=900)

    assert pipeline.execute().access_token == "user-1"  # everything cached
    assert issuer.counts() == (1, 1, 1)

    clock.advance(15 * 60)  # the user token expired, nothing else
    assert pipeline.execute().access_token == "user-2"
    assert issuer.counts() == (1, 1, 2)

    clock.advance(45 * 60)  # one hour in: the app token expired too
    assert pipeline.execute().access_token == "user-3"
    assert issuer.counts() == (1, 2, 3)

    clock.advance(29 * DAY)  # the device token is good for 30 days
    pipeline.execute()
    assert issuer.counts() == (1, 3, 4)
    clock.advance(DAY)
    pipeline.execute()
    assert issuer.counts() == (2, 4, 5)


def test_invalidation_cascades_to_dependents(server: LoopbackServer, issuer: IssuingServer) -> None:
    storage = InMemoryTokenStorage()
    pipeline = TokenFetchPipeline(three_steps(server.url), storage)
    pipeline.execute()

    assert pipeline.invalidate("app") == ["app", "user"]
    assert storage.exists(pipeline.cache_key("device"))
    assert not storage.exists(pipeline.cache_key("app"))
    assert not storage.exists(pipeline.cache_key("user"))
    pipeline.execute()
    assert issuer.counts() == (1, 2, 2)

    assert pipeline.invalidate("device") == ["device", "app", "user"]
    pipeline.execute()
    assert issuer.counts() == (2, 3, 3)

    assert pipeline.invalidate("user") == ["user"]
    pipeline.execute()
    assert issuer.counts() == (2, 3, 4)

    pipeline.execute(force_refresh=True)
    assert issuer.counts() == (3, 4, 5)

    with pytest.raises(PipelineError, match="unknown pipeline step 'nope'"):
        pipeline.invalidate("nope")


@pytest.mark.redis
def test_each_step_is_cached_in_redis_for_its_own_ttl(
    server: LoopbackServer, issuer: IssuingServer, redis_url: str
) -> None:
    storage = RedisTokenStorage(redis_url, key_prefix="pipeline-test:")
    pipeline = TokenFetchPipeline(three_steps(server.url), storage)
    pipeline.execute()

    def ttl(step: str) -> float:
        return float(storage.client.pttl(storage.key_for(pipeline.cache_key(step)))) / 1000

    assert 30 * DAY - 5 < ttl("device") <= 30 * DAY
    assert 3600 - 5 < ttl("app") <= 3600
    assert 900 - 5 < ttl("user") <= 900

    storage.client.delete(storage.key_for(pipeline.cache_key("user")))  # as if it had expired
    assert pipeline.execute().access_token == "user-2"
    assert issuer.counts() == (1, 1, 2)


def test_a_failing_step_keeps_the_steps_before_it(
    server: LoopbackServer, issuer: IssuingServer
) -> None:
    pipeline = TokenFetchPipeline(three_steps(server.url))
    server.queue("POST", "/app", Reply.json({"error": "temporarily_unavailable"}, status=503))
    with pytest.raises(TokenFetchError) as caught:
        pipeline.execute()
    assert "pipeline step 'app'" in str(caught.value)
    assert (caught.value.status_code, caught.value.error) == (503, "temporarily_unavailable")

    server.queue("POST", "/app")  # no more queued replies: back to the issuer's route
    assert pipeline.execute().access_token == "user-1"
    assert issuer.counts() == (1, 1, 1)  # the device token was not fetched again


def test_missing_tokens_in_responses(server: LoopbackServer) -> None:
    server.route("POST", "/h", Reply(status=200))
    server.route("POST", "/b", Reply.json({"data": {"other": "x"}}))
    server.route("POST", "/t", Reply(status=200, body=b"token", headers={"Content-Type": "text"}))
    with pytest.raises(TokenFetchError, match="without a 'X-Token' header"):
        HeaderTokenFetcher("h", f"{server.url}/h", "X-Token").fetch({})
    with pytest.raises(TokenFetchError, match=r"no token string at JSON path 'data\.token'"):
        BodyTokenFetcher("b", f"{server.url}/b", "data.token").fetch({})
    with pytest.raises(TokenFetchError, match="not JSON"):
        BodyTokenFetcher("t", f"{server.url}/t").fetch({})


def test_json_paths_reach_into_lists(server: LoopbackServer) -> None:
    server.route(
        "GET",
        "/list",
        Reply.json({"items": [{"token": "first"}, {"token": "second", "ttl": 60, "rt": "r"}]}),
    )
    fetcher = BodyTokenFetcher(
        "s",
        f"{server.url}/list",
        "items.1.token",
        method="GET",
        expires_in_path="items.1.ttl",
        refresh_token_path="items.1.rt",
    )
    token = fetcher.fetch({})
    assert (token.access_token, token.refresh_token) == ("second", "r")
    assert token.expires_at is not None


def test_callable_headers_and_custom_fetchers(server: LoopbackServer) -> None:
    server.route(
        "POST",
        "/sign",
        lambda request: Reply(headers={"X-Signed": f"signed({request.header('X-Base')})"}),
    )

    class Base(TokenFetcherInterface):
        name = "base"
        ttl = 60.0

        def fetch(self, tokens: Mapping[str, TokenData]) -> TokenData:
            assert dict(tokens) == {}
            return TokenData(access_token="base-token")

    signed = HeaderTokenFetcher(
        "signed",
        f"{server.url}/sign",
        "X-Signed",
        depends_on=["base"],
        headers=lambda tokens: {"X-Base": tokens["base"].access_token},
    )
    assert TokenFetchPipeline([Base(), signed]).execute().access_token == "signed(base-token)"


def test_a_foreign_exception_becomes_a_pipeline_error_naming_the_step() -> None:
    class Broken(TokenFetcherInterface):
        name = "broken"

        def fetch(self, tokens: Mapping[str, TokenData]) -> TokenData:
            raise KeyError("secret-looking-detail")

    with pytest.raises(PipelineError, match="'broken' failed with KeyError") as caught:
        TokenFetchPipeline([Broken()]).execute()
    assert "secret-looking-detail" not in str(caught.value)
    assert isinstance(caught.value.__cause__, KeyError)


# -- configuration errors ----------------------------------------------------------


class Step(TokenFetcherInterface):
    def __init__(self, name: str, *depends_on: str, ttl: float = 60.0) -> None:
        self.name = name
        self.depends_on = depends_on
        self.ttl = ttl

    def fetch(self, tokens: Mapping[str, TokenData]) -> TokenData:
        return TokenData(access_token=f"{self.name}({','.join(sorted(tokens))})")


def test_cycles_are_reported_with_their_path() -> None:
    with pytest.raises(PipelineError, match=r"cycle .*: a -> b -> c -> a"):
        TokenFetchPipeline([Step("a", "b"), Step("b", "c"), Step("c", "a"), Step("d", "a")])
    with pytest.raises(PipelineError, match=r"cycle .*: s -> s"):
        TokenFetchPipeline([Step("s", "s")])


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "at least one step"),
        ([Step("a"), Step("a")], "duplicate pipeline step name 'a'"),
        ([Step("a"), Step("b", "a", "ghost")], "step 'b' depends on unknown step 'ghost'"),
        ([Step("a", ttl=0)], "'a': ttl must be > 0"),
        ([Step("a", ttl=float("inf"))], "'a': ttl must be finite"),
        ([Step("a"), Step("b"), Step("c", "a")], r"several last steps \(b, c\)"),
    ],
)
def test_misconfiguration_fails_at_construction(steps: list[Step], message: str) -> None:
    with pytest.raises(PipelineError, match=message):
        TokenFetchPipeline(steps)


def test_final_step_can_be_named() -> None:
    pipeline = TokenFetchPipeline([Step("a"), Step("b"), Step("c", "a")], final_step="c")
    assert pipeline.execute().access_token == "c(a)"
    with pytest.raises(PipelineError, match="final_step 'x'"):
        TokenFetchPipeline([Step("a")], final_step="x")


def test_header_templates_may_only_use_dependencies() -> None:
    with pytest.raises(PipelineError, match=r"uses \{device\}, which is not one of its"):
        HeaderTokenFetcher(
            "app", "https://x.example/app", "X-T", headers={"Authorization": "Bearer {device}"}
        )


def test_fetchers_see_only_their_dependencies() -> None:
    pipeline = TokenFetchPipeline([Step("a"), Step("b", "a"), Step("c", "b")])
    assert pipeline.execute().access_token == "c(b)"


def test_fetch_context_collects_tokens() -> None:
    context = FetchContext()
    context.add_token("a", TokenData(access_token="t"))
    assert context.tokens["a"].access_token == "t"
    assert context.metadata == {}


# -- behind a TokenManager -----------------------------------------------------------


def test_pipeline_provider_renews_only_the_final_step_on_invalidation(
    server: LoopbackServer, issuer: IssuingServer
) -> None:
    pipeline = TokenFetchPipeline(three_steps(server.url))
    manager = TokenManager(PipelineTokenProvider(pipeline, "my-api"))
    assert manager.cache_key == "token:my-api"

    barrier = threading.Barrier(20)
    seen: list[str] = []

    def worker() -> None:
        barrier.wait()
        seen.append(manager.get_token().access_token)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == ["user-1"] * 20
    assert issuer.counts() == (1, 1, 1)

    manager.invalidate("user-1")  # e.g. the API answered 401
    assert manager.get_token().access_token == "user-2"
    assert issuer.counts() == (1, 1, 2)
