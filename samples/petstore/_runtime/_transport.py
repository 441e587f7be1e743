"""Sending one request over a thread's ``requests.Session``, redirects included.

Three jobs live here and nowhere else:

* **Environment settings once per session.**  ``Session.request`` re-reads
  proxy variables, ``no_proxy`` and CA-bundle variables on every call (and
  ``.netrc`` from disk); we resolve them once per thread and origin, then use
  ``Session.send`` with ``trust_env`` off.  This is most of why a call through
  the runtime is cheaper than a call through a bare ``Session``.
* **Error mapping.**  requests/urllib3 exceptions become the runtime's
  hierarchy, split by whether the request can have reached the server, with
  messages built from redacted data only.
* **Redirects.**  Followed here (not by requests) so that credentials are
  dropped when a redirect leaves the origin or downgrades https to http:
  ``Authorization``, ``Cookie``, ``Proxy-Authorization``, every header that
  looks like a credential (whether the caller, the config's default headers
  or the auth hook put it there), the session's cookie jar, and every header,
  query parameter or cookie the auth hook changed.

**The fast path** (issue 8).  ``Session.prepare_request`` and ``Session.send``
cost more than the rest of a call together (Protocol ``isinstance`` checks, URL
parsing and requoting, cookie merging, hook dispatch).  When nothing they exist
for is in play -- no proxy, no client certificate, no cookies, no files, no
session-level auth/params/hooks, a URL that requests would not rewrite -- the
request is built here and sent over a connection of the *same* thread
session's ``HTTPAdapter``'s urllib3 pool, with the adapter's retry settings
(:mod:`._pool_exchange`); urllib3 errors become the requests exceptions
``HTTPAdapter.send`` and ``Response.content`` would raise, so
:func:`_map_error` maps both paths alike.
Anything else takes the requests path, unchanged.
"""

from __future__ import annotations

import http.client
import os
import re
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast
from urllib.parse import urlencode

import requests
import requests.adapters
import requests.cookies
import requests.utils
import urllib3
from requests import compat as _requests_compat
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import ClosedPoolError as _Urllib3ClosedPool
from urllib3.exceptions import ConnectTimeoutError as _Urllib3ConnectTimeout
from urllib3.exceptions import DecodeError as _Urllib3DecodeError
from urllib3.exceptions import InvalidHeader as _Urllib3InvalidHeader
from urllib3.exceptions import MaxRetryError as _Urllib3MaxRetryError
from urllib3.exceptions import NameResolutionError, NewConnectionError
from urllib3.exceptions import ProtocolError as _Urllib3ProtocolError
from urllib3.exceptions import ProxyError as _Urllib3ProxyError
from urllib3.exceptions import ReadTimeoutError as _Urllib3ReadTimeout
from urllib3.exceptions import ResponseError as _Urllib3ResponseError
from urllib3.exceptions import SSLError as _Urllib3SSLError

from . import _pool_exchange
from ._log_redaction import redact_library_logger
from ._wire import (
    ALWAYS_STRIPPED,
    DEFAULT_PORTS,
    REDIRECT_STATUSES,
    attempt_timeouts,
    form_data,
    join_url,
    next_redirect,
    redirect_strips_credentials,
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
    TransportError,
)
from .models import (
    Headers,
    HttpRequest,
    HttpResponse,
    OpenResponse,
    auth_added_names,
    auth_added_params,
    query_pairs,
)
from .redaction import is_sensitive_name, redact_url

# urllib3 logs request targets with their query: blank the values (see _log_redaction).
redact_library_logger("urllib3.connectionpool")

__all__ = [
    "SessionState",
    "StreamBody",
    "Transport",
    "auth_added_names",
    "join_url",
    "redirect_strips_credentials",
]

