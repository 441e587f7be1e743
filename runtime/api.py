"""What generated clients call: the client base, endpoints, typed errors, encoders.

A forgegen-generated package is thin: each operation module builds an
:class:`HttpRequest` with the encoders here, hands it to
:meth:`ApiClient.execute` together with the operation's security requirements,
and parses the response with :func:`parse_json` or raises through
:func:`raise_api_error`.  Everything that is the same for every API lives in
this module, so it is written, tested and type-checked once.

The encoders live in :mod:`.encoding` and are re-exported here, so
``requestforge.api`` is the whole support surface.
"""

from __future__ import annotations

# The runtime's modules are one package: they share its underscored helpers
# (and reach each other's underscored members) on purpose.
# pyright: reportPrivateUsage=false
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Concatenate,
    Generic,
    NoReturn,
    ParamSpec,
    Protocol,
    TypeVar,
    cast,
    overload,
)

from pydantic import BaseModel, ValidationError
from typing_extensions import Self

from .auth import CompositeAuthHook
from .client import HttpClient
from .config import HttpClientConfig, HttpClientConfigBuilder
from .encoding import (
    OpenEnum,
    compact,
    cookie_param,
    form_body,
    header_param,
    multipart_body,
    parse_json,
    path_param,
    query_param,
    text_body,
    to_json,
)
from .errors import ConfigurationError, InvalidRequestError, MaxRetryException, RequestForgeError
from .hooks import AuthHook
from .lazy_operations import BoundOperation, DeferredFunction, operation_type, resolve_deferred
from .models import Headers, HttpRequest, HttpResponse
from .redaction import redact_url

if TYPE_CHECKING:  # loaded on use: most clients have no schemes, many no token flows
    from .schemes import SchemeAuth, SecuritySchemeSpec
    from .sse import ServerSentEvent
    from .storage import TokenStorage
    from .streaming import Stream
    from .tolerant import Deviation

__all__ = [
    "ApiClient",
    "ApiClientBase",
    "ApiError",
    "ApiResponse",
    "BadRequestError",
    "BoundEndpoint",
    "ConflictError",
    "Endpoint",
    "MissingCredentialsError",
    "NotFoundError",
    "OpenEnum",
    "OperationScopes",
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
    "parse_model",
    "parse_typed",
    "path_param",
    "query_param",
    "raise_api_error",
    "strict_responses_from_env",
    "text_body",
    "to_json",
    "with_json_member",
]

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)
P = ParamSpec("P")

SecurityRequirements = Sequence[Sequence[str]]
"""An operation's ``security``: OR of ANDs of scheme names; ``()`` sends no credentials."""

OperationScopes = Mapping[str, Sequence[str]]
"""An operation's scopes per scheme name (what its requirements list), for scoped flows."""


# -- responses -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiResponse(Generic[T]):
    """A response with its parsed body: what ``.with_raw_response(...)`` returns."""

    status_code: int
    headers: Headers
    parsed: T
    raw: HttpResponse

    @staticmethod
    def of(response: HttpResponse, parsed: R) -> ApiResponse[R]:
        # A static method over its own type variable: called on the bare class
        # (``ApiResponse.of(...)``), a classmethod's ``cls`` would leave the class's
        # own T unsolved, which pyright reports as an ApiResponse[Unknown].
        return ApiResponse(
            status_code=response.status_code, headers=response.headers, parsed=parsed, raw=response
        )

    @property
    def deviations(self) -> tuple[Deviation, ...]:
        """Where the body did not match its schema (empty when it did): ``raw.deviations``."""
        return self.raw.deviations


def with_json_member(request: HttpRequest, name: str, value: Any) -> HttpRequest:
    """``request`` with ``name: value`` set in its JSON object body (created when absent).

    A streamed call of an API that switches streaming with a body flag
    (``"stream": true``, the OpenAI and Anthropic convention) must send the
    flag whatever the caller's body said.  A body that is not a JSON object
    (an array, a string) is left as it is: there is no member to set.
    """
    body = request.json_data
    if body is None:
        return replace(request, json_data={name: value})
    if isinstance(body, Mapping):
        return replace(request, json_data={**body, name: value})
    return request


