"""Throughput under 16 threads: one shared client, and the token cache's hot path.

    .venv/bin/python -m benchmarks.throughput [--threads 16] [--calls 500] [--runs 5]
        [--token-calls 20000] [--redis-calls 200]

A generated client is meant to be built once and shared by every thread of a
web app or worker; this measures what that costs, and what the token cache
(which every authenticated call asks) costs when all threads hit it at once.

*HTTP*: 16 threads call ``GET /pet/{petId}`` through ONE shared client --
forgegen's generated petstore client (generated into a temporary directory
when the benchmark starts) and ``requestforge.HttpClient`` directly -- against
the baseline of one ``requests.Session`` per thread (a session is not meant to
be shared).  The loopback server (``benchmarks/_common.py``) runs in a process
of its own with a thread per keep-alive connection.  Each thread makes a few
untimed calls first (its connection), then all start together.

*Tokens*: 16 threads call ``TokenManager.get_token()`` with a valid cached
token (a provider whose tokens live for a day; it must be asked once), against
the same loop over a plain dict lookup and over a dict lookup under a
``threading.Lock`` (the "locked" baseline).  ``InMemoryTokenStorage.get`` takes
its own ``RLock``, so a row with a lock-free dict storage isolates the manager's
hot path, which takes no lock.  ``RedisTokenStorage`` runs against Redis on
127.0.0.1:6379, database 14, under a key prefix of its own that is deleted
afterwards (the row is skipped, with a note, when Redis is unreachable).

Every workload runs ``--runs`` times, alternating; the table reports the
median calls/s, the wall time per call (wall / total calls), the ratio to the
workload's baseline, and the same calls made by one thread alone: the ratio of
the two is what sharing under contention costs (a lock on the hot path shows up
there).  Targets are read off the table, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import redis
import requests
from requestforge import (
    HttpClient,
    HttpClientConfigBuilder,
    InMemoryTokenStorage,
    RedisTokenStorage,
    TokenData,
    TokenManager,
    TokenProviderInterface,
    TokenStorage,
)

from benchmarks._common import API_PREFIX, PET_PATH, PETSTORE, generate, machine, pet_server

REDIS_URL = "redis://127.0.0.1:6379/14"

Call = Callable[[], object]
# Per run: (builds the call one thread makes, closes what the run opened).
Setup = Callable[[], tuple[Callable[[], Call], Callable[[], None]]]
# (workload, client, calls per thread, setup, is the workload's baseline)
Workload = tuple[str, str, int, Setup, bool]


def timed_threads(threads: int, calls: int, make_call: Callable[[], Call], warmup: int) -> float:
    """Wall seconds for ``threads`` threads to make ``calls`` calls each, started together."""
    barrier = threading.Barrier(threads + 1, timeout=60)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            call = make_call()
            for _ in range(warmup):
                call()
            barrier.wait()
            for _ in range(calls):
                call()
        except BaseException as error:
            errors.append(error)
            barrier.abort()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a thread failed: see errors
        barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError("a benchmark thread failed") from errors[0]
    return elapsed


def _shared(call: Call, close: Callable[[], None]) -> tuple[Callable[[], Call], Callable[[], None]]:
    """Every thread makes the same call on one shared object."""
    return (lambda: call), close


def http_workloads(
    calls: int, host: str, port: int, forge_root: Path, forge_package: str
) -> list[Workload]:
    base = f"http://{host}:{port}{API_PREFIX}"
    url = f"http://{host}:{port}{PET_PATH}"
    sys.path.insert(0, str(forge_root))
    forge: Any = importlib.import_module(forge_package)

    def generated() -> tuple[Callable[[], Call], Callable[[], None]]:
        client = forge.Client(base_url=base, api_key="bench-key")
        return _shared(lambda: client.pet.get_pet_by_id(pet_id=1), client.close)

    def runtime() -> tuple[Callable[[], Call], Callable[[], None]]:
        client = HttpClient(HttpClientConfigBuilder().with_base_url(base).build())
        return _shared(lambda: client.get("/pet/1").content, client.close)

    def per_thread() -> tuple[Callable[[], Call], Callable[[], None]]:
        sessions: list[requests.Session] = []
        lock = threading.Lock()

        def make_call() -> Call:
            session = requests.Session()
            with lock:
                sessions.append(session)
            return lambda: session.get(url).content

        def close() -> None:
            for session in sessions:
                session.close()

        return make_call, close

    return [
        (
            "HTTP",
            "forgegen `client.pet.get_pet_by_id(pet_id=1)`, one shared client",
            calls,
            generated,
            False,
        ),
        ("HTTP", "requestforge `HttpClient.get`, one shared client", calls, runtime, False),
        ("HTTP", "`requests.Session.get`, one session per thread", calls, per_thread, True),
    ]


class DayLongTokens(TokenProviderInterface):
    """An in-process provider: tokens valid for a day, so get_token() never renews."""

    def __init__(self) -> None:
        self.fetches = 0

    def fetch_token(self) -> TokenData:
        self.fetches += 1
        expires = datetime.now(timezone.utc) + timedelta(days=1)
        return TokenData(access_token="bench-token", expires_at=expires)


class DictStorage:
    """A TokenStorage without a lock: what is left is the manager's own hot path."""

    def __init__(self) -> None:
        self._tokens: dict[str, TokenData] = {}

    def get(self, key: str) -> TokenData | None:
        return self._tokens.get(key)

    def set(self, key: str, token: TokenData) -> None:
        self._tokens[key] = token

    def delete(self, key: str) -> None:
        self._tokens.pop(key, None)

    def exists(self, key: str) -> bool:
        return key in self._tokens


