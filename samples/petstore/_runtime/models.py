"""The data that flows through the runtime: requests, responses, per-request context.

``HttpRequest`` and ``HttpResponse`` are frozen so that hooks, retries and
threads can share them without copies; "changing" one returns a new instance.
``RequestContext`` is the one mutable object, and it belongs to a single call
(seed 000: never share it between threads).
"""

from __future__ import annotations

import json as _json
import math
import shlex
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from enum import Enum
from typing import IO, TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from .errors import HttpStatusError, InvalidRequestError, ResponseDecodeError
from .redaction import (
    REDACTED,
    is_sensitive_name,
    redact_headers,
    redact_json,
    redact_pairs,
    redact_url,
)

if TYPE_CHECKING:  # the tolerant parser loads on the first drifting body, not with the models
    from .tolerant import Deviation

__all__ = [
    "FileSpec",
    "Headers",
    "HttpMethod",
    "HttpRequest",
    "HttpResponse",
    "OpenResponse",
    "QueryParams",
    "QueryValue",
    "RequestContext",
    "auth_added_names",
    "auth_added_params",
    "query_pairs",
    "to_method",
]

QueryScalar = str | int | float | bool
QueryValue = QueryScalar | Sequence[QueryScalar] | None
QueryParams = Mapping[str, QueryValue] | Sequence[tuple[str, QueryScalar]]
FileContent = bytes | str | IO[bytes]
FileSpec = FileContent | tuple[str | None, FileContent] | tuple[str | None, FileContent, str]


class HttpMethod(str, Enum):
    """HTTP methods; a ``str`` so ``HttpMethod.GET == "GET"``."""

    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    HEAD = "HEAD"
    OPTIONS = "OPTIONS"
    TRACE = "TRACE"

    @property
    def is_idempotent(self) -> bool:
        """RFC 9110 idempotent methods: repeating them has no additional effect."""
        return self not in (HttpMethod.POST, HttpMethod.PATCH)

    def __str__(self) -> str:
        return self.value


def to_method(method: object) -> HttpMethod:
    """``method`` as an :class:`HttpMethod` (any case); :class:`InvalidRequestError` if unknown."""
    if isinstance(method, HttpMethod):
        return method
    try:
        return HttpMethod(str(method).upper())
    except ValueError:
        raise InvalidRequestError(f"unsupported HTTP method {method!r}") from None


