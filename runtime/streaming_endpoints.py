"""Endpoints of operations that stream: ``client.chat.create_completion.stream(...)``.

A generated resource binds an operation whose success response also offers
``text/event-stream`` with these instead of :class:`~requestforge.api.Endpoint`:
calling it still makes the plain call (one parsed body), and ``.stream(...)``
-- same keyword arguments, typed through the same ``ParamSpec`` -- returns a
:class:`~requestforge.streaming.Stream` of the operation's typed events.  The
async twins are in :mod:`.async_streaming_endpoints`, so sync users never load
the async runtime.
"""

from __future__ import annotations

# The runtime's modules are one package: they share its underscored helpers
# (and reach each other's underscored members) on purpose.
# pyright: reportPrivateUsage=false
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from typing_extensions import Self

from .api import ApiClient, ApiResponse, BoundEndpoint, Endpoint, Resource
from .lazy_operations import operation_type, resolve_deferred

if TYPE_CHECKING:
    from .streaming import Stream

__all__ = ["BoundStreamingEndpoint", "StreamingEndpoint"]

P = ParamSpec("P")
T = TypeVar("T")
E = TypeVar("E")  # the event type, beside T (the plain call's result)


class BoundStreamingEndpoint(BoundEndpoint[P, T], Generic[P, T, E]):
    # pyright reads a class docstring as overriding the base's __doc__ property.
    """A streaming operation bound to a client: call it for one body, ``.stream`` for events."""  # pyright: ignore[reportIncompatibleMethodOverride]

    __slots__ = ("_stream",)

    def __init__(
        self,
        client: ApiClient,
        sync: Callable[Concatenate[ApiClient, P], T],
        sync_detailed: Callable[Concatenate[ApiClient, P], ApiResponse[T]],
        stream: Callable[Concatenate[ApiClient, P], Stream[E]],
    ) -> None:
        super().__init__(client, sync, sync_detailed)
        self._stream = stream

    def stream(self, *args: P.args, **kwargs: P.kwargs) -> Stream[E]:
        """The operation's server-sent events, each typed; use it in a ``with`` block."""
        return self._stream(self._client, *args, **kwargs)


class StreamingEndpoint(Endpoint[P, T], Generic[P, T, E]):
    """Descriptor for a streaming operation: :class:`Endpoint` plus ``.stream``."""

    def __init__(
        self,
        sync: Callable[Concatenate[ApiClient, P], T],
        sync_detailed: Callable[Concatenate[ApiClient, P], ApiResponse[T]],
        stream: Callable[Concatenate[ApiClient, P], Stream[E]],
        *,
        summary: str | None = None,
    ) -> None:
        super().__init__(sync, sync_detailed, summary=summary)
        self._stream = stream
        self._streamed: type[BoundStreamingEndpoint[P, T, E]] = BoundStreamingEndpoint

    def _load(self) -> None:
        self._stream = resolve_deferred(self._stream)
        super()._load()

    def _make_bound_class(self) -> None:
        methods = {
            "__call__": self._sync,
            "with_raw_response": self._sync_detailed,
            "stream": self._stream,
        }
        self._streamed = operation_type(BoundStreamingEndpoint, self._owner, self._name, methods)

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, instance: Resource, owner: type[Any]) -> BoundStreamingEndpoint[P, T, E]: ...

    def __get__(
        self, instance: Resource | None, owner: type[Any]
    ) -> Self | BoundStreamingEndpoint[P, T, E]:
        if instance is None:
            return self
        if self._pending:
            self._load()
        bound = self._streamed  # a local, as in Endpoint.__get__
        return bound(instance._client, self._sync, self._sync_detailed, self._stream)
