"""What generated clients call: the client base, endpoints, typed errors, encoders.

A forgegen-generated package is thin: each operation module builds an
:class:`HttpRequest` with the encoders here, hands it to
:meth:`ApiClient.execute` together with the operation's security requirements,
and parses the response with :func:`parse_json` or raises through
:func:`raise_api_error`.  Everything that is the same for every API lives in
this module, so it is written, tested and type-checked once.

The parameter encoders implement OpenAPI's ``style`` rules for the styles the
generator's IR names (``simple``, ``label``, ``matrix``, ``form``,
``form_explode``, ``space_delimited``, ``pipe_delimited``, ``deep_object``,
``json``).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json as _json
import math
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from types import TracebackType
from typing import Any, ClassVar, Concatenate, Generic, NoReturn, ParamSpec, TypeVar, overload
from urllib.parse import quote

from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_jsonable_python
from typing_extensions import Self

from .auth import CompositeAuthHook
from .client import HttpClient
from .config import HttpClientConfigBuilder
from .errors import InvalidRequestError, MaxRetryException, RequestForgeError
from .hooks import AuthHook
from .models import FileSpec, Headers, HttpRequest, HttpResponse
from .redaction import redact_url

__all__ = [
    "ApiClient",
    "ApiError",
    "ApiResponse",
    "BadRequestError",
    "BoundEndpoint",
    "ConflictError",
    "Endpoint",
    "MissingCredentialsError",
    "NotFoundError",
    "OpenEnum",
    "PermissionDeniedError",
    "RateLimitError",
    "Resource",
    "SecurityRequirements",
    "ServerError",
    "UnauthorizedError",
    "UnprocessableEntityError",
    "compact",
    "cookie_param",
    "error_class_for",
    "form_body",
    "header_param",
    "multipart_body",
    "parse_json",
    "path_param",
    "query_param",
    "raise_api_error",
    "text_body",
    "to_json",
]

T = TypeVar("T")
P = ParamSpec("P")

SecurityRequirements = Sequence[Sequence[str]]
"""An operation's ``security``: OR of ANDs of scheme names; ``()`` sends no credentials."""


# -- responses -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiResponse(Generic[T]):
    """A response with its parsed body: what ``.with_raw_response(...)`` returns."""

    status_code: int
    headers: Headers
    parsed: T
    raw: HttpResponse

    @classmethod
    def of(cls, response: HttpResponse, parsed: T) -> ApiResponse[T]:
        return cls(
            status_code=response.status_code, headers=response.headers, parsed=parsed, raw=response
        )


# -- errors ----------------------------------------------------------------------


class MissingCredentialsError(RequestForgeError):
    """An operation needs credentials the client was not given (raised before any I/O).

    ``requirements`` are the operation's alternatives (OR of ANDs of scheme names).
    """

    def __init__(self, message: str, *, requirements: SecurityRequirements) -> None:
        super().__init__(message)
        self.requirements: tuple[tuple[str, ...], ...] = tuple(tuple(r) for r in requirements)


class ApiError(RequestForgeError):
    """The server answered with a status the operation does not treat as success.

    ``model`` (a class attribute) is the type the body is parsed into for this
    error class -- a generated per-operation error class sets it when the spec
    declares a schema for that response; ``None`` leaves ``parsed`` as ``None``.
    """

    model: ClassVar[Any] = None

    def __init__(self, response: HttpResponse, parsed: Any = None) -> None:
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.content = response.content
        self.parsed: Any = parsed
        super().__init__(self._message())

    def _message(self) -> str:
        request = self.response.request
        method = f"{request.method.value} " if request is not None else ""
        url = redact_url(self.response.url, self.response.sensitive_params)
        text = f"{self.status_code} {self.response.reason}".strip()
        message = f"{text} for {method}{url}" if url else text
        body = self.response.text.strip()
        if body:
            message += f": {body[:200]}{'...' if len(body) > 200 else ''}"
        return message


class BadRequestError(ApiError):
    """400 Bad Request."""


class UnauthorizedError(ApiError):
    """401 Unauthorized."""