def _manager(storage: TokenStorage, close: Callable[[], None] = lambda: None) -> Setup:
    def setup() -> tuple[Callable[[], Call], Callable[[], None]]:
        provider = DayLongTokens()
        manager = TokenManager(provider, storage)
        manager.get_token()  # the one fetch; every timed call is a cache hit

        def done() -> None:
            if provider.fetches > 1:
                print(f"  warning: {provider.fetches} token fetches", file=sys.stderr)
            close()

        return _shared(manager.get_token, done)

    return setup


def _dict_lookup(locked: bool) -> Setup:
    def setup() -> tuple[Callable[[], Call], Callable[[], None]]:
        tokens = {"token:bench": DayLongTokens().fetch_token()}
        lock = threading.Lock()

        def with_lock() -> object:
            with lock:
                return tokens.get("token:bench")

        return _shared(with_lock if locked else (lambda: tokens.get("token:bench")), lambda: None)

    return setup


def redis_storage() -> tuple[RedisTokenStorage | None, str]:
    """(storage on db 14 under a fresh key prefix, or None; why it is None)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        return None, f"Redis at {REDIS_URL} unreachable ({type(error).__name__})"
    prefix = f"forgegen-bench-throughput-{os.getpid()}:"
    return RedisTokenStorage(REDIS_URL, key_prefix=prefix), prefix


def token_workloads(token_calls: int, redis_calls: int) -> tuple[list[Workload], list[str]]:
    workloads: list[Workload] = [
        (
            "tokens",
            "TokenManager.get_token(), InMemoryTokenStorage",
            token_calls,
            _manager(InMemoryTokenStorage()),
            False,
        ),
        (
            "tokens",
            "TokenManager.get_token(), lock-free dict storage",
            token_calls,
            _manager(DictStorage()),
            False,
        ),
        ("tokens", "dict lookup, no lock", token_calls, _dict_lookup(locked=False), False),
        (
            "tokens",
            "`threading.Lock` + dict lookup (locked baseline)",
            token_calls,
            _dict_lookup(locked=True),
            True,
        ),
    ]
    storage, prefix_or_reason = redis_storage()
    if storage is None:
        return workloads, [f"RedisTokenStorage row skipped: {prefix_or_reason}."]

    def clean() -> None:
        assert storage is not None
        keys = list(storage.client.scan_iter(match=f"{prefix_or_reason}*"))
        if keys:
            storage.client.delete(*keys)

    workloads.append(
        (
            "tokens",
            "TokenManager.get_token(), RedisTokenStorage (db 14)",
            redis_calls,
            _manager(storage, clean),
            False,
        )
    )
    return workloads, []


def _per_call(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs" if seconds >= 1e-5 else f"{seconds * 1e9:.0f} ns"


def run(
    workloads: list[Workload], threads: int, runs: int
) -> list[tuple[str, str, int, float, float]]:
    """(workload, client, calls per thread, median calls/s with ``threads`` threads and
    with one thread making as many calls), runs alternating across the workloads."""
    rates: list[tuple[list[float], list[float]]] = [([], []) for _ in workloads]
    for number in range(runs):
        print(f"  run {number + 1}/{runs}", file=sys.stderr)
        for (_, name, calls, setup, _), (many, one) in zip(workloads, rates, strict=True):
            make_call, close = setup()
            try:
                warmup = max(5, min(calls // 20, 100))
                many.append(threads * calls / timed_threads(threads, calls, make_call, warmup))
                one.append(calls / timed_threads(1, calls, make_call, warmup))
            finally:
                close()
            print(f"    {name}: {many[-1]:,.0f} calls/s ({one[-1]:,.0f} alone)", file=sys.stderr)
    return [
        (workload, name, calls, statistics.median(many), statistics.median(one))
        for (workload, name, calls, _, _), (many, one) in zip(workloads, rates, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--calls", type=int, default=500, help="HTTP calls per thread")
    parser.add_argument("--runs", type=int, default=5, help="alternating runs per workload")
    parser.add_argument("--token-calls", type=int, default=20000, help="get_token() per thread")
    parser.add_argument(
        "--redis-calls", type=int, default=200, help="get_token() per thread with Redis"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp, pet_server() as server:
        print("  generating forgegen's petstore client ...", file=sys.stderr)
        forge_root, forge_package = generate("forgegen", PETSTORE, Path(tmp))
        http = http_workloads(args.calls, *server, forge_root, forge_package.name)
        results = run(http, args.threads, args.runs)
    tokens, notes = token_workloads(args.token_calls, args.redis_calls)
    results += run(tokens, args.threads, args.runs)
    baselines = {
        workload: rate
        for (workload, _, _, rate, _), (*_, baseline) in zip(results, http + tokens, strict=True)
        if baseline
    }
    print(
        f"Throughput, {args.threads} threads started together; HTTP: GET /pet/{{petId}} on "
        f"loopback keep-alive (server in its own process); tokens: a valid cached token; "
        f"median of {args.runs} alternating runs; {machine()}"
    )
    print()
    print(
        "| workload | client | threads x calls | calls/s | wall per call | vs baseline "
        f"| 1 thread calls/s | {args.threads} threads vs 1 |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for workload, name, calls, rate, alone in results:
        print(
            f"| {workload} | {name} | {args.threads} x {calls} | {rate:,.0f} "
            f"| {_per_call(1 / rate)} | {rate / baselines[workload]:.2f}x "
            f"| {alone:,.0f} | {rate / alone:.2f}x |"
        )
    print()
    print(
        "vs baseline: calls/s over the workload's baseline (HTTP: a session per thread; "
        "tokens: the locked dict lookup); above 1.00x is faster.  "
        f"{args.threads} threads vs 1: calls/s of {args.threads} threads over one thread "
        "alone; below 1.00x is what contention costs."
    )
    for note in notes:
        print(f"\nNote: {note}")


if __name__ == "__main__":
    main()
