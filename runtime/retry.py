"""Retry strategies, the circuit breaker, and ``Retry-After`` parsing.

The client asks a strategy three things (seed 001): ``should_retry(context,
outcome)`` after a failed attempt, ``get_delay(context)`` before sleeping, and
``max_retries``.  Strategies that need to see every attempt (the circuit
breaker) also implement ``before_attempt`` and ``record_outcome``; the base
class gives everyone else no-op versions.

What is safe to retry is decided in one place, :class:`RetryConditions`:

* a :class:`~requestforge.errors.ConnectError` -- nothing was sent, any method;
* a read timeout, a broken connection, or status 408/429/500/502/503/504 --
  only when repeating the request cannot do harm twice: an idempotent method,
  or a POST/PATCH carrying an ``Idempotency-Key`` (the same on every attempt,
  since the request object is reused).

A ``Retry-After`` (or ``retry-after-ms``) within ``max_retry_after`` is waited
out; one beyond it ends the call at once (:class:`RetryAfterTooLongError`,
which the client turns into ``MaxRetryException``): the server said when it
will answer, and asking sooner is what it asked us not to do.
"""

from __future__ import annotations

# The runtime's modules are one package: they share its underscored helpers
# (and reach each other's underscored members) on purpose.
# pyright: reportPrivateUsage=false
import functools
import math
import os
import random
import re
import threading
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Protocol

from .errors import (
    CircuitOpenError,
    ConfigurationError,
    ConnectError,
    ReadError,
    ReadTimeoutError,
    RequestForgeError,
    TransportError,
)
from .models import Headers, HttpRequest, HttpResponse, RequestContext

__all__ = [
    "DEFAULT_RETRY_STATUSES",
    "CircuitBreakerRetryStrategy",
    "CircuitState",
    "ExponentialBackoffRetryStrategy",
    "NoRetryStrategy",
    "RetryAfterTooLongError",
    "RetryConditions",
    "RetryStrategy",
    "RetryStrategyInterface",
    "SimpleRetryStrategy",
    "parse_retry_after",
]

DEFAULT_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

Outcome = BaseException | HttpResponse