class PermissionDeniedError(ApiError):
    """403 Forbidden."""


class NotFoundError(ApiError):
    """404 Not Found."""


class ConflictError(ApiError):
    """409 Conflict."""


class UnprocessableEntityError(ApiError):
    """422 Unprocessable Entity."""


class RateLimitError(ApiError):
    """429 Too Many Requests."""


class ServerError(ApiError):
    """5xx: the server failed."""


_STATUS_ERRORS: Mapping[int, type[ApiError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for(status: int) -> type[ApiError]:
    """The runtime's error class for ``status`` (``ApiError`` when none is more specific)."""
    if status in _STATUS_ERRORS:
        return _STATUS_ERRORS[status]
    if 500 <= status < 600:
        return ServerError
    return ApiError


def _declared_class(
    status: int, declared: Mapping[int | str, type[ApiError]]
) -> type[ApiError] | None:
    if status in declared:
        return declared[status]
    if str(status) in declared:
        return declared[str(status)]
    for key, cls in declared.items():
        if isinstance(key, str) and key.upper() == f"{status // 100}XX":
            return cls
    return declared.get("default")


def raise_api_error(
    response: HttpResponse, declared: Mapping[int | str, type[ApiError]] | None = None
) -> NoReturn:
    """Raise the error class declared for the response's status, with its body parsed.

    ``declared`` keys are int statuses, ``"4XX"``-style ranges and ``"default"``
    (looked up in that order).  The declared class's ``model`` is parsed from the
    JSON body; a body that does not match leaves ``parsed`` as ``None`` (the raw
    body is still in ``content``) rather than hiding the API error behind a
    validation error.  Undeclared statuses raise :func:`error_class_for`'s class.
    """
    cls = _declared_class(response.status_code, declared or {})
    if cls is None:
        cls = error_class_for(response.status_code)
    parsed: Any = None
    if cls.model is not None and response.content:
        try:
            parsed = parse_json(response.content, cls.model)
        except ValueError:  # pydantic's ValidationError is a ValueError
            parsed = None
    raise cls(response, parsed)


# -- JSON ------------------------------------------------------------------------

_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}
_ADAPTERS_LOCK = threading.Lock()


def _adapter(type_: Any) -> TypeAdapter[Any]:
    try:
        adapter = _ADAPTERS.get(type_)
    except TypeError:  # an unhashable type expression: no caching
        return TypeAdapter(type_)
    if adapter is None:
        adapter = TypeAdapter(type_)
        with _ADAPTERS_LOCK:
            adapter = _ADAPTERS.setdefault(type_, adapter)
    return adapter


def parse_json(content: bytes | str, type_: Any) -> Any:
    """``content`` validated as JSON into ``type_`` (a ``TypeAdapter`` cached per type).

    Typed ``Any`` on purpose: ``type_`` may be a union or ``Annotated`` form,
    which no ``type[T]`` parameter accepts; generated code ``cast``s the result
    to the annotation it passed.
    """
    return _adapter(type_).validate_json(content)


def to_json(value: Any) -> Any:
    """``value`` as JSON-ready data: models dumped by alias with unset fields left out.

    A field the caller never set is not sent; one set to ``None`` is sent as
    ``null``.  Lists, tuples and dicts are converted recursively; dates, UUIDs,
    enums and decimals become their JSON forms.
    """
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return to_jsonable_python(value)


# -- parameters ------------------------------------------------------------------


def _scalar(value: Any) -> str:
    """The text of one scalar parameter value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return _scalar(value.value)
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidRequestError(f"parameter value {value!r} is not a finite number")
        return repr(value)
    if isinstance(value, (int, decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(to_jsonable_python(value))
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if value is None:
        return ""
    if isinstance(value, (BaseModel, Mapping, list, tuple)):
        return _json.dumps(to_json(value), separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _as_object(value: Any) -> Mapping[str, Any] | None:
    """The properties of an object-valued parameter (a model or a mapping), else None."""
    if isinstance(value, BaseModel):
        return {
            key: item
            for key, item in value.model_dump(
                mode="json", by_alias=True, exclude_unset=True
            ).items()
            if item is not None
        }
    if isinstance(value, Mapping):
        return {str(key): item for key, item in value.items() if item is not None}
    return None


def _as_list(value: Any) -> Sequence[Any] | None:
    if isinstance(value, (list, tuple)):
        return [item for item in value if item is not None]
    return None


def _joined(value: Any, separator: str, *, explode: bool = False) -> str:
    """Arrays ``a,b``; objects ``k,v,k2,v2`` (``k=v,k2=v2`` exploded); scalars as text."""
    items = _as_list(value)
    if items is not None:
        return separator.join(_scalar(item) for item in items)
    props = _as_object(value)
    if props is not None:
        if explode:
            return separator.join(f"{key}={_scalar(item)}" for key, item in props.items())
        return separator.join(f"{key}{separator}{_scalar(item)}" for key, item in props.items())
    return _scalar(value)


_DOT_SEGMENTS = ("", ".", "..")


def _encode_segment(text: str) -> str:
    # ``safe=""``: everything outside RFC 3986 "unreserved" is percent-encoded,
    # so "/", "?", "#", "%", ";" and "," inside a value stay inside it.
    return quote(text, safe="")


def path_param(value: Any, style: str = "simple", *, name: str = "", explode: bool = False) -> str:
    """One path parameter, percent-encoded so it can never change the request path.

    ``simple``: ``a,b``; ``label``: ``.a.b``; ``matrix``: ``;name=a,b``.  A value
    whose encoding would be an empty, ``.`` or ``..`` path segment is refused with
    :class:`InvalidRequestError`: HTTP libraries and servers normalise such
    segments away (``requests`` even decodes ``%2E``), so no encoding can keep them.
    """
    if value is None:
        raise InvalidRequestError(f"path parameter {name or ''!s} must not be None".strip())
    items = _as_list(value)
    props = _as_object(value) if items is None else None
    if style == "simple":
        encoded = _encode_path_value(items, props, value, ",", explode=explode)
    elif style == "label":
        separator = "." if explode else ","
        encoded = "." + _encode_path_value(items, props, value, separator, explode=explode)
    elif style == "matrix":
        prefix = ";" + _encode_segment(name)
        if items is not None and explode:
            encoded = "".join(f"{prefix}={_encode_segment(_scalar(item))}" for item in items)
        elif props is not None and explode:
            encoded = "".join(
                f";{_encode_segment(key)}={_encode_segment(_scalar(item))}"
                for key, item in props.items()
            )
        else:
            encoded = f"{prefix}={_encode_path_value(items, props, value, ',', explode=False)}"
    else:
        raise InvalidRequestError(f"unsupported path parameter style {style!r}")
    if encoded in _DOT_SEGMENTS:
        raise InvalidRequestError(
            f"path parameter {name + ' ' if name else ''}value {value!r} would change the "
            "request path (empty, '.' or '..' segment)"
        )
    return encoded


def _encode_path_value(
    items: Sequence[Any] | None,
    props: Mapping[str, Any] | None,
    value: Any,
    separator: str,
    *,
    explode: bool,
) -> str:
    if items is not None:
        return separator.join(_encode_segment(_scalar(item)) for item in items)
    if props is not None:
        if explode:
            return separator.join(
                f"{_encode_segment(key)}={_encode_segment(_scalar(item))}"
                for key, item in props.items()
            )
        return separator.join(
            f"{_encode_segment(key)}{separator}{_encode_segment(_scalar(item))}"
            for key, item in props.items()
        )
    return _encode_segment(_scalar(value))


def query_param(name: str, value: Any, style: str = "form_explode") -> list[tuple[str, str]]:
    """A query parameter as ``(name, text)`` pairs (URL-encoding happens on send).

    ``None`` gives no pair.  ``form``: ``x=a,b``; ``form_explode``: ``x=a&x=b``
    (an object gives one pair per property); ``space_delimited`` / ``pipe_delimited``:
    ``x=a b`` / ``x=a|b``; ``deep_object``: ``x[a]=1&x[b]=2`` (nested objects
    nest); ``json``: the value's JSON text.
    """
    if value is None:
        return []
    if style == "json":
        return [(name, _json.dumps(to_json(value), separators=(",", ":"), ensure_ascii=False))]
    if style == "form":
        return [(name, _joined(value, ","))]
    if style == "space_delimited":
        return [(name, _joined(value, " "))]
    if style == "pipe_delimited":
        return [(name, _joined(value, "|"))]
    if style == "form_explode":
        items = _as_list(value)
        if items is not None:
            return [(name, _scalar(item)) for item in items]
        props = _as_object(value)
        if props is not None:
            return [(key, _scalar(item)) for key, item in props.items()]
        return [(name, _scalar(value))]
    if style == "deep_object":
        return _deep_object(name, value)
    raise InvalidRequestError(f"unsupported query parameter style {style!r}")


def _deep_object(prefix: str, value: Any) -> list[tuple[str, str]]:
    props = _as_object(value)
    if props is not None:
        pairs: list[tuple[str, str]] = []
        for key, item in props.items():
            pairs.extend(_deep_object(f"{prefix}[{key}]", item))
        return pairs
    items = _as_list(value)
    if items is not None:
        return [(prefix, _scalar(item)) for item in items]
    return [(prefix, _scalar(value))]


def _check_header_text(text: str, what: str) -> str:
    if any(ch in text for ch in "\r\n\x00"):
        raise InvalidRequestError(f"{what} value contains CR, LF or NUL")
    return text


def header_param(value: Any, style: str = "simple", *, explode: bool = False) -> str | None:
    """A header parameter's text (``simple``: ``a,b``); ``None`` for no header."""
    if value is None:
        return None
    if style == "json":
        text = _json.dumps(to_json(value), separators=(",", ":"))
    elif style == "simple":
        text = _joined(value, ",", explode=explode)
    else:
        raise InvalidRequestError(f"unsupported header parameter style {style!r}")
    return _check_header_text(text, "header")


def cookie_param(value: Any, style: str = "form") -> str | None:
    """A cookie parameter's text (``form``: ``a,b``); ``None`` for no cookie."""
    if value is None:
        return None
    if style == "json":
        text = _json.dumps(to_json(value), separators=(",", ":"))
    elif style in ("form", "form_explode", "simple"):
        text = _joined(value, ",")
    else:
        raise InvalidRequestError(f"unsupported cookie parameter style {style!r}")
    if any(ch in text for ch in ";"):
        raise InvalidRequestError("cookie value contains ';'")
    return _check_header_text(text, "cookie")


def compact(values: Mapping[str, str | None]) -> dict[str, str]:
    """``values`` without the ``None`` entries (parameters the caller did not pass)."""
    return {key: value for key, value in values.items() if value is not None}


# -- bodies ----------------------------------------------------------------------


def _form_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_scalar(item) for item in value if item is not None]
    return _scalar(value)


