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
