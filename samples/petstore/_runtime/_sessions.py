"""One ``requests.Session`` per thread, created lazily, closed when its thread ends.

This is seed 000's mechanism (thread-local sessions, a lock around creation)
with the two gaps of a bare ``threading.local`` closed:

* a thread that ends takes its session with it: a ``weakref.finalize`` on a
  per-thread holder closes the session's connection pool, so short-lived
  threads do not leave sockets open until garbage collection gets round to it;
* after ``os.fork`` the child starts with no sessions: sockets inherited from
  the parent are never shared between the two processes.
"""

from __future__ import annotations

# The runtime's modules are one package: they share its underscored helpers
# (and reach each other's underscored members) on purpose.
# pyright: reportPrivateUsage=false
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from .errors import RequestForgeError

__all__ = ["ClientClosedError", "SessionPool"]


class Closeable(Protocol):
    def close(self) -> None: ...


S = TypeVar("S", bound=Closeable)


class ClientClosedError(RequestForgeError):
    """The client was closed; create a new one."""


class _Holder(Generic[S]):
    """Lives in the thread-local; its death (thread exit) closes the session."""

    __slots__ = ("__weakref__", "state")

    def __init__(self, state: S) -> None:
        self.state = state


_POOLS: weakref.WeakSet[SessionPool[Closeable]] = weakref.WeakSet()


def _reset_pools_in_child() -> None:
    for pool in list(_POOLS):
        pool._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_pools_in_child)


def _finalize_state(pool_ref: weakref.ReferenceType[Any], key: int, state: Closeable) -> None:
    pool = pool_ref()
    if pool is not None:
        pool._forget(key)
    state.close()


class SessionPool(Generic[S]):
    """Per-thread state objects (sessions) made by ``factory``, with tracked lifetimes."""

    def __init__(self, factory: Callable[[], S]) -> None:
        self._factory = factory
        self._lock = threading.RLock()  # re-entrant: a finalizer may run inside ``get``
        self._local = threading.local()
        self._states: dict[int, S] = {}
        self._finalizers: dict[int, weakref.finalize[Any, Any]] = {}
        self._closed = False
        _POOLS.add(self)  # type: ignore[arg-type]

    def get(self) -> S:
        """This thread's state, created on first use."""
        holder: _Holder[S] | None = getattr(self._local, "holder", None)
        if holder is not None:
            return holder.state
        with self._lock:
            if self._closed:
                raise ClientClosedError("this client has been closed")
            state = self._factory()
            holder = _Holder(state)
            key = id(holder)
            self._states[key] = state
            self._finalizers[key] = weakref.finalize(
                holder, _finalize_state, weakref.ref(self), key, state
            )
            self._local.holder = holder
        return state

    @property
    def open_count(self) -> int:
        """How many thread sessions are currently open."""
        with self._lock:
            return len(self._states)

    def close(self) -> None:
        """Close every thread's session; later ``get`` calls raise ``ClientClosedError``."""
        with self._lock:
            self._closed = True
            finalizers = list(self._finalizers.values())
        for finalizer in finalizers:
            finalizer()
        self._local = threading.local()

    def _forget(self, key: int) -> None:
        with self._lock:
            self._states.pop(key, None)
            self._finalizers.pop(key, None)

    def _after_fork(self) -> None:
        # The parent's sessions (and their sockets) belong to the parent: detach
        # their finalizers so the child never closes or reuses them.
        for finalizer in self._finalizers.values():
            finalizer.detach()
        self._lock = threading.RLock()
        self._local = threading.local()
        self._states = {}
        self._finalizers = {}