def form_body(value: Any) -> dict[str, Any] | None:
    """An ``application/x-www-form-urlencoded`` body: one field per property.

    Arrays repeat the field, nested objects are sent as JSON text, booleans as
    ``true``/``false``; properties that are unset or ``None`` are left out.
    """
    if value is None:
        return None
    props = _as_object(value)
    if props is None:
        raise InvalidRequestError(f"a form body must be an object, got {type(value).__name__}")
    return {key: _form_value(item) for key, item in props.items()}


def _is_file(value: Any) -> bool:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return True
    if isinstance(value, tuple) and len(value) in (2, 3):
        return isinstance(value[1], (bytes, bytearray, str)) or hasattr(value[1], "read")
    return hasattr(value, "read")


def multipart_body(value: Any) -> tuple[dict[str, Any], dict[str, FileSpec]]:
    """A ``multipart/form-data`` body as ``(data, files)`` for :class:`HttpRequest`.

    ``bytes``, file objects and ``(filename, content[, content_type])`` tuples
    become file parts; other properties are text parts (objects as JSON text).
    """
    if value is None:
        return {}, {}
    if isinstance(value, BaseModel):
        raw: Mapping[str, Any] = {
            (field.alias or name): getattr(value, name)
            for name, field in type(value).model_fields.items()
            if name in value.model_fields_set
        }
    elif isinstance(value, Mapping):
        raw = value
    else:
        raise InvalidRequestError(f"a multipart body must be an object, got {type(value).__name__}")
    data: dict[str, Any] = {}
    files: dict[str, FileSpec] = {}
    for key, item in raw.items():
        if item is None:
            continue
        if _is_file(item):
            files[key] = bytes(item) if isinstance(item, (bytearray, memoryview)) else item
        elif isinstance(item, (list, tuple)) and any(_is_file(part) for part in item):
            raise InvalidRequestError(
                f"multipart field {key!r}: several files under one name are not supported"
            )
        else:
            data[key] = _form_value(item)
    return data, files


