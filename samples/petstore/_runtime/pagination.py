"""Iterate over every item of a paginated operation, sync or async, one page at a time.

A generated operation that the spec marks as paginated gets ``iterate()`` /
``aiterate()`` (bound as ``client.<tag>.<operation>.iterate(...)``), which call
:func:`paginate` (or :func:`apaginate`) with its first
request, its security requirements, a :data:`PaginationStyle` and an ``items``
function -- the operation's own ``parse_response`` followed by the field that
holds the page's items.  Because every page goes through that parser, an error
status on page 7 raises the operation's typed error, exactly as a single call
would.

What the iterators promise:

* **Lazy.**  Nothing is sent until the first item is pulled; only the current
  page is held.  Breaking out of the loop sends no further request.
* **The next request is the first one, moved on.**  Same method, headers,
  cookies, body and query, with only the cursor/offset/page parameter replaced
  (never duplicated).  A ``Link`` ``next`` URL is taken as the server gave it
  (it carries its own query), resolved against the previous response's URL.
* **Credentials are applied per page** by ``client.execute`` with the
  operation's ``security``/``scopes``, so a token refreshed mid-iteration is
  picked up; and they never leave the first request's origin: a ``next`` link
  to another scheme, host or port raises :class:`PaginationError` instead of
  being followed (the rule the runtime applies to redirects).
* **They stop** on: no ``next`` link; an empty page; ``has_more`` not true; a
  missing, null or empty cursor; ``max_pages`` pages fetched.  A server that
  hands back a cursor (or ``next`` URL) it already gave raises
  :class:`PaginationError` -- stopping there would silently truncate the
  results, and following it would never end.
* **Offsets stop on an empty page only**, unless
  ``OffsetPagination(stop_on_short_page=True)``: many servers return short
  pages in the middle of a listing (items filtered after the limit was
  applied, a per-page cap below the requested size), and stopping early would
  lose data without a sign.  One extra request at the end is the price.

The client is anything with ``execute(request, *, security, timeout, scopes)``
(:class:`SupportsExecute`, :class:`SupportsAsyncExecute`), so this module
imports neither the sync nor the async client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar, cast
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

from .errors import ConfigurationError, RequestForgeError
from .link_header import parse_link_header
from .models import HttpRequest, HttpResponse, query_pairs
from .redaction import redact_url

if TYPE_CHECKING:  # type aliases only: importing .api here would load the HTTP client
    from .api import OperationScopes, SecurityRequirements

__all__ = [
    "CursorPagination",
    "LinkPagination",
    "OffsetPagination",
    "Page",
    "PaginationError",
    "PaginationStyle",
    "SupportsAsyncExecute",
    "SupportsExecute",
    "apaginate",
    "apaginate_pages",
    "paginate",
    "paginate_pages",
    "parse_link_header",
]

T = TypeVar("T")

_DEFAULT_PORTS = {"http": 80, "https": 443}


class PaginationError(RequestForgeError):
    """Pagination cannot go on safely: a looping server, or a ``next`` link off the origin.

    ``url`` is the (credential-redacted) URL of the page whose answer was refused.
    """

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


# -- styles ------------------------------------------------------------------------


def _normalized_pointer(pointer: str | None) -> str | None:
    """``pointer`` as an RFC 6901 JSON pointer, forgiving the spellings specs use.

    ``"#/meta/next"`` (the URI-fragment form) and ``"meta/next"`` (no leading
    slash) both mean ``"/meta/next"``: an extension written by hand should not
    fail at run time over a spelling whose meaning is plain.
    """
    if pointer is None:
        return None
    if pointer.startswith("#"):
        pointer = unquote(pointer[1:])
    if pointer and not pointer.startswith("/"):
        pointer = f"/{pointer}"
    return pointer


@dataclass(frozen=True, slots=True)
class LinkPagination:
    """Follow the RFC 8288 ``Link`` header's ``rel="next"`` URL (GitHub, GitLab, ...).

    Relative ``next`` URLs are resolved against the previous response's URL.
    """


@dataclass(frozen=True, slots=True)
class CursorPagination:
    """An opaque cursor sent back in the ``cursor_param`` query parameter.

    The cursor comes from the response body at the JSON pointer ``next_cursor``
    (``"/next_cursor"``, ``"/meta/next"``) or from the ``cursor_item_field``
    field of the page's last item (Stripe's ``starting_after=<last id>``).
    Given both, the body's cursor is used and the last item's field only when
    the body has none.  ``has_more`` points at a boolean "more pages" flag;
    without it, pagination ends on an empty page or a missing cursor.
    Pointers may also be written ``"#/meta/next"`` or ``"meta/next"``.
    """

    cursor_param: str
    next_cursor: str | None = None
    cursor_item_field: str | None = None
    has_more: str | None = None

    def __post_init__(self) -> None:
        if not self.cursor_param:
            raise ConfigurationError("cursor_param", "must name a query parameter")
        if self.next_cursor is None and not self.cursor_item_field:
            raise ConfigurationError(
                "next_cursor", "give next_cursor or cursor_item_field: where the cursor comes from"
            )
        object.__setattr__(self, "next_cursor", _normalized_pointer(self.next_cursor))
        object.__setattr__(self, "has_more", _normalized_pointer(self.has_more))


@dataclass(frozen=True, slots=True)
class OffsetPagination:
    """A numeric ``offset_param``: an item offset (``kind="offset"``) or a page number.

    An offset advances by the number of items received, a page number by one.
    ``start`` is the value the first request stands for when it does not set
    the parameter itself (0 for offsets, 1 for pages).  ``limit_param`` names
    the page-size parameter; the caller sets it on the first request.

    ``stop_on_short_page`` also stops on a page with fewer items than the
    request's ``limit_param`` value (or, when the request sets none, than the
    first page): one request fewer, for servers known to fill every page but
    the last.  Off by default -- an empty page always stops.
    """

    offset_param: str
    kind: Literal["offset", "page"] = "offset"
    start: int | None = None
    limit_param: str | None = None
    stop_on_short_page: bool = False

    def __post_init__(self) -> None:
        if not self.offset_param:
            raise ConfigurationError("offset_param", "must name a query parameter")
        if self.kind not in ("offset", "page"):
            raise ConfigurationError("kind", f"must be 'offset' or 'page', got {self.kind!r}")


PaginationStyle = LinkPagination | CursorPagination | OffsetPagination
"""How an operation's pages link up: the generator picks one per operation."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One fetched page: its parsed ``items``, the raw ``response``, its 1-based ``number``."""

    items: Sequence[T]
    response: HttpResponse
    number: int


