"""A ``Retry-After`` beyond ``max_retry_after`` ends the call at once, with both clients.

The server said when it will answer; sleeping the cap and asking sooner is what
it asked us not to do.  So the client neither sleeps nor retries: it raises
``MaxRetryException`` carrying the response that asked.  A delay within the
cap is still waited out, and unparsable values still fall back to backoff.

The give-up tests sleep for real (the sleep is only recorded on the way), so
a client that slept the one-second cap would also be caught by the clock.
"""

from __future__ import annotations

import asyncio
import email.utils
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from requestforge import (
    ApiClient,
    CircuitBreakerRetryStrategy,
    CircuitState,
    ExponentialBackoffRetryStrategy,
    HttpClient,
    HttpClientConfig,
    HttpClientConfigBuilder,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    MaxRetryException,
    SimpleRetryStrategy,
)
from requestforge.async_client import AsyncHttpClient
from requestforge.retry import RetryAfterTooLongError, RetryStrategy

from tests.support.server import LoopbackServer, Reply

LIMIT = 1.0  # max_retry_after in these tests, seconds


class Sleeps(list[float]):
    """Records each delay the client asks for; sleeps it for real only when ``real``."""

    def __init__(self, *, real: bool) -> None:
        super().__init__()
        self.real = real

    def sync(self, seconds: float) -> None:
        self.append(seconds)
        if self.real:
            time.sleep(seconds)

    async def async_(self, seconds: float) -> None:
        self.append(seconds)
        if self.real:
            await asyncio.sleep(seconds)


Call = Callable[[RetryStrategy, Sleeps], HttpResponse]


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest, server: LoopbackServer) -> Call:
    """GET /limited through the sync or the async client with ``strategy``."""

    def config(strategy: RetryStrategy) -> HttpClientConfig:
        return (
            HttpClientConfigBuilder()
            .with_base_url(server.url)
            .with_timeout(5.0)
            .with_retry_strategy(strategy)
            .build()
        )

    def sync(strategy: RetryStrategy, sleeps: Sleeps) -> HttpResponse:
        with HttpClient(config(strategy), sleep=sleeps.sync) as client:
            return client.get("/limited")

    def async_(strategy: RetryStrategy, sleeps: Sleeps) -> HttpResponse:
        async def go() -> HttpResponse:
            async with AsyncHttpClient(config(strategy), sleep=sleeps.async_) as client:
                return await client.get("/limited")

        return asyncio.run(go())

    return sync if request.param == "sync" else async_


def _exponential() -> RetryStrategy:
    return ExponentialBackoffRetryStrategy(3, base_delay=0.01, jitter=False, max_retry_after=LIMIT)


def _simple() -> RetryStrategy:
    return SimpleRetryStrategy(3, 0.01, max_retry_after=LIMIT)


STRATEGIES: dict[str, Callable[[], RetryStrategy]] = {
    "exponential": _exponential,
    "simple": _simple,
    "breaker(exponential)": lambda: CircuitBreakerRetryStrategy(_exponential()),
    "breaker(simple)": lambda: CircuitBreakerRetryStrategy(_simple()),
}


def _http_date(seconds_from_now: float) -> str:
    when = datetime.now(timezone.utc) + timedelta(seconds=seconds_from_now)
    return email.utils.format_datetime(when, usegmt=True)


def _gives_up_at_once(
    server: LoopbackServer, call: Call, strategy: RetryStrategy, status: int = 503
) -> MaxRetryException:
    """Call, and check the call ended after one request, no sleep, well under a second."""
    sleeps = Sleeps(real=True)
    started = time.monotonic()
    with pytest.raises(MaxRetryException) as caught:
        call(strategy, sleeps)
    elapsed = time.monotonic() - started
    assert elapsed < 0.5, elapsed
    assert sleeps == []
    assert len(server.requests_to("/limited")) == 1
    error = caught.value
    assert type(error) is MaxRetryException  # not a RetryBudgetExceededError
    assert error.attempts == 1
    assert error.last_error is None
    assert error.last_response is not None
    assert error.last_response.status_code == status
    assert error.__cause__ is None
    assert "more than max_retry_after=1s" in str(error)
    return error


# -- beyond the limit: no sleep, no retry ---------------------------------------------


@pytest.mark.parametrize("name", list(STRATEGIES))
@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_seconds_beyond_the_limit_gives_up_at_once(
    server: LoopbackServer, call: Call, name: str, status: int
) -> None:
    server.route("GET", "/limited", Reply(status, headers={"Retry-After": "3600"}))
    error = _gives_up_at_once(server, call, STRATEGIES[name](), status)
    assert error.last_response is not None
    assert error.last_response.headers["retry-after"] == "3600"
    assert "the server asked to wait 3600s" in str(error)


def test_retry_after_http_date_beyond_the_limit_gives_up_at_once(
    server: LoopbackServer, call: Call
) -> None:
    server.route("GET", "/limited", Reply(503, headers={"Retry-After": _http_date(3600)}))
    error = _gives_up_at_once(server, call, _exponential())
    asked = re.search(r"asked to wait ([\d.]+)s", str(error))
    assert asked is not None
    assert 3590.0 <= float(asked.group(1)) <= 3600.0


