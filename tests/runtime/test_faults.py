"""Issue 7: network faults over real loopback sockets, one test per fault.

Each test states the expected behaviour: retried or not, which exception,
nothing hangs past its timeout (elapsed bounds are generous), and a
non-idempotent request is never sent twice (receipts counted on the server).
Faults already covered elsewhere (refused connection, reset before headers on
GET, Retry-After parsing) are in ``test_errors.py`` and ``test_retry.py``;
here they are driven through a retrying client and POST.
"""

from __future__ import annotations

import email.utils
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from requestforge import (
    ClientCredentialsTokenProvider,
    ConnectError,
    HttpClient,
    HttpClientConfigBuilder,
    MaxRetryException,
    ReadError,
    ReadTimeoutError,
    RedisTokenStorage,
    ResponseDecodeError,
    TokenFetchError,
    TokenManager,
    TokenStorageError,
)

from tests.conftest import IN_CI
from tests.runtime.token_support import TokenEndpoint
from tests.support.server import LoopbackServer, Reply, refused_url


class Sleeps(list[float]):
    """Records the client's back-off sleeps instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def retrying(server: LoopbackServer, sleeps: Sleeps, timeout: float = 2.0) -> HttpClient:
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_timeout(timeout)
        .with_retry(max_retries=3, base_delay=0.01)
        .build()
    )
    return HttpClient(config, sleep=sleeps)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


# -- connection reset ------------------------------------------------------------


def test_reset_before_headers_on_post_is_not_resent(server: LoopbackServer, sleeps: Sleeps) -> None:
    server.route("POST", "/orders", Reply(reset=True))
    with pytest.raises(ReadError):
        retrying(server, sleeps).post("/orders", json={"n": 1})
    assert len(server.requests_to("/orders")) == 1
    assert sleeps == []


def test_reset_mid_body_on_get_is_retried_then_succeeds(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.queue(
        "GET", "/items", Reply(200, b'{"items": [1, 2, 3]}', reset_after=5), Reply.json({"ok": 1})
    )
    assert retrying(server, sleeps).get("/items").json() == {"ok": 1}
    assert len(server.requests_to("/items")) == 2
    assert len(sleeps) == 1


def test_reset_mid_body_on_post_is_a_read_error_sent_once(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.route("POST", "/orders", Reply(201, b'{"id": 12345678}', reset_after=4))
    started = time.monotonic()
    with pytest.raises(ReadError):
        retrying(server, sleeps).post("/orders", json={"n": 1})
    assert time.monotonic() - started < 2.0
    assert len(server.requests_to("/orders")) == 1


def test_reset_mid_body_on_post_with_idempotency_key_is_retried(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.queue(
        "POST", "/orders", Reply(201, b'{"id": 1234}', reset_after=3), Reply.json({"id": 1}, 201)
    )
    response = retrying(server, sleeps).post(
        "/orders", json={"n": 1}, headers={"Idempotency-Key": "k-1"}
    )
    assert response.status_code == 201
    keys = [r.header("Idempotency-Key") for r in server.requests_to("/orders")]
    assert keys == ["k-1", "k-1"]


def test_reset_on_every_attempt_gives_up_after_max_retries(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.route("GET", "/down", Reply(200, b"0123456789", reset_after=2))
    with pytest.raises(MaxRetryException) as caught:
        retrying(server, sleeps).get("/down")
    assert isinstance(caught.value.last_error, ReadError)
    assert len(server.requests_to("/down")) == 4  # 1 + max_retries


# -- slow headers / slow bodies ----------------------------------------------------


def test_slow_headers_on_post_time_out_once_within_the_timeout(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.route("POST", "/slow", Reply(201, delay=1.0))
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        retrying(server, sleeps, timeout=0.1).post("/slow", json={})
    assert time.monotonic() - started < 0.8
    assert len(server.requests_to("/slow")) == 1


def test_slow_body_on_get_is_retried_each_attempt_bounded(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.route("GET", "/slow-body", Reply(200, b"late", body_delay=1.0))
    started = time.monotonic()
    with pytest.raises(MaxRetryException) as caught:
        retrying(server, sleeps, timeout=0.1).get("/slow-body")
    assert isinstance(caught.value.last_error, ReadTimeoutError)
    assert len(server.requests_to("/slow-body")) == 4
    assert time.monotonic() - started < 4 * 0.1 + 1.5  # four read timeouts, no hang


def test_total_timeout_bounds_retries_of_slow_headers(server: LoopbackServer) -> None:
    server.route("GET", "/slow", Reply(200, delay=1.0))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_timeout(5.0)
        .with_retry(max_retries=10, base_delay=0.01, total_timeout=0.3)
        .build()
    )
    started = time.monotonic()
    with pytest.raises((ReadTimeoutError, MaxRetryException)):
        HttpClient(config).get("/slow")
    assert time.monotonic() - started < 1.5


# -- truncated bodies and malformed JSON -------------------------------------------


def test_truncated_body_on_get_is_retried_and_on_post_is_not(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.queue("GET", "/cut", Reply(200, b"0123456789", truncate=3), Reply(200, b"whole"))
    assert retrying(server, sleeps).get("/cut").content == b"whole"
    server.route("POST", "/cut", Reply(200, b"0123456789", truncate=3))
    with pytest.raises(ReadError):
        retrying(server, sleeps).post("/cut", json={})
    assert len(server.requests_to("/cut", "POST")) == 1


def test_malformed_json_is_a_decode_error_not_a_retry(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.route(
        "GET", "/bad", Reply(200, b'{"a": [1, 2', headers={"Content-Type": "application/json"})
    )
    response = retrying(server, sleeps).get("/bad")
    with pytest.raises(ResponseDecodeError) as caught:
        response.json()
    assert "not valid JSON" in str(caught.value)
    assert response.json_or_none() is None
    assert len(server.requests_to("/bad")) == 1


# -- 5xx bursts and 429 ------------------------------------------------------------


def test_5xx_burst_shorter_than_the_retries_is_ridden_out(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.queue("GET", "/burst", Reply(502), Reply(503), Reply(504), Reply.json({"ok": True}))
    assert retrying(server, sleeps).get("/burst").json() == {"ok": True}
    assert len(server.requests_to("/burst")) == 4


def test_5xx_burst_on_post_is_answered_once_without_retry(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.queue("POST", "/burst", Reply(503), Reply(201))
    assert retrying(server, sleeps).post("/burst", json={}).status_code == 503
    assert len(server.requests_to("/burst")) == 1


def test_5xx_burst_longer_than_the_retries_gives_up_with_the_last_response(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.route("GET", "/burst", Reply(500))
    with pytest.raises(MaxRetryException) as caught:
        retrying(server, sleeps).get("/burst")
    assert caught.value.last_response is not None
    assert caught.value.last_response.status_code == 500


def test_circuit_breaker_stops_hammering_during_a_5xx_burst(server: LoopbackServer) -> None:
    from requestforge import CircuitOpenError

    server.route("GET", "/burst", Reply(503))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_no_retry()
        .with_circuit_breaker(failure_threshold=3, recovery_timeout=30.0)
        .build()
    )
    client = HttpClient(config)
    for _ in range(3):
        assert client.get("/burst").status_code == 503
    for _ in range(5):
        with pytest.raises(CircuitOpenError):
            client.get("/burst")
    assert len(server.requests_to("/burst")) == 3


def _http_date(seconds_from_now: float) -> str:
    when = datetime.now(timezone.utc) + timedelta(seconds=seconds_from_now)
    return email.utils.format_datetime(when, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "low", "high"),
    [
        ({"Retry-After": "2"}, 2.0, 2.0),
        ({"Retry-After": "0"}, 0.0, 0.0),
        ({"Retry-After": "1.5"}, 1.5, 1.5),
        ({"Retry-After": "<HTTP-date 30 s from now>"}, 25.0, 31.0),  # made when the test runs
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0, 0.0),  # in the past
        ({"retry-after-ms": "250"}, 0.25, 0.25),
        ({"Retry-After": "5", "retry-after-ms": "100"}, 0.1, 0.1),
        ({"Retry-After": "soon"}, 0.0, 0.01),  # garbage: the backoff (base_delay 0.01)
        ({"Retry-After": "60"}, 60.0, 60.0),  # exactly max_retry_after (60 s by default)
    ],
)
def test_429_waits_what_each_retry_after_form_asks(
    server: LoopbackServer, sleeps: Sleeps, headers: dict[str, str], low: float, high: float
) -> None:
    if headers.get("Retry-After", "").startswith("<HTTP-date"):
        headers = {"Retry-After": _http_date(30)}
    server.queue("GET", "/limited", Reply(429, headers=headers), Reply.json({"ok": True}))
    assert retrying(server, sleeps).get("/limited").json() == {"ok": True}
    assert len(server.requests_to("/limited")) == 2
    assert len(sleeps) <= 1  # a zero delay is not slept at all
    waited = sleeps[0] if sleeps else 0.0
    assert low <= waited <= high, sleeps


def test_429_asking_for_more_than_max_retry_after_ends_the_call_without_a_retry(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    # Not slept down to the 60 s default limit and retried early: given up at once.
    server.queue("GET", "/limited", Reply(429, headers={"Retry-After": "99999"}), Reply(200))
    with pytest.raises(MaxRetryException, match="more than max_retry_after=60s") as caught:
        retrying(server, sleeps).get("/limited")
    assert caught.value.last_response is not None
    assert caught.value.last_response.status_code == 429
    assert sleeps == []
    assert len(server.requests_to("/limited")) == 1


def test_429_on_post_is_not_retried_whatever_retry_after_says(
    server: LoopbackServer, sleeps: Sleeps
) -> None:
    server.queue("POST", "/limited", Reply(429, headers={"Retry-After": "0"}), Reply(201))
    assert retrying(server, sleeps).post("/limited", json={}).status_code == 429
    assert len(server.requests_to("/limited")) == 1


# -- the token endpoint down or slow ------------------------------------------------


def test_token_endpoint_down_is_a_token_fetch_error_and_no_api_call(
    server: LoopbackServer,
) -> None:
    with refused_url("/token") as token_url:
        provider = ClientCredentialsTokenProvider(token_url, "app", "pw", timeout=1.0)
        manager = TokenManager(provider)
        client = HttpClient(
            HttpClientConfigBuilder().with_base_url(server.url).with_token_auth(manager).build()
        )
        started = time.monotonic()
        with pytest.raises(TokenFetchError) as caught:
            client.get("/api")
    assert time.monotonic() - started < 3.0
    assert isinstance(caught.value.__cause__, (ConnectError, MaxRetryException))
    assert server.requests_to("/api") == []


def test_token_endpoint_slow_times_out_for_every_waiting_caller_once(
    server: LoopbackServer,
) -> None:
    endpoint = TokenEndpoint(server, delay=1.5)
    provider = ClientCredentialsTokenProvider(endpoint.url, "app", "pw", timeout=0.2)
    manager = TokenManager(provider, lock_timeout=5.0)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def caller() -> None:
        try:
            manager.get_token()
        except BaseException as error:  # collected for the assertion
            with lock:
                errors.append(error)

    started = time.monotonic()
    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    elapsed = time.monotonic() - started
    assert len(errors) == 8
    assert all(isinstance(error, TokenFetchError) for error in errors)
    # Single flight: the waiters share the one failure instead of each trying again.
    assert endpoint.count == 1
    assert elapsed < 1.2  # the provider's 0.2 s timeout, not the endpoint's 1.5 s


def test_token_endpoint_recovers_after_an_outage(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    endpoint.override = lambda _request: Reply(503)
    provider = ClientCredentialsTokenProvider(endpoint.url, "app", "pw", timeout=1.0)
    manager = TokenManager(provider)
    with pytest.raises(TokenFetchError):
        manager.get_token()
    endpoint.override = None
    assert manager.get_token().access_token.startswith("tok-")


# -- Redis stopped mid-run ------------------------------------------------------------

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def private_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Our own redis-server on a free port (never the shared one): stopping it is the test."""
    if not shutil.which(REDIS_SERVER):
        if IN_CI:
            pytest.fail("CI=true but redis-server is not installed")
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 5.0
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)