# -- clients -----------------------------------------------------------------------


class SupportsExecute(Protocol):
    """What the sync iterators need of a client: ``ApiClient.execute``'s signature."""

    def execute(
        self,
        request: HttpRequest,
        *,
        security: SecurityRequirements = ...,
        timeout: float | None = ...,
        scopes: OperationScopes | None = ...,
    ) -> HttpResponse:
        """Send ``request`` with the credentials ``security`` calls for."""
        ...


class SupportsAsyncExecute(Protocol):
    """What the async iterators need: the same ``execute``, awaitable (``async def`` fits)."""

    def execute(
        self,
        request: HttpRequest,
        *,
        security: SecurityRequirements = ...,
        timeout: float | None = ...,
        scopes: OperationScopes | None = ...,
    ) -> Awaitable[HttpResponse]:
        """Send ``request`` with the credentials ``security`` calls for."""
        ...


# -- helpers -----------------------------------------------------------------------


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # out-of-range port: matches no origin we trust
        port = -1
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def _is_absolute(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _client_base_url(client: object) -> str | None:
    """The base URL of a client that exposes one (``ApiClient.http_client.config``).

    Duck-typed on purpose: the protocols only promise ``execute``, and a
    vendored runtime copy must not isinstance-check the installed one.
    """
    config = getattr(getattr(client, "http_client", None), "config", None)
    for candidate in (getattr(config, "base_url", None), getattr(client, "base_url", None)):
        if isinstance(candidate, str) and _is_absolute(candidate):
            return candidate
    return None


def _without_query_params(url: str, names: frozenset[str] | set[str]) -> str:
    """``url`` with the query parameters ``names`` removed (left untouched otherwise)."""
    parts = urlsplit(url)
    if not names or not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if name not in names]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _query_value(request: HttpRequest, name: str) -> str | None:
    """The last value of query parameter ``name`` in ``params``, else in the URL."""
    values = [value for key, value in query_pairs(request.params) if key == name]
    if not values:
        query = urlsplit(request.url).query
        values = [value for key, value in parse_qsl(query, keep_blank_values=True) if key == name]
    return values[-1] if values else None