_OBJECT_PREFIX = re.compile(r"^<[^>]+>:\s*")
# The json module requests encodes ``json=`` bodies with (simplejson when installed).
_requests_json: Any = _requests_compat.json  # type: ignore[attr-defined]
# Bound on the per-session caches keyed by origin (a client talks to a few).
_MAX_CACHED_ORIGINS = 64
_NO_HEADERS = Headers()  # a placeholder until a response sets the real ones
# The fast path's URLs: what requests would send unchanged.  Lower-case http(s)
# scheme and host (DNS name or IPv4), an optional port without leading zeros
# (``_FAST_ORIGIN``); a path, and optionally a non-empty query, made only of
# characters neither urllib3's ``parse_url`` nor ``requote_uri`` touch
# (``_FAST_TARGET``).  Fragments, user info, IPv6 literals, non-ASCII: requests.
_FAST_ORIGIN = re.compile(
    r"(https?)://([a-z0-9](?:[a-z0-9.\-]*[a-z0-9])?)(?::([1-9][0-9]{0,4}))?\Z"
)
_FAST_TARGET = re.compile(
    r"/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]+)?\Z"
)
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_UPPER_HEX = frozenset("0123456789ABCDEF")
# requests' header checks (``requests.utils._HEADER_VALIDATORS_STR``).
_HEADER_NAME = re.compile(r"^[^:\s][^:\r\n]*$")
_HEADER_VALUE = re.compile(r"^\S[^\r\n]*$|^$")
# (name, value) pairs that passed those checks: most headers repeat on every
# call (User-Agent, Accept), so each is matched once; credential-looking ones
# are checked every time rather than kept in memory.  A set is
# safe to share across threads here (add/clear are atomic; a miss only means
# checking again).
_VALID_HEADERS: set[tuple[str, str]] = set()
_MAX_VALID_HEADERS = 4096


@dataclass(frozen=True, slots=True)
class _FastOrigin:
    """What the fast path needs about one origin, resolved once per thread session."""

    scheme: str
    mount: str  # "scheme://": where the runtime mounted its adapter
    host: str
    port: int | None
    verify: bool | str
    pool_kwargs: dict[str, Any]


@dataclass
class SessionState:
    """A thread's session and the environment settings resolved for it, per origin.

    ``adapter`` is the ``HTTPAdapter`` the runtime mounted (``None`` for a
    session the caller supplied: that one always takes the requests path).
    ``fast_by_prefix`` caches, per ``scheme://netloc``, whether the fast path
    applies; ``pool_keys`` the adapter's urllib3 pool key for it.
    """

    session: requests.Session
    env_by_origin: dict[str, tuple[dict[str, str], bool | str]] = field(default_factory=lambda: {})
    adapter: requests.adapters.HTTPAdapter | None = None
    fast_by_prefix: dict[str, _FastOrigin | None] = field(default_factory=lambda: {})
    pool_keys: dict[str, tuple[Any, dict[str, Any]]] = field(default_factory=lambda: {})

    def close(self) -> None:
        self.session.close()


def _root_cause(exc: BaseException) -> BaseException:
    """The urllib3/socket exception underneath a requests exception."""
    current: BaseException = exc
    for _ in range(6):
        nxt: object = getattr(current, "reason", None)
        if not isinstance(nxt, BaseException) and current.args:
            candidates = [a for a in current.args if isinstance(a, BaseException)]
            nxt = candidates[-1] if candidates else None
        if not isinstance(nxt, BaseException) or nxt is current:
            break
        current = nxt
    return current


def _describe(exc: BaseException, secret_params: Collection[str]) -> str:
    cause = _root_cause(exc)
    text = _OBJECT_PREFIX.sub("", str(cause)) or type(cause).__name__
    return f"{type(cause).__name__}: {scrub(text, secret_params)}"


def _map_error(
    exc: requests.RequestException, method: str, url: str, secret_params: Collection[str] = ()
) -> TransportError:
    """The runtime's error for ``exc``; ``secret_params`` are redacted from URLs in the text."""
    where = f"{method} {redact_url(url, secret_params)}"
    reason = _describe(exc, secret_params)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return ConnectTimeoutError(f"timed out connecting for {where}: {reason}")
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return ReadTimeoutError(f"timed out waiting for the response to {where}: {reason}")
    if isinstance(exc, requests.exceptions.SSLError):
        return TLSError(f"TLS failure for {where}: {reason}")
    if isinstance(exc, requests.exceptions.ProxyError):
        return ConnectError(f"proxy failure for {where}: {reason}")
    if isinstance(exc, requests.exceptions.ConnectionError):
        cause = _root_cause(exc)
        if isinstance(cause, (NewConnectionError, NameResolutionError, ConnectionRefusedError)):
            return ConnectError(f"could not connect for {where}: {reason}")
        if isinstance(cause, (_Urllib3ReadTimeout, TimeoutError)):
            # The headers arrived in time but the body did not: requests reports
            # that as a ConnectionError, yet for the caller it is a read timeout.
            return ReadTimeoutError(f"timed out reading the response body of {where}: {reason}")
        return ReadError(f"connection broken during {where}: {reason}")
    return ReadError(f"failed reading the response to {where}: {reason}")