def test_redis_stopped_mid_run_is_a_token_storage_error_for_every_caller(
    server: LoopbackServer, private_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    """While Redis runs, tokens come from it; once it is killed, every caller
    (the ones on the hot path and the ones renewing) gets ``TokenStorageError``
    promptly -- within the storage's socket timeout -- and no API request is sent
    without credentials."""
    url, process = private_redis
    endpoint = TokenEndpoint(server, expires_in=3600)
    server.route("GET", "/api", Reply.json({"ok": True}))
    provider = ClientCredentialsTokenProvider(endpoint.url, "app", "pw", timeout=1.0)
    manager = TokenManager(provider, RedisTokenStorage(url, socket_timeout=0.5), lock_timeout=2.0)
    client = HttpClient(
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_no_retry()
        .with_token_auth(manager)
        .build()
    )
    for _ in range(5):
        assert client.get("/api").json() == {"ok": True}
    assert endpoint.count == 1

    process.kill()
    process.wait(timeout=5)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def caller() -> None:
        try:
            client.get("/api")
        except BaseException as error:  # collected for the assertion
            with lock:
                errors.append(error)

    started = time.monotonic()
    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert time.monotonic() - started < 3.0
    assert len(errors) == 8
    assert all(isinstance(error, TokenStorageError) for error in errors), errors
    assert all("Redis token storage" in str(error) for error in errors)
    assert len(server.requests_to("/api")) == 5  # nothing sent after Redis died
    with pytest.raises(TokenStorageError):
        manager.invalidate()


def test_redis_frozen_mid_run_fails_within_the_socket_timeout(
    server: LoopbackServer, private_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    """A Redis that stops answering (SIGSTOP: connections stay open, nothing
    comes back) must not hang callers: each gets ``TokenStorageError`` after the
    storage's ``socket_timeout``, and they work again once Redis resumes."""
    url, process = private_redis
    endpoint = TokenEndpoint(server, expires_in=3600)
    provider = ClientCredentialsTokenProvider(endpoint.url, "app", "pw", timeout=1.0)
    manager = TokenManager(provider, RedisTokenStorage(url, socket_timeout=0.3))
    first = manager.get_token()
    process.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(TokenStorageError) as caught:
            manager.get_token()
        elapsed = time.monotonic() - started
    finally:
        process.send_signal(signal.SIGCONT)
    assert 0.2 <= elapsed < 2.0, elapsed
    assert "Timeout" in str(caught.value)
    assert manager.get_token() == first  # back once Redis is, with the same cached token
    assert endpoint.count == 1
