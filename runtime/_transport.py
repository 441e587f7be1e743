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
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
import requests.adapters
import requests.utils
from urllib3.exceptions import NameResolutionError, NewConnectionError
from urllib3.exceptions import ReadTimeoutError as _Urllib3ReadTimeout

from .config import HttpClientConfig
from .errors import (
    ConnectError,
    ConnectTimeoutError,
    InvalidRequestError,
    ReadError,
    ReadTimeoutError,
    RequestForgeError,
    TLSError,
    TooManyRedirectsError,
    TransportError,
)
from .models import Headers, HttpMethod, HttpRequest, HttpResponse, query_pairs
from .redaction import REDACTED, is_sensitive_name, redact_url

__all__ = [
    "SessionState",
    "Transport",
    "auth_added_names",
    "join_url",
    "redirect_strips_credentials",
]

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ALWAYS_STRIPPED = frozenset({"authorization", "proxy-authorization", "cookie"})
_BODY_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding"})
_URL_IN_TEXT = re.compile(r"https?://[^\s'\")]+")
_OBJECT_PREFIX = re.compile(r"^<[^>]+>:\s*")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Smallest timeout handed to requests when a total-time budget is nearly spent:
# the attempt then times out at once and the retry loop reports the budget.
_MIN_TIMEOUT = 0.001


class _QueryRedactingFilter(logging.Filter):
    """Blanks every query value in urllib3's DEBUG line ``"GET /path?query HTTP/1.1"``.

    urllib3 logs each request target verbatim, so an API key sent as a query
    parameter ends up in any log at DEBUG.  That logger does not know which
    parameters are credentials (an auth hook may use any name), so all values
    are replaced: over-redacting costs a reader the page number, not a key.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(
            isinstance(arg, str) and "?" in arg for arg in record.args
        ):
            record.args = tuple(
                _blank_query(arg) if isinstance(arg, str) and "?" in arg else arg
                for arg in record.args
            )
        return True


def _blank_query(target: str) -> str:
    path, _, query = target.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    return f"{path}?" + "&".join(f"{name}={REDACTED}" for name, _value in pairs)


def _install_urllib3_log_filter() -> None:
    logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(existing, _QueryRedactingFilter) for existing in logger.filters):
        logger.addFilter(_QueryRedactingFilter())


_install_urllib3_log_filter()


def join_url(base_url: str, url: str) -> str:
    """``url`` if absolute, else appended to ``base_url`` keeping the base's path."""
    if url.startswith(("http://", "https://")):
        return url
    if not base_url:
        raise InvalidRequestError(
            f"relative URL {redact_url(url)!r} needs a base_url in the client config"
        )
    if not url:
        return base_url
    return f"{base_url}/{url.lstrip('/')}"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # "Port out of range" and friends, e.g. from a server's Location
        raise InvalidRequestError(f"invalid port in URL {redact_url(url)!r}") from None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def redirect_strips_credentials(original_url: str, source_url: str, target_url: str) -> bool:
    """Whether the redirect hop ``source_url`` -> ``target_url`` must go without credentials.

    Credentials belong to the origin (scheme, host, port) of ``original_url``,
    the URL the caller asked for: any other target gets none.  A hop from https
    down to http gets none either, even back onto an http original origin,
    because the chain has been through a server we only trusted over TLS.
    """
    target = _origin(target_url)
    return target != _origin(original_url) or (
        _origin(source_url)[0] == "https" and target[0] == "http"
    )


@dataclass
class SessionState:
    """A thread's session and the environment settings resolved for it, per origin."""

    session: requests.Session
    env_by_origin: dict[tuple[str, str, int | None], tuple[dict[str, str], bool | str]] = field(
        default_factory=dict
    )

    def close(self) -> None:
        self.session.close()


