"""Sending one request over httpx for :class:`~requestforge.async_client.AsyncHttpClient`.

The async twin of :mod:`._transport`, and deliberately the same on the wire:
the URL, query string, headers, body bytes and cookies a request produces are
what the requests-based transport sends for the same :class:`HttpRequest`
(bodies are encoded here, not by httpx, whose JSON and query encodings differ
from requests').  Redirects are followed here with the shared rules of
:mod:`._wire`, so a hop that leaves the origin drops the same credentials.
httpx exceptions become the runtime's hierarchy with the same classes and
redacted messages as the sync client's.

**One ``httpx.AsyncClient`` per event loop.**  A connection pool belongs to the
loop whose sockets it holds: a client used from two loops (two ``asyncio.run``
calls, or loops in two threads) gets one pool in each.  Each pool is closed by
:meth:`AsyncTransport.aclose`, or -- if the loop ends first -- when the loop
shuts down its async generators (``asyncio.run`` does): the pool is held open by
a suspended async generator whose ``finally`` closes it.

httpx is imported with this module, which only the async client imports.
"""

from __future__ import annotations

import asyncio
import json as _json
import os
import ssl
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, replace
from typing import Any, cast
from urllib.parse import urlencode

import certifi
import httpx

from ._log_redaction import redact_library_logger
from ._sessions import ClientClosedError
from ._wire import (
    ALWAYS_STRIPPED,
    REDIRECT_STATUSES,
    attempt_timeouts,
    form_data,
    join_url,
    next_redirect,
    scrub,
)
from .config import HttpClientConfig
from .errors import (
    ConnectError,
    ConnectTimeoutError,
    InvalidRequestError,
    ReadError,
    ReadTimeoutError,
    RequestForgeError,
    TLSError,
)
from .models import (
    Headers,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    OpenResponse,
    auth_added_params,
    query_pairs,
)
from .redaction import is_sensitive_name, redact_url

# httpx logs request targets with their query: blank the values (see _log_redaction).
redact_library_logger("httpx")

__all__ = ["AsyncStreamBody", "AsyncTransport", "encode_body", "map_error", "merged_headers"]

Authenticate = Callable[[HttpRequest], Awaitable[HttpRequest]]

_FORM = "application/x-www-form-urlencoded"