class Transport:
    """Sends requests for one client; stateless apart from the immutable config."""

    def __init__(self, config: HttpClientConfig) -> None:
        self._config = config
        self._base_url = config.base_url.rstrip("/")
        read = config.default_timeout
        self._default_timeout = (config.connect_timeout or read, read)
        self._timeouts: dict[tuple[float, float], urllib3.Timeout] = {}

    def create_session_state(self) -> SessionState:
        """A new session for one thread (called by the session pool)."""
        config = self._config
        session = requests.Session()
        session.trust_env = False  # environment settings are resolved once, per origin, below
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=4, pool_maxsize=config.pool_maxsize, max_retries=0
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = config.user_agent
        session.headers.update(config.default_headers)
        session.verify = config.verify_ssl
        if config.client_cert is not None:
            session.cert = config.client_cert
        return SessionState(session=session, adapter=adapter)

    def _environment(self, state: SessionState, url: str) -> tuple[dict[str, str], bool | str]:
        prefix = _origin_prefix(url)
        cached = state.env_by_origin.get(prefix)
        if cached is not None:
            return cached
        config = self._config
        proxies: dict[str, str] = dict(config.proxies or {})
        verify: bool | str = config.verify_ssl
        if config.trust_env:
            if config.proxies is None:
                proxies = requests.utils.get_environ_proxies(url, no_proxy=None)
            if verify is True:
                verify = (
                    os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
                )
        resolved = (proxies, verify)
        state.env_by_origin[prefix] = resolved
        return resolved

    def absolute_url(self, url: str) -> str:
        """The URL a request will actually be sent to (before its query string)."""
        return join_url(self._base_url, url)

    def send(
        self,
        state: SessionState,
        request: HttpRequest,
        unauthenticated: HttpRequest,
        authenticate: Callable[[HttpRequest], HttpRequest] | None = None,
        *,
        deadline: float | None = None,
        auth_params: frozenset[str] | None = None,
        stream: bool = False,
    ) -> HttpResponse:
        """Send ``request``, following redirects as configured.

        ``unauthenticated`` is the same request before the auth hook ran.  Each
        redirect hop is rebuilt from it: while a hop stays on the original
        origin, ``authenticate`` (the auth hook) is applied again; once it
        leaves, or downgrades https to http (:func:`redirect_strips_credentials`),
        the hop carries no auth-hook credentials, no ``Authorization``/``Cookie``/
        ``Proxy-Authorization`` header, no credential-looking header, no cookie
        from the session's jar, and no query parameter the auth hook had added
        (even when the ``Location`` echoes it back).

        ``auth_params`` are the query parameters the auth hook added, when the
        caller has already worked them out (:func:`auth_added_names`); computed
        here otherwise.

        ``deadline`` (a ``time.monotonic()`` value) caps every hop's connect and
        read timeouts, so a strategy's ``total_timeout`` bounds a hanging attempt too.

        ``stream``: a 2xx response's body is left unread -- the result is an
        :class:`OpenResponse` whose ``body`` (a :class:`StreamBody`) reads it as
        it arrives.  Any other status is read whole as usual (redirect hops,
        error bodies for the status error, the 401 the auth hook renews on).
        """
        url = request.url
        absolute = url if url.startswith(("http://", "https://")) else self.absolute_url(url)
        current = request if absolute == url else request.with_url(absolute)
        original_url = absolute
        if auth_params is None:
            auth_params = auth_added_params(request, unauthenticated)
        started = time.perf_counter()
        response = self._send_once(state, current, started, deadline, auth_params, stream=stream)
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
                current = authenticate(current)
            response = self._send_once(
                state,
                current,
                started,
                deadline,
                auth_params,
                strip_credentials=leaves,
                stream=stream,
            )
        return response

    def _timeout(self, request: HttpRequest, deadline: float | None) -> tuple[float, float]:
        return attempt_timeouts(self._default_timeout, self._config, request, deadline)

    def _send_once(
        self,
        state: SessionState,
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
        # The requests/urllib3 exception is not chained to ours: its message holds
        # the full URL, query credentials included, and a traceback logged with
        # ``exc_info`` prints every chained exception.  Ours carries its type and
        # (scrubbed) text instead.  Raising after the ``except`` block leaves no
        # ``__context__`` either.
        failure: RequestForgeError | None = None
        sent_url = url
        body: StreamBody | None = None
        # Read only when no failure was recorded, so always assigned then; bound
        # here for the type checkers, which cannot see that.
        status, headers, reason, content = 0, _NO_HEADERS, "", b""
        try:
            fast = self._fast_send(state, request, deadline, strip_credentials, stream)
            if fast is not None:
                sent_url, status, headers, received, reason = fast
                if isinstance(received, _pool_exchange.BodyReader):
                    body = StreamBody(
                        received.read1, received.close, method, sent_url, secret_params
                    )
                    content = b""
                else:
                    content = received
            else:
                raw = self._requests_send(state, request, deadline, strip_credentials, stream)
                sent_url = raw.url or url
                status, headers, reason = (
                    raw.status_code,
                    Headers(raw.headers.items()),
                    raw.reason or "",
                )
                if stream and _streams(status):
                    body = _requests_body(raw, method, sent_url, secret_params)
                    content = b""
                else:
                    content = raw.content
        except _BuildError as exc:
            failure = InvalidRequestError(
                f"cannot build {method} {redact_url(url, secret_params)}: "
                f"{scrub(str(exc.__cause__), secret_params)}"
            )
        except requests.exceptions.InvalidHeader:
            failure = InvalidRequestError(
                f"invalid header for {method} {redact_url(url, secret_params)}"
            )
        except (
            requests.exceptions.InvalidSchema,
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
        ) as exc:
            # Raised before anything is sent (e.g. a redirect to ftp://): the
            # request is unusable, not the connection broken.
            failure = InvalidRequestError(
                f"cannot send {method} {redact_url(url, secret_params)}: "
                f"{scrub(str(exc), secret_params)}"
            )
        except _SendError as exc:
            failure = _map_error(exc.error, method, exc.url or url, secret_params)
        if failure is not None:
            raise failure
        if body is not None:
            return OpenResponse(
                body,
                status_code=status,
                headers=headers,
                elapsed_ms=(time.perf_counter() - started) * 1000.0,
                url=sent_url,
                request=request,
                reason=reason,
                sensitive_params=frozenset(secret_params),
            )
        return HttpResponse(
            status_code=status,
            headers=headers,
            content=content,
            elapsed_ms=(time.perf_counter() - started) * 1000.0,
            url=sent_url,
            request=request,
            reason=reason,
            sensitive_params=frozenset(secret_params),
        )

    # -- the requests path ------------------------------------------------------

    def _requests_send(
        self,
        state: SessionState,
        request: HttpRequest,
        deadline: float | None,
        strip_credentials: bool,
        stream: bool = False,
    ) -> requests.Response:
        """``Session.prepare_request`` + ``Session.send``: every case the fast path declines."""
        session = state.session
        url = request.url
        try:
            prepared = session.prepare_request(
                requests.Request(
                    method=request.method.value,
                    url=url,
                    headers=dict(request.headers) if request.headers else None,
                    params=query_pairs(request.params) or None,
                    json=request.json_data,
                    data=form_data(request),
                    files=request.files,
                    cookies=dict(request.cookies) if request.cookies else None,
                )
            )
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
            ValueError,
        ) as exc:
            raise _BuildError() from exc
        if strip_credentials:
            # The session adds its default headers and cookie jar while preparing;
            # a hop to a foreign origin must not carry them either.
            for name in list(prepared.headers):
                if name.lower() in ALWAYS_STRIPPED or is_sensitive_name(name):
                    del prepared.headers[name]
        proxies, verify = self._environment(state, url)
        try:
            return session.send(
                prepared,
                timeout=self._timeout(request, deadline),
                allow_redirects=False,
                proxies=proxies,
                verify=verify,
                stream=stream,
            )
        except (
            requests.exceptions.InvalidHeader,
            requests.exceptions.InvalidSchema,
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
        ):
            raise
        except requests.RequestException as exc:
            raise _SendError(exc, prepared.url) from None

    # -- the fast path ----------------------------------------------------------

    def _fast_origin(self, state: SessionState, url: str, prefix: str) -> _FastOrigin | None:
        """Whether (and how) requests to ``prefix`` can take the fast path in this session."""
        if prefix in state.fast_by_prefix:
            return state.fast_by_prefix[prefix]
        found: _FastOrigin | None = None
        proxies, verify = self._environment(state, url)
        match = _FAST_ORIGIN.match(prefix)
        if match is not None and not proxies and self._config.client_cert is None:
            scheme, host, port_text = match.group(1), match.group(2), match.group(3)
            port = int(port_text) if port_text else None
            if port is None or 0 < port <= 65535:
                # The pool key HTTPAdapter.build_connection_pool_key_attributes builds,
                # so both paths share one pool (and its keep-alive connections).
                pool_kwargs: dict[str, Any] = {"cert_reqs": "CERT_NONE"}
                if verify is not False:
                    pool_kwargs["cert_reqs"] = "CERT_REQUIRED"
                    if isinstance(verify, str):
                        key = "ca_cert_dir" if os.path.isdir(verify) else "ca_certs"
                        pool_kwargs = {key: verify, "cert_reqs": "CERT_REQUIRED"}
                found = _FastOrigin(scheme, f"{scheme}://", host, port, verify, pool_kwargs)
        if len(state.fast_by_prefix) >= _MAX_CACHED_ORIGINS:
            state.fast_by_prefix.clear()
        state.fast_by_prefix[prefix] = found
        return found

    def _fast_send(
        self,
        state: SessionState,
        request: HttpRequest,
        deadline: float | None,
        strip_credentials: bool,
        stream: bool = False,
    ) -> tuple[str, int, Headers, bytes | _pool_exchange.BodyReader, str] | None:
        """Send through the session adapter's urllib3 pool, or ``None`` to use requests.

        Declines (before any I/O) whenever requests would do more than build the
        same bytes: a session the caller supplied or changed (adapters, auth,
        params, hooks, cert, ``trust_env``), cookies anywhere (jar or request),
        files, a proxy or client certificate, a header requests would reject, a
        ``str`` body, or a URL that requests would rewrite (non-ASCII, upper-case
        host, dot segments, unusual characters or percent-escapes).
        """
        adapter = state.adapter
        if adapter is None or request.files is not None or request.cookies:
            return None
        session = state.session
        jar = session.cookies
        session_headers = cast("CaseInsensitiveDict[str]", session.headers)
        if (
            session.auth is not None
            or session.params
            or session.trust_env
            or session.cert is not None
            or session.hooks.get("response")
            or getattr(jar, "_cookies", True)
            or type(session_headers) is not CaseInsensitiveDict
            or len(session.adapters) != 2
        ):
            return None
        url = request.url
        cut = _prefix_end(url)
        if cut < 0:
            return None
        prefix, target = url[:cut], url[cut:]
        if not _FAST_TARGET.match(target) or "/." in target.partition("?")[0]:
            return None
        if "%" in target and not _percent_escapes_kept(target):
            return None
        origin = self._fast_origin(state, url, prefix)
        if origin is None or session.adapters.get(origin.mount) is not adapter:
            return None
        built = _fast_body(request)
        if built is None:
            return None
        body, content_type = built
        headers = _fast_headers(
            session_headers, request, body, content_type, strip_credentials=strip_credentials
        )
        if headers is None:
            return None
        pairs = query_pairs(request.params) if request.params else None
        if pairs:
            query = urlencode(pairs)
            separator = "&" if "?" in target else "?"
            target = f"{target}{separator}{query}"
            url = f"{url}{separator}{query}"

        pool = self._fast_pool(state, adapter, origin, prefix)
        if origin.scheme == "https":
            adapter.cert_verify(pool, url, origin.verify, None)  # type: ignore[no-untyped-call]
        return self._exchange(
            pool,
            adapter,
            jar,
            request,
            target=target,
            url=url,
            body=body,
            headers=headers,
            deadline=deadline,
            stream=stream,
        )

    def _exchange(
        self,
        pool: urllib3.HTTPConnectionPool,
        adapter: requests.adapters.HTTPAdapter,
        jar: requests.cookies.RequestsCookieJar,
        request: HttpRequest,
        *,
        target: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        deadline: float | None,
        stream: bool = False,
    ) -> tuple[str, int, Headers, bytes | _pool_exchange.BodyReader, str]:
        """``urlopen`` and the body read without urllib3's response object (see _pool_exchange).

        ``stream`` and a 2xx status: the body is left to a :class:`BodyReader`.
        """
        try:
            exchange = _pool_exchange.open_response(
                pool,
                retries=adapter.max_retries,
                method=request.method.value,
                target=target,
                body=body,
                headers=headers,
                timeout=self._urllib3_timeout(request, deadline),
            )
        except Exception as exc:
            _raise_translated(_adapter_error(exc), url)  # exactly as HTTPAdapter.send does
            raise
        received = exchange.headers()
        if "set-cookie" in received:
            _extract_cookies(jar, url, headers, exchange)
        if stream and _streams(exchange.status):
            return (
                url,
                exchange.status,
                received,
                _pool_exchange.BodyReader(exchange),
                exchange.reason,
            )
        try:
            content = _pool_exchange.read_body(exchange)
        except Exception as exc:
            _raise_translated(_content_error(exc), url)  # as Response.iter_content does
            raise
        return url, exchange.status, received, content, exchange.reason

    @staticmethod
    def _fast_pool(
        state: SessionState,
        adapter: requests.adapters.HTTPAdapter,
        origin: _FastOrigin,
        prefix: str,
    ) -> urllib3.HTTPConnectionPool:
        """The adapter's pool for ``origin``: the one ``HTTPAdapter.send`` would use.

        The pool manager stays the only owner of pools (its LRU, its eviction,
        ``Session.close``); only the pool key is cached, the work of
        ``PoolManager.connection_from_host`` that does not change per call.
        """
        manager = adapter.poolmanager
        cached = state.pool_keys.get(prefix)
        if cached is None:
            context = manager._merge_pool_kwargs(origin.pool_kwargs)
            context["scheme"] = origin.scheme
            context["port"] = origin.port or DEFAULT_PORTS[origin.scheme]
            context["host"] = origin.host
            key = manager.key_fn_by_scheme[origin.scheme](context)
            if len(state.pool_keys) >= _MAX_CACHED_ORIGINS:
                state.pool_keys.clear()
            cached = state.pool_keys[prefix] = (key, context)
        key, context = cached
        pool: urllib3.HTTPConnectionPool | None = manager.pools.get(key)  # LRU touch, as urllib3
        if pool is None:
            created: urllib3.HTTPConnectionPool = manager.connection_from_pool_key(
                key, request_context=dict(context)
            )
            return created
        return pool

    def _urllib3_timeout(self, request: HttpRequest, deadline: float | None) -> urllib3.Timeout:
        """The attempt's timeouts as urllib3 takes them (cached: the exchange only reads them)."""
        timeouts = self._timeout(request, deadline)
        timeout = self._timeouts.get(timeouts)
        if timeout is None:
            timeout = urllib3.Timeout(connect=timeouts[0], read=timeouts[1])
            if deadline is None and len(self._timeouts) < _MAX_CACHED_ORIGINS:
                self._timeouts[timeouts] = timeout
        return timeout


