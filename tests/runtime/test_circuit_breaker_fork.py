"""A breaker whose lock a parent thread holds at fork time still works in the child."""

from __future__ import annotations

import os
import signal
import threading

import pytest
from requestforge import CircuitBreakerRetryStrategy, CircuitState, NoRetryStrategy
from requestforge.models import HttpMethod, HttpRequest, RequestContext


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_breaker_lock_held_at_fork_is_renewed_in_child() -> None:
    breaker = CircuitBreakerRetryStrategy(NoRetryStrategy(), failure_threshold=1)
    held = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        with breaker._lock:
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    held.wait(5)
    pid = os.fork()
    if pid == 0:  # child: the holder thread does not exist here
        signal.alarm(5)  # a stuck lock kills the child instead of hanging the test
        context = RequestContext(request=HttpRequest(HttpMethod.GET, "/x"))
        breaker.before_attempt(context)  # would block forever on the inherited lock
        os._exit(0 if breaker.state is CircuitState.CLOSED else 3)
    release.set()
    holder.join()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