class Headers(Mapping[str, str]):
    """Immutable, case-insensitive header mapping that keeps the original spelling."""

    __slots__ = ("_store",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = cast(
            "Iterable[tuple[str, str]]", items.items() if isinstance(items, Mapping) else items
        )
        self._store: dict[str, tuple[str, str]] = {
            name.lower(): (name, value) for name, value in pairs
        }

    @classmethod
    def from_store(cls, store: dict[str, tuple[str, str]]) -> Headers:
        """Headers over ``store`` (lower-cased name -> (name, value)), taken as is, not copied."""
        headers = cls.__new__(cls)
        headers._store = store
        return headers

    def __getitem__(self, name: str) -> str:
        return self._store[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._store

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._store.values())

    def __len__(self) -> int:
        return len(self._store)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            theirs = cast("Mapping[str, object]", other).items()
            return {k.lower(): v for k, v in theirs} == {k: v for k, (_, v) in self._store.items()}
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Headers({redact_headers(dict(self.items()))!r})"


def _header_lookup(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup that works on any mapping a user may pass."""
    if isinstance(headers, Headers):
        return headers.get(name)
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _scalar_text(value: QueryScalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def query_pairs(params: QueryParams | None) -> list[tuple[str, str]]:
    """Flatten query parameters into ``(name, text)`` pairs.

    Sequences repeat the name (``form`` style with ``explode``); ``None`` values
    are left out; booleans are written as JSON writes them.
    """
    if not params:
        return []
    items: Sequence[tuple[str, Any]] = (
        list(params.items()) if isinstance(params, Mapping) else params
    )
    pairs: list[tuple[str, str]] = []
    for name, value in items:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            parts = cast("Sequence[Any]", value)
            pairs.extend((name, _scalar_text(item)) for item in parts if item is not None)
        else:
            pairs.append((name, _scalar_text(value)))
    return pairs


def auth_added_params(authenticated: HttpRequest, unauthenticated: HttpRequest) -> frozenset[str]:
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
    if authenticated.headers is unauthenticated.headers:
        headers: frozenset[str] = frozenset()
    else:
        before = {name.lower(): value for name, value in unauthenticated.headers.items()}
        headers = frozenset(
            name.lower()
            for name, value in authenticated.headers.items()
            if before.get(name.lower()) != value
        )
    return headers, auth_added_params(authenticated, unauthenticated)


# ``init=False``: the constructor is written out below so that it can take
# ``headers=None`` while the attribute stays a mapping for every reader.
@dataclass(frozen=True, slots=True, repr=False, init=False)  # its own __repr__ redacts
class HttpRequest:
    """An HTTP request as the caller built it (immutable).

    ``url`` is either absolute or relative to the client's base URL.  At most
    one of ``json_data``, ``data`` (form mapping, ``str`` or ``bytes``) and
    ``files`` (multipart, with ``data`` as its extra fields) describes the body.
    ``headers=None`` is the same as no headers (``request.headers`` is then an
    empty mapping, never None); ``params``, ``files`` and ``cookies`` are None
    when not given, which means none.
    """

    method: HttpMethod
    url: str
    headers: Mapping[str, str] = field(default_factory=lambda: {})
    params: QueryParams | None = None
    json_data: Any = None
    data: Mapping[str, Any] | bytes | str | None = None
    files: Mapping[str, FileSpec] | None = None
    cookies: Mapping[str, str] | None = None
    timeout: float | None = None

    def __init__(  # noqa: PLR0917 -- positional, as the generated __init__ was
        self,
        method: HttpMethod,
        url: str,
        headers: Mapping[str, str] | None = None,
        params: QueryParams | None = None,
        json_data: Any = None,
        data: Mapping[str, Any] | bytes | str | None = None,
        files: Mapping[str, FileSpec] | None = None,
        cookies: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "method", method)
        setattr_(self, "url", url)
        setattr_(self, "headers", headers)  # None becomes {} in __post_init__
        setattr_(self, "params", params)
        setattr_(self, "json_data", json_data)
        setattr_(self, "data", data)
        setattr_(self, "files", files)
        setattr_(self, "cookies", cookies)
        setattr_(self, "timeout", timeout)
        self.__post_init__()

    def __post_init__(self) -> None:
        # Also run by the generated ``__init__`` of a dataclass subclass, which
        # may pass ``headers=None`` through untouched.
        headers = cast(object, self.headers)
        if headers is None:
            object.__setattr__(self, "headers", {})
        method = cast(object, self.method)  # untyped callers may pass "get"
        if not isinstance(method, HttpMethod):
            object.__setattr__(self, "method", to_method(method))
        timeout = cast(object, self.timeout)
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            # Checked here, not by requests on the way out: that would be a bare
            # ValueError from deep inside the send, outside the runtime's errors.
            raise InvalidRequestError(
                f"timeout must be a positive number of seconds, got {timeout!r}"
            )

    def with_headers(self, headers: Mapping[str, str] | None) -> HttpRequest:
        """A copy with ``headers`` added (replacing same-named ones, case-insensitively).

        ``None`` adds nothing and returns the request itself (it is immutable).
        """
        if headers is None:
            return self
        lowered = {name.lower() for name in headers}
        merged = {k: v for k, v in self.headers.items() if k.lower() not in lowered}
        merged.update(headers)
        return self._evolve(headers=merged)

    def with_params(self, params: Mapping[str, QueryScalar] | None) -> HttpRequest:
        """A copy with query parameters added (replacing same-named ones); ``None`` adds none."""
        if params is None:
            return self
        kept = [(k, v) for k, v in query_pairs(self.params) if k not in params]
        kept.extend((k, _scalar_text(v)) for k, v in params.items())
        return self._evolve(params=kept)

    def with_cookies(self, cookies: Mapping[str, str] | None) -> HttpRequest:
        """A copy with cookies added; ``None`` adds none."""
        if cookies is None:
            return self
        return self._evolve(cookies={**(self.cookies or {}), **cookies})

    def with_url(self, url: str) -> HttpRequest:
        """A copy aimed at another URL."""
        return self._evolve(url=url)

    def _evolve(self, **changes: Any) -> HttpRequest:
        """A copy with ``changes``, none of them to ``method`` or ``timeout``.

        ``dataclasses.replace`` runs ``__init__`` and ``__post_init__`` again;
        that validation is of the method and timeout, which a copy keeps, so
        the per-call copies (auth hooks, absolute URLs) skip it (issue 8).
        """
        if type(self) is not HttpRequest:  # a subclass may validate more, or have more fields
            return replace(self, **changes)
        copy = object.__new__(HttpRequest)
        for name, slot in _REQUEST_SLOTS:
            slot.__set__(copy, changes[name] if name in changes else slot.__get__(self))
        return copy

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive), or None."""
        return _header_lookup(self.headers, name)

    @property
    def full_url(self) -> str:
        """``url`` with the query parameters encoded onto it."""
        pairs = query_pairs(self.params)
        if not pairs:
            return self.url
        separator = "&" if "?" in self.url else "?"
        return f"{self.url}{separator}{urlencode(pairs)}"

    def to_dict(self, *, redact: bool = True) -> dict[str, Any]:
        """A JSON-friendly description, credentials redacted unless ``redact=False``.

        Redaction covers the URL, headers, query parameters, cookies, and
        credential-looking fields of JSON and form bodies (``password``,
        ``client_secret``, ...); a ``str`` or ``bytes`` body is shown as is.
        """
        headers = dict(self.headers)
        pairs = query_pairs(self.params)
        result: dict[str, Any] = {
            "method": self.method.value,
            "url": redact_url(self.url) if redact else self.url,
            "headers": redact_headers(headers) if redact else headers,
            "params": redact_pairs(pairs) if redact else pairs,
        }
        if self.json_data is not None:
            result["json"] = redact_json(self.json_data) if redact else self.json_data
        if isinstance(self.data, (str, bytes)):
            result["data"] = (
                self.data if isinstance(self.data, str) else f"<{len(self.data)} bytes>"
            )
        elif self.data is not None:
            result["data"] = redact_json(dict(self.data)) if redact else dict(self.data)
        if self.files:
            result["files"] = sorted(self.files)
        if self.cookies:
            result["cookies"] = (
                dict.fromkeys(self.cookies, REDACTED) if redact else dict(self.cookies)
            )
        if self.timeout is not None:
            result["timeout"] = self.timeout
        return result

    def to_curl(self, *, redact: bool = True) -> str:
        """An equivalent ``curl`` command line, credentials redacted unless ``redact=False``.

        Redacts what :meth:`to_dict` redacts, bodies included.
        """
        url = redact_url(self.full_url) if redact else self.full_url
        parts = ["curl", "-X", self.method.value, shlex.quote(url)]
        headers = redact_headers(dict(self.headers)) if redact else dict(self.headers)
        for name, value in headers.items():
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.cookies:
            jar = "; ".join(
                f"{name}={REDACTED if redact else value}" for name, value in self.cookies.items()
            )
            parts += ["-b", shlex.quote(jar)]
        if self.json_data is not None:
            if _header_lookup(self.headers, "content-type") is None:
                parts += ["-H", shlex.quote("Content-Type: application/json")]
            body = redact_json(self.json_data) if redact else self.json_data
            parts += ["--data-raw", shlex.quote(_json.dumps(body))]
        elif isinstance(self.data, str):
            parts += ["--data-raw", shlex.quote(self.data)]
        elif isinstance(self.data, bytes):
            parts += ["--data-binary", shlex.quote(f"<{len(self.data)} bytes>")]
        elif self.data is not None and not self.files:
            pairs = query_pairs(dict(self.data))
            form = urlencode(redact_pairs(pairs), safe="[]") if redact else urlencode(pairs)
            parts += ["--data-raw", shlex.quote(form)]
        if self.files:
            for name, value in (self.data or {}).items() if isinstance(self.data, Mapping) else ():
                shown = REDACTED if redact and is_sensitive_name(name) else value
                parts += ["-F", shlex.quote(f"{name}={shown}")]
            for name in self.files:
                parts += ["-F", shlex.quote(f"{name}=@{name}")]
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"HttpRequest(method={self.method.value!r}, url={redact_url(self.url)!r})"


_REQUEST_FIELDS = tuple(f.name for f in fields(HttpRequest))
# The slot descriptors of those fields: setting through them skips the frozen
# class's ``__setattr__`` (what ``object.__setattr__`` looks up by name each time).
_REQUEST_SLOTS: tuple[tuple[str, Any], ...] = tuple(
    (name, HttpRequest.__dict__[name]) for name in _REQUEST_FIELDS
)


# ``init=False``: written out below to take ``headers=None`` or a plain mapping.
@dataclass(frozen=True, slots=True, repr=False, init=False)  # its own __repr__ redacts
class HttpResponse:
    """A received HTTP response with its body fully read (immutable).

    ``headers`` is always a case-insensitive :class:`Headers`: a plain mapping
    given to the constructor is wrapped in one, and ``None`` means no headers,
    so ``response.headers.get("retry-after")`` works however the response was
    made (a test double, a hook that rebuilds it).

    ``sensitive_params`` names query parameters of ``url`` that carry
    credentials whatever they are called (the auth hook added them); the
    response's repr and error messages redact them along with the usual names.

    ``deviations`` lists where a success body did not match its schema, when
    the operation's parser salvaged it (tolerant parsing, the default); it is
    empty otherwise.  The parser records them once, before the response is
    handed out: the one write to this otherwise immutable object.
    """

    status_code: int
    headers: Headers
    content: bytes
    elapsed_ms: float = 0.0
    url: str = ""
    request: HttpRequest | None = None
    reason: str = ""
    sensitive_params: frozenset[str] = frozenset()
    deviations: tuple[Deviation, ...] = field(default=(), init=False, compare=False)

    def __init__(  # noqa: PLR0917 -- positional, as the generated __init__ was
        self,
        status_code: int,
        headers: Mapping[str, str] | None,
        content: bytes,
        elapsed_ms: float = 0.0,
        url: str = "",
        request: HttpRequest | None = None,
        reason: str = "",
        sensitive_params: frozenset[str] = frozenset(),
    ) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "status_code", status_code)
        if not isinstance(headers, Headers):  # the transports always pass Headers
            headers = Headers(headers if headers is not None else ())
        setattr_(self, "headers", headers)
        setattr_(self, "content", content)
        setattr_(self, "elapsed_ms", elapsed_ms)
        setattr_(self, "url", url)
        setattr_(self, "request", request)
        setattr_(self, "reason", reason)
        setattr_(self, "sensitive_params", sensitive_params)
        setattr_(self, "deviations", ())

    @property
    def encoding(self) -> str:
        """Charset from ``Content-Type``, else UTF-8 (the JSON and modern-web default)."""
        return self._declared_charset() or "utf-8"

    @property
    def text(self) -> str:
        """The body decoded with :attr:`encoding` (undecodable bytes replaced)."""
        try:
            return self.content.decode(self.encoding, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def _declared_charset(self) -> str | None:
        content_type = self.headers.get("content-type", "")
        for param in content_type.split(";")[1:]:
            key, _, value = param.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip("\"'")
        return None

    def _json_text(self) -> str | bytes:
        # JSON is UTF-8 (RFC 8259) and ``json.loads`` detects UTF-8/16/32 from the
        # bytes; a server that declares another charset is taken at its word.
        charset = self._declared_charset()
        if charset is None:
            return self.content
        try:
            return self.content.decode(charset).removeprefix("\ufeff")  # a BOM is not JSON
        except LookupError:
            return self.content

    def json(self) -> Any:
        """The body parsed as JSON; :class:`ResponseDecodeError` when it is not JSON.

        A ``charset`` declared in ``Content-Type`` is honoured; without one the
        encoding is detected from the bytes (UTF-8, UTF-16, UTF-32, BOM or not).
        """
        try:
            return _json.loads(self._json_text())
        except (ValueError, UnicodeDecodeError) as exc:
            raise ResponseDecodeError(
                f"response from {self._safe_url} (status {self.status_code}) "
                f"is not valid JSON: {exc}"
            ) from exc

    def json_or_none(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        if not self.content:
            return None
        try:
            return _json.loads(self._json_text())
        except (ValueError, UnicodeDecodeError):
            return None

    @property
    def is_success(self) -> bool:
        """2xx."""
        return 200 <= self.status_code < 300

    @property
    def is_redirect(self) -> bool:
        """3xx."""
        return 300 <= self.status_code < 400

    @property
    def is_client_error(self) -> bool:
        """4xx."""
        return 400 <= self.status_code < 500

    @property
    def is_server_error(self) -> bool:
        """5xx."""
        return 500 <= self.status_code < 600

    def raise_for_status(self) -> HttpResponse:
        """Raise :class:`HttpStatusError` for 4xx/5xx; return self otherwise (for chaining)."""
        if self.status_code >= 400:
            raise HttpStatusError(
                f"{self.status_code} {self.reason} for {self._safe_url}".strip(), self
            )
        return self

    @property
    def _safe_url(self) -> str:
        return redact_url(self.url, self.sensitive_params)

    def __repr__(self) -> str:
        return f"<HttpResponse [{self.status_code}] {self._safe_url}>"


class OpenResponse(HttpResponse):
    """A response head whose body is still on the wire (what ``stream`` requests get).

    ``content`` is empty; ``body`` is the transport's reader of the body (the
    sync transport's ``StreamBody``, the async one's ``AsyncStreamBody``).
    The client passes it through its retry loop and hooks as the
    ``HttpResponse`` it is -- they see the status and headers only -- and
    wraps the body afterwards (:mod:`.streaming`).
    """

    __slots__ = ("body",)

    body: Any

    def __init__(
        self,
        body: Any,
        *,
        status_code: int,
        headers: Mapping[str, str] | None,
        elapsed_ms: float = 0.0,
        url: str = "",
        request: HttpRequest | None = None,
        reason: str = "",
        sensitive_params: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(
            status_code, headers, b"", elapsed_ms, url, request, reason, sensitive_params
        )
        object.__setattr__(self, "body", body)


# ``init=False``: written out below so that ``metadata=None`` (and the other
# collections) can be passed while the attributes are never None.


def _no_names() -> set[str]:
    """A fresh empty set of names (typed, unlike the bare ``set`` factory)."""
    return set()


@dataclass(slots=True, init=False)
class RequestContext:
    """Mutable state of one ``execute`` call: attempts, outcome, hook metadata.

    Owned by a single call on a single thread; hooks keep per-request data in
    ``metadata`` instead of on themselves (seed 000, "Keep hooks stateless").
    ``None`` for ``metadata``, ``sensitive_headers`` or ``sensitive_params``
    is the same as leaving it out (a new empty one), and for ``started_at``
    it is now (monotonic clock).
    """

    request: HttpRequest
    attempt: int = 0
    max_retries: int = 0
    metadata: dict[str, Any] = field(default_factory=lambda: {})
    started_at: float = field(default_factory=time.monotonic)
    last_response: HttpResponse | None = None
    last_error: BaseException | None = None
    auth_replayed: bool = False
    sensitive_headers: set[str] = field(default_factory=_no_names)
    sensitive_params: set[str] = field(default_factory=_no_names)

    def __init__(  # noqa: PLR0917 -- positional, as the generated __init__ was
        self,
        request: HttpRequest,
        attempt: int = 0,
        max_retries: int = 0,
        metadata: dict[str, Any] | None = None,
        started_at: float | None = None,
        last_response: HttpResponse | None = None,
        last_error: BaseException | None = None,
        auth_replayed: bool = False,
        sensitive_headers: set[str] | None = None,
        sensitive_params: set[str] | None = None,
    ) -> None:
        self.request = request
        self.attempt = attempt
        self.max_retries = max_retries
        self.metadata = {} if metadata is None else metadata
        self.started_at = time.monotonic() if started_at is None else started_at
        self.last_response = last_response
        self.last_error = last_error
        self.auth_replayed = auth_replayed
        self.sensitive_headers = set() if sensitive_headers is None else sensitive_headers
        self.sensitive_params = set() if sensitive_params is None else sensitive_params

    def increment_attempt(self) -> None:
        """Count one more attempt (called by the client before each retry)."""
        self.attempt += 1

    @property
    def is_retry(self) -> bool:
        """True from the second attempt on."""
        return self.attempt > 0

    @property
    def elapsed(self) -> float:
        """Seconds since the call started (monotonic clock)."""
        return time.monotonic() - self.started_at
