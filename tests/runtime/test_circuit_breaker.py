"""Circuit breaker state transitions, with an injectable clock and a real server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from requestforge import (
    AuthHookInterface,
    CircuitBreakerRetryStrategy,
    CircuitOpenError,
    CircuitState,
    ClientClosedError,
    ConfigurationError,
    ConnectError,
    HttpClient,
    HttpClientConfigBuilder,
    HttpRequest,
    MaxRetryException,
    NoRetryStrategy,
    RequestContext,
    SimpleRetryStrategy,
)
from requestforge.retry import RetryStrategy

from tests.support.server import LoopbackServer, Reply, refused_url


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _breaker(
    clock: Clock, inner: RetryStrategy | None = None, threshold: int = 3
) -> CircuitBreakerRetryStrategy:
    return CircuitBreakerRetryStrategy(
        inner or NoRetryStrategy(), failure_threshold=threshold, recovery_timeout=10.0, clock=clock
    )


def _client(server: LoopbackServer, breaker: CircuitBreakerRetryStrategy) -> HttpClient:
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_timeout(5.0)
        .with_retry_strategy(breaker)
        .build()
    )
    return HttpClient(config, sleep=lambda _s: None)


def _open(client: HttpClient, breaker: CircuitBreakerRetryStrategy, path: str = "/down") -> None:
    for _ in range(breaker.failure_threshold):
        client.get(path)
    assert breaker.state is CircuitState.OPEN


@pytest.fixture
def refused() -> Iterator[str]:
    with refused_url() as url:
        yield url


def test_consecutive_5xx_open_the_circuit_and_it_fails_fast_without_network(
    server: LoopbackServer, clock: Clock
) -> None:
    server.route("GET", "/down", Reply(503))
    breaker = _breaker(clock)
    client = _client(server, breaker)

    for expected in (1, 2):
        assert client.get("/down").status_code == 503
        assert breaker.state is CircuitState.CLOSED
        assert breaker.failure_count == expected
    client.get("/down")
    assert breaker.state is CircuitState.OPEN
    assert len(server.requests) == 3

    clock.advance(4.0)
    with pytest.raises(CircuitOpenError) as caught:
        client.get("/down")
    assert caught.value.retry_in == pytest.approx(6.0)
    assert len(server.requests) == 3  # the server saw nothing


def test_transport_errors_count_as_failures(
    server: LoopbackServer, clock: Clock, refused: str
) -> None:
    breaker = _breaker(clock)
    client = _client(server, breaker)
    for _ in range(3):
        with pytest.raises(ConnectError):
            client.get(refused)
    assert breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitOpenError):
        client.get(refused)


def test_a_success_resets_the_consecutive_count(server: LoopbackServer, clock: Clock) -> None:
    server.queue("GET", "/flaky", Reply(500), Reply(500), Reply(200), Reply(500), Reply(500))
    breaker = _breaker(clock)
    client = _client(server, breaker)
    for _ in range(5):
        client.get("/flaky")
    assert breaker.state is CircuitState.CLOSED
    assert breaker.failure_count == 2


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422, 429])
def test_4xx_do_not_count_as_failures(server: LoopbackServer, clock: Clock, status: int) -> None:
    server.route("GET", "/mine", Reply(status))
    server.route("GET", "/down", Reply(500))
    breaker = _breaker(clock)
    client = _client(server, breaker)
    for _ in range(10):
        assert client.get("/mine").status_code == status
    assert breaker.state is CircuitState.CLOSED
    assert breaker.failure_count == 0
    client.get("/down")
    client.get("/down")
    client.get("/mine")  # a 4xx is the server answering: the streak of failures ends
    assert breaker.failure_count == 0


def test_after_recovery_timeout_a_successful_probe_closes_the_circuit(
    server: LoopbackServer, clock: Clock
) -> None:
    server.route("GET", "/down", Reply(503))
    server.route("GET", "/up", Reply(200, b"ok"))
    breaker = _breaker(clock)
    client = _client(server, breaker)
    _open(client, breaker)

    clock.advance(10.0)
    assert breaker.state is CircuitState.HALF_OPEN
    assert client.get("/up").content == b"ok"
    assert breaker.state is CircuitState.CLOSED
    assert breaker.failure_count == 0
    assert client.get("/up").status_code == 200


def test_a_failed_probe_opens_the_circuit_again(server: LoopbackServer, clock: Clock) -> None:
    server.route("GET", "/down", Reply(503))
    breaker = _breaker(clock)
    client = _client(server, breaker)
    _open(client, breaker)

    clock.advance(10.0)
    assert client.get("/down").status_code == 503  # the probe went through, and failed
    assert len(server.requests) == 4
    assert breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitOpenError) as caught:
        client.get("/down")
    assert caught.value.retry_in == pytest.approx(10.0)  # a full recovery timeout from now
    assert len(server.requests) == 4


def test_half_open_lets_exactly_one_probe_through_and_others_fail_fast(
    server: LoopbackServer, clock: Clock
) -> None:
    server.route("GET", "/down", Reply(503))
    server.route("GET", "/slow", Reply(200, b"probe", delay=0.4))
    breaker = _breaker(clock)
    client = _client(server, breaker)
    _open(client, breaker)
    clock.advance(10.0)

    probe_result: list[object] = []
    probe = threading.Thread(target=lambda: probe_result.append(client.get("/slow").content))
    probe.start()
    deadline = time.monotonic() + 5
    while not server.requests_to("/slow") and time.monotonic() < deadline:
        time.sleep(0.005)
    assert len(server.requests_to("/slow")) == 1  # the probe is on the server now

    outcomes: list[tuple[type[BaseException] | None, float]] = []
    lock = threading.Lock()

    def other_caller() -> None:
        started = time.monotonic()
        kind: type[BaseException] | None = None
        try:
            client.get("/slow")
        except CircuitOpenError as error:
            kind = type(error)
        with lock:
            outcomes.append((kind, time.monotonic() - started))

    others = [threading.Thread(target=other_caller) for _ in range(5)]
    for thread in others:
        thread.start()
    for thread in others:
        thread.join(timeout=5)
    still_probing = probe.is_alive()
    probe.join(timeout=5)

    assert still_probing, "the probe finished early: the test proves nothing"
    assert [kind for kind, _ in outcomes] == [CircuitOpenError] * 5
    assert all(seconds < 0.2 for _, seconds in outcomes), "callers queued behind the probe"
    assert len(server.requests_to("/slow")) == 1
    assert probe_result == [b"probe"]
    assert breaker.state is CircuitState.CLOSED


def test_a_probe_ending_in_a_non_transport_exception_does_not_stick(
    server: LoopbackServer, clock: Clock
) -> None:
    class FailingOnce(AuthHookInterface):
        def __init__(self) -> None:
            self.fail = False

        def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
            if self.fail:
                self.fail = False
                raise RuntimeError("secret manager unavailable")
            return request

    server.route("GET", "/down", Reply(503))
    server.route("GET", "/up", Reply(200))
    breaker = _breaker(clock)
    auth = FailingOnce()
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_retry_strategy(breaker)
        .with_auth_hook(auth)
        .build()
    )
    client = HttpClient(config)
    _open(client, breaker)
    clock.advance(10.0)

    auth.fail = True
    with pytest.raises(RuntimeError):
        client.get("/up")  # the probe's auth hook blew up before anything was sent
    assert breaker.state is CircuitState.HALF_OPEN
    assert client.get("/up").status_code == 200  # the next call may probe
    assert breaker.state is CircuitState.CLOSED


def test_a_probe_on_a_closed_client_does_not_stick_a_shared_breaker(
    server: LoopbackServer, clock: Clock
) -> None:
    # One config (so one breaker) shared by two clients; the probe lands on the closed one.
    server.route("GET", "/down", Reply(503))
    server.route("GET", "/up", Reply(200))
    breaker = _breaker(clock)
    first, second = _client(server, breaker), _client(server, breaker)
    _open(first, breaker)
    first.close()
    clock.advance(10.0)

    with pytest.raises(ClientClosedError):
        first.get("/up")
    assert second.get("/up").status_code == 200
    assert breaker.state is CircuitState.CLOSED
    second.close()


def test_retries_inside_a_call_count_towards_the_threshold(
    server: LoopbackServer, clock: Clock
) -> None:
    server.route("GET", "/down", Reply(503))
    breaker = _breaker(clock, SimpleRetryStrategy(5, delay=0.0), threshold=3)
    client = _client(server, breaker)
    with pytest.raises(CircuitOpenError):
        client.get("/down")  # the 4th attempt hits the open circuit
    assert len(server.requests) == 3
    assert breaker.state is CircuitState.OPEN


def test_giving_up_through_the_breaker_still_raises_max_retry(
    server: LoopbackServer, clock: Clock
) -> None:
    server.route("GET", "/down", Reply(503))
    breaker = _breaker(clock, SimpleRetryStrategy(2, delay=0.0), threshold=10)
    with pytest.raises(MaxRetryException) as caught:
        _client(server, breaker).get("/down")
    assert caught.value.attempts == 3
    assert breaker.failure_count == 3


def test_reset_closes_the_circuit(server: LoopbackServer, clock: Clock) -> None:
    server.route("GET", "/down", Reply(503))
    breaker = _breaker(clock)
    client = _client(server, breaker)
    _open(client, breaker)
    breaker.reset()
    assert breaker.state is CircuitState.CLOSED
    assert client.get("/down").status_code == 503
    assert len(server.requests) == 4


def test_builder_wraps_the_current_strategy(server: LoopbackServer) -> None:
    config = (
        HttpClientConfigBuilder()
        .with_retry(max_retries=4)
        .with_circuit_breaker(failure_threshold=2, recovery_timeout=1.0)
        .build()
    )
    strategy = config.retry_strategy
    assert isinstance(strategy, CircuitBreakerRetryStrategy)
    assert strategy.max_retries == 4
    assert strategy.failure_threshold == 2


@pytest.mark.parametrize(
    ("kwargs", "setting"),
    [
        ({"failure_threshold": 0}, "failure_threshold"),
        ({"recovery_timeout": 0}, "recovery_timeout"),
        ({"recovery_timeout": -1.0}, "recovery_timeout"),
        ({"recovery_timeout": float("nan")}, "recovery_timeout"),
    ],
)
def test_breaker_settings_are_validated(kwargs: dict[str, float], setting: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        CircuitBreakerRetryStrategy(NoRetryStrategy(), **kwargs)  # type: ignore[arg-type]
    assert caught.value.setting == setting
