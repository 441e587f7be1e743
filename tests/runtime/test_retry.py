"""Retry defaults over real sockets, Retry-After handling and backoff.

Delays are recorded through the client's injectable ``sleep`` rather than slept.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from requestforge import (
    ConfigurationError,
    ConnectError,
    ExponentialBackoffRetryStrategy,
    Headers,
    HttpClient,
    HttpClientConfigBuilder,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    MaxRetryException,
    NoRetryStrategy,
    ReadError,
    ReadTimeoutError,
    RequestContext,
    RetryBudgetExceededError,
    RetryConditions,
    SimpleRetryStrategy,
    parse_retry_after,
)
from requestforge.retry import RetryStrategy

from tests.support.server import LoopbackServer, Reply, refused_url


class Sleeps(list[float]):
    """Records the delays the client asks for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def _client(
    server: LoopbackServer,
    sleeps: Sleeps,
    *,
    max_retries: int = 2,
    base_delay: float = 0.25,
    timeout: float = 5.0,
    strategy: RetryStrategy | None = None,
    **retry: float,
) -> HttpClient:
    builder = HttpClientConfigBuilder().with_base_url(server.url).with_timeout(timeout)
    if strategy is not None:
        builder.with_retry_strategy(strategy)
    else:
        builder.with_retry(
            max_retries=max_retries,
            base_delay=base_delay,
            jitter=False,
            **retry,  # type: ignore[arg-type]
        )
    return HttpClient(builder.build(), sleep=sleeps)


@pytest.fixture
def refused() -> Iterator[str]:
    with refused_url("/nothing-listens") as url:
        yield url


# -- connection refused: nothing was sent, so every method is retried ---------------


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH"])
def test_connection_refused_is_retried_for_any_method(
    server: LoopbackServer, sleeps: Sleeps, refused: str, method: str
) -> None:
    client = _client(server, sleeps)
    with pytest.raises(MaxRetryException) as caught:
        client.request(method, refused, json={"a": 1})
    assert caught.value.attempts == 3
    assert isinstance(caught.value.last_error, ConnectError)
    assert caught.value.last_response is None
    assert isinstance(caught.value.__cause__, ConnectError)
    assert sleeps == [0.25, 0.5]


# -- read timeouts: retried only when a replay cannot do harm ------------------------


def test_read_timeout_is_retried_for_get(server: LoopbackServer, sleeps: Sleeps) -> None:
    server.queue("GET", "/slow", Reply(delay=0.5), Reply(delay=0.5), Reply(200, b"done"))
    client = _client(server, sleeps, timeout=0.1)
    assert client.get("/slow").content == b"done"
    assert len(server.requests) == 3
    assert sleeps == [0.25, 0.5]


