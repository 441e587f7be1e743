"""The headline: a real gunicorn (gthread, 2 workers x 8 threads) serving the Flask app.

200 concurrent requests from a thread pool; each view calls an upstream behind
OAuth2 client credentials through ``UpstreamClient`` with ``RedisTokenStorage``.
Proven over real sockets: every response is OK, every incoming id reaches the
upstream once and only on its own call, both worker processes called the
upstream, and the token endpoint was hit exactly once across both processes.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.integrations.upstream import echo_reply
from tests.runtime.token_support import TokenEndpoint
from tests.support.server import LoopbackServer, RecordedRequest, Reply

REPO = Path(__file__).resolve().parents[2]
REQUESTS = 200
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
    """One request on a fresh connection (so the workers share the accepts)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Connection": "close", **(headers or {})})
        response = connection.getresponse()
        body = response.read()
        return response.status, json.loads(body), response.getheader("X-Request-ID") or ""
    finally:
        connection.close()


@pytest.fixture
def gunicorn(server: LoopbackServer, redis_url: str, tmp_path: Path) -> Iterator[int]:
    """gunicorn on a free loopback port, ready when both workers have answered."""
    port = _free_port()
    env = {
        **os.environ,
        "UPSTREAM_URL": server.url,
        "TOKEN_URL": f"{server.url}/token",
        "REDIS_URL": redis_url,
    }
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--worker-class=gthread",
            f"--workers={WORKERS}",
            "--threads=8",
            f"--bind=127.0.0.1:{port}",
            "--graceful-timeout=3",
            "tests.integrations.flask_app:create_app()",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        pids: set[int] = set()
        deadline = time.monotonic() + 20
        while len(pids) < WORKERS:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"gunicorn did not start (exit {process.returncode}):\n{log.read()}")
            try:
                pids.update(_get(port, "/health")[1]["pid"] for _ in range(4))
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.mark.redis
def test_gunicorn_workers_propagate_ids_and_share_one_token(
    server: LoopbackServer, gunicorn: int
) -> None:
    tokens = TokenEndpoint(server, delay=0.2)  # slow: both workers' first calls overlap it
    seen_pids: set[str] = set()
    lock = threading.Lock()

    def data(request: RecordedRequest) -> Reply:
        with lock:
            seen_pids.add(request.header("X-Worker-Pid") or "?")
        time.sleep(0.005)
        return echo_reply(request)

    server.route("GET", "/data", data)

    def call(n: int) -> tuple[int, Any, str]:
        return _get(gunicorn, f"/call?n={n}", {"X-Request-ID": f"gunicorn-req-{n}"})

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(call, range(REQUESTS)))
    elapsed = time.monotonic() - started

    assert [status for status, _, _ in results] == [200] * REQUESTS
    assert [echoed for _, _, echoed in results] == [f"gunicorn-req-{n}" for n in range(REQUESTS)]
    assert [body["request_id"] for _, body, _ in results] == [
        f"gunicorn-req-{n}" for n in range(REQUESTS)
    ]
    upstream = server.requests_to("/data")
    assert len(upstream) == REQUESTS
    pairs = sorted((int(r.query["n"][0]), r.header("X-Request-ID")) for r in upstream)
    assert pairs == [(n, f"gunicorn-req-{n}") for n in range(REQUESTS)]  # one-to-one
    worker_pids = {str(body["pid"]) for _, body, _ in results}
    assert len(seen_pids) == WORKERS, seen_pids
    assert seen_pids == worker_pids
    assert tokens.count == 1, tokens.grants
    assert {r.header("Authorization") for r in upstream} == {"Bearer tok-1"}
    print(f"\n{REQUESTS} requests through gunicorn in {elapsed:.2f}s, token fetches: 1")