def _with_query_value(request: HttpRequest, name: str, value: str) -> HttpRequest:
    """``request`` with query parameter ``name`` set to ``value``, wherever it was before."""
    url = _without_query_params(request.url, {name})
    params = [(key, text) for key, text in query_pairs(request.params) if key != name]
    params.append((name, value))
    return replace(request, url=url, params=params)


def _pointer(document: Any, pointer: str) -> Any:
    """RFC 6901: the value at ``pointer`` in ``document``; ``None`` when it is not there."""
    if pointer == "":
        return document
    current: Any = document
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping):
            mapping = cast("Mapping[str, Any]", current)
            if token not in mapping:
                return None
            current = mapping[token]
        elif isinstance(current, list) and token.isdigit():
            items = cast("list[object]", current)
            index = int(token)
            if index >= len(items):
                return None
            current = items[index]
        else:
            return None
    return current


def _item_field(item: Any, name: str) -> Any:
    """Field ``name`` of ``item``: a mapping key, an attribute, or a pydantic alias."""
    if isinstance(item, Mapping):
        return cast("Mapping[str, Any]", item).get(name)
    if hasattr(item, name):
        return getattr(item, name)
    fields = getattr(type(cast(object, item)), "model_fields", None)
    if isinstance(fields, Mapping):
        for attribute, info in cast("Mapping[str, object]", fields).items():
            if getattr(info, "alias", None) == name:
                return getattr(item, attribute, None)
    return None