def _with_body_flag(request: HttpRequest, name: str) -> HttpRequest:
    """``request`` with its body's boolean ``name`` switched on, whatever the body's encoding.

    A JSON body gets ``name: true`` (:func:`with_json_member`); a form or
    multipart body (``data`` a mapping, or files) gets the field ``name=true``,
    as :func:`form_body` writes booleans.
    """
    data = request.data
    if request.files or isinstance(data, Mapping):
        return replace(request, data={**(data if isinstance(data, Mapping) else {}), name: "true"})
    return with_json_member(request, name, True)


# -- parsing success bodies --------------------------------------------------------

#: Set to ``1`` (or true/yes/on) to make every client parse success bodies strictly.
STRICT_RESPONSES_ENV = "REQUESTFORGE_STRICT_RESPONSES"


def strict_responses_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``REQUESTFORGE_STRICT_RESPONSES`` asks for strict response parsing."""
    env = os.environ if environ is None else environ
    return env.get(STRICT_RESPONSES_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def parse_model(
    response: HttpResponse, model: type[M], operation: str, strict: bool | None = None
) -> M:
    """A success body as ``model``: validated from bytes in one call, salvaged if it drifts.

    A server that strays from its own spec (``null`` in a required string,
    which Swagger 2.0 cannot even declare) should not make a successful call
    fail.  So when validation fails and ``strict`` is false, what validates is
    typed and what does not keeps its JSON value; each place is logged once
    per ``operation`` and field and recorded in ``response.deviations``.
    ``strict`` true raises pydantic's ``ValidationError`` as strict parsing
    always did; ``None`` asks the environment (:func:`strict_responses_from_env`).
    """
    try:
        return model.model_validate_json(response.content)
    except ValidationError as error:
        if strict or (strict is None and strict_responses_from_env()):
            raise
        salvaged: M = _salvaged(response, model, operation, error)
        return salvaged


def parse_typed(
    response: HttpResponse, type_: Any, operation: str, strict: bool | None = None
) -> Any:
    """:func:`parse_model` for any type expression (a list, a union): :func:`parse_json`'s kind.

    Typed ``Any`` like :func:`parse_json`: generated code ``cast``s the result.
    """
    try:
        return parse_json(response.content, type_)
    except ValidationError as error:
        if strict or (strict is None and strict_responses_from_env()):
            raise
        return _salvaged(response, type_, operation, error)


def _salvaged(response: HttpResponse, type_: Any, operation: str, invalid: ValidationError) -> Any:
    """The tolerant reading of a body that failed validation (the rare path).

    A body with nothing typed left to give (not JSON, or the wrong kind of
    value altogether, say a string where an object is declared) raises
    ``invalid``: there is no model to hand back.
    """
    # Loaded on the first drifting body: it brings ``logging``, which a client
    # whose servers keep to their specs never needs.
    from .tolerant import log_deviations, salvage  # noqa: PLC0415

    value, deviations = salvage(response.content, type_, invalid)
    if any(deviation.pointer == "" for deviation in deviations):
        raise invalid
    log_deviations(operation, deviations)
    object.__setattr__(response, "deviations", deviations)  # see HttpResponse.deviations
    return value


# -- errors ----------------------------------------------------------------------


class MissingCredentialsError(RequestForgeError):
    """An operation needs credentials the client was not given (raised before any I/O).

    ``requirements`` are the operation's alternatives (OR of ANDs of scheme names).
    The message names the ``Client(...)`` parameters that would satisfy each one.
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


_FAMILY_CLASSES: dict[tuple[type[ApiError], type[ApiError]], type[ApiError]] = {}


