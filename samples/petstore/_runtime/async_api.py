"""What generated async clients call: ``AsyncApiClient``, ``AsyncResource``, ``AsyncEndpoint``.

The async twin of :mod:`.api`.  A generated package's ``AsyncClient`` subclasses
:class:`AsyncApiClient`; each operation module has ``asyncio_detailed`` /
``asyncio`` coroutines that build an :class:`HttpRequest`, ``await
client.execute(...)`` and parse the response with the same helpers as the sync
functions; per-tag ``XxxAsyncApi(AsyncResource)`` classes expose them as
:class:`AsyncEndpoint` descriptors, so ``await client.pet.get_pet_by_id(pet_id=1)``
is typed through ``ParamSpec`` exactly like the sync call.

Everything that is not I/O -- the constructor's validation, credential wiring
per security scheme, ``from_env``, auth selection and its
:class:`MissingCredentialsError` messages -- is :class:`ApiClientBase`'s, shared
with the sync :class:`ApiClient`.

**Blocking work at first use.**  Choosing an operation's auth hook may build
it, and building an OpenID Connect hook fetches the discovery document
(``oidc.discover``, a blocking request).  :meth:`AsyncApiClient.execute` makes
that choice in a worker thread the first time it sees a set of security
requirements and scopes, and remembers it: discovery never runs on the event
loop, and later calls choose without a thread hop.
"""

from __future__ import annotations

# The runtime's modules are one package: they share its underscored helpers
# (and reach each other's underscored members) on purpose.
# pyright: reportPrivateUsage=false
import asyncio
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from typing_extensions import Self

from .api import (
    ApiClientBase,
    ApiResponse,
    OperationScopes,
    SecurityRequirements,
    _with_body_flag,
)
from .async_client import AsyncHttpClient
from .errors import MaxRetryException
from .hooks import AuthHook
from .lazy_operations import BoundOperation, DeferredFunction, operation_type, resolve_deferred
from .models import HttpRequest, HttpResponse
from .storage import TokenStorage

if TYPE_CHECKING:  # loaded when a client first streams
    from .sse import ServerSentEvent
    from .streaming import AsyncStream

__all__ = ["AsyncApiClient", "AsyncBoundEndpoint", "AsyncEndpoint", "AsyncResource"]

T = TypeVar("T")
P = ParamSpec("P")

_SelectionKey = tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, tuple[str, ...]], ...]]
_MAX_SELECTIONS = 4096  # distinct (security, scopes) pairs: one per operation at most


def _selection_key(security: SecurityRequirements, scopes: OperationScopes | None) -> _SelectionKey:
    return (
        tuple(tuple(requirement) for requirement in security),
        tuple(sorted((name, tuple(wanted)) for name, wanted in (scopes or {}).items())),
    )


