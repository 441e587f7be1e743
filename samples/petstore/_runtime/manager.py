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

* **Tasks** (:meth:`TokenManager.aget_token`).  On an event loop the hot path
  is the same lock-free read (moved to a worker thread when the storage does
  network I/O).  A task that finds the token expired joins the loop's one
  in-flight renewal -- an ``asyncio`` task per manager per event loop -- which
  runs :meth:`TokenManager.get_token` in a worker thread, so the blocking fetch
  never stalls the loop and the thread and process guarantees above still
  apply: 1,000 tasks cause one fetch, and so do 1,000 tasks on each of two
  loops in two threads.  A waiting task that is cancelled leaves the renewal
  running for the others (it waits through ``asyncio.shield``).

A token with a refresh token is renewed with ``provider.refresh_token(current)``;
otherwise ``provider.fetch_token()``.  A failed renewal leaves storage untouched,
so a token that is still valid stays in use.
"""

from __future__ import annotations

import importlib
import random
import threading
import time
import weakref
from collections.abc import Callable, Generator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from .errors import ConfigurationError, TokenFetchError
from .storage import InMemoryTokenStorage, StorageLock, TokenStorage
from .tokens import DEFAULT_LEEWAY, Clock, TokenData, utcnow

if TYPE_CHECKING:
    import asyncio

    from .providers import TokenProvider

__all__ = ["TokenManager"]


def _asyncio() -> Any:
    """``asyncio``, imported by the first async call: sync users never pay for it."""
    return importlib.import_module("asyncio")


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
            cast("Callable[[str, float], StorageLock]", lock_factory)
            if callable(lock_factory)
            else None
        )
        # Bumped (under _refresh_lock) after every renewal; a waiter that saw an
        # older value takes _outcome instead of renewing again.
        self._generation = 0
        self._outcome: _Outcome | None = None
        # The async path: one renewal task per event loop (a loop's tasks must
        # not await another loop's), guarded by a lock because loops in several
        # threads may share this manager.  Weak keys: a closed loop takes its entry.
        self._flights: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Task[TokenData]
        ] = weakref.WeakKeyDictionary()
        self._flights_lock = threading.Lock()
        # Exactly this runtime's in-memory storage reads a dict under a lock held
        # for microseconds: safe to call from an event loop.  Any other storage
        # (Redis, Django, a subclass) may do I/O and is read in a worker thread.
        self._local_reads = type(self._storage) is InMemoryTokenStorage

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

    @property
    def reads_are_local(self) -> bool:
        """Whether reading the cached token stays in process memory (no network I/O).

        Async callers use it to decide whether :meth:`get_token` may run on the
        event loop once :meth:`aget_token` has made sure the token is valid.
        """
        return self._local_reads

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
    def _exclusive(self) -> Generator[None, None, None]:
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

    # -- the async path ----------------------------------------------------------

    async def aget_token(self) -> TokenData:
        """:meth:`get_token` for coroutines: never blocks the event loop.

        Valid cached token: returned at once (read in a worker thread only when
        the storage is not local).  Otherwise the task awaits this loop's single
        renewal, which runs the blocking :meth:`get_token` in a worker thread.
        """
        asyncio_ = _asyncio()
        if self._local_reads:
            token = self._storage.get(self._cache_key)
        else:
            token = await asyncio_.to_thread(self._storage.get, self._cache_key)
        if token is not None and self._is_valid(token):
            return token
        loop = asyncio_.get_running_loop()
        with self._flights_lock:
            flight = self._flights.get(loop)
            if flight is None:
                flight = loop.create_task(asyncio_.to_thread(self.get_token))
                self._flights[loop] = flight
                flight.add_done_callback(partial(self._landed, loop))
        # shield: a waiter that is cancelled must not cancel the renewal the
        # other tasks (and the next caller) are waiting for.
        renewed: TokenData = await asyncio_.shield(flight)
        return renewed

    def _landed(self, loop: asyncio.AbstractEventLoop, flight: asyncio.Task[TokenData]) -> None:
        """A renewal finished: the next expired read starts a new one."""
        with self._flights_lock:
            if self._flights.get(loop) is flight:
                del self._flights[loop]
        if not flight.cancelled():
            flight.exception()  # retrieved: its waiters (if any are left) re-raise it

    async def ainvalidate(self, access_token: str | None = None) -> None:
        """:meth:`invalidate` for coroutines: the locks and storage writes run in a worker thread.

        Skipped without a thread hop when a local storage shows the rejected
        token was already replaced (1,000 tasks answered 401 invalidate once).
        """
        if access_token is not None and self._local_reads:
            current = self._storage.get(self._cache_key)
            if current is None or current.access_token != access_token:
                return
        await _asyncio().to_thread(self.invalidate, access_token)

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