def _with_family(declared: type[ApiError], family: type[ApiError]) -> type[ApiError]:
    """``declared``, made an instance of the status class users catch as well.

    A spec may declare a 404 only through ``default`` or ``4XX``; the error it
    raises must still be caught by ``except NotFoundError``.  The combined class
    keeps the declared one's name and body model and is made once per pair.
    """
    if issubclass(declared, family):
        return declared
    known = _FAMILY_CLASSES.get((declared, family))
    if known is not None:
        return known
    combined = type(
        declared.__name__,
        (declared, family),
        {"__module__": declared.__module__, "__qualname__": declared.__qualname__},
    )
    # setdefault: threads racing here all get the one class that was stored
    return _FAMILY_CLASSES.setdefault((declared, family), combined)


def raise_api_error(
    response: HttpResponse, declared: Mapping[int | str, type[ApiError]] | None = None
) -> NoReturn:
    """Raise the error class declared for the response's status, with its body parsed.

    ``declared`` keys are int statuses, ``"4XX"``-style ranges and ``"default"``
    (looked up in that order).  The declared class's ``model`` is parsed from the
    JSON body; a body that does not match leaves ``parsed`` as ``None`` (the raw
    body is still in ``content``) rather than hiding the API error behind a
    validation error.  Undeclared statuses raise :func:`error_class_for`'s class;
    a declared class is also made an instance of that class (a 404 declared only
    as ``default`` is still a :class:`NotFoundError`).
    """
    family = error_class_for(response.status_code)
    cls = _declared_class(response.status_code, declared or {})
    cls = family if cls is None else _with_family(cls, family)
    parsed: Any = None
    if cls.model is not None and response.content:
        try:
            parsed = parse_json(response.content, cls.model)
        except ValueError:  # pydantic's ValidationError is a ValueError
            parsed = None
    raise cls(response, parsed)


# -- the client ------------------------------------------------------------------


class _HasConfig(Protocol):
    @property
    def config(self) -> HttpClientConfig: ...


H = TypeVar("H", bound=_HasConfig)
_DEFAULT_STORAGE_LOCK = threading.Lock()