def _seconds(value: float) -> str:
    """``value`` seconds as short text: ``3600``, ``1.5``, ``0.25`` (no float noise)."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


class RetryAfterTooLongError(RequestForgeError):
    """Raised by ``get_delay`` when the server asks for a longer wait than the strategy allows.

    Not what a caller of the client sees: the client ends the call at once
    with :class:`~requestforge.errors.MaxRetryException` (carrying the
    response that asked) instead of sleeping.  A strategy of your own may
    raise it too, for the same effect.
    """

    def __init__(self, asked: float, limit: float) -> None:
        super().__init__(
            f"the server asked to wait {_seconds(asked)}s, more than "
            f"max_retry_after={_seconds(limit)}s"
        )
        self.asked = asked
        self.limit = limit


class RetryStrategy(Protocol):
    """What the client needs from a retry strategy (typed structurally)."""

    @property
    def max_retries(self) -> int: ...

    def should_retry(self, context: RequestContext, outcome: Outcome) -> bool: ...

    def get_delay(self, context: RequestContext) -> float: ...


class RetryStrategyInterface(ABC):
    """Base class for retry strategies.

    ``total_timeout`` (seconds, or None) bounds a whole call including every
    retry and sleep: the client gives up rather than sleep past it.
    """

    total_timeout: float | None = None

    @property
    @abstractmethod
    def max_retries(self) -> int:
        """How many times a call may be repeated after its first attempt."""

    @abstractmethod
    def should_retry(self, context: RequestContext, outcome: Outcome) -> bool:
        """Whether the failed attempt described by ``outcome`` should be repeated."""

    @abstractmethod
    def get_delay(self, context: RequestContext) -> float:
        """Seconds to wait before the next attempt (``context.attempt`` retries done so far).

        Raise :class:`RetryAfterTooLongError` to end the call now instead.
        """

    def before_attempt(self, context: RequestContext) -> None:
        """Called before every attempt; may raise to stop it (the breaker does)."""
        return None

    def record_outcome(self, context: RequestContext, outcome: Outcome) -> None:
        """Called after every attempt with its response or exception."""
        return None


@functools.cache
def _delta_seconds() -> re.Pattern[str]:
    """A Retry-After delay in seconds (compiled on the first 429/503 that carries one)."""
    return re.compile(r"^\s*(\d{1,12}(?:\.\d+)?)\s*$")


def parse_retry_after(headers: Headers, *, now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait, or None when it asked nothing valid.

    Reads ``retry-after-ms`` (milliseconds, used by several large APIs) first,
    then ``Retry-After`` as delta-seconds or an HTTP-date.  Negative numbers,
    exponents, garbage and dates that fail to parse are ignored (None); dates in
    the past mean "now" (0.0).  Holding it against a limit is the caller's job.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        match = _delta_seconds().match(millis)
        if match:
            return float(match.group(1)) / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    match = _delta_seconds().match(value)
    if match:
        return float(match.group(1))
    # An HTTP-date is rare: email.utils (~8 ms to import) loads only for one.
    import email.utils  # noqa: PLC0415

    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now or datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


@dataclass(frozen=True, slots=True)
class RetryConditions:
    """Which outcomes are worth another attempt, and for which requests."""

    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    retry_connect_errors: bool = True
    retry_read_errors: bool = True
    idempotency_header: str = "Idempotency-Key"

    def is_replay_safe(self, request: HttpRequest) -> bool:
        """True when sending ``request`` twice cannot have a double effect."""
        return request.method.is_idempotent or request.header(self.idempotency_header) is not None

    def is_retryable(self, request: HttpRequest, outcome: Outcome) -> bool:
        """Whether ``outcome`` of sending ``request`` justifies another attempt."""
        if isinstance(outcome, HttpResponse):
            return outcome.status_code in self.retry_statuses and self.is_replay_safe(request)
        if isinstance(outcome, ConnectError):
            return self.retry_connect_errors
        if isinstance(outcome, (ReadTimeoutError, ReadError)):
            return self.retry_read_errors and self.is_replay_safe(request)
        return False


def _check_seconds(
    setting: str, value: float, *, positive: bool = False, finite: bool = False
) -> None:
    """Refuse NaN, negative (or zero when ``positive``) and, if ``finite``, infinite seconds.

    Written so that NaN fails every test: ``nan < 0`` is False, and a NaN that
    slipped through would make ``total_timeout`` never expire or ``sleep`` raise.
    """
    in_range = value > 0 if positive else value >= 0
    if not in_range or (finite and not math.isfinite(value)):
        bound = "> 0" if positive else ">= 0"
        kind = "a finite number" if finite else "a number"
        raise ConfigurationError(setting, f"must be {kind} {bound}, got {value!r}")


def _validate_common(max_retries: int, total_timeout: float | None, max_retry_after: float) -> None:
    if max_retries < 0:
        raise ConfigurationError("max_retries", f"must be >= 0, got {max_retries}")
    if total_timeout is not None:
        _check_seconds("total_timeout", total_timeout, positive=True)
    _check_seconds("max_retry_after", max_retry_after)


class _ConditionalRetryStrategy(RetryStrategyInterface):
    """Shared by the strategies that retry on :class:`RetryConditions` and honour Retry-After.

    A ``Retry-After`` up to ``max_retry_after`` seconds is the delay; a longer
    one raises :class:`RetryAfterTooLongError` rather than being cut down to
    the limit, since retrying before the server's time is what it asked us not
    to do.  ``respect_retry_after=False`` ignores the header (backoff only).
    """

    def __init__(
        self,
        *,
        max_retries: int,
        conditions: RetryConditions | None,
        retry_statuses: Collection[int] | None,
        total_timeout: float | None,
        max_retry_after: float,
        respect_retry_after: bool,
    ) -> None:
        _validate_common(max_retries, total_timeout, max_retry_after)
        if conditions is None:
            conditions = RetryConditions()
        if retry_statuses is not None:
            conditions = RetryConditions(
                retry_statuses=frozenset(retry_statuses),
                retry_connect_errors=conditions.retry_connect_errors,
                retry_read_errors=conditions.retry_read_errors,
                idempotency_header=conditions.idempotency_header,
            )
        self._max_retries = max_retries
        self.conditions = conditions
        self.total_timeout = total_timeout
        self.max_retry_after = max_retry_after
        self.respect_retry_after = respect_retry_after

    @property
    def max_retries(self) -> int:
        return self._max_retries

    def should_retry(self, context: RequestContext, outcome: Outcome) -> bool:
        # Whether the outcome is worth another attempt; the client counts attempts.
        return self.conditions.is_retryable(context.request, outcome)

    def get_delay(self, context: RequestContext) -> float:
        if self.respect_retry_after and context.last_response is not None:
            asked = parse_retry_after(context.last_response.headers)
            if asked is not None:
                if asked > self.max_retry_after:
                    raise RetryAfterTooLongError(asked, self.max_retry_after)
                return asked
        return self._backoff(context.attempt)

    @abstractmethod
    def _backoff(self, retries_done: int) -> float:
        """Delay before retry number ``retries_done + 1`` when the server asked nothing."""


class NoRetryStrategy(RetryStrategyInterface):
    """Never retries: every outcome goes straight back to the caller."""

    @property
    def max_retries(self) -> int:
        return 0

    def should_retry(self, context: RequestContext, outcome: Outcome) -> bool:
        return False

    def get_delay(self, context: RequestContext) -> float:
        return 0.0


class SimpleRetryStrategy(_ConditionalRetryStrategy):
    """Retries after a fixed delay (or what ``Retry-After`` asks, up to ``max_retry_after``)."""

    def __init__(
        self,
        max_retries: int = 3,
        delay: float = 1.0,
        *,
        conditions: RetryConditions | None = None,
        retry_statuses: Collection[int] | None = None,
        total_timeout: float | None = None,
        max_retry_after: float = 60.0,
        respect_retry_after: bool = True,
    ) -> None:
        _check_seconds("delay", delay, finite=True)
        super().__init__(
            max_retries=max_retries,
            conditions=conditions,
            retry_statuses=retry_statuses,
            total_timeout=total_timeout,
            max_retry_after=max_retry_after,
            respect_retry_after=respect_retry_after,
        )
        self.delay = delay

    def _backoff(self, retries_done: int) -> float:
        return self.delay


class ExponentialBackoffRetryStrategy(_ConditionalRetryStrategy):
    """Exponential backoff with full jitter, capped.

    Retry ``n`` (0-based) waits ``uniform(0, min(max_delay, base_delay * multiplier**n))``
    with jitter, or exactly that bound without.  Full jitter spreads the retries
    of many clients that failed together, so they do not stampede the server.
    """

    def __init__(
        self,
        max_retries: int = 3,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        *,
        multiplier: float = 2.0,
        jitter: bool = True,
        conditions: RetryConditions | None = None,
        retry_statuses: Collection[int] | None = None,
        total_timeout: float | None = None,
        max_retry_after: float = 60.0,
        respect_retry_after: bool = True,
        random_source: Callable[[float, float], float] | None = None,
    ) -> None:
        _check_seconds("base_delay", base_delay, finite=True)
        if not max_delay >= base_delay:  # NaN-safe
            raise ConfigurationError("max_delay", f"must be >= base_delay ({base_delay})")
        if not multiplier >= 1:  # NaN-safe
            raise ConfigurationError("multiplier", f"must be >= 1, got {multiplier}")
        super().__init__(
            max_retries=max_retries,
            conditions=conditions,
            retry_statuses=retry_statuses,
            total_timeout=total_timeout,
            max_retry_after=max_retry_after,
            respect_retry_after=respect_retry_after,
        )
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.multiplier = multiplier
        self.jitter = jitter
        self._uniform = random_source or random.uniform

    def _backoff(self, retries_done: int) -> float:
        # Bound the exponent so huge retry counts cannot overflow a float.
        ceiling = min(self.max_delay, self.base_delay * self.multiplier ** min(retries_done, 64))
        return self._uniform(0.0, ceiling) if self.jitter else ceiling


class CircuitState(str, Enum):
    """States of :class:`CircuitBreakerRetryStrategy`."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