def _scrub(text: str, secret_params: Collection[str] = ()) -> str:
    return _URL_IN_TEXT.sub(lambda match: redact_url(match.group(0), secret_params), text)


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
    return f"{type(cause).__name__}: {_scrub(text, secret_params)}"


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
        return SessionState(session=session)

    def _environment(self, state: SessionState, url: str) -> tuple[dict[str, str], bool | str]:
        origin = _origin(url)
        cached = state.env_by_origin.get(origin)
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
        state.env_by_origin[origin] = resolved
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

        ``deadline`` (a ``time.monotonic()`` value) caps every hop's connect and
        read timeouts, so a strategy's ``total_timeout`` bounds a hanging attempt too.
        """
        current = replace(request, url=self.absolute_url(request.url))
        original_url = current.url
        auth_params = _auth_added_params(request, unauthenticated)
        started = time.perf_counter()
        response = self._send_once(state, current, started, deadline, auth_params)
        if not self._config.follow_redirects or response.status_code not in _REDIRECT_STATUSES:
            return response
        bare = replace(unauthenticated, url=current.url)
        hops = 0
        while response.status_code in _REDIRECT_STATUSES:
            location = response.headers.get("location")
            if not location:
                return response
            if hops >= self._config.max_redirects:
                raise TooManyRedirectsError(
                    f"more than {self._config.max_redirects} redirects for "
                    f"{current.method.value} {redact_url(request.url)}"
                )
            hops += 1
            source_url = response.url or current.url
            target_url = urljoin(source_url, location)
            leaves = redirect_strips_credentials(original_url, source_url, target_url)
            bare = _redirected(bare, response.status_code, target_url, leaves_origin=leaves)
            # An auth-hook parameter echoed in the Location is never passed on as
            # is: a foreign origin must not get it, and the original origin gets
            # it from the auth hook again (once, not twice).
            current = replace(bare, url=_without_params(target_url, auth_params))
            if not leaves and authenticate is not None:
                current = authenticate(current)
            response = self._send_once(
                state, current, started, deadline, auth_params, strip_credentials=leaves
            )
        return response

    def _send_once(
        self,
        state: SessionState,
        request: HttpRequest,
        started: float,
        deadline: float | None,
        secret_params: Collection[str],
        *,
        strip_credentials: bool = False,
    ) -> HttpResponse:
        session = state.session
        method = request.method.value
        url = request.url
        try:
            prepared = session.prepare_request(
                requests.Request(
                    method=method,
                    url=url,
                    headers=dict(request.headers) if request.headers else None,
                    params=query_pairs(request.params) or None,
                    json=request.json_data,
                    data=_form_data(request),
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
            raise InvalidRequestError(
                f"cannot build {method} {redact_url(url, secret_params)}: "
                f"{_scrub(str(exc), secret_params)}"
            ) from exc
        if strip_credentials:
            # The session adds its default headers and cookie jar while preparing;
            # a hop to a foreign origin must not carry them either.
            for name in list(prepared.headers):
                if name.lower() in _ALWAYS_STRIPPED or is_sensitive_name(name):
                    del prepared.headers[name]
        proxies, verify = self._environment(state, url)
        timeout = self._default_timeout
        if request.timeout is not None:
            timeout = (self._config.connect_timeout or request.timeout, request.timeout)
        if deadline is not None:
            remaining = max(deadline - time.monotonic(), _MIN_TIMEOUT)
            timeout = (min(timeout[0], remaining), min(timeout[1], remaining))
        # The requests/urllib3 exception is not chained to ours: its message holds
        # the full URL, query credentials included, and a traceback logged with
        # ``exc_info`` prints every chained exception.  Ours carries its type and
        # (scrubbed) text instead.  Raising after the ``except`` block leaves no
        # ``__context__`` either.
        failure: RequestForgeError | None = None
        try:
            raw = session.send(
                prepared,
                timeout=timeout,
                allow_redirects=False,
                proxies=proxies,
                verify=verify,
                stream=False,
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
                f"{_scrub(str(exc), secret_params)}"
            )
        except requests.RequestException as exc:
            failure = _map_error(exc, method, prepared.url or url, secret_params)
        if failure is not None:
            raise failure
        return HttpResponse(
            status_code=raw.status_code,
            headers=Headers(raw.headers.items()),
            content=raw.content,
            elapsed_ms=(time.perf_counter() - started) * 1000.0,
            url=raw.url or url,
            request=request,
            reason=raw.reason or "",
            sensitive_params=frozenset(secret_params),
        )


def _form_data(request: HttpRequest) -> Any:
    data = request.data
    if isinstance(data, Mapping):
        return query_pairs(data)
    return data


def _auth_added_params(authenticated: HttpRequest, unauthenticated: HttpRequest) -> frozenset[str]:
    """Names of the query parameters the auth hook added or changed."""
    if authenticated.params is unauthenticated.params:
        return frozenset()
    before = set(query_pairs(unauthenticated.params))
    return frozenset(
        name for name, value in query_pairs(authenticated.params) if (name, value) not in before
    )


def auth_added_names(
    authenticated: HttpRequest, unauthenticated: HttpRequest
) -> tuple[frozenset[str], frozenset[str]]:
    """Lower-cased header names and the query parameter names the auth hook added or changed.

    Whatever an auth hook puts on a request is a credential, however it is
    named (``?appid=``, ``X-Tenant``): the client records these names so that
    logs and messages redact them too.
    """
    before = {name.lower(): value for name, value in unauthenticated.headers.items()}
    headers = frozenset(
        name.lower()
        for name, value in authenticated.headers.items()
        if before.get(name.lower()) != value
    )
    return headers, _auth_added_params(authenticated, unauthenticated)


def _redirected(
    request: HttpRequest, status: int, target_url: str, *, leaves_origin: bool
) -> HttpRequest:
    """The (unauthenticated) request to send to ``target_url`` after a ``status`` redirect."""
    method = request.method
    drop_body = (status == 303 and method is not HttpMethod.HEAD) or (
        status in (301, 302) and method is HttpMethod.POST
    )
    if drop_body:
        method = HttpMethod.GET
    headers = dict(request.headers)
    if drop_body:
        headers = {k: v for k, v in headers.items() if k.lower() not in _BODY_HEADERS}
    if leaves_origin:
        headers = {k: v for k, v in headers.items() if k.lower() not in _ALWAYS_STRIPPED}
    return HttpRequest(
        method=method,
        url=target_url,
        headers=headers,
        params=None,
        json_data=None if drop_body else request.json_data,
        data=None if drop_body else request.data,
        files=None if drop_body else request.files,
        cookies=None if leaves_origin else request.cookies,
        timeout=request.timeout,
    )


def _without_params(url: str, names: frozenset[str]) -> str:
    if not names:
        return url
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))