class ApiClientBase(Generic[H]):
    """What :class:`ApiClient` and ``AsyncApiClient`` share: everything but the I/O.

    Pass ``base_url`` (defaults to the spec's first server, the generated class's
    ``default_base_url``) or a ready ``http_client`` (its config's auth hook then
    stands in for ``auth``).  A generated client declares its spec's schemes in
    ``security_schemes`` and passes the typed keyword credentials it was given
    as ``credentials={scheme name: {canonical name: value or None}}``; tokens
    its flows obtain are cached in ``token_storage`` (in memory by default).

    Per scheme, a hook in ``auth_by_scheme`` wins over those credentials, which
    win over ``auth`` (one hook for every scheme: the generic escape hatch).
    ``H`` is the HTTP client type (sync or async); each subclass's constructor
    calls :meth:`_setup` with its factory and adds the I/O: ``execute``, closing.

    ``strict_responses`` is what the operations pass to their parsers: ``False``
    (the default) salvages a success body that drifts from its schema,
    ``True`` raises ``ValidationError`` for it; ``None`` reads
    ``REQUESTFORGE_STRICT_RESPONSES`` when the client is made.
    """

    default_base_url: ClassVar[str] = ""
    security_schemes: ClassVar[tuple[SecuritySchemeSpec, ...]] = ()
    env_prefix: ClassVar[str] = ""

    def _setup(
        self,
        base_url: str | None,
        *,
        auth: AuthHook | None,
        auth_by_scheme: Mapping[str, AuthHook] | None,
        http_client: H | None,
        timeout: float | None,
        headers: Mapping[str, str] | None,
        credentials: Mapping[str, Mapping[str, object]] | None,
        token_storage: TokenStorage | None,
        make_http: Callable[[HttpClientConfig], H],
        strict_responses: bool | None = None,
    ) -> None:
        """The shared constructor body: validation, the HTTP client, credential wiring.

        ``make_http`` builds the (sync or async) HTTP client when none is given.
        """
        self.strict_responses: bool = (
            strict_responses if strict_responses is not None else strict_responses_from_env()
        )
        credentials = credentials or {}
        client_cert = self._client_cert(credentials)
        if http_client is not None:
            if base_url is not None or timeout is not None or headers is not None:
                raise InvalidRequestError(
                    "pass base_url, timeout and headers through the http_client's config, "
                    "not alongside http_client"
                )
            if client_cert is not None:
                raise ConfigurationError(
                    "client_cert", "configure it on the http_client, not alongside it"
                )
            self._http: H = http_client
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
            if client_cert is not None:
                builder.with_client_cert(client_cert)
            self._http = make_http(builder.build())
            self._owns_http = True
            self._auth = auth
        self._auth_by_scheme: dict[str, AuthHook] = dict(auth_by_scheme or {})
        # Created when first needed (a scheme's flows, or the property): importing
        # the storage module is a cost clients without token flows need not pay.
        self._token_storage_given: TokenStorage | None = token_storage
        self._schemes: dict[str, SchemeAuth] = {}
        if self.security_schemes:
            from .schemes import build_scheme_auth  # noqa: PLC0415 - see TYPE_CHECKING above

            for spec in self.security_schemes:
                built = build_scheme_auth(
                    spec,
                    credentials.get(spec.name, {}),
                    storage=self.token_storage,
                    base_url=self._http.config.base_url or "",
                )
                if built is not None:
                    self._schemes[spec.name] = built

    @classmethod
    def _client_cert(
        cls, credentials: Mapping[str, Mapping[str, object]]
    ) -> str | tuple[str, str] | None:
        for spec in cls.security_schemes:
            if spec.kind != "mutualTLS":
                continue
            cert = credentials.get(spec.name, {}).get("client_cert")
            if cert is None:
                continue
            if isinstance(cert, str):
                return cert
            pair: tuple[object, ...] = (
                cast("tuple[object, ...]", cert) if isinstance(cert, tuple) else ()
            )
            if len(pair) == 2 and isinstance(pair[0], str) and isinstance(pair[1], str):
                return (pair[0], pair[1])
            raise ConfigurationError(
                spec.parameters.get("client_cert", "client_cert"),
                "must be a PEM path or a (cert path, key path) tuple",
            )
        return None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """A client configured from ``<PREFIX>_<PARAMETER>`` environment variables.

        ``<PREFIX>`` is ``env_prefix`` (the package name, upper-case); every
        credential parameter of the generated ``Client`` is read from the
        variable named after it (``PETSTORE_API_KEY`` for ``api_key``;
        ``scopes`` space-separated), ``base_url`` from ``<PREFIX>_BASE_URL``.
        Unset or empty variables are left out; ``overrides`` win.
        """
        env = os.environ if environ is None else environ
        prefix = cls.env_prefix
        kwargs: dict[str, Any] = {}
        base_url = env.get(f"{prefix}_BASE_URL")
        if base_url:
            kwargs["base_url"] = base_url
        for spec in cls.security_schemes:
            for canonical, parameter in spec.parameters.items():
                if canonical == "token_manager":
                    continue
                raw = env.get(f"{prefix}_{parameter.upper()}")
                if raw:
                    kwargs[parameter] = raw.split() if canonical == "scopes" else raw
        kwargs.update(overrides)
        return cls(**kwargs)

    @property
    def http_client(self) -> H:
        """The runtime client every request goes through."""
        return self._http

    @property
    def token_storage(self) -> TokenStorage:
        """Where the client's token managers cache tokens (in memory unless one was given)."""
        if self._token_storage_given is None:
            from .storage import InMemoryTokenStorage  # noqa: PLC0415 - created on first use

            with _DEFAULT_STORAGE_LOCK:  # two threads asking first still share one
                if self._token_storage_given is None:
                    self._token_storage_given = InMemoryTokenStorage()
        return self._token_storage_given

    def _hook_for(self, scheme: str, scopes: OperationScopes) -> AuthHook | None:
        hook = self._auth_by_scheme.get(scheme)
        if hook is not None:
            return hook
        wired = self._schemes.get(scheme)
        if wired is not None:
            return wired.hook(tuple(scopes.get(scheme, ())))
        return self._auth

    def _select_auth(
        self, security: SecurityRequirements, scopes: OperationScopes | None = None
    ) -> AuthHook | None:
        """The auth hook for an operation with ``security`` (``None``: send no credentials).

        The first requirement (in the spec's order) whose schemes all have
        credentials wins (several hooks are combined with
        :class:`CompositeAuthHook`); an empty requirement (anonymous allowed) is
        used only when no other can be met.
        """
        anonymous = False
        for requirement in security:
            if not requirement:
                anonymous = True
                continue
            hooks: list[AuthHook] = []
            for scheme in requirement:
                hook = self._hook_for(scheme, scopes or {})
                if hook is None:
                    break
                if not any(hook is seen for seen in hooks):
                    hooks.append(hook)
            else:
                return hooks[0] if len(hooks) == 1 else CompositeAuthHook(hooks)
        if anonymous or not security:
            return None
        raise MissingCredentialsError(self._missing_message(security), requirements=security)

    def _close_schemes(self) -> None:
        """Close the token clients this client's scheme flows created (sync, no network I/O)."""
        for scheme in self._schemes.values():
            scheme.close()

    def _missing_message(self, security: SecurityRequirements) -> str:
        specs = {spec.name: spec for spec in self.security_schemes}
        name = type(self).__name__
        alternatives: list[str] = []
        for requirement in security:
            parts: list[str] = []
            for scheme in requirement:
                spec = specs.get(scheme)
                if spec is None or not spec.parameters:
                    parts.append(f"auth_by_scheme={{{scheme!r}: <auth hook>}}")
                elif len(spec.options()) > 1 and len(requirement) > 1:
                    parts.append(f"({spec.describe()})")
                else:
                    parts.append(spec.describe())
            alternatives.append(f"{name}({', '.join(parts)})")
        schemes = " or ".join(" + ".join(repr(s) for s in requirement) for requirement in security)
        return (
            f"this operation needs credentials for {schemes}: pass {' or '.join(alternatives)} "
            f"(or a runtime auth hook as {name}(auth=...))"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._http.config.base_url!r})"


