"""Single flight across processes: TokenManager + RedisTokenStorage + a loopback token endpoint.

Children are started with the ``spawn`` method (no inherited threads, sockets
or locks), so every process builds its own manager, storage and HTTP client,
exactly as separate workers of a deployment would.  Fetches are counted on the
server side.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from typing import Any

import pytest
from requestforge import (
    ClientCredentialsTokenProvider,
    RedisTokenStorage,
    TokenManager,
)

from tests.runtime.token_support import TokenEndpoint
from tests.support.server import LoopbackServer, RecordedRequest, Reply

pytestmark = pytest.mark.redis

PROCESSES = 4
THREADS = 25
CLIENT_ID = "mp-client"
CLIENT_SECRET = "mp-secret"


def make_manager(redis_url: str, token_url: str, **options: Any) -> TokenManager:
    provider = ClientCredentialsTokenProvider(token_url, CLIENT_ID, CLIENT_SECRET)
    return TokenManager(provider, RedisTokenStorage(redis_url), **options)


def contender(redis_url: str, token_url: str, barrier: Any, results: Any) -> None:
    """A worker process: THREADS threads ask for the token at the same moment."""
    manager = make_manager(redis_url, token_url, lock_ttl=5.0, lock_timeout=8.0)
    tokens: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        barrier.wait(timeout=30)
        try:
            value = manager.get_token().access_token
        except Exception as error:
            with lock:
                errors.append(repr(error))
        else:
            with lock:
                tokens.append(value)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((os.getpid(), tokens, errors))


def doomed_holder(redis_url: str, token_url: str, lock_ttl: float) -> None:
    """Takes the cross-process lock and stalls at the token endpoint until it is killed."""
    make_manager(redis_url, token_url, lock_ttl=lock_ttl).get_token()


def test_four_processes_of_25_threads_fetch_once(server: LoopbackServer, redis_url: str) -> None:
    endpoint = TokenEndpoint(server, delay=0.3)  # a slow endpoint: everyone arrives mid-fetch
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES * THREADS)
    results = context.Queue()
    started = time.monotonic()
    processes = [
        context.Process(target=contender, args=(redis_url, endpoint.url, barrier, results))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=10)
    elapsed = time.monotonic() - started

    assert [process.exitcode for process in processes] == [0] * PROCESSES
    assert [errors for _, _, errors in reports] == [[]] * PROCESSES
    tokens = [value for _, values, _ in reports for value in values]
    assert len(tokens) == PROCESSES * THREADS
    assert set(tokens) == {"tok-1"}
    assert len({pid for pid, _, _ in reports}) == PROCESSES
    assert endpoint.count == 1, f"{endpoint.count} fetches across {PROCESSES} processes"
    assert elapsed < 10, f"took {elapsed:.1f}s"
    print(f"\n{PROCESSES}x{THREADS} callers, {endpoint.count} fetch, {elapsed:.2f}s")


def test_a_killed_lock_holder_blocks_others_only_until_the_lock_expires(
    server: LoopbackServer, redis_url: str
) -> None:
    lock_ttl = 1.5
    stalled = threading.Event()
    release = threading.Event()
    endpoint = TokenEndpoint(server)

    def stall_the_first(request: RecordedRequest) -> Reply | None:
        if endpoint.count == 1:
            stalled.set()
            release.wait(10)  # the holder is killed long before this
        return None

    endpoint.override = stall_the_first
    manager = make_manager(redis_url, endpoint.url, lock_timeout=5.0)
    storage = manager.storage
    assert isinstance(storage, RedisTokenStorage)
    lock_key = storage.key_for(f"{manager.cache_key}:lock")

    context = multiprocessing.get_context("spawn")
    holder = context.Process(target=doomed_holder, args=(redis_url, endpoint.url, lock_ttl))
    holder.start()
    try:
        assert stalled.wait(20), "the holder never reached the token endpoint"
        remaining = storage.client.pttl(lock_key) / 1000
        assert 0 < remaining <= lock_ttl, "the holder should hold the cross-process lock"
        assert holder.pid is not None
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(timeout=5)
        assert holder.exitcode == -signal.SIGKILL

        # Measure what is left of the lock when we start waiting, not before the
        # kill: killing and joining the holder can take most of a second under load.
        remaining = max(storage.client.pttl(lock_key), 0) / 1000
        started = time.monotonic()
        token = manager.get_token()
        waited = time.monotonic() - started
    finally:
        release.set()
        if holder.is_alive():
            holder.kill()

    assert token.access_token == "tok-2"
    assert endpoint.count == 2  # the dead holder's request and ours
    # We honoured the dead holder's lock until it expired, and not much longer
    # (``remaining`` is 0 if the lock had already expired during the join).
    assert waited >= remaining - 0.2, f"waited {waited:.2f}s, lock had {remaining:.2f}s left"
    assert waited < remaining + 0.5, f"waited {waited:.2f}s, lock had {remaining:.2f}s left"
    print(f"\nlock had {remaining:.2f}s left when we began waiting; recovered after {waited:.2f}s")