def _fast_body(request: HttpRequest) -> tuple[bytes | None, str | None] | None:
    """The body and its default ``Content-Type`` as requests encodes them; None: not here."""
    data = form_data(request)
    if data:
        if isinstance(data, bytes):
            return data, None
        if isinstance(data, list):
            pairs = cast("list[tuple[str, str]]", data)
            return urlencode(pairs).encode("ascii"), "application/x-www-form-urlencoded"
        return None  # a str body or a stream: requests' own length and encoding rules
    if request.json_data is not None:
        try:
            text = _requests_json.dumps(request.json_data, allow_nan=False)
        except (TypeError, ValueError):
            return None  # the requests path raises what it always raised
        return text.encode("utf-8"), "application/json"
    return None, None


def _fast_headers(
    session_headers: CaseInsensitiveDict[str],
    request: HttpRequest,
    body: bytes | None,
    content_type: str | None,
    *,
    strip_credentials: bool,
) -> dict[str, str] | None:
    """The session's headers, then the request's, as requests merges and checks them.

    ``None`` when requests would reject one (its path raises the error).
    """
    merged: dict[str, tuple[Any, Any]] = dict(session_headers._store)  # type: ignore[attr-defined]
    for name, value in request.headers.items():
        if type(name) is not str:
            return None
        merged[name.lower()] = (name, value)
    if content_type is not None and "content-type" not in merged:
        merged["content-type"] = ("Content-Type", content_type)
    if body is not None:
        merged["content-length"] = ("Content-Length", str(len(body)))
    elif (
        request.method.value not in ("GET", "HEAD")
        and merged.get("content-length", (None, None))[1] is None
    ):
        merged["content-length"] = ("Content-Length", "0")
    headers: dict[str, str] = {}
    for lowered, (name, value) in merged.items():
        if value is None:
            continue
        if type(name) is not str or type(value) is not str or value == _pool_exchange.SKIP_HEADER:
            return None
        if (name, value) not in _VALID_HEADERS:
            if not _HEADER_NAME.match(name) or not _HEADER_VALUE.match(value):
                return None
            if not is_sensitive_name(name):  # credentials are not kept around
                if len(_VALID_HEADERS) >= _MAX_VALID_HEADERS:
                    _VALID_HEADERS.clear()
                _VALID_HEADERS.add((name, value))
        if strip_credentials and (lowered in ALWAYS_STRIPPED or is_sensitive_name(name)):
            continue
        headers[name] = value
    return headers


