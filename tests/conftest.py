"""Shared fixtures: a loopback HTTP server per test, and the Redis policy.

Tests that need Redis are marked ``redis``.  Locally they are skipped when no
server answers on 127.0.0.1:6379; under ``CI=true`` a missing Redis is a
failure, never a skip (``.ci/run`` starts one).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.server import LoopbackServer

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379
REDIS_TEST_DB = 13  # our own database number; flushed after each test that uses it


def _redis_reachable() -> bool:
    import socket

    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> Iterator[str]:
    """URL of a clean Redis test database; skipped locally without Redis, fatal under CI."""
    if not _redis_reachable():
        if IN_CI:
            pytest.fail(f"CI=true but no Redis answers on {REDIS_HOST}:{REDIS_PORT}")
        pytest.skip(f"no Redis on {REDIS_HOST}:{REDIS_PORT}")
    import redis

    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_TEST_DB}"
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    try:
        yield url
    finally:
        connection.flushdb()
        connection.close()
