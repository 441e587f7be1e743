"""Async endpoints of operations that page: ``async for x in client.op.iterate(...)``.

The twins of :mod:`.paging_endpoints` for ``AsyncResource`` classes.
"""

from __future__ import annotations

# The runtime's modules are one package: they share its underscored helpers
# (and reach each other's underscored members) on purpose.
# pyright: reportPrivateUsage=false
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from typing_extensions import Self

from .api import ApiResponse
from .async_api import AsyncApiClient, AsyncBoundEndpoint, AsyncEndpoint, AsyncResource
from .lazy_operations import operation_type, resolve_deferred

__all__ = ["AsyncBoundPaginatedEndpoint", "AsyncPaginatedEndpoint"]

P = ParamSpec("P")
T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type, beside T (the page type)


class AsyncBoundPaginatedEndpoint(AsyncBoundEndpoint[P, T], Generic[P, T, I]):
    # pyright reads a class docstring as overriding the base's __doc__ property.
    """The async twin: ``await`` it for one page, ``async for ... in .iterate(...)`` for all."""  # pyright: ignore[reportIncompatibleMethodOverride]

    __slots__ = ("_iterate",)

    def __init__(
        self,
        client: AsyncApiClient,
        asyncio: Callable[Concatenate[AsyncApiClient, P], Awaitable[T]],
        asyncio_detailed: Callable[Concatenate[AsyncApiClient, P], Awaitable[ApiResponse[T]]],
        iterate: Callable[Concatenate[AsyncApiClient, P], AsyncIterator[I]],
    ) -> None:
        super().__init__(client, asyncio, asyncio_detailed)
        self._iterate = iterate

    def iterate(self, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[I]:
        """Every item of every page, for ``async for``; pages are requested as needed."""
        return self._iterate(self._client, *args, **kwargs)


class AsyncPaginatedEndpoint(AsyncEndpoint[P, T], Generic[P, T, I]):
    """Descriptor for a paging operation on an async resource."""

    def __init__(
        self,
        asyncio: Callable[Concatenate[AsyncApiClient, P], Awaitable[T]],
        asyncio_detailed: Callable[Concatenate[AsyncApiClient, P], Awaitable[ApiResponse[T]]],
        iterate: Callable[Concatenate[AsyncApiClient, P], AsyncIterator[I]],
        *,
        summary: str | None = None,
    ) -> None:
        super().__init__(asyncio, asyncio_detailed, summary=summary)
        self._iterate = iterate
        self._paged: type[AsyncBoundPaginatedEndpoint[P, T, I]] = AsyncBoundPaginatedEndpoint

    def _load(self) -> None:
        self._iterate = resolve_deferred(self._iterate)
        super()._load()

    def _make_bound_class(self) -> None:
        methods = {
            "__call__": self._asyncio,
            "with_raw_response": self._asyncio_detailed,
            "iterate": self._iterate,
        }
        self._paged = operation_type(AsyncBoundPaginatedEndpoint, self._owner, self._name, methods)

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(
        self, instance: AsyncResource, owner: type[Any]
    ) -> AsyncBoundPaginatedEndpoint[P, T, I]: ...

    def __get__(
        self, instance: AsyncResource | None, owner: type[Any]
    ) -> Self | AsyncBoundPaginatedEndpoint[P, T, I]:
        if instance is None:
            return self
        if self._pending:
            self._load()
        bound = self._paged  # a local, as in Endpoint.__get__
        return bound(instance._client, self._asyncio, self._asyncio_detailed, self._iterate)