class _BuildError(Exception):
    """requests could not prepare the request; the cause is its exception."""


class _SendError(Exception):
    """A requests exception from sending ``url`` (the URL requests prepared)."""

    def __init__(self, error: requests.RequestException, url: str | None) -> None:
        super().__init__(error)
        self.error = error
        self.url = url


def _prefix_end(url: str) -> int:
    """Where ``scheme://netloc`` ends in ``url``; -1 when there is no ``://``."""
    start = url.find("://")
    if start < 0:
        return -1
    end = len(url)
    for stop in "/?#":
        found = url.find(stop, start + 3)
        if 0 <= found < end:
            end = found
    return end


def _origin_prefix(url: str) -> str:
    cut = _prefix_end(url)
    return url if cut < 0 else url[:cut]


def _percent_escapes_kept(target: str) -> bool:
    """Whether requests sends every ``%XX`` of ``target`` as is.

    It decodes escapes of unreserved characters (``%41`` -> ``A``), upper-cases
    hex digits and re-escapes a ``%`` that starts no escape.
    """
    for part in target.split("%")[1:]:
        digits = part[:2]
        if len(digits) < 2 or not _UPPER_HEX.issuperset(digits):
            return False
        if chr(int(digits, 16)) in _UNRESERVED:
            return False
    return True