def test_retry_after_ms_beyond_the_limit_gives_up_at_once(
    server: LoopbackServer, call: Call
) -> None:
    server.route("GET", "/limited", Reply(503, headers={"retry-after-ms": "5000"}))
    error = _gives_up_at_once(server, call, _simple())
    assert "the server asked to wait 5s" in str(error)


def test_the_limit_is_checked_before_the_total_timeout(server: LoopbackServer, call: Call) -> None:
    # Both would stop the call; the server's own wish is the better reason to give.
    server.route("GET", "/limited", Reply(503, headers={"Retry-After": "3600"}))
    strategy = ExponentialBackoffRetryStrategy(3, max_retry_after=LIMIT, total_timeout=10.0)
    _gives_up_at_once(server, call, strategy)


def test_the_breaker_counts_the_refused_response_and_stays_usable(
    server: LoopbackServer, call: Call
) -> None:
    server.queue(
        "GET", "/limited", Reply(503, headers={"Retry-After": "3600"}), Reply(200, b"back")
    )
    breaker = CircuitBreakerRetryStrategy(_simple(), failure_threshold=5)
    _gives_up_at_once(server, call, breaker)
    assert breaker.failure_count == 1
    assert breaker.state is CircuitState.CLOSED
    assert call(breaker, Sleeps(real=False)).content == b"back"
    assert breaker.failure_count == 0


def test_the_api_client_returns_the_refused_response_for_its_typed_error(
    server: LoopbackServer,
) -> None:
    # A generated client turns the final response into the operation's error.
    server.route("GET", "/limited", Reply(503, headers={"Retry-After": "3600"}))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_retry_strategy(_exponential())
        .build()
    )
    sleeps = Sleeps(real=True)
    started = time.monotonic()
    with ApiClient(http_client=HttpClient(config, sleep=sleeps.sync)) as client:
        response = client.execute(HttpRequest(HttpMethod.GET, "/limited"))
    assert time.monotonic() - started < 0.5
    assert response.status_code == 503
    assert sleeps == []
    assert len(server.requests_to("/limited")) == 1


def test_the_strategy_says_what_the_server_asked_and_the_limit() -> None:
    refusal = RetryAfterTooLongError(3599.25, 60.0)
    assert str(refusal) == "the server asked to wait 3599.25s, more than max_retry_after=60s"
    assert (refusal.asked, refusal.limit) == (3599.25, 60.0)


# -- within the limit, or unparsable: as before ---------------------------------------


@pytest.mark.parametrize("name", list(STRATEGIES))
@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "1"}, 1.0),  # exactly the limit is still honoured
        ({"Retry-After": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "Retry-After": "3600"}, 0.25),  # the ms header wins
    ],
    ids=["seconds-at-limit", "seconds", "ms", "ms-over-seconds"],
)
def test_retry_after_within_the_limit_is_waited_out(
    server: LoopbackServer, call: Call, name: str, headers: dict[str, str], expected: float
) -> None:
    server.queue("GET", "/limited", Reply(503, headers=headers), Reply(200, b"ok"))
    sleeps = Sleeps(real=False)
    assert call(STRATEGIES[name](), sleeps).content == b"ok"
    assert sleeps == [expected]
    assert len(server.requests_to("/limited")) == 2


def test_retry_after_http_date_within_the_limit_is_waited_out(
    server: LoopbackServer, call: Call
) -> None:
    strategy = ExponentialBackoffRetryStrategy(3, base_delay=0.01, jitter=False, max_retry_after=60)
    server.queue(
        "GET", "/limited", Reply(503, headers={"Retry-After": _http_date(30)}), Reply(200, b"ok")
    )
    sleeps = Sleeps(real=False)
    assert call(strategy, sleeps).content == b"ok"
    assert len(sleeps) == 1
    assert 25.0 <= sleeps[0] <= 30.0  # the date has one-second resolution
    assert len(server.requests_to("/limited")) == 2


@pytest.mark.parametrize("garbage", ["soon", "-3600", "1e9", "3600 seconds"])
def test_unparsable_retry_after_falls_back_to_backoff(
    server: LoopbackServer, call: Call, garbage: str
) -> None:
    server.queue("GET", "/limited", Reply(503, headers={"Retry-After": garbage}), Reply(200, b"ok"))
    sleeps = Sleeps(real=False)
    assert call(_exponential(), sleeps).content == b"ok"
    assert sleeps == [0.01]
    assert len(server.requests_to("/limited")) == 2


def test_ignoring_retry_after_retries_on_backoff_whatever_it_asks(
    server: LoopbackServer, call: Call
) -> None:
    server.queue("GET", "/limited", Reply(503, headers={"Retry-After": "3600"}), Reply(200, b"ok"))
    strategy = ExponentialBackoffRetryStrategy(
        3, base_delay=0.01, jitter=False, max_retry_after=LIMIT, respect_retry_after=False
    )
    sleeps = Sleeps(real=False)
    assert call(strategy, sleeps).content == b"ok"
    assert sleeps == [0.01]