def test_read_timeout_is_not_retried_for_post_without_idempotency_key(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.queue("POST", "/slow", Reply(delay=0.5), Reply(200, b"done"))
    client = _client(server, sleeps, timeout=0.1)
    with pytest.raises(ReadTimeoutError):
        client.post("/slow", json={"a": 1})
    assert len(server.requests) == 1
    assert sleeps == []


def test_read_timeout_is_retried_for_post_with_idempotency_key_sending_the_same_key(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.queue("POST", "/slow", Reply(delay=0.5), Reply(delay=0.5), Reply(201, b"made"))
    client = _client(server, sleeps, timeout=0.1)
    response = client.post("/slow", json={"a": 1}, headers={"Idempotency-Key": "key-42"})
    assert response.status_code == 201
    assert [r.header("Idempotency-Key") for r in server.requests] == ["key-42"] * 3
    assert [r.json() for r in server.requests] == [{"a": 1}] * 3


def test_idempotency_key_hook_makes_post_retryable_with_one_key_per_call(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.queue("POST", "/orders", Reply(503), Reply(503), Reply(201, b"made"))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_retry(max_retries=2, base_delay=0.0, jitter=False)
        .with_idempotency_keys()
        .build()
    )
    client = HttpClient(config, sleep=sleeps)
    assert client.post("/orders", json={}).status_code == 201
    keys = [r.header("Idempotency-Key") for r in server.requests]
    assert len(keys) == 3
    assert keys[0]
    assert len(set(keys)) == 1
    client.post("/orders", json={})
    assert server.requests[-1].header("Idempotency-Key") not in (None, keys[0])


# -- statuses ----------------------------------------------------------------------

RETRIED_STATUSES = [408, 429, 500, 502, 503, 504]


@pytest.mark.parametrize("status", RETRIED_STATUSES)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD", "OPTIONS"])
def test_transient_statuses_are_retried_for_idempotent_methods(
    server: LoopbackServer, sleeps: Sleeps, method: str, status: int
) -> None:
    server.queue(method, "/thing", Reply(status), Reply(status), Reply(200, b"ok"))
    client = _client(server, sleeps)
    response = client.request(method, "/thing")
    assert response.status_code == 200
    assert len(server.requests) == 3
    assert sleeps == [0.25, 0.5]


@pytest.mark.parametrize("status", RETRIED_STATUSES)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_transient_statuses_are_not_retried_for_post_and_patch_without_key(
    server: LoopbackServer, sleeps: Sleeps, method: str, status: int
) -> None:
    server.queue(method, "/thing", Reply(status), Reply(200, b"ok"))
    client = _client(server, sleeps)
    response = client.request(method, "/thing", json={"x": 1})
    assert response.status_code == status
    assert len(server.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_transient_statuses_are_retried_for_post_and_patch_with_key(
    server: LoopbackServer, sleeps: Sleeps, method: str
) -> None:
    server.queue(method, "/thing", Reply(503), Reply(200, b"ok"))
    client = _client(server, sleeps)
    response = client.request(method, "/thing", headers={"idempotency-key": "k1"})
    assert response.status_code == 200
    assert [r.header("Idempotency-Key") for r in server.requests] == ["k1", "k1"]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 501])
def test_other_statuses_are_not_retried(
    server: LoopbackServer, sleeps: Sleeps, status: int
) -> None:
    server.queue("GET", "/thing", Reply(status), Reply(200, b"ok"))
    client = _client(server, sleeps)
    assert client.get("/thing").status_code == status
    assert len(server.requests) == 1


def test_giving_up_on_a_status_raises_with_the_last_response(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.queue("GET", "/down", Reply(500, b"first"), Reply(503, b"last"))
    client = _client(server, sleeps)
    with pytest.raises(MaxRetryException) as caught:
        client.get("/down")
    error = caught.value
    assert error.attempts == 3
    assert error.last_error is None
    assert error.last_response is not None
    assert error.last_response.status_code == 503
    assert error.last_response.content == b"last"
    assert "3 attempt" in str(error)
    assert len(server.requests) == 3


def test_giving_up_on_a_read_timeout_carries_the_error(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.route("GET", "/slow", Reply(delay=0.4))
    client = _client(server, sleeps, max_retries=1, timeout=0.05)
    with pytest.raises(MaxRetryException) as caught:
        client.get("/slow")
    assert caught.value.attempts == 2
    assert isinstance(caught.value.last_error, ReadTimeoutError)
    assert caught.value.last_response is None


def test_connection_reset_on_post_is_not_retried(server: LoopbackServer, sleeps: Sleeps) -> None:
    server.queue("POST", "/pay", Reply(reset=True), Reply(200, b"paid twice"))
    client = _client(server, sleeps)
    with pytest.raises(ReadError):
        client.post("/pay", json={"amount": 1})
    assert len(server.requests) == 1


def test_connection_reset_on_get_is_retried(server: LoopbackServer, sleeps: Sleeps) -> None:
    server.queue("GET", "/data", Reply(reset=True), Reply(200, b"data"))
    client = _client(server, sleeps)
    assert client.get("/data").content == b"data"
    assert len(server.requests) == 2


def test_total_timeout_stops_retrying(server: LoopbackServer, sleeps: Sleeps) -> None:
    server.route("GET", "/down", Reply(503))
    client = _client(server, sleeps, max_retries=10, base_delay=1.0, total_timeout=2.5)
    with pytest.raises(RetryBudgetExceededError) as caught:
        client.get("/down")
    # 1s and 2s fit in 2.5s; the next 4s would not, so the client stops instead of sleeping.
    assert sleeps == [1.0, 2.0]
    assert caught.value.attempts == 3
    assert caught.value.last_response is not None
    assert caught.value.last_response.status_code == 503
    assert isinstance(caught.value, MaxRetryException)


def test_total_timeout_also_bounds_a_hanging_attempt(server: LoopbackServer) -> None:
    server.route("GET", "/hang", Reply(200, b"late", delay=1.0))
    client = _client(server, Sleeps(), max_retries=5, base_delay=0.05, total_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(MaxRetryException) as caught:
        client.get("/hang")  # the per-attempt timeout (5s) alone would let this hang
    assert time.monotonic() - started < 0.9
    assert isinstance(caught.value, RetryBudgetExceededError)
    assert isinstance(caught.value.last_error, ReadTimeoutError)


def test_no_retry_strategy_returns_the_response_as_is(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.route("GET", "/down", Reply(503, b"busy"))
    client = _client(server, sleeps, strategy=NoRetryStrategy())
    response = client.get("/down")
    assert (response.status_code, response.content) == (503, b"busy")
    assert len(server.requests) == 1
    assert sleeps == []


def test_no_retry_strategy_raises_transport_errors_unwrapped(
    server: LoopbackServer, sleeps: Sleeps, refused: str
) -> None:
    client = _client(server, sleeps, strategy=NoRetryStrategy())
    with pytest.raises(ConnectError):
        client.get(refused)


def test_zero_max_retries_returns_the_response(server: LoopbackServer, sleeps: Sleeps) -> None:
    server.route("GET", "/down", Reply(503))
    client = _client(server, sleeps, max_retries=0)
    assert client.get("/down").status_code == 503
    assert len(server.requests) == 1


def test_custom_retry_statuses(server: LoopbackServer, sleeps: Sleeps) -> None:
    server.queue("GET", "/conflict", Reply(409), Reply(200))
    client = _client(server, sleeps, strategy=SimpleRetryStrategy(2, 0.1, retry_statuses=[409]))
    assert client.get("/conflict").status_code == 200
    assert sleeps == [0.1]


# -- Retry-After ---------------------------------------------------------------------


def _retry_after(server: LoopbackServer, status: int, headers: dict[str, str]) -> None:
    server.queue("GET", "/limited", Reply(status, headers=headers), Reply(200, b"ok"))


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_is_honoured(
    server: LoopbackServer, sleeps: Sleeps, status: int
) -> None:
    _retry_after(server, status, {"Retry-After": "5"})
    assert _client(server, sleeps).get("/limited").status_code == 200
    assert sleeps == [5.0]


def test_retry_after_http_date_is_honoured(server: LoopbackServer, sleeps: Sleeps) -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=8)
    _retry_after(server, 503, {"Retry-After": email.utils.format_datetime(when, usegmt=True)})
    assert _client(server, sleeps).get("/limited").status_code == 200
    assert len(sleeps) == 1
    assert 6.0 <= sleeps[0] <= 8.0  # the date has one-second resolution


def test_retry_after_date_in_the_past_retries_at_once(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    _retry_after(server, 503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert _client(server, sleeps).get("/limited").status_code == 200
    assert sum(sleeps) == 0.0


@pytest.mark.parametrize("garbage", ["-1", "abc", "1e9", "", "5 seconds", "0x10", "Tomorrow"])
def test_unusable_retry_after_falls_back_to_backoff(
    server: LoopbackServer, sleeps: Sleeps, garbage: str
) -> None:
    _retry_after(server, 429, {"Retry-After": garbage})
    assert _client(server, sleeps).get("/limited").status_code == 200
    assert sleeps == [0.25]


def test_huge_retry_after_gives_up_instead_of_waiting_the_cap(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    # Sleeping 60 s and asking again would be retrying a day early: the call ends now.
    _retry_after(server, 503, {"Retry-After": "86400"})
    client = _client(server, sleeps, max_retry_after=60.0)
    with pytest.raises(MaxRetryException, match="asked to wait 86400s") as caught:
        client.get("/limited")
    assert caught.value.last_response is not None
    assert caught.value.last_response.status_code == 503
    assert sleeps == []
    assert len(server.requests) == 1


def test_retry_after_ms_is_honoured_and_preferred(server: LoopbackServer, sleeps: Sleeps) -> None:
    _retry_after(server, 429, {"retry-after-ms": "1500", "Retry-After": "2"})
    assert _client(server, sleeps).get("/limited").status_code == 200
    assert sleeps == [1.5]


def test_retry_after_is_ignored_when_told_to(server: LoopbackServer, sleeps: Sleeps) -> None:
    _retry_after(server, 429, {"Retry-After": "30"})
    strategy = ExponentialBackoffRetryStrategy(
        2, base_delay=0.1, jitter=False, respect_retry_after=False
    )
    assert _client(server, sleeps, strategy=strategy).get("/limited").status_code == 200
    assert sleeps == [0.1]


def test_retry_after_past_the_total_timeout_gives_up_without_sleeping(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    _retry_after(server, 503, {"Retry-After": "30"})
    client = _client(server, sleeps, total_timeout=10.0)
    with pytest.raises(RetryBudgetExceededError):
        client.get("/limited")
    assert sleeps == []


NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "5"}, 5.0),
        ({"Retry-After": " 7 "}, 7.0),
        ({"Retry-After": "0"}, 0.0),
        ({"retry-after": "120"}, 120.0),
        ({"Retry-After": "Wed, 01 May 2024 12:00:30 GMT"}, 30.0),
        ({"Retry-After": "Wed, 01 May 2024 11:59:00 GMT"}, 0.0),
        ({"Retry-After": "Wednesday, 01-May-24 12:00:10 GMT"}, 10.0),  # RFC 850 form
        ({"Retry-After": "Wed May  1 12:00:20 2024"}, 20.0),  # asctime form
        ({"Retry-After": "-1"}, None),
        ({"Retry-After": "abc"}, None),
        ({"Retry-After": "1e9"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": ""}, None),
        ({"Retry-After": "5, 6"}, None),
        ({"Retry-After": "Wed, 32 May 2024 12:00:30 GMT"}, None),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"retry-after-ms": "junk", "Retry-After": "9"}, 9.0),
        ({"retry-after-ms": "-5"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(Headers(headers), now=NOW) == expected


def test_parse_retry_after_numbers_are_non_negative_and_finite() -> None:
    value = parse_retry_after(Headers({"Retry-After": "999999999999"}), now=NOW)
    assert value == 999999999999.0  # the limit is the strategy's job, see test_huge_retry_after


# -- backoff -------------------------------------------------------------------------


def _context(attempt: int) -> RequestContext:
    context = RequestContext(HttpRequest(HttpMethod.GET, "http://x.test/"), attempt=attempt)
    context.last_response = HttpResponse(503, Headers(), b"")
    return context


def test_exponential_backoff_grows_and_is_capped() -> None:
    strategy = ExponentialBackoffRetryStrategy(10, base_delay=0.5, max_delay=5.0, jitter=False)
    delays = [strategy.get_delay(_context(n)) for n in range(7)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]
    assert strategy.get_delay(_context(10_000)) == 5.0  # no overflow for absurd counts


def test_multiplier_is_honoured() -> None:
    strategy = ExponentialBackoffRetryStrategy(
        5, base_delay=1.0, max_delay=100.0, multiplier=3.0, jitter=False
    )
    assert [strategy.get_delay(_context(n)) for n in range(4)] == [1.0, 3.0, 9.0, 27.0]


def test_full_jitter_draws_between_zero_and_the_bound() -> None:
    draws: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        draws.append((low, high))
        return high / 2

    strategy = ExponentialBackoffRetryStrategy(
        10, base_delay=1.0, max_delay=6.0, random_source=uniform
    )
    delays = [strategy.get_delay(_context(n)) for n in range(5)]
    assert draws == [(0.0, 1.0), (0.0, 2.0), (0.0, 4.0), (0.0, 6.0), (0.0, 6.0)]
    assert delays == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_full_jitter_with_the_real_random_source_stays_in_range() -> None:
    strategy = ExponentialBackoffRetryStrategy(10, base_delay=1.0, max_delay=4.0)
    samples = [strategy.get_delay(_context(3)) for _ in range(2000)]
    assert all(0.0 <= sample <= 4.0 for sample in samples)
    assert min(samples) < 0.5
    assert max(samples) > 3.5  # really spread over the whole range


def test_backoff_over_the_wire_grows(server: LoopbackServer, sleeps: Sleeps) -> None:
    server.route("GET", "/down", Reply(502))
    client = _client(server, sleeps, max_retries=4, base_delay=0.1, max_delay=0.5)
    with pytest.raises(MaxRetryException):
        client.get("/down")
    assert sleeps == [0.1, 0.2, 0.4, 0.5]


def test_simple_strategy_waits_a_fixed_delay(server: LoopbackServer, sleeps: Sleeps) -> None:
    server.route("GET", "/down", Reply(500))
    client = _client(server, sleeps, strategy=SimpleRetryStrategy(3, delay=0.2))
    with pytest.raises(MaxRetryException) as caught:
        client.get("/down")
    assert sleeps == [0.2, 0.2, 0.2]
    assert caught.value.attempts == 4


# -- the decision table itself -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "headers", "safe"),
    [
        ("GET", {}, True),
        ("PUT", {}, True),
        ("DELETE", {}, True),
        ("POST", {}, False),
        ("PATCH", {}, False),
        ("POST", {"Idempotency-Key": "k"}, True),
        ("PATCH", {"idempotency-key": "k"}, True),
    ],
)
def test_replay_safety(method: str, headers: dict[str, str], safe: bool) -> None:
    request = HttpRequest(HttpMethod(method), "http://x.test/", headers=headers)
    assert RetryConditions().is_replay_safe(request) is safe


# -- strategy settings -----------------------------------------------------------------

NAN = float("nan")
INF = float("inf")


@pytest.mark.parametrize(
    ("kwargs", "setting"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"base_delay": -0.1}, "base_delay"),
        ({"base_delay": NAN}, "base_delay"),
        ({"base_delay": INF, "max_delay": INF}, "base_delay"),
        ({"base_delay": 2.0, "max_delay": 1.0}, "max_delay"),
        ({"max_delay": NAN}, "max_delay"),
        ({"multiplier": 0.5}, "multiplier"),
        ({"multiplier": NAN}, "multiplier"),
        ({"total_timeout": 0}, "total_timeout"),
        ({"total_timeout": NAN}, "total_timeout"),
        ({"max_retry_after": -1}, "max_retry_after"),
        ({"max_retry_after": NAN}, "max_retry_after"),
    ],
)
def test_backoff_settings_are_validated(kwargs: dict[str, float], setting: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ExponentialBackoffRetryStrategy(**kwargs)  # type: ignore[arg-type]
    assert caught.value.setting == setting


@pytest.mark.parametrize("delay", [-1.0, NAN, INF])
def test_simple_delay_is_validated(delay: float) -> None:
    with pytest.raises(ConfigurationError) as caught:
        SimpleRetryStrategy(delay=delay)
    assert caught.value.setting == "delay"


def test_with_retry_validates_through_the_builder() -> None:
    with pytest.raises(ConfigurationError) as caught:
        HttpClientConfigBuilder().with_retry(max_retries=2, total_timeout=NAN)
    assert caught.value.setting == "total_timeout"