def _adapter_error(exc: Exception) -> requests.RequestException | None:
    """The requests exception ``HTTPAdapter.send`` raises for ``exc`` from ``urlopen``.

    ``None``: requests lets ``exc`` through as it is.
    """
    exceptions = requests.exceptions
    if isinstance(exc, (_Urllib3ProtocolError, OSError)):
        return exceptions.ConnectionError(exc)
    if isinstance(exc, _Urllib3MaxRetryError):
        reason = exc.reason
        if isinstance(reason, _Urllib3ConnectTimeout) and not isinstance(
            reason, NewConnectionError
        ):
            return exceptions.ConnectTimeout(exc)
        if isinstance(reason, _Urllib3ResponseError):
            return exceptions.RetryError(exc)
        if isinstance(reason, _Urllib3ProxyError):
            return exceptions.ProxyError(exc)
        if isinstance(reason, _Urllib3SSLError):
            return exceptions.SSLError(exc)
        return exceptions.ConnectionError(exc)
    if isinstance(exc, _Urllib3ClosedPool):
        return exceptions.ConnectionError(exc)
    if isinstance(exc, _Urllib3ProxyError):
        return exceptions.ProxyError(exc)
    if isinstance(exc, _Urllib3SSLError):
        return exceptions.SSLError(exc)
    if isinstance(exc, _Urllib3ReadTimeout):
        return exceptions.ReadTimeout(exc)
    if isinstance(exc, _Urllib3InvalidHeader):
        return exceptions.InvalidHeader(exc)
    return None