def encode_body(request: HttpRequest) -> tuple[bytes | None, str | None]:
    """The body bytes and default ``Content-Type`` requests would send for ``request``.

    JSON as requests encodes it (``json.dumps`` with its default separators,
    ``allow_nan=False``), forms URL-encoded, multipart by requests' own encoder
    (imported only for file uploads), ``str`` bodies as latin-1 like
    ``http.client`` (UTF-8 when they do not fit).
    """
    if request.files is not None:
        import requests.models  # noqa: PLC0415 - only uploads need requests' multipart encoder

        data = form_data(request)
        fields = cast("list[tuple[str, str]]", data) if isinstance(data, list) else None
        encode_files: Any = requests.models.RequestEncodingMixin._encode_files  # type: ignore[attr-defined]
        return cast("tuple[bytes, str]", encode_files(request.files, fields or {}))
    data = form_data(request)
    if data:
        if isinstance(data, bytes):
            return data, None
        if isinstance(data, str):
            try:
                return data.encode("latin-1"), None
            except UnicodeEncodeError:
                return data.encode("utf-8"), None
        if isinstance(data, list):
            return urlencode(cast("list[tuple[str, str]]", data)).encode("ascii"), _FORM
        raise InvalidRequestError(f"cannot encode a body of type {type(data).__name__}")
    if request.json_data is not None:
        try:
            text = _json.dumps(request.json_data, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidRequestError(f"cannot encode the JSON body: {exc}") from None
        return text.encode("utf-8"), "application/json"
    return None, None


def merged_headers(raw: Iterable[tuple[bytes, bytes]]) -> Headers:
    """Response headers with repeated names joined by ``", "``, first spelling kept (as urllib3)."""
    names: dict[str, str] = {}
    values: dict[str, list[str]] = {}
    for raw_name, raw_value in raw:
        name = raw_name.decode("latin-1")
        lowered = name.lower()
        names.setdefault(lowered, name)
        values.setdefault(lowered, []).append(raw_value.decode("latin-1"))
    return Headers((names[key], ", ".join(found)) for key, found in values.items())


def _ssl_context(config: HttpClientConfig) -> ssl.SSLContext:
    """Certificate checks as the sync transport makes them (certifi, or a CA path, or none)."""
    verify: bool | str = config.verify_ssl
    if config.trust_env and verify is True:
        verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif isinstance(verify, str):
        if os.path.isdir(verify):
            context = ssl.create_default_context(capath=verify)
        else:
            context = ssl.create_default_context(cafile=verify)
    else:
        context = ssl.create_default_context(cafile=certifi.where())
    cert = config.client_cert
    if cert is not None:
        if isinstance(cert, str):
            context.load_cert_chain(cert)
        else:
            context.load_cert_chain(cert[0], cert[1])
    return context


async def _held_open(client: httpx.AsyncClient) -> AsyncGenerator[None, None]:
    """Suspended for the loop's lifetime; the loop's async-generator shutdown closes the pool."""
    try:
        yield
    finally:
        await client.aclose()


@dataclass
class _LoopPool:
    client: httpx.AsyncClient
    keeper: AsyncGenerator[None, None]
    loop: asyncio.AbstractEventLoop
    # Tasks queue here, not in httpcore: its pool rescans every queued request
    # whenever a connection frees up, which is quadratic with a thousand waiters.
    slots: asyncio.Semaphore


def _root(exc: BaseException) -> BaseException:
    current = exc
    for _ in range(6):
        nxt = current.__cause__ or current.__context__
        if nxt is None or nxt is current:
            break
        current = nxt
    return current


def _describe(exc: BaseException, secret_params: Collection[str]) -> str:
    cause = _root(exc)
    text = str(cause) or type(cause).__name__
    return f"{type(cause).__name__}: {scrub(text, secret_params)}"


def _is_tls(exc: BaseException) -> bool:
    current: BaseException | None = exc
    for _ in range(6):
        if current is None:
            return False
        if isinstance(current, ssl.SSLError):
            return True
        current = current.__cause__ or current.__context__
    return False


def map_error(
    exc: Exception, method: str, url: str, secret_params: Collection[str], *, in_body: bool
) -> RequestForgeError:
    """The runtime's error for an httpx exception: the sync transport's class and wording.

    ``in_body``: the status line and headers had arrived (a timeout then is the
    body's, as the sync client words it).
    """
    where = f"{method} {redact_url(url, secret_params)}"
    reason = _describe(exc, secret_params)
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return ConnectTimeoutError(f"timed out connecting for {where}: {reason}")
    if isinstance(exc, httpx.TimeoutException):
        if in_body:
            return ReadTimeoutError(f"timed out reading the response body of {where}: {reason}")
        return ReadTimeoutError(f"timed out waiting for the response to {where}: {reason}")
    if _is_tls(exc):
        return TLSError(f"TLS failure for {where}: {reason}")
    if isinstance(exc, httpx.ProxyError):
        return ConnectError(f"proxy failure for {where}: {reason}")
    if isinstance(exc, httpx.ConnectError):
        return ConnectError(f"could not connect for {where}: {reason}")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return InvalidRequestError(f"cannot send {where}: {scrub(str(exc), secret_params)}")
    if isinstance(exc, httpx.LocalProtocolError):
        return InvalidRequestError(f"invalid header for {where}")
    if isinstance(exc, httpx.DecodingError):
        return ReadError(f"failed reading the response to {where}: {reason}")
    if isinstance(exc, httpx.TransportError):
        return ReadError(f"connection broken during {where}: {reason}")
    return ReadError(f"failed reading the response to {where}: {reason}")


async def _take(
    slots: asyncio.Semaphore,
    built: httpx.Request,
    method: str,
    url: str,
    secret_params: Collection[str],
) -> None:
    """A connection slot, waited for no longer than the connect timeout (httpx's pool timeout)."""
    if not slots.locked():
        await slots.acquire()
        return
    wait = built.extensions.get("timeout", {}).get("pool")
    try:
        await asyncio.wait_for(slots.acquire(), wait)
    except asyncio.TimeoutError:
        where = f"{method} {redact_url(url, secret_params)}"
        raise ConnectTimeoutError(
            f"timed out waiting for a free connection for {where}: every pooled connection is busy"
        ) from None


class AsyncTransport:
    """Sends requests for one async client: one httpx pool per event loop."""

    def __init__(self, config: HttpClientConfig) -> None:
        self._config = config
        self._base_url = config.base_url.rstrip("/")
        read = config.default_timeout
        self._default_timeout = (config.connect_timeout or read, read)
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPool] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()
        self._closed = False
        self._ssl: ssl.SSLContext | None = None

    # -- pools -------------------------------------------------------------------

    def _new_client(self) -> httpx.AsyncClient:
        config = self._config
        if self._ssl is None:
            self._ssl = _ssl_context(config)
        # A hard cap, unlike urllib3's non-blocking pool: a thousand tasks queue
        # for pool_maxsize connections (the pool timeout is the connect timeout)
        # instead of opening a thousand sockets at once.
        limits = httpx.Limits(
            max_connections=config.pool_maxsize, max_keepalive_connections=config.pool_maxsize
        )
        mounts: dict[str, httpx.AsyncBaseTransport | None] | None = None
        if config.proxies:
            mounts = {
                f"{scheme}://": httpx.AsyncHTTPTransport(proxy=url, verify=self._ssl, limits=limits)
                for scheme, url in config.proxies.items()
                if scheme in ("http", "https")
            }
        return httpx.AsyncClient(
            headers={"User-Agent": config.user_agent, **dict(config.default_headers)},
            verify=self._ssl,
            limits=limits,
            mounts=mounts,
            trust_env=config.trust_env and config.proxies is None,
            follow_redirects=False,
        )

    async def _pool(self) -> _LoopPool:
        """This event loop's pool, created on first use in the loop."""
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is not None:
            return pool
        with self._lock:
            if self._closed:
                raise ClientClosedError("this client has been closed")
            pool = self._pools.get(loop)
            if pool is not None:
                return pool
            client = self._new_client()
            keeper = _held_open(client)
            slots = asyncio.Semaphore(self._config.pool_maxsize)
            pool = self._pools[loop] = _LoopPool(client, keeper, loop, slots)
        await keeper.__anext__()  # runs to the ``yield`` at once: no other task gets in
        return pool

    @property
    def open_pools(self) -> int:
        """How many event loops hold a pool of this transport right now."""
        with self._lock:
            return sum(1 for pool in self._pools.values() if not pool.client.is_closed)

    async def aclose(self) -> None:
        """Close this loop's pool; other loops' pools close on their own loop (or with it)."""
        with self._lock:
            self._closed = True
            pools = list(self._pools.items())
            self._pools.clear()
        current = asyncio.get_running_loop()
        for loop, pool in pools:
            closer = pool.keeper.aclose()
            if loop is current:
                await closer
            elif not loop.is_closed() and loop.is_running():
                asyncio.run_coroutine_threadsafe(closer, loop)
            else:
                closer.close()  # that loop is gone, and its sockets with it

    # -- sending -----------------------------------------------------------------

    def absolute_url(self, url: str) -> str:
        """The URL a request will actually be sent to (before its query string)."""
        return join_url(self._base_url, url)

    async def send(
        self,
        request: HttpRequest,
        unauthenticated: HttpRequest,
        authenticate: Authenticate | None = None,
        *,
        deadline: float | None = None,
        auth_params: frozenset[str] | None = None,
        stream: bool = False,
    ) -> HttpResponse:
        """Send ``request``, following redirects as ``Transport.send`` does (same rules).

        ``stream``: as ``Transport.send``, a 2xx body is left on the wire -- an
        :class:`OpenResponse` whose ``body`` is an :class:`AsyncStreamBody`,
        holding its connection slot until the body ends or is closed.
        """
        pool = await self._pool()
        url = request.url
        absolute = url if url.startswith(("http://", "https://")) else self.absolute_url(url)
        current = request if absolute == url else request.with_url(absolute)
        original_url = absolute
        if auth_params is None:
            auth_params = auth_added_params(request, unauthenticated)
        started = time.perf_counter()
        response = await self._send_once(
            pool, current, started, deadline, auth_params, stream=stream
        )
        if not self._config.follow_redirects or response.status_code not in REDIRECT_STATUSES:
            return response
        bare = replace(unauthenticated, url=current.url)
        hops = 0
        while response.status_code in REDIRECT_STATUSES:
            hop = next_redirect(
                response,
                current,
                bare,
                original_url=original_url,
                hops=hops,
                max_redirects=self._config.max_redirects,
                auth_params=auth_params,
                requested_url=request.url,
            )
            if hop is None:
                return response
            hops += 1
            bare, current, leaves = hop.bare, hop.request, hop.leaves_origin
            if not leaves and authenticate is not None:
                current = await authenticate(current)
            response = await self._send_once(
                pool,
                current,
                started,
                deadline,
                auth_params,
                strip_credentials=leaves,
                stream=stream,
            )
        return response

    def _build(
        self,
        client: httpx.AsyncClient,
        request: HttpRequest,
        deadline: float | None,
        strip_credentials: bool,
    ) -> httpx.Request:
        """The httpx request carrying exactly the bytes the sync transport would send."""
        url = request.url
        pairs = query_pairs(request.params) if request.params else None
        if pairs:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(pairs)}"
        body, content_type = encode_body(request)
        headers: dict[str, str] = {}
        lowered: set[str] = set()
        for name, value in request.headers.items():
            headers[name] = value
            lowered.add(name.lower())
        if content_type is not None and "content-type" not in lowered:
            headers["Content-Type"] = content_type
        if body is not None:
            headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
            headers["Content-Length"] = str(len(body))
        elif request.method not in (HttpMethod.GET, HttpMethod.HEAD) and (
            "content-length" not in lowered
        ):
            headers["Content-Length"] = "0"
        if request.cookies:
            cookie = "; ".join(f"{name}={value}" for name, value in request.cookies.items())
            headers["Cookie"] = cookie
        connect, read = attempt_timeouts(self._default_timeout, self._config, request, deadline)
        built = client.build_request(
            request.method.value,
            url,
            headers=headers,
            content=body,
            timeout=httpx.Timeout(connect=connect, read=read, write=read, pool=connect),
        )
        if strip_credentials:
            # The client adds its default headers and cookie jar while building;
            # a hop to a foreign origin must not carry them either.
            for name in list(built.headers.keys()):
                if name.lower() in ALWAYS_STRIPPED or is_sensitive_name(name):
                    del built.headers[name]
        return built

    async def _send_once(
        self,
        pool: _LoopPool,
        request: HttpRequest,
        started: float,
        deadline: float | None,
        secret_params: Collection[str],
        *,
        strip_credentials: bool = False,
        stream: bool = False,
    ) -> HttpResponse:
        method = request.method.value
        url = request.url
        # As in the sync transport: the library's exception is not chained to
        # ours (its text holds the full URL), and we raise outside ``except``.
        failure: RequestForgeError | None = None
        in_body = False
        client = pool.client
        body: AsyncStreamBody | None = None
        # Set whenever no failure was recorded; None for the type checkers until then.
        raw: httpx.Response | None = None
        content = b""
        try:
            built = self._build(client, request, deadline, strip_credentials)
            url = str(built.url)
            await _take(pool.slots, built, method, url, secret_params)
            try:
                raw = await client.send(built, stream=True)
                if stream and 200 <= raw.status_code < 300:
                    # The slot and the connection now belong to the body.
                    body = AsyncStreamBody(raw, pool.slots, method, url, secret_params)
                    content = b""
                else:
                    in_body = True
                    try:
                        content = await raw.aread()
                    finally:
                        await raw.aclose()
            finally:
                if body is None:
                    pool.slots.release()
        except InvalidRequestError:
            raise
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            failure = map_error(exc, method, url, secret_params, in_body=in_body)
        except (ValueError, TypeError) as exc:
            failure = InvalidRequestError(
                f"cannot build {method} {redact_url(url, secret_params)}: "
                f"{scrub(str(exc), secret_params)}"
            )
        if failure is not None:
            raise failure
        assert raw is not None  # no failure: the response arrived
        if body is not None:
            return OpenResponse(
                body,
                status_code=raw.status_code,
                headers=merged_headers(raw.headers.raw),
                elapsed_ms=(time.perf_counter() - started) * 1000.0,
                url=str(raw.url),
                request=request,
                reason=raw.reason_phrase or "",
                sensitive_params=frozenset(secret_params),
            )
        return HttpResponse(
            status_code=raw.status_code,
            headers=merged_headers(raw.headers.raw),
            content=content,
            elapsed_ms=(time.perf_counter() - started) * 1000.0,
            url=str(raw.url),
            request=request,
            reason=raw.reason_phrase or "",
            sensitive_params=frozenset(secret_params),
        )


class AsyncStreamBody:
    """The unread body of a streamed async response, read as it arrives.

    ``chunks()`` yields the (decoded) pieces httpx receives, each after at
    most one network read -- the read timeout applies between pieces.  The
    body holds its request's connection slot: the slot is given back, and
    the connection closed unless the body ended, by :meth:`aclose` (which
    the end of the body and a failure call too).  Failures become the
    runtime's errors, worded as a whole-body read's.
    """

    __slots__ = ("_method", "_raw", "_secret", "_slots", "_url", "closed")

    def __init__(
        self,
        raw: httpx.Response,
        slots: asyncio.Semaphore,
        method: str,
        url: str,
        secret_params: Collection[str],
    ) -> None:
        self._raw = raw
        self._slots = slots
        self._method = method
        self._url = url
        self._secret = secret_params
        self.closed = False

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        if self.closed:
            return
        failure: RequestForgeError | None = None
        try:
            async for chunk in self._raw.aiter_bytes():
                if chunk:
                    yield chunk
        except httpx.HTTPError as exc:
            failure = map_error(exc, self._method, self._url, self._secret, in_body=True)
        finally:
            await self.aclose()
        if failure is not None:
            raise failure

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            await self._raw.aclose()
        finally:
            self._slots.release()
