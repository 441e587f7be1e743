"""Endpoints of operations that page: ``client.repos.list_for_org.iterate(org=...)``.

A generated resource binds an operation that pages (``Link`` headers, or an
``x-forgegen-pagination`` declaration) with these instead of
:class:`~requestforge.api.Endpoint`: calling it still returns one page, and
``.iterate(...)`` -- same keyword arguments, typed through the same
``ParamSpec`` -- yields every item of every page, lazily.  The async twins are
in :mod:`.async_paging_endpoints`, so sync users never load the async runtime.
"""

from __future__ import annotations

# The runtime's modules are one package: they share its underscored helpers
# (and reach each other's underscored members) on purpose.
# pyright: reportPrivateUsage=false
from collections.abc import Callable, Iterator
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from typing_extensions import Self

from .api import ApiClient, ApiResponse, BoundEndpoint, Endpoint, Resource
from .lazy_operations import operation_type, resolve_deferred

__all__ = ["BoundPaginatedEndpoint", "PaginatedEndpoint"]

P = ParamSpec("P")
T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type, beside T (the page type)


class BoundPaginatedEndpoint(BoundEndpoint[P, T], Generic[P, T, I]):
    # pyright reads a class docstring as overriding the base's __doc__ property.
    """A paging operation bound to a client: call it for one page, ``.iterate`` for all."""  # pyright: ignore[reportIncompatibleMethodOverride]

    __slots__ = ("_iterate",)

    def __init__(
        self,
        client: ApiClient,
        sync: Callable[Concatenate[ApiClient, P], T],
        sync_detailed: Callable[Concatenate[ApiClient, P], ApiResponse[T]],
        iterate: Callable[Concatenate[ApiClient, P], Iterator[I]],
    ) -> None:
        super().__init__(client, sync, sync_detailed)
        self._iterate = iterate

    def iterate(self, *args: P.args, **kwargs: P.kwargs) -> Iterator[I]:
        """Every item of every page; the next page is requested when the loop reaches it."""
        return self._iterate(self._client, *args, **kwargs)


class PaginatedEndpoint(Endpoint[P, T], Generic[P, T, I]):
    """Descriptor for a paging operation: :class:`Endpoint` plus ``.iterate``."""

    def __init__(
        self,
        sync: Callable[Concatenate[ApiClient, P], T],
        sync_detailed: Callable[Concatenate[ApiClient, P], ApiResponse[T]],
        iterate: Callable[Concatenate[ApiClient, P], Iterator[I]],
        *,
        summary: str | None = None,
    ) -> None:
        super().__init__(sync, sync_detailed, summary=summary)
        self._iterate = iterate
        self._paged: type[BoundPaginatedEndpoint[P, T, I]] = BoundPaginatedEndpoint

    def _load(self) -> None:
        self._iterate = resolve_deferred(self._iterate)
        super()._load()

    def _make_bound_class(self) -> None:
        methods = {
            "__call__": self._sync,
            "with_raw_response": self._sync_detailed,
            "iterate": self._iterate,
        }
        self._paged = operation_type(BoundPaginatedEndpoint, self._owner, self._name, methods)

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, instance: Resource, owner: type[Any]) -> BoundPaginatedEndpoint[P, T, I]: ...

    def __get__(
        self, instance: Resource | None, owner: type[Any]
    ) -> Self | BoundPaginatedEndpoint[P, T, I]:
        if instance is None:
            return self
        if self._pending:
            self._load()
        bound = self._paged  # a local, as in Endpoint.__get__
        return bound(instance._client, self._sync, self._sync_detailed, self._iterate)
