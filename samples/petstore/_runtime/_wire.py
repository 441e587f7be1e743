"""What both transports (requests for ``HttpClient``, httpx for ``AsyncHttpClient``) agree on.

Pure functions and constants only -- no I/O, no third-party imports -- so the
sync transport and the async one build the same URLs, follow redirects the same
way, drop the same credentials on the same hops and give an attempt the same
timeouts.  Importing this module costs nothing: neither requests nor httpx.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from .errors import InvalidRequestError, TooManyRedirectsError
from .models import HttpMethod, HttpRequest, HttpResponse, query_pairs
from .redaction import redact_url

__all__ = [
    "ALWAYS_STRIPPED",
    "BODY_HEADERS",
    "DEFAULT_PORTS",
    "MIN_TIMEOUT",
    "REDIRECT_STATUSES",
    "RedirectHop",
    "TimeoutSettings",
    "attempt_timeouts",
    "form_data",
    "join_url",
    "next_redirect",
    "redirect_strips_credentials",
    "redirected",
    "scrub",
    "without_params",
]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ALWAYS_STRIPPED = frozenset({"authorization", "proxy-authorization", "cookie"})
BODY_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding"})
_URL_IN_TEXT = re.compile(r"https?://[^\s'\")]+")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Smallest timeout handed to the HTTP library when a total-time budget is nearly
# spent: the attempt then times out at once and the retry loop reports the budget.
MIN_TIMEOUT = 0.001


class TimeoutSettings(Protocol):
    """The part of ``HttpClientConfig`` that :func:`attempt_timeouts` reads."""

    @property
    def connect_timeout(self) -> float | None: ...


def attempt_timeouts(
    default: tuple[float, float],
    config: TimeoutSettings,
    request: HttpRequest,
    deadline: float | None,
) -> tuple[float, float]:
    """(connect, read) timeouts of one attempt: the request's or ``default``, capped.

    ``deadline`` (a ``time.monotonic()`` value) is where a strategy's
    ``total_timeout`` runs out, so a hanging attempt cannot outlive the budget.
    """
    timeout = default
    if request.timeout is not None:
        timeout = (config.connect_timeout or request.timeout, request.timeout)
    if deadline is not None:
        remaining = max(deadline - time.monotonic(), MIN_TIMEOUT)
        timeout = (min(timeout[0], remaining), min(timeout[1], remaining))
    return timeout


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
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


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


def scrub(text: str, secret_params: Collection[str] = ()) -> str:
    return _URL_IN_TEXT.sub(lambda match: redact_url(match.group(0), secret_params), text)


def form_data(request: HttpRequest) -> Any:
    data = request.data
    if isinstance(data, Mapping):
        return query_pairs(data)
    return data


def redirected(
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
        headers = {k: v for k, v in headers.items() if k.lower() not in BODY_HEADERS}
    if leaves_origin:
        headers = {k: v for k, v in headers.items() if k.lower() not in ALWAYS_STRIPPED}
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


def without_params(url: str, names: frozenset[str]) -> str:
    if not names:
        return url
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))


class RedirectHop:
    """The next hop of a redirect chain, as :func:`next_redirect` works it out."""

    __slots__ = ("bare", "leaves_origin", "request")

    def __init__(self, bare: HttpRequest, request: HttpRequest, leaves_origin: bool) -> None:
        self.bare = bare  # the hop before any credentials: the next hop is built from it
        self.request = request  # what to send, still to be authenticated if on-origin
        self.leaves_origin = leaves_origin


def next_redirect(
    response: HttpResponse,
    current: HttpRequest,
    bare: HttpRequest,
    *,
    original_url: str,
    hops: int,
    max_redirects: int,
    auth_params: frozenset[str],
    requested_url: str,
) -> RedirectHop | None:
    """Where a redirect ``response`` to ``current`` leads; ``None`` when it has no ``Location``.

    ``hops`` redirects were followed already; more than ``max_redirects``
    raises :class:`TooManyRedirectsError`.  An auth-hook parameter echoed in
    the ``Location`` is never passed on as is: a foreign origin must not get
    it, and the original origin gets it from the auth hook again (once, not twice).
    """
    location = response.headers.get("location")
    if not location:
        return None
    if hops >= max_redirects:
        raise TooManyRedirectsError(
            f"more than {max_redirects} redirects for "
            f"{current.method.value} {redact_url(requested_url)}"
        )
    source_url = response.url or current.url
    target_url = urljoin(source_url, location)
    leaves = redirect_strips_credentials(original_url, source_url, target_url)
    bare = redirected(bare, response.status_code, target_url, leaves_origin=leaves)
    return RedirectHop(bare, replace(bare, url=without_params(target_url, auth_params)), leaves)