def _content_error(exc: Exception) -> requests.RequestException | None:
    """The requests exception ``Response.content`` raises for ``exc`` from reading the body."""
    exceptions = requests.exceptions
    if isinstance(exc, _Urllib3ProtocolError):
        return exceptions.ChunkedEncodingError(exc)
    if isinstance(exc, _Urllib3DecodeError):
        return exceptions.ContentDecodingError(exc)
    if isinstance(exc, _Urllib3ReadTimeout):
        return exceptions.ConnectionError(exc)
    if isinstance(exc, _Urllib3SSLError):
        return exceptions.SSLError(exc)
    return None


def _raise_translated(error: requests.RequestException | None, url: str) -> None:
    """Raise what requests would have raised (the caller re-raises when ``error`` is None)."""
    if error is None:
        return
    if isinstance(
        error,
        (
            requests.exceptions.InvalidHeader,
            requests.exceptions.InvalidSchema,
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
        ),
    ):
        raise error from None
    raise _SendError(error, url) from None


def _extract_cookies(
    jar: requests.cookies.RequestsCookieJar,
    url: str,
    headers: Mapping[str, str],
    exchange: _pool_exchange.Exchange,
) -> None:
    """Store the response's ``Set-Cookie`` in the session jar, as ``Session.send`` does."""
    sent = requests.PreparedRequest()
    sent.url = url
    sent.headers = CaseInsensitiveDict(headers)
    requests.cookies.extract_cookies_to_jar(jar, sent, exchange)  # type: ignore[no-untyped-call]