def _cursor_text(value: Any) -> str | None:
    """A cursor as query text; ``None`` for a missing, null or empty one."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None  # an object or array is no cursor: treat it as the end


# -- the state machine shared by the sync and async loops ---------------------------


class _Walker(Generic[T]):
    """Decides each next request from the last page; knows nothing of sync or async.

    Holds the first request, the style, what was already asked for (to catch a
    server that loops) and, for offsets, the current position.
    """

    def __init__(
        self, client: object, request: HttpRequest, style: PaginationStyle, max_pages: int | None
    ) -> None:
        if max_pages is not None and (isinstance(max_pages, bool) or max_pages < 1):
            raise ConfigurationError("max_pages", f"must be at least 1, got {max_pages!r}")
        if not isinstance(
            cast(object, style), (LinkPagination, CursorPagination, OffsetPagination)
        ):
            raise ConfigurationError("style", f"unknown pagination style {style!r}")
        self.request = request
        self.style = style
        self.max_pages = max_pages
        self.number = 0
        self._seen: set[str] = set()
        self._first_size: int | None = None
        self._home: tuple[str, str, int | None] | None = None
        base = request.url if _is_absolute(request.url) else _client_base_url(client)
        if base is not None:
            self._home = _origin(base)
        self._position: int | None = None
        self._limit: int | None = None
        if isinstance(style, CursorPagination):
            first = _query_value(request, style.cursor_param)
            if first:
                self._seen.add(first)
        elif isinstance(style, OffsetPagination):
            self._position = self._int_param(style.offset_param)
            if self._position is None:
                self._position = style.start if style.start is not None else self._default_start()
            if style.limit_param is not None:
                self._limit = self._int_param(style.limit_param)

    def _default_start(self) -> int:
        assert isinstance(self.style, OffsetPagination)
        return 1 if self.style.kind == "page" else 0

    def _int_param(self, name: str) -> int | None:
        text = _query_value(self.request, name)
        if text is None or text == "":
            return None
        try:
            return int(text)
        except ValueError:
            raise ConfigurationError(
                name, f"pagination needs an integer query parameter, got {text!r}"
            ) from None

    def following(self, response: HttpResponse, items: Sequence[T]) -> HttpRequest | None:
        """The request for the page after ``response`` (page ``self.number``), or ``None``."""
        if self._home is None and response.url:
            # No absolute first URL and no client base URL: the first page's
            # origin is the one credentials were sent to.
            self._home = _origin(response.url)
        if self.number == 1:
            self._first_size = len(items)
        if not items or (self.max_pages is not None and self.number >= self.max_pages):
            return None
        style = self.style
        if isinstance(style, LinkPagination):
            return self._next_link(response)
        if isinstance(style, CursorPagination):
            return self._next_cursor(style, response, items)
        return self._next_offset(style, items)

    def _refuse(self, message: str, response: HttpResponse) -> PaginationError:
        url = redact_url(response.url, response.sensitive_params)
        return PaginationError(f"{message} (page {self.number}, {url})", url=url)

    def _next_link(self, response: HttpResponse) -> HttpRequest | None:
        links = parse_link_header(response.headers.get("link", ""))
        target = links.get("next")
        if not target:
            return None
        # Query parameters the auth hook added are credentials: the hook adds
        # them to the next request again, so an echo in the link is dropped.
        absolute = _without_query_params(urljoin(response.url, target), response.sensitive_params)
        if not _is_absolute(absolute):
            raise self._refuse(f"next link {target!r} is not an http(s) URL", response)
        if self._home is not None and _origin(absolute) != self._home:
            raise self._refuse(
                f"next link {redact_url(absolute)!r} leaves the origin the credentials "
                "belong to; not following it",
                response,
            )
        if self.number == 1 and response.url:
            self._seen.add(_without_query_params(response.url, response.sensitive_params))
        if absolute in self._seen:
            raise self._refuse(
                f"the server sent next link {redact_url(absolute)!r} again: it would loop",
                response,
            )
        self._seen.add(absolute)
        return replace(self.request, url=absolute, params=None)

    def _next_cursor(
        self, style: CursorPagination, response: HttpResponse, items: Sequence[T]
    ) -> HttpRequest | None:
        body: Any = None
        if style.has_more is not None or style.next_cursor is not None:
            body = response.json()
        if style.has_more is not None and _pointer(body, style.has_more) is not True:
            return None
        cursor = None
        if style.next_cursor is not None:
            cursor = _cursor_text(_pointer(body, style.next_cursor))
        if cursor is None and style.cursor_item_field:
            cursor = _cursor_text(_item_field(items[-1], style.cursor_item_field))
        if cursor is None:
            return None
        if cursor in self._seen:
            raise self._refuse(f"the server sent cursor {cursor!r} again: it would loop", response)
        self._seen.add(cursor)
        return _with_query_value(self.request, style.cursor_param, cursor)

    def _next_offset(self, style: OffsetPagination, items: Sequence[T]) -> HttpRequest | None:
        if style.stop_on_short_page:
            expected = self._limit if self._limit is not None else self._first_size
            if expected is not None and len(items) < expected:
                return None
        assert self._position is not None
        self._position += 1 if style.kind == "page" else len(items)
        return _with_query_value(self.request, style.offset_param, str(self._position))


# -- the iterators -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Call(Generic[T]):
    """What every page's request is sent and parsed with."""

    items: Callable[[HttpResponse], Sequence[T]]
    security: SecurityRequirements
    scopes: OperationScopes | None
    timeout: float | None