def text_body(value: str | None) -> bytes | None:
    """A ``text/*`` body encoded as UTF-8 (``None``: no body)."""
    return None if value is None else value.encode("utf-8")


# -- enums -----------------------------------------------------------------------


class OpenEnum:
    """Mixin for generated enums: ``class Status(OpenEnum, str, Enum)``.

    A value the spec did not list (a newer server's) becomes a *pseudo-member*
    instead of a ``ValueError``: it compares equal to its value, serialises back
    to it, and is cached so ``Status("new") is Status("new")``.  It is not part
    of iteration or ``len``; :attr:`is_known` tells the two apart.
    """

    _value_: Any
    _name_: str

    @classmethod
    def _missing_(cls, value: object) -> Any:
        enum_cls: Any = cls
        member_type: type = enum_cls._member_type_
        if member_type is str and not isinstance(value, str):
            return None
        if member_type is int and (isinstance(value, bool) or not isinstance(value, int)):
            return None
        if member_type is float and (
            isinstance(value, bool) or not isinstance(value, (int, float))
        ):
            return None
        if member_type is object:
            pseudo: Any = object.__new__(enum_cls)
        else:
            pseudo = member_type.__new__(enum_cls, value)
        pseudo._value_ = value
        pseudo._name_ = f"UNKNOWN_{value}"
        return enum_cls._value2member_map_.setdefault(value, pseudo)

    @property
    def is_known(self) -> bool:
        """Whether this value is one the spec listed."""
        members: Mapping[str, Any] = getattr(type(self), "__members__", {})
        return self._name_ in members