def _streams(status: int) -> bool:
    """Whether a streamed request's response with ``status`` keeps its body on the wire.

    Only a success does: the caller streams it.  A redirect hop, an error the
    caller will raise with its body, the 401 an auth hook renews on -- each is
    small and read whole, so retries and replays never meet a half-read body.
    """
    return 200 <= status < 300


class StreamBody:
    """The unread body of a streamed response, read as it arrives.

    ``read1(size)`` returns at most ``size`` bytes after at most one socket
    read (``b""`` at the end, when the connection goes back to the pool);
    failures become the runtime's errors with the same redacted wording as a
    whole-body read (:class:`ReadTimeoutError`, :class:`ReadError`), and the
    connection is closed.  ``close()`` before the end closes the connection.
    """

    __slots__ = ("_close", "_method", "_read1", "_secret", "_url", "closed")

    def __init__(
        self,
        read1: Callable[[int], bytes],
        close: Callable[[], None],
        method: str,
        url: str,
        secret_params: Collection[str],
    ) -> None:
        self._read1 = read1
        self._close = close
        self._method = method
        self._url = url
        self._secret = secret_params
        self.closed = False

    def read1(self, size: int) -> bytes:
        if self.closed:
            return b""
        failure: TransportError
        try:
            data = self._read1(size)
        except Exception as exc:
            self.close()
            translated = _content_error(exc)
            if translated is None:
                if not isinstance(exc, (OSError, http.client.HTTPException)):
                    raise
                translated = requests.exceptions.ConnectionError(exc)
            failure = _map_error(translated, self._method, self._url, self._secret)
        else:
            if not data:
                self.closed = True
            return data
        raise failure

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._close()


def _requests_body(
    response: requests.Response, method: str, url: str, secret_params: Collection[str]
) -> StreamBody:
    """The body of a ``stream=True`` response of the requests path, decoded as it arrives."""
    raw = response.raw

    def read1(size: int) -> bytes:
        data: bytes = raw.read1(size, decode_content=True)
        if not data:
            raw.release_conn()  # the whole body was read: the connection is reusable
        return data

    def close() -> None:
        raw.close()
        raw.release_conn()

    return StreamBody(read1, close, method, url, secret_params)