def paginate_pages(
    client: SupportsExecute,
    request: HttpRequest,
    *,
    style: PaginationStyle,
    items: Callable[[HttpResponse], Sequence[T]],
    security: SecurityRequirements = (),
    scopes: OperationScopes | None = None,
    timeout: float | None = None,
    max_pages: int | None = None,
) -> Iterator[Page[T]]:
    """Every page of the operation ``request`` starts, fetched as the loop asks for it.

    ``items`` parses one response into that page's items (raising the
    operation's error for an error status).  Arguments are checked now; the
    first request is sent when the first page is pulled.
    """
    walker: _Walker[T] = _Walker(client, request, style, max_pages)
    return _pages(client, walker, _Call(items, security, scopes, timeout))


def _pages(client: SupportsExecute, walker: _Walker[T], call: _Call[T]) -> Iterator[Page[T]]:
    current: HttpRequest | None = walker.request
    while current is not None:
        response = client.execute(
            current, security=call.security, timeout=call.timeout, scopes=call.scopes
        )
        page_items = call.items(response)
        walker.number += 1
        yield Page(items=page_items, response=response, number=walker.number)
        # Decided once the page was consumed: a refused next link still lets
        # the caller have every item it was legitimately sent.
        current = walker.following(response, page_items)


def paginate(
    client: SupportsExecute,
    request: HttpRequest,
    *,
    style: PaginationStyle,
    items: Callable[[HttpResponse], Sequence[T]],
    security: SecurityRequirements = (),
    scopes: OperationScopes | None = None,
    timeout: float | None = None,
    max_pages: int | None = None,
) -> Iterator[T]:
    """Every item of every page, in order (see :func:`paginate_pages`)."""
    walker: _Walker[T] = _Walker(client, request, style, max_pages)
    pages = _pages(client, walker, _Call(items, security, scopes, timeout))
    return (item for page in pages for item in page.items)


def apaginate_pages(
    client: SupportsAsyncExecute,
    request: HttpRequest,
    *,
    style: PaginationStyle,
    items: Callable[[HttpResponse], Sequence[T]],
    security: SecurityRequirements = (),
    scopes: OperationScopes | None = None,
    timeout: float | None = None,
    max_pages: int | None = None,
) -> AsyncIterator[Page[T]]:
    """:func:`paginate_pages` for an async client: ``async for page in apaginate_pages(...)``."""
    walker: _Walker[T] = _Walker(client, request, style, max_pages)
    return _apages(client, walker, _Call(items, security, scopes, timeout))


async def _apages(
    client: SupportsAsyncExecute, walker: _Walker[T], call: _Call[T]
) -> AsyncIterator[Page[T]]:
    current: HttpRequest | None = walker.request
    while current is not None:
        response = await client.execute(
            current, security=call.security, timeout=call.timeout, scopes=call.scopes
        )
        page_items = call.items(response)
        walker.number += 1
        yield Page(items=page_items, response=response, number=walker.number)
        current = walker.following(response, page_items)


def apaginate(
    client: SupportsAsyncExecute,
    request: HttpRequest,
    *,
    style: PaginationStyle,
    items: Callable[[HttpResponse], Sequence[T]],
    security: SecurityRequirements = (),
    scopes: OperationScopes | None = None,
    timeout: float | None = None,
    max_pages: int | None = None,
) -> AsyncIterator[T]:
    """Every item of every page, for an async client: ``async for item in apaginate(...)``."""
    walker: _Walker[T] = _Walker(client, request, style, max_pages)
    return _aitems(_apages(client, walker, _Call(items, security, scopes, timeout)))


async def _aitems(pages: AsyncIterator[Page[T]]) -> AsyncIterator[T]:
    async for page in pages:
        for item in page.items:
            yield item