# -- the client ------------------------------------------------------------------


class ApiClient:
    """Base of every generated ``Client``: an :class:`HttpClient` plus credentials per scheme.

    Pass ``base_url`` (defaults to the spec's first server, the generated class's
    ``default_base_url``) or a ready ``http_client`` (its config's auth hook then
    stands in for ``auth``).  ``auth`` is used for every operation that has a
    security requirement; ``auth_by_scheme`` maps security scheme names (the
    spec's keys) to hooks, and wins over ``auth`` for the schemes it names.
    """

    default_base_url: ClassVar[str] = ""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        auth: AuthHook | None = None,
        auth_by_scheme: Mapping[str, AuthHook] | None = None,
        http_client: HttpClient | None = None,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if http_client is not None:
            if base_url is not None or timeout is not None or headers is not None:
                raise InvalidRequestError(
                    "pass base_url, timeout and headers through the http_client's config, "
                    "not alongside http_client"
                )
            self._http = http_client
            self._owns_http = False
            config_auth = http_client.config.auth_hook
            self._auth: AuthHook | None = auth if auth is not None else config_auth
        else:
            builder = HttpClientConfigBuilder().with_base_url(
                base_url if base_url is not None else self.default_base_url
            )
            if timeout is not None:
                builder.with_timeout(timeout)
            if headers:
                builder.with_headers(headers)
            self._http = HttpClient(builder.build())
            self._owns_http = True
            self._auth = auth
        self._auth_by_scheme: dict[str, AuthHook] = dict(auth_by_scheme or {})

    @property
    def http_client(self) -> HttpClient:
        """The runtime client every request goes through."""
        return self._http

    def _hook_for(self, scheme: str) -> AuthHook | None:
        return self._auth_by_scheme.get(scheme, self._auth)

    def _select_auth(self, security: SecurityRequirements) -> AuthHook | None:
        """The auth hook for an operation with ``security`` (``None``: send no credentials).

        The first requirement whose schemes all have a hook wins (several hooks
        are combined with :class:`CompositeAuthHook`); an empty requirement
        (anonymous allowed) is used only when no other can be met.
        """
        anonymous = False
        for requirement in security:
            if not requirement:
                anonymous = True
                continue
            hooks: list[AuthHook] = []
            for scheme in requirement:
                hook = self._hook_for(scheme)
                if hook is None:
                    break
                if not any(hook is seen for seen in hooks):
                    hooks.append(hook)
            else:
                return hooks[0] if len(hooks) == 1 else CompositeAuthHook(hooks)
        if anonymous or not security:
            return None
        alternatives = " or ".join(
            " + ".join(repr(scheme) for scheme in requirement) for requirement in security
        )
        raise MissingCredentialsError(
            f"this operation needs credentials for {alternatives}: pass "
            f"{type(self).__name__}(auth=<auth hook>) or "
            f"auth_by_scheme={{{next(iter(security[0]))!r}: <auth hook>}}",
            requirements=security,
        )

    def execute(
        self,
        request: HttpRequest,
        *,
        security: SecurityRequirements = (),
        timeout: float | None = None,
    ) -> HttpResponse:
        """Send ``request`` with the credentials ``security`` calls for.

        :class:`MissingCredentialsError` is raised before any network call when
        no requirement can be met.  ``timeout`` (seconds) overrides the client's.
        When the retry strategy gives up on an error *status*, the last response
        is returned (and becomes the operation's typed error); when it gives up
        on a transport error, that error is raised.
        """
        auth = self._select_auth(security)
        if timeout is not None:
            request = replace(request, timeout=timeout)
        try:
            return self._http.execute(request, auth=auth)
        except MaxRetryException as error:
            # Retries exhausted on an HTTP status: the operation's parser turns
            # that final response into its typed error (a ServerError, ...).
            if error.last_response is not None:
                return error.last_response
            raise

    def close(self) -> None:
        """Close the underlying HTTP client if this client created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._http.config.base_url!r})"


class Resource:
    """Base of the generated per-tag classes (``client.pet``): holds the client."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client


