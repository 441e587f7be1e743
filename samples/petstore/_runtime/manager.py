"""``TokenManager``: one cached token per service, renewed by one caller at a time.

The hot path (a valid token in storage) takes no lock: seed 000's double-checked
locking.  Renewal is *single flight*:

* **Threads.**  Callers that find the token expired queue on a lock.  The one
  that gets it renews; the others receive *that* outcome -- the new token, or
  the exception -- instead of renewing again.  So 100 threads cause one fetch,
  a failing token endpoint is asked once rather than 100 times in a row, and a
  token that is born expired (``expires_in: 0``) does not make every waiter
  fetch once more.  (Re-raising one exception object in several threads is
  what ``concurrent.futures.Future.result`` does too.)
* **Processes.**  If the storage offers ``lock(key, ttl)`` (``RedisTokenStorage``
  does), the renewing thread also takes that lock.  A process that finds it
  taken waits, polling storage for the token the holder will write, instead of
  fetching.  The lock expires on its own after ``lock_ttl``, so a holder that
  dies mid-fetch delays the others by at most that long.

A token with a refresh token is renewed with ``provider.refresh_token(current)``;
otherwise ``provider.fetch_token()``.  A failed renewal leaves storage untouched,
so a token that is still valid stays in use.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError, TokenFetchError
from .storage import InMemoryTokenStorage, StorageLock, TokenStorage
from .tokens import DEFAULT_LEEWAY, Clock, TokenData, utcnow

if TYPE_CHECKING:
    from .providers import TokenProvider

__all__ = ["TokenManager"]

DEFAULT_LOCK_TTL = 15.0
DEFAULT_LOCK_TIMEOUT = 30.0
DEFAULT_POLL_INTERVAL = 0.02


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What one renewal produced, handed to the threads that waited for it."""

    token: TokenData | None
    error: BaseException | None


