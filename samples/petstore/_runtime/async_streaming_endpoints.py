"""Async endpoints of operations that stream: ``async for e in await client.op.stream(...)``.

The twins of :mod:`.streaming_endpoints` for ``AsyncResource`` classes.
``.stream(...)`` is awaited: it sends the request and checks the response head
(an error status raises the operation's error there), then hands back the
:class:`~requestforge.streaming.AsyncStream`.
"""

from __future__ import annotations

# The runtime's modules are one package: they share its underscored helpers
# (and reach each other's underscored members) on purpose.
# pyright: reportPrivateUsage=false
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from typing_extensions import Self

from .api import ApiResponse
from .async_api import AsyncApiClient, AsyncBoundEndpoint, AsyncEndpoint, AsyncResource
from .lazy_operations import operation_type, resolve_deferred

if TYPE_CHECKING:
    from .streaming import AsyncStream

__all__ = ["AsyncBoundStreamingEndpoint", "AsyncStreamingEndpoint"]

P = ParamSpec("P")
T = TypeVar("T")
E = TypeVar("E")  # the event type, beside T (the plain call's result)


class AsyncBoundStreamingEndpoint(AsyncBoundEndpoint[P, T], Generic[P, T, E]):
    # pyright reads a class docstring as overriding the base's __doc__ property.
    """The async twin: ``await`` it for one body, ``await .stream(...)`` for the events."""  # pyright: ignore[reportIncompatibleMethodOverride]

    __slots__ = ("_stream",)

    def __init__(
        self,
        client: AsyncApiClient,
        asyncio: Callable[Concatenate[AsyncApiClient, P], Awaitable[T]],
        asyncio_detailed: Callable[Concatenate[AsyncApiClient, P], Awaitable[ApiResponse[T]]],
        stream: Callable[Concatenate[AsyncApiClient, P], Awaitable[AsyncStream[E]]],
    ) -> None:
        super().__init__(client, asyncio, asyncio_detailed)
        self._stream = stream

    async def stream(self, *args: P.args, **kwargs: P.kwargs) -> AsyncStream[E]:
        """The operation's server-sent events, each typed, for ``async for``."""
        return await self._stream(self._client, *args, **kwargs)


class AsyncStreamingEndpoint(AsyncEndpoint[P, T], Generic[P, T, E]):
    """Descriptor for a streaming operation on an async resource."""

    def __init__(
        self,
        asyncio: Callable[Concatenate[AsyncApiClient, P], Awaitable[T]],
        asyncio_detailed: Callable[Concatenate[AsyncApiClient, P], Awaitable[ApiResponse[T]]],
        stream: Callable[Concatenate[AsyncApiClient, P], Awaitable[AsyncStream[E]]],
        *,
        summary: str | None = None,
    ) -> None:
        super().__init__(asyncio, asyncio_detailed, summary=summary)
        self._stream = stream
        self._streamed: type[AsyncBoundStreamingEndpoint[P, T, E]] = AsyncBoundStreamingEndpoint

    def _load(self) -> None:
        self._stream = resolve_deferred(self._stream)
        super()._load()

    def _make_bound_class(self) -> None:
        methods = {
            "__call__": self._asyncio,
            "with_raw_response": self._asyncio_detailed,
            "stream": self._stream,
        }
        self._streamed = operation_type(
            AsyncBoundStreamingEndpoint, self._owner, self._name, methods
        )

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(
        self, instance: AsyncResource, owner: type[Any]
    ) -> AsyncBoundStreamingEndpoint[P, T, E]: ...

    def __get__(
        self, instance: AsyncResource | None, owner: type[Any]
    ) -> Self | AsyncBoundStreamingEndpoint[P, T, E]:
        if instance is None:
            return self
        if self._pending:
            self._load()
        bound = self._streamed  # a local, as in Endpoint.__get__
        return bound(instance._client, self._asyncio, self._asyncio_detailed, self._stream)