class BoundEndpoint(Generic[P, T]):
    """An operation bound to a client: call it, or call ``.with_raw_response(...)``."""

    __slots__ = ("_client", "_sync", "_sync_detailed")

    def __init__(
        self,
        client: ApiClient,
        sync: Callable[Concatenate[ApiClient, P], T],
        sync_detailed: Callable[Concatenate[ApiClient, P], ApiResponse[T]],
    ) -> None:
        self._client = client
        self._sync = sync
        self._sync_detailed = sync_detailed

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._sync(self._client, *args, **kwargs)

    def with_raw_response(self, *args: P.args, **kwargs: P.kwargs) -> ApiResponse[T]:
        """Call the operation and return status, headers and parsed body together."""
        return self._sync_detailed(self._client, *args, **kwargs)

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self._sync.__doc__

    def __repr__(self) -> str:
        return f"<endpoint {getattr(self._sync, '__module__', '?')}>"


class Endpoint(Generic[P, T]):
    """Descriptor on a :class:`Resource`: ``resource.op(...)`` calls ``sync(client, ...)``.

    Typed with ``ParamSpec``: the operation's keyword parameters and return type
    show through to callers (IDEs, ``mypy --strict``).
    """

    def __init__(
        self,
        sync: Callable[Concatenate[ApiClient, P], T],
        sync_detailed: Callable[Concatenate[ApiClient, P], ApiResponse[T]],
    ) -> None:
        self._sync = sync
        self._sync_detailed = sync_detailed
        self.__doc__ = sync.__doc__

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, instance: Resource, owner: type[Any]) -> BoundEndpoint[P, T]: ...

    def __get__(self, instance: Resource | None, owner: type[Any]) -> Self | BoundEndpoint[P, T]:
        if instance is None:
            return self
        return BoundEndpoint(instance._client, self._sync, self._sync_detailed)