class TokenManager:
    """Caches a provider's token in a storage and renews it when it (nearly) expires.

    ``leeway``: seconds before expiry from which a token is renewed.
    ``cache_key``: storage key (default ``token:<provider.service_name>``).
    ``lock_ttl``: expiry of the cross-process lock; longer than a token fetch takes.
    ``lock_timeout``: how long a caller waits for another thread's or process's
    renewal before giving up with :class:`TokenFetchError`.
    """

    def __init__(
        self,
        provider: TokenProvider,
        storage: TokenStorage | None = None,
        *,
        leeway: float = DEFAULT_LEEWAY,
        cache_key: str | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        lock_ttl: float = DEFAULT_LOCK_TTL,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        clock: Clock = utcnow,
    ) -> None:
        for setting, value in (
            ("lock_timeout", lock_timeout),
            ("lock_ttl", lock_ttl),
            ("poll_interval", poll_interval),
        ):
            if not value > 0:
                raise ConfigurationError(setting, f"must be a positive number, got {value!r}")
        if leeway < 0:
            raise ConfigurationError("leeway", f"must be >= 0, got {leeway!r}")
        self._provider = provider
        self._storage: TokenStorage = storage if storage is not None else InMemoryTokenStorage()
        self._leeway = float(leeway)
        service = getattr(provider, "service_name", None) or type(provider).__name__
        self._cache_key = cache_key or f"token:{service}"
        self._lock_timeout = float(lock_timeout)
        self._lock_ttl = float(lock_ttl)
        self._poll_interval = float(poll_interval)
        self._clock = clock
        self._refresh_lock = threading.Lock()
        # Only a callable ``lock`` is a lock factory: a storage may well keep a
        # threading.Lock in a public attribute of that name.
        lock_factory = getattr(self._storage, "lock", None)
        self._make_lock: Callable[[str, float], StorageLock] | None = (
            lock_factory if callable(lock_factory) else None
        )
        # Bumped (under _refresh_lock) after every renewal; a waiter that saw an
        # older value takes _outcome instead of renewing again.
        self._generation = 0
        self._outcome: _Outcome | None = None

    @property
    def provider(self) -> TokenProvider:
        """The provider tokens come from."""
        return self._provider

    @property
    def storage(self) -> TokenStorage:
        """The storage tokens are cached in."""
        return self._storage

    @property
    def cache_key(self) -> str:
        """The storage key of this manager's token."""
        return self._cache_key

    def _is_valid(self, token: TokenData | None) -> bool:
        return token is not None and not token.is_expired_within(self._leeway, self._clock())

    def get_token(self) -> TokenData:
        """A valid token: the cached one, or a new one (fetched by one caller at a time)."""
        token = self._storage.get(self._cache_key)
        if token is not None and self._is_valid(token):
            return token  # the hot path: no lock
        seen = self._generation
        if not self._refresh_lock.acquire(timeout=self._lock_timeout):
            raise TokenFetchError(
                f"gave up after {self._lock_timeout:g}s waiting for another thread "
                f"to renew the token for {self._cache_key!r}"
            )
        try:
            outcome = self._outcome
            if self._generation != seen and outcome is not None:
                # A renewal finished while we waited: its result is ours too.
                if outcome.error is not None:
                    raise outcome.error
                assert outcome.token is not None
                return outcome.token
            token = self._storage.get(self._cache_key)
            if token is not None and self._is_valid(token):
                return token
            try:
                new_token = self._renew(token)
            except Exception as error:
                self._publish(_Outcome(None, error))
                raise
            self._publish(_Outcome(new_token, None))
            return new_token
        finally:
            self._refresh_lock.release()

    def _publish(self, outcome: _Outcome) -> None:
        self._outcome = outcome
        self._generation += 1

    def _renew(self, stale: TokenData | None) -> TokenData:
        """Fetch (holding the cross-process lock if the storage has one) and store."""
        if self._make_lock is None:
            return self._fetch_and_store(stale)
        lock = self._make_lock(f"{self._cache_key}:lock", self._lock_ttl)
        deadline = time.monotonic() + self._lock_timeout
        while True:
            if lock.acquire():
                try:
                    cached = self._storage.get(self._cache_key)
                    if cached is not None and self._is_valid(cached):
                        return cached  # another process renewed it just before us
                    return self._fetch_and_store(cached if cached is not None else stale)
                finally:
                    lock.release()
            cached = self._storage.get(self._cache_key)
            if cached is not None and self._is_valid(cached):
                return cached  # the holder in another process has stored it
            if time.monotonic() >= deadline:
                raise TokenFetchError(
                    f"gave up after {self._lock_timeout:g}s waiting for another process "
                    f"to renew the token for {self._cache_key!r}"
                )
            time.sleep(self._poll_interval * random.uniform(0.5, 1.5))  # noqa: S311 -- jitter

    def _fetch_and_store(self, stale: TokenData | None) -> TokenData:
        refresh: Callable[[TokenData], TokenData] | None = getattr(
            self._provider, "refresh_token", None
        )
        if stale is not None and stale.refresh_token and refresh is not None:
            new_token = refresh(stale)
        else:
            new_token = self._provider.fetch_token()
        self._storage.set(self._cache_key, new_token)
        return new_token

    def invalidate(self, access_token: str | None = None) -> None:
        """Stop using the cached token; ``access_token``: only if it is still that one.

        A token the server rejected may already have been replaced by another
        thread or process; passing the rejected value keeps the replacement.
        The entry keeps its refresh token (it is marked expired, not deleted),
        so the next :meth:`get_token` refreshes instead of starting over.
        """
        with self._exclusive():
            self._outcome = None
            current = self._storage.get(self._cache_key)
            if current is None:
                return
            if access_token is not None and current.access_token != access_token:
                return
            if current.refresh_token:
                self._storage.set(self._cache_key, current.expired(self._clock()))
            else:
                self._storage.delete(self._cache_key)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the thread lock (and the storage's lock, if any) for a compare-and-set.

        Waiting means an in-flight renewal finishes first, so the comparison
        sees the renewed token.  If the locks cannot be had in ``lock_timeout``
        the update goes ahead without them: invalidation is best-effort.
        """
        have_thread_lock = self._refresh_lock.acquire(timeout=self._lock_timeout)
        lock: StorageLock | None = None
        try:
            if self._make_lock is not None:
                candidate = self._make_lock(f"{self._cache_key}:lock", self._lock_ttl)
                deadline = time.monotonic() + self._lock_timeout
                while lock is None and time.monotonic() < deadline:
                    if candidate.acquire():
                        lock = candidate
                    else:
                        time.sleep(self._poll_interval)
            yield
        finally:
            if lock is not None:
                lock.release()
            if have_thread_lock:
                self._refresh_lock.release()

    def clear(self) -> None:
        """Forget the cached token entirely (refresh token included)."""
        with self._exclusive():
            self._outcome = None
            self._storage.delete(self._cache_key)

    def __repr__(self) -> str:
        provider: Any = self._provider
        return (
            f"TokenManager(provider={type(provider).__name__}, "
            f"storage={type(self._storage).__name__}, cache_key={self._cache_key!r}, "
            f"leeway={self._leeway:g})"
        )
