"""Context-local state that is safe under threads *and* asyncio tasks (seed 003).

``threading.local`` isolates threads but not asyncio tasks sharing a thread, so
per-request state (the correlation id of the incoming request, metadata a web
framework attaches) lives in :mod:`contextvars` instead.  :class:`Local` offers
the familiar attribute interface on top of one context variable; with
``thread_critical=True`` it is a plain thread-local for state that must never
cross threads (connection pools, sessions).

One process may hold several copies of this module: the installed
``requestforge`` and a ``_runtime`` vendored into each generated client.  The
per-request variables must nevertheless be *one* per process -- middleware from
one copy sets the id that clients from every other copy send on -- so they are
created once and kept in a registry module in ``sys.modules`` (under a private
name, with ``setdefault`` semantics: the first copy imported creates them, the
others find them).  The registry keys carry a version so that a future,
incompatible change of a variable's value type gets a fresh variable instead of
confusing older copies.
"""

from __future__ import annotations

import contextvars
import functools
import re
import sys
import threading
import uuid
from collections.abc import Generator, Mapping
from contextlib import contextmanager
from types import MappingProxyType, ModuleType
from typing import Any, TypeVar

__all__ = [
    "DEFAULT_CORRELATION_HEADER",
    "MAX_REQUEST_ID_LENGTH",
    "Local",
    "correlation_id_scope",
    "get_correlation_id",
    "get_request_metadata",
    "is_valid_request_id",
    "new_request_id",
    "outgoing_correlation_headers",
    "request_id_or_new",
    "request_metadata_scope",
    "reset_correlation_id",
    "reset_request_metadata",
    "set_correlation_id",
    "set_request_metadata",
]

T = TypeVar("T")

DEFAULT_CORRELATION_HEADER = "X-Request-ID"
"""The header an incoming request id is read from and outgoing calls carry it in."""

MAX_REQUEST_ID_LENGTH = 128
"""Longest request id accepted from outside (uuids, ULIDs and trace ids fit easily)."""


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


_REGISTRY_NAME = "_requestforge_shared_context"
_REGISTRY_DOC = "Per-request context variables shared by every copy of requestforge."


def _shared_variable(key: str, default: T) -> contextvars.ContextVar[T]:
    """The process-wide context variable under ``key``, created by the first copy to ask.

    ``dict.setdefault`` is atomic, so two copies imported concurrently by two
    threads still end up with one module and one variable.
    """
    registry = sys.modules.get(_REGISTRY_NAME)
    if registry is None:
        registry = sys.modules.setdefault(_REGISTRY_NAME, ModuleType(_REGISTRY_NAME, _REGISTRY_DOC))
    candidate: contextvars.ContextVar[T] = contextvars.ContextVar(
        f"requestforge.{key}", default=default
    )
    variable: contextvars.ContextVar[T] = vars(registry).setdefault(key, candidate)
    return variable


_EMPTY_METADATA: Mapping[str, str] = MappingProxyType({})

_correlation_id: contextvars.ContextVar[str | None] = _shared_variable("correlation_id_v1", None)
_request_metadata: contextvars.ContextVar[Mapping[str, str]] = _shared_variable(
    "request_metadata_v1", _EMPTY_METADATA
)


def get_correlation_id() -> str | None:
    """The correlation id of the current context (task or thread), if one was set."""
    return _correlation_id.get()


def set_correlation_id(value: str | None) -> contextvars.Token[str | None]:
    """Set the current context's correlation id; returns a token for :func:`reset_correlation_id`.

    Prefer :func:`correlation_id_scope`; this pair is for frameworks whose
    "before" and "after" request callbacks are separate functions (Flask).
    """
    return _correlation_id.set(value)


def reset_correlation_id(token: contextvars.Token[str | None]) -> None:
    """Restore the correlation id that was current before :func:`set_correlation_id`."""
    _correlation_id.reset(token)


@contextmanager
def correlation_id_scope(value: str) -> Generator[str, None, None]:
    """Run a block with ``value`` as the correlation id, restoring the previous one after.

    Web-framework middleware wraps each incoming request in this so outgoing
    calls carry the incoming request's id.
    """
    token = _correlation_id.set(value)
    try:
        yield value
    finally:
        _correlation_id.reset(token)


def get_request_metadata() -> Mapping[str, str]:
    """What the web framework said about the incoming request (method, path, ...).

    Read-only and empty outside a request; hooks (a logging hook, say) read it
    to tie an outgoing call to the request that caused it.
    """
    return _request_metadata.get()


def set_request_metadata(**values: str) -> contextvars.Token[Mapping[str, str]]:
    """Add ``values`` to the request metadata; returns a token for :func:`reset_request_metadata`.

    For frameworks with separate before/after request callbacks; otherwise use
    :func:`request_metadata_scope`.
    """
    return _request_metadata.set(MappingProxyType({**_request_metadata.get(), **values}))


def reset_request_metadata(token: contextvars.Token[Mapping[str, str]]) -> None:
    """Restore the request metadata that was current before :func:`set_request_metadata`."""
    _request_metadata.reset(token)


@contextmanager
def request_metadata_scope(**values: str) -> Generator[Mapping[str, str], None, None]:
    """Run a block with ``values`` added to the request metadata (inner scopes win).

    The mapping is rebuilt, never mutated, so a task that copied the context
    keeps the snapshot it started with.
    """
    merged = MappingProxyType({**_request_metadata.get(), **values})
    token = _request_metadata.set(merged)
    try:
        yield merged
    finally:
        _request_metadata.reset(token)


# -- request ids from outside ------------------------------------------------------


@functools.cache
def _visible_ascii() -> re.Pattern[str]:
    """A request id: 1-128 visible ASCII characters (compiled when a first id is checked)."""
    return re.compile(rf"[\x21-\x7e]{{1,{MAX_REQUEST_ID_LENGTH}}}")


def is_valid_request_id(value: object) -> bool:
    """Whether ``value`` may be used as a request id: 1-128 visible ASCII characters.

    An incoming id is untrusted input that ends up in outgoing headers and in
    logs: no spaces, control characters (header or log injection) or non-ASCII
    (which HTTP/1.1 libraries encode inconsistently), and a bounded length.
    """
    return isinstance(value, str) and _visible_ascii().fullmatch(value) is not None


def new_request_id() -> str:
    """A fresh request id: a uuid4 in hex (32 characters)."""
    return uuid.uuid4().hex


def request_id_or_new(value: str | None) -> str:
    """``value`` if it is a valid request id (see :func:`is_valid_request_id`), else a new one."""
    if value is not None and is_valid_request_id(value):
        return value
    return new_request_id()


# -- outgoing calls ------------------------------------------------------------------


def outgoing_correlation_headers(
    headers: Mapping[str, str], header_name: str = DEFAULT_CORRELATION_HEADER
) -> Mapping[str, str]:
    """``headers`` plus the current correlation id, or ``headers`` itself if nothing to add.

    Nothing is added when no id is set in this context (one ``ContextVar.get``:
    the common case costs nothing more), when the request already has the
    header (case-insensitively: the caller's choice wins), or when the id is
    not a valid request id (code may call :func:`set_correlation_id` with
    anything; a bad value must not become a malformed header).  The caller can
    test ``result is headers`` to know whether to copy its request.  Pure, so
    the sync and async clients share it.
    """
    correlation_id = _correlation_id.get()
    if correlation_id is None:
        return headers
    lowered = header_name.lower()
    for name in headers:
        if name.lower() == lowered:
            return headers
    if not is_valid_request_id(correlation_id):
        return headers
    return {**headers, header_name: correlation_id}