_PROBE_KEY = "requestforge.circuit_probe"


_BREAKERS: weakref.WeakSet[CircuitBreakerRetryStrategy] = weakref.WeakSet()


def _renew_breaker_locks_in_child() -> None:
    # A lock held by another parent thread at fork time would stay held forever
    # in the child; the breaker's *state* (open/closed) is worth keeping.
    for breaker in list(_BREAKERS):
        breaker._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_renew_breaker_locks_in_child)


class CircuitBreakerRetryStrategy(RetryStrategyInterface):
    """A circuit breaker wrapped around another retry strategy.

    * closed: calls flow; ``failure_threshold`` consecutive failures open it.
    * open: calls fail fast with :class:`CircuitOpenError`, no network, until
      ``recovery_timeout`` seconds have passed.
    * half-open: exactly one call (the probe) goes through; the others keep
      failing fast rather than queueing behind it.  A successful probe closes
      the circuit, a failed one opens it again.

    Failures are transport errors and 5xx responses.  4xx responses are the
    caller's problem, not the server's health, and count as successes.  The
    breaker's state is shared by every thread using the client, behind a lock.
    """

    def __init__(
        self,
        inner: RetryStrategy | None = None,
        *,
        failure_threshold: int = 5,
        recovery_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ConfigurationError("failure_threshold", f"must be >= 1, got {failure_threshold}")
        _check_seconds("recovery_timeout", recovery_timeout, positive=True)
        self.inner: RetryStrategy = (
            inner if inner is not None else ExponentialBackoffRetryStrategy()
        )
        self.total_timeout = getattr(self.inner, "total_timeout", None)
        self.failure_threshold = failure_threshold
        self.recovery_timeout = recovery_timeout
        self._clock = clock
        self._lock = threading.Lock()
        _BREAKERS.add(self)
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_in_flight = False

    @property
    def state(self) -> CircuitState:
        """Current state; an open circuit whose timeout passed reports half-open."""
        with self._lock:
            if (
                self._state is CircuitState.OPEN
                and self._clock() - self._opened_at >= self.recovery_timeout
            ):
                return CircuitState.HALF_OPEN
            return self._state

    @property
    def failure_count(self) -> int:
        """Consecutive failures counted while closed."""
        with self._lock:
            return self._failures

    @property
    def max_retries(self) -> int:
        return self.inner.max_retries

    def should_retry(self, context: RequestContext, outcome: Outcome) -> bool:
        return self.inner.should_retry(context, outcome)

    def get_delay(self, context: RequestContext) -> float:
        return self.inner.get_delay(context)

    def reset(self) -> None:
        """Close the circuit and forget failures (for operators and tests)."""
        with self._lock:
            self._state = CircuitState.CLOSED
            self._failures = 0
            self._probe_in_flight = False

    def before_attempt(self, context: RequestContext) -> None:
        with self._lock:
            if self._state is CircuitState.CLOSED:
                return
            now = self._clock()
            if self._state is CircuitState.OPEN:
                remaining = self.recovery_timeout - (now - self._opened_at)
                if remaining > 0:
                    raise CircuitOpenError(
                        f"circuit open; next probe allowed in {remaining:.2f}s",
                        retry_in=remaining,
                    )
                self._state = CircuitState.HALF_OPEN
                self._probe_in_flight = False
            if self._probe_in_flight:
                raise CircuitOpenError("circuit half-open; a probe is in flight", retry_in=0.0)
            self._probe_in_flight = True
            context.metadata[_PROBE_KEY] = True

    def record_outcome(self, context: RequestContext, outcome: Outcome) -> None:
        failed = _is_failure(outcome)
        neutral = isinstance(outcome, BaseException) and not failed
        with self._lock:
            was_probe = bool(context.metadata.pop(_PROBE_KEY, False))
            if was_probe:
                self._probe_in_flight = False
                if failed:
                    self._open()
                elif not neutral:
                    self._state = CircuitState.CLOSED
                    self._failures = 0
                return
            if self._state is not CircuitState.CLOSED or neutral:
                return
            if failed:
                self._failures += 1
                if self._failures >= self.failure_threshold:
                    self._open()
            else:
                self._failures = 0

    def _open(self) -> None:
        self._state = CircuitState.OPEN
        self._opened_at = self._clock()
        self._failures = 0


def _is_failure(outcome: Outcome) -> bool:
    if isinstance(outcome, HttpResponse):
        return outcome.status_code >= 500
    return isinstance(outcome, TransportError)