class AsyncApiClient(ApiClientBase[AsyncHttpClient]):
    """Base of every generated ``AsyncClient``: an :class:`AsyncHttpClient` plus credentials.

    The constructor is :class:`ApiClient`'s (same keywords, same rules), with
    ``http_client`` an :class:`AsyncHttpClient`.  Use ``async with`` or
    ``await client.aclose()``.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        auth: AuthHook | None = None,
        auth_by_scheme: Mapping[str, AuthHook] | None = None,
        http_client: AsyncHttpClient | None = None,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
        credentials: Mapping[str, Mapping[str, object]] | None = None,
        token_storage: TokenStorage | None = None,
        strict_responses: bool | None = None,
    ) -> None:
        self._setup(
            base_url,
            auth=auth,
            auth_by_scheme=auth_by_scheme,
            http_client=http_client,
            timeout=timeout,
            headers=headers,
            credentials=credentials,
            token_storage=token_storage,
            make_http=AsyncHttpClient,
            strict_responses=strict_responses,
        )
        self._selections: dict[_SelectionKey, AuthHook | None] = {}
        self._selections_lock = threading.Lock()

    async def _aselect_auth(
        self, security: SecurityRequirements, scopes: OperationScopes | None
    ) -> AuthHook | None:
        """:meth:`_select_auth`, off the loop the first time (it may run OIDC discovery)."""
        if not security:
            return None
        key = _selection_key(security, scopes)
        try:
            return self._selections[key]
        except KeyError:
            pass
        hook = await asyncio.to_thread(self._select_auth, security, scopes)
        with self._selections_lock:
            if len(self._selections) < _MAX_SELECTIONS:
                self._selections[key] = hook
        return hook

    async def execute(
        self,
        request: HttpRequest,
        *,
        security: SecurityRequirements = (),
        timeout: float | None = None,
        scopes: OperationScopes | None = None,
    ) -> HttpResponse:
        """Send ``request`` with the credentials ``security`` calls for (as ``ApiClient.execute``).

        :class:`MissingCredentialsError` is raised before any network call when
        no requirement can be met.  When the retry strategy gives up on an
        error *status*, the last response is returned (the operation's parser
        turns it into its typed error); a transport error is raised.
        """
        auth = await self._aselect_auth(security, scopes)
        if timeout is not None:
            request = replace(request, timeout=timeout)
        try:
            return await self._http.execute(request, auth=auth)
        except MaxRetryException as error:
            if error.last_response is not None:
                return error.last_response
            raise

    async def stream_events(
        self,
        request: HttpRequest,
        decode: Callable[[ServerSentEvent], T],
        *,
        security: SecurityRequirements = (),
        timeout: float | None = None,
        scopes: OperationScopes | None = None,
        done: str | None = None,
        raise_error: Callable[[HttpResponse], object] | None = None,
        body_flag: str | None = None,
    ) -> AsyncStream[T]:
        """The async twin of ``ApiClient.stream_events``: the head is checked before it returns."""
        auth = await self._aselect_auth(security, scopes)
        if body_flag is not None:
            request = _with_body_flag(request, body_flag)
        try:
            return await self._http.stream_events(
                request.method,
                request.url,
                decode,
                done=done,
                raise_error=raise_error,
                params=request.params,
                headers=request.headers,
                json=request.json_data,
                data=request.data,
                cookies=request.cookies,
                timeout=request.timeout if timeout is None else timeout,
                auth=auth,
                files=request.files,
            )
        except MaxRetryException as error:
            if error.last_response is not None and raise_error is not None:
                raise_error(error.last_response)
            raise

    async def aclose(self) -> None:
        """Close the HTTP client if this client created it, and the token clients."""
        self._close_schemes()
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class AsyncResource:
    """Base of the generated per-tag async classes (``client.pet``): holds the client."""

    def __init__(self, client: AsyncApiClient) -> None:
        self._client = client


class AsyncBoundEndpoint(BoundOperation, Generic[P, T]):
    """An async operation bound to a client: ``await`` it, or ``await .with_raw_response(...)``.

    Introspects as the operation's coroutine function without its ``client``
    (``inspect.iscoroutinefunction`` holds; see :mod:`.lazy_operations`).
    """

    __slots__ = ("_asyncio", "_asyncio_detailed", "_client")

    def __init__(
        self,
        client: AsyncApiClient,
        asyncio: Callable[Concatenate[AsyncApiClient, P], Awaitable[T]],
        asyncio_detailed: Callable[Concatenate[AsyncApiClient, P], Awaitable[ApiResponse[T]]],
    ) -> None:
        self._client = client
        self._asyncio = asyncio
        self._asyncio_detailed = asyncio_detailed

    async def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._asyncio(self._client, *args, **kwargs)

    async def with_raw_response(self, *args: P.args, **kwargs: P.kwargs) -> ApiResponse[T]:
        """Call the operation and return status, headers and parsed body together."""
        return await self._asyncio_detailed(self._client, *args, **kwargs)

    def _operation_function(self) -> Callable[..., Any]:
        return resolve_deferred(self._asyncio)

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self._asyncio.__doc__

    def __repr__(self) -> str:
        return f"<async endpoint {getattr(self._asyncio, '__module__', '?')}>"


class AsyncEndpoint(Generic[P, T]):
    """Descriptor on :class:`AsyncResource`: ``await res.op(...)`` awaits ``asyncio(client, ...)``.

    Typed with ``ParamSpec`` like :class:`~requestforge.api.Endpoint`: the
    operation's keyword parameters and return type show through to callers;
    ``summary`` is the descriptor's docstring, as there.
    """

    def __init__(
        self,
        asyncio: Callable[Concatenate[AsyncApiClient, P], Awaitable[T]],
        asyncio_detailed: Callable[Concatenate[AsyncApiClient, P], Awaitable[ApiResponse[T]]],
        *,
        summary: str | None = None,
    ) -> None:
        self._asyncio = asyncio
        self._asyncio_detailed = asyncio_detailed
        self._owner: type[Any] | None = None
        self._name: str | None = None
        self._summary = summary
        # Deferred functions from a generated resource: see Endpoint and lazy_operations.
        self._pending = True
        self._bound: type[AsyncBoundEndpoint[P, T]] = AsyncBoundEndpoint
        if summary:
            self.__doc__ = summary
        elif not isinstance(asyncio, DeferredFunction):
            self.__doc__ = asyncio.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._owner = owner
        self._name = self.__name__ = name
        self.__qualname__ = f"{owner.__qualname__}.{name}"
        self.__module__ = owner.__module__

    def _load(self) -> None:
        """Swap deferred functions for the real ones, build the bound class (first access)."""
        self._asyncio = resolve_deferred(self._asyncio)
        self._asyncio_detailed = resolve_deferred(self._asyncio_detailed)
        if not self._summary:
            self.__doc__ = self._asyncio.__doc__
        self._make_bound_class()
        self._pending = False

    def _make_bound_class(self) -> None:
        """The class of this operation's bound endpoints (the paging twin makes its own)."""
        methods = {"__call__": self._asyncio, "with_raw_response": self._asyncio_detailed}
        self._bound = operation_type(AsyncBoundEndpoint, self._owner, self._name, methods)

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, instance: AsyncResource, owner: type[Any]) -> AsyncBoundEndpoint[P, T]: ...

    def __get__(
        self, instance: AsyncResource | None, owner: type[Any]
    ) -> Self | AsyncBoundEndpoint[P, T]:
        if instance is None:
            return self
        if self._pending:
            self._load()
        bound = self._bound  # a local: a method-style load of an instance attribute is slower
        return bound(instance._client, self._asyncio, self._asyncio_detailed)