class ApiClient(ApiClientBase[HttpClient]):
    """Base of every generated ``Client``: an :class:`HttpClient` plus credentials per scheme.

    Construction and credentials are :class:`ApiClientBase`'s; this class adds
    the blocking I/O (``execute``, ``close``).
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        auth: AuthHook | None = None,
        auth_by_scheme: Mapping[str, AuthHook] | None = None,
        http_client: HttpClient | None = None,
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
            make_http=HttpClient,
            strict_responses=strict_responses,
        )

    def execute(
        self,
        request: HttpRequest,
        *,
        security: SecurityRequirements = (),
        timeout: float | None = None,
        scopes: OperationScopes | None = None,
    ) -> HttpResponse:
        """Send ``request`` with the credentials ``security`` calls for.

        :class:`MissingCredentialsError` is raised before any network call when
        no requirement can be met.  ``timeout`` (seconds) overrides the client's.
        ``scopes`` (scheme name -> scopes) are requested by flows that take scopes.
        When the retry strategy gives up on an error *status*, the last response
        is returned (and becomes the operation's typed error); when it gives up
        on a transport error, that error is raised.
        """
        auth = self._select_auth(security, scopes)
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

    def stream_events(
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
    ) -> Stream[T]:
        """``request`` sent as :meth:`execute` sends it, its body read as server-sent events.

        The credentials are chosen as for :meth:`execute`; the request goes
        through :meth:`HttpClient.stream_events` (``Accept: text/event-stream``
        unless the request names another), and each event is decoded with
        ``decode`` until ``done``.  An error status -- also the last one of
        exhausted retries -- is handed to ``raise_error`` (a generated
        operation passes the function that raises its declared error classes).
        ``body_flag``: a boolean member of the body set to true first -- the
        ``stream`` switch of OpenAI-style APIs, in a JSON, form or multipart body.
        """
        auth = self._select_auth(security, scopes)
        if body_flag is not None:
            request = _with_body_flag(request, body_flag)
        try:
            return self._http.stream_events(
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

    def close(self) -> None:
        """Close the underlying HTTP client if this client created it, and the token clients."""
        self._close_schemes()
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


class Resource:
    """Base of the generated per-tag classes (``client.pet``): holds the client."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client


class BoundEndpoint(BoundOperation, Generic[P, T]):
    """An operation bound to a client: call it, or call ``.with_raw_response(...)``.

    An :class:`Endpoint` hands out instances of a subclass made for its
    operation, which introspect as the operation function without its
    ``client`` (see :mod:`.lazy_operations`).
    """

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

    def _operation_function(self) -> Callable[..., Any]:
        return resolve_deferred(self._sync)

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self._sync.__doc__

    def __repr__(self) -> str:
        return f"<endpoint {getattr(self._sync, '__module__', '?')}>"


class Endpoint(Generic[P, T]):
    """Descriptor on a :class:`Resource`: ``resource.op(...)`` calls ``sync(client, ...)``.

    Typed with ``ParamSpec``: the operation's keyword parameters and return type
    show through to callers (IDEs, ``mypy --strict``).  ``summary`` (the
    operation's one-line summary, given by generated resources) is the
    descriptor's docstring, so ``help(client.pet)`` lists the operations
    without importing them; the bound endpoint has the whole docstring.
    """

    def __init__(
        self,
        sync: Callable[Concatenate[ApiClient, P], T],
        sync_detailed: Callable[Concatenate[ApiClient, P], ApiResponse[T]],
        *,
        summary: str | None = None,
    ) -> None:
        self._sync = sync
        self._sync_detailed = sync_detailed
        self._owner: type[Any] | None = None
        self._name: str | None = None
        self._summary = summary
        # A generated resource passes DeferredFunctions: the operation module is
        # imported when the endpoint is first reached (see lazy_operations).
        # Pending until that first access has also built the bound class.
        self._pending = True
        self._bound: type[BoundEndpoint[P, T]] = BoundEndpoint
        if summary:
            self.__doc__ = summary
        elif not isinstance(sync, DeferredFunction):
            self.__doc__ = sync.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        # pydoc documents the descriptor as a routine of its resource class
        self._owner = owner
        self._name = self.__name__ = name
        self.__qualname__ = f"{owner.__qualname__}.{name}"
        self.__module__ = owner.__module__

    def _load(self) -> None:
        """Swap deferred functions for the real ones, build the bound class (first access)."""
        self._sync = resolve_deferred(self._sync)
        self._sync_detailed = resolve_deferred(self._sync_detailed)
        if not self._summary:
            self.__doc__ = self._sync.__doc__
        self._make_bound_class()
        self._pending = False

    def _make_bound_class(self) -> None:
        """The class of this operation's bound endpoints (the paging twin makes its own)."""
        methods = {"__call__": self._sync, "with_raw_response": self._sync_detailed}
        self._bound = operation_type(BoundEndpoint, self._owner, self._name, methods)

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, instance: Resource, owner: type[Any]) -> BoundEndpoint[P, T]: ...

    def __get__(self, instance: Resource | None, owner: type[Any]) -> Self | BoundEndpoint[P, T]:
        if instance is None:
            return self
        if self._pending:
            self._load()
        bound = self._bound  # a local: a method-style load of an instance attribute is slower
        return bound(instance._client, self._sync, self._sync_detailed)
