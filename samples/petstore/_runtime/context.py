"""Context-local state that is safe under threads *and* asyncio tasks (seed 003).

``threading.local`` isolates threads but not asyncio tasks sharing a thread, so
per-request state (the correlation id of the incoming request, metadata a web
framework attaches) lives in :mod:`contextvars` instead.  :class:`Local` offers
the familiar attribute interface on top of one context variable; with
``thread_critical=True`` it is a plain thread-local for state that must never
cross threads (connection pools, sessions).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "Local",
    "correlation_id_scope",
    "get_correlation_id",
    "set_correlation_id",
]


class Local:
    """Attribute storage isolated per asyncio task and per thread.

    Values are kept in an immutable dict inside a context variable; every write
    replaces the dict, so a task that copied the context (asyncio does this when
    a task starts) sees its own snapshot and never the writes of its siblings.
    """

    __slots__ = ("_storage", "_thread_critical")

    def __init__(self, thread_critical: bool = False) -> None:
        object.__setattr__(self, "_thread_critical", thread_critical)
        if thread_critical:
            object.__setattr__(self, "_storage", threading.local())
        else:
            variable: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar(
                f"requestforge.Local.{id(self):x}"
            )
            object.__setattr__(self, "_storage", variable)

    def _values(self) -> dict[str, Any]:
        storage = object.__getattribute__(self, "_storage")
        if object.__getattribute__(self, "_thread_critical"):
            values: dict[str, Any] = storage.__dict__
            return values
        current: dict[str, Any] = storage.get({})
        return current

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values()[key]
        except KeyError:
            raise AttributeError(f"{key!r} is not set in this context") from None

    def __setattr__(self, key: str, value: Any) -> None:
        if object.__getattribute__(self, "_thread_critical"):
            setattr(object.__getattribute__(self, "_storage"), key, value)
            return
        storage: contextvars.ContextVar[dict[str, Any]] = object.__getattribute__(self, "_storage")
        storage.set({**storage.get({}), key: value})

    def __delattr__(self, key: str) -> None:
        if object.__getattribute__(self, "_thread_critical"):
            try:
                delattr(object.__getattribute__(self, "_storage"), key)
            except AttributeError:
                raise AttributeError(f"{key!r} is not set in this context") from None
            return
        storage: contextvars.ContextVar[dict[str, Any]] = object.__getattribute__(self, "_storage")
        values = storage.get({})
        if key not in values:
            raise AttributeError(f"{key!r} is not set in this context")
        storage.set({k: v for k, v in values.items() if k != key})


_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "requestforge.correlation_id", default=None
)


def get_correlation_id() -> str | None:
    """The correlation id of the current context (task or thread), if one was set."""
    return _correlation_id.get()


def set_correlation_id(value: str | None) -> contextvars.Token[str | None]:
    """Set the current context's correlation id; returns a token for ``reset``."""
    return _correlation_id.set(value)


@contextmanager
def correlation_id_scope(value: str) -> Iterator[str]:
    """Run a block with ``value`` as the correlation id, restoring the previous one after.

    Web-framework middleware wraps each incoming request in this so outgoing
    calls carry the incoming request's id.
    """
    token = _correlation_id.set(value)
    try:
        yield value
    finally:
        _correlation_id.reset(token)
