"""Security schemes as generated clients declare them, and the auth they build from credentials.

A generated ``Client`` lists its spec's ``components.securitySchemes`` as
:class:`SecuritySchemeSpec` values and passes the keyword credentials the user
gave (``api_key=``, ``client_id=``...) to :class:`~requestforge.api.ApiClient`
as ``credentials={scheme name: {canonical name: value}}``.
:func:`build_scheme_auth` turns one scheme's credentials into a
:class:`SchemeAuth`: the hook the scheme contributes to a request, one per
requested scope set for the flows that take scopes (client credentials,
password, OpenID Connect), created on first use.

Which credentials activate a scheme (:meth:`SecuritySchemeSpec.options`):

* apiKey: ``api_key``; http basic: ``username`` + ``password``;
* http bearer: ``token``, or ``token_manager``, or (``x-forgegen-token-pipeline``)
  every pipeline input (a pipeline without inputs is always active);
* oauth2: ``token`` / ``refresh_token`` (authorizationCode, implicit),
  ``username`` + ``password`` (password), ``client_id`` + ``client_secret``
  (clientCredentials) -- tried in that order;
* openIdConnect: ``token``, or ``client_id`` + ``client_secret`` against the
  discovery document's token endpoint; mutualTLS: ``client_cert``.
"""

from __future__ import annotations

import string
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

from .auth import (
    ApiKeyAuthHook,
    ApiKeyLocation,
    BasicAuthHook,
    BearerTokenAuthHook,
    TokenAuthHook,
    TokenSource,
)
from .errors import ConfigurationError
from .hooks import AuthHook, AuthHookInterface
from .models import HttpRequest, RequestContext

if TYPE_CHECKING:
    from .pipeline import TokenFetcher
    from .storage import TokenStorage
    from .tokens import TokenData

# The token machinery (manager, providers, OIDC discovery, pipelines) is imported
# inside the functions that build it: every generated client imports this module
# for ``SecuritySchemeSpec``, and most clients never use a token flow, so loading
# it eagerly cost ~12 ms of every import of a generated package.

__all__ = [
    "PipelineStepSpec",
    "SchemeAuth",
    "SchemeKind",
    "SecuritySchemeSpec",
    "build_scheme_auth",
]

SchemeKind = Literal["apiKey", "http_basic", "http_bearer", "oauth2", "openIdConnect", "mutualTLS"]
Scopes = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PipelineStepSpec:
    """One ``x-forgegen-token-pipeline`` step: an operation of the API that yields a token.

    ``headers`` / ``json`` are templates: ``{step}`` is that dependency's token,
    ``{input}`` a pipeline input given to the client.
    """

    name: str
    method: str
    path: str
    ttl: float
    depends_on: tuple[str, ...] = ()
    token_header: str | None = None
    token_json: str | None = None
    headers: Mapping[str, str] = field(default_factory=lambda: {})
    json: Mapping[str, str] = field(default_factory=lambda: {})


@dataclass(frozen=True, slots=True)
class SecuritySchemeSpec:
    """A ``components.securitySchemes`` entry, as the generated client declares it.

    ``parameters`` maps canonical credential names (``token``) to the
    generated ``Client``'s parameter names (``petstore_auth_token``).
    """

    name: str
    kind: SchemeKind
    parameters: Mapping[str, str]
    location: ApiKeyLocation = "header"
    parameter_name: str = ""
    flows: tuple[str, ...] = ()
    flow_token_urls: Mapping[str, str] = field(default_factory=lambda: {})
    token_url: str | None = None
    refresh_url: str | None = None
    openid_connect_url: str | None = None
    pipeline: tuple[PipelineStepSpec, ...] = ()
    pipeline_inputs: tuple[str, ...] = ()

    def url_of(self, flow: str) -> str | None:
        """The token URL of ``flow`` (else the first one the scheme declares)."""
        return self.flow_token_urls.get(flow) or self.token_url

    def options(self) -> list[tuple[str, ...]]:
        """The sets of canonical credentials that each activate this scheme, preferred first."""
        found: list[tuple[str, ...]] = []
        if self.kind == "apiKey":
            found = [("api_key",)]
        elif self.kind == "http_basic":
            found = [("username", "password")]
        elif self.kind == "http_bearer":
            found = [("token",), ("token_manager",)]
            if self.pipeline:
                found.append(self.pipeline_inputs)
        elif self.kind == "oauth2":
            if {"authorizationCode", "implicit"} & set(self.flows):
                found += [("token",), ("refresh_token",)]
            if "password" in self.flows:
                found.append(("username", "password"))
            if "clientCredentials" in self.flows:
                found.append(("client_id", "client_secret"))
        elif self.kind == "openIdConnect":
            found = [("token",), ("client_id", "client_secret")]
        else:
            found = [("client_cert",)]
        return found

    def describe(self) -> str:
        """``Client(...)`` keywords that activate the scheme: ``api_key=... or token=...``."""
        calls: list[str] = []
        for option in self.options():
            names = [self.parameters.get(name, name) for name in option]
            calls.append(", ".join(f"{name}=..." for name in names) if names else "(nothing)")
        return " or ".join(calls)


class SchemeAuth:
    """One scheme's credentials: its hook, one per scope set when the flow takes scopes."""

    def __init__(self, factory: Callable[[Scopes], AuthHook], *, scoped: bool = False) -> None:
        self._factory = factory
        self._scoped = scoped
        self._hooks: dict[Scopes, AuthHook] = {}
        self._lock = threading.Lock()
        self._closers: list[Callable[[], None]] = []

    def own(self, closers: list[Callable[[], None]]) -> SchemeAuth:
        """Close what ``closers`` holds (filled as hooks are built) in :meth:`close`."""
        self._closers = closers
        return self

    def close(self) -> None:
        """Close the token clients this scheme's providers and fetchers created."""
        with self._lock:
            closers, self._closers = list(self._closers), []
        for close in closers:
            close()

    @property
    def scoped(self) -> bool:
        """Whether :meth:`hook` gives each scope set its own token."""
        return self._scoped

    def hook(self, scopes: Sequence[str] = ()) -> AuthHook:
        """The hook for an operation asking for ``scopes`` (ignored by unscoped schemes)."""
        wanted: Scopes = tuple(dict.fromkeys(scopes)) if self._scoped else ()
        key: Scopes = tuple(sorted(wanted))  # one token per scope *set*
        hook = self._hooks.get(key)
        if hook is not None:
            return hook
        with self._lock:
            hook = self._hooks.get(key)
            if hook is None:
                hook = self._factory(wanted)  # requested in the operation's order
                self._hooks[key] = hook
            return hook

    def __repr__(self) -> str:
        return f"SchemeAuth(scoped={self._scoped}, scope_sets={len(self._hooks)})"


class NoCredentialsHook(AuthHookInterface):
    """Adds nothing: mutualTLS authenticates on the connection, not on the request."""

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        return request

    def __repr__(self) -> str:
        return "NoCredentialsHook()"


def _text(spec: SecuritySchemeSpec, values: Mapping[str, Any], name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        parameter = spec.parameters.get(name, name)
        raise ConfigurationError(parameter, "must be a non-empty str")
    return value


def _scopes(spec: SecuritySchemeSpec, values: Mapping[str, Any]) -> Scopes | None:
    value = values.get("scopes")
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, Sequence):
        scopes = tuple(cast("Sequence[object]", value))
        if all(isinstance(s, str) for s in scopes):
            return cast("tuple[str, ...]", scopes)
    raise ConfigurationError(spec.parameters.get("scopes", "scopes"), "must be a list of str")


def _require_url(spec: SecuritySchemeSpec, url: str | None, why: str) -> str:
    if url:
        return url
    parameter = spec.parameters.get("token_url", "token_url")
    raise ConfigurationError(
        parameter, f"scheme {spec.name!r} declares no token URL; pass {parameter}= to {why}"
    )


class _Managed:
    """Builds :class:`TokenManager`-backed hooks that share one storage."""

    def __init__(self, storage: TokenStorage) -> None:
        self.storage = storage
        self.closers: list[Callable[[], None]] = []

    def hook(self, provider: Any) -> AuthHook:
        from .manager import TokenManager  # noqa: PLC0415 - lazy: see the module note

        self.closing(provider)
        return TokenAuthHook(TokenManager(provider, self.storage))

    def closing(self, owned: object) -> None:
        close = getattr(owned, "close", None)
        if callable(close):
            self.closers.append(cast("Callable[[], None]", close))


def _oauth2(
    spec: SecuritySchemeSpec, values: Mapping[str, Any], managed: _Managed, given: set[str]
) -> SchemeAuth | None:
    token = _text(spec, values, "token")
    refresh = _text(spec, values, "refresh_token")
    token_url = _text(spec, values, "token_url")
    client_id = _text(spec, values, "client_id")
    client_secret = _text(spec, values, "client_secret")
    fixed_scopes = _scopes(spec, values)
    from .providers import (  # noqa: PLC0415 - lazy: see the module note
        ClientCredentialsTokenProvider,
        PasswordGrantTokenProvider,
        RefreshTokenProvider,
    )
    from .tokens import TokenData  # noqa: PLC0415 - lazy: see the module note

    if refresh is not None and "refresh_token" in given:
        url = _require_url(
            spec,
            token_url
            or spec.refresh_url
            or spec.url_of("authorizationCode")
            or spec.url_of("implicit"),
            "refresh tokens",
        )
        initial: TokenData | str = (
            TokenData(access_token=token, refresh_token=refresh) if token else refresh
        )
        provider = RefreshTokenProvider(url, initial, client_id, client_secret)
        hook = managed.hook(provider)
        return SchemeAuth(lambda _: hook)
    if token is not None and "token" in given:
        static = BearerTokenAuthHook(token)
        return SchemeAuth(lambda _: static)
    username = _text(spec, values, "username")
    password = _text(spec, values, "password")
    if username is not None and password is not None and "password" in given:
        url = _require_url(spec, token_url or spec.url_of("password"), "use the password grant")

        def password_hook(scopes: Scopes) -> AuthHook:
            return managed.hook(
                PasswordGrantTokenProvider(
                    url, username, password, client_id, client_secret, fixed_scopes or scopes
                )
            )

        return SchemeAuth(password_hook, scoped=fixed_scopes is None)
    if client_id is not None and client_secret is not None and "client_id" in given:
        url = _require_url(
            spec, token_url or spec.url_of("clientCredentials"), "use the client credentials grant"
        )

        def client_hook(scopes: Scopes) -> AuthHook:
            return managed.hook(
                ClientCredentialsTokenProvider(
                    url, client_id, client_secret, fixed_scopes or scopes
                )
            )

        return SchemeAuth(client_hook, scoped=fixed_scopes is None)
    return None


def _openid(
    spec: SecuritySchemeSpec, values: Mapping[str, Any], managed: _Managed
) -> SchemeAuth | None:
    token = _text(spec, values, "token")
    if token is not None:
        static = BearerTokenAuthHook(token)
        return SchemeAuth(lambda _: static)
    client_id = _text(spec, values, "client_id")
    client_secret = _text(spec, values, "client_secret")
    if client_id is None or client_secret is None:
        return None
    discovery_url = spec.openid_connect_url
    if not discovery_url:
        raise ConfigurationError(spec.name, "the openIdConnect scheme names no openIdConnectUrl")
    fixed_scopes = _scopes(spec, values)

    def hook(scopes: Scopes) -> AuthHook:
        from .oidc import discover  # noqa: PLC0415 - lazy: see the module note
        from .providers import ClientCredentialsTokenProvider  # noqa: PLC0415

        token_url = discover(discovery_url).token_endpoint  # fetched once, then cached
        wanted = fixed_scopes or scopes
        return managed.hook(
            ClientCredentialsTokenProvider(token_url, client_id, client_secret, wanted)
        )

    return SchemeAuth(hook, scoped=fixed_scopes is None)


class _TemplateValues(dict[str, str]):
    def __missing__(self, key: str) -> str:  # pragma: no cover - lower validates templates
        raise ConfigurationError("x-forgegen-token-pipeline", f"template names unknown {key!r}")


def _render(
    templates: Mapping[str, str], inputs: Mapping[str, str]
) -> Callable[[Mapping[str, TokenData]], dict[str, str]]:
    def render(tokens: Mapping[str, TokenData]) -> dict[str, str]:
        values = _TemplateValues(inputs)
        values.update({name: token.access_token for name, token in tokens.items()})
        return {key: string.Formatter().vformat(t, (), values) for key, t in templates.items()}

    return render


def _pipeline(
    spec: SecuritySchemeSpec, inputs: Mapping[str, str], managed: _Managed, base_url: str
) -> SchemeAuth:
    from .pipeline import (  # noqa: PLC0415 - lazy: see the module note
        BodyTokenFetcher,
        HeaderTokenFetcher,
        PipelineTokenProvider,
        TokenFetchPipeline,
    )

    steps: list[TokenFetcher] = []
    for step in spec.pipeline:
        url = base_url.rstrip("/") + "/" + step.path.lstrip("/")
        options: dict[str, Any] = {
            "method": step.method,
            "depends_on": step.depends_on,
            "ttl": step.ttl,
            "headers": _render(step.headers, inputs),
        }
        if step.json:
            options["json"] = _render(step.json, inputs)
        fetcher: TokenFetcher
        if step.token_header is not None:
            fetcher = HeaderTokenFetcher(step.name, url, step.token_header, **options)
        else:
            fetcher = BodyTokenFetcher(step.name, url, step.token_json or "", **options)
        managed.closing(fetcher)
        steps.append(fetcher)
    pipeline = TokenFetchPipeline(
        steps, managed.storage, key_prefix=f"pipeline:{spec.name}@{base_url}"
    )
    hook = managed.hook(PipelineTokenProvider(pipeline, f"pipeline:{spec.name}@{base_url}"))
    return SchemeAuth(lambda _: hook)


def build_scheme_auth(
    spec: SecuritySchemeSpec,
    values: Mapping[str, Any],
    *,
    storage: TokenStorage,
    base_url: str = "",
) -> SchemeAuth | None:
    """The auth ``values`` set up for ``spec`` (see :func:`_build`); its ``close()`` frees it."""
    managed = _Managed(storage)
    built = _build(spec, values, managed, base_url)
    return built.own(managed.closers) if built is not None else None


def _build(
    spec: SecuritySchemeSpec, values: Mapping[str, Any], managed: _Managed, base_url: str
) -> SchemeAuth | None:
    """The auth ``values`` (canonical name -> value; ``None`` = not given) set up for ``spec``.

    ``None`` when no option of :meth:`SecuritySchemeSpec.options` is complete.
    A credential given without its partner (``username`` without ``password``)
    is a :class:`ConfigurationError` naming the missing ``Client`` parameter.
    """
    given = {name for name, value in values.items() if value is not None}
    options = spec.options()
    complete = [option for option in options if set(option) <= given]
    if not complete:
        for option in options:
            missing = [name for name in option if name not in given]
            if len(missing) < len(option):
                present = [spec.parameters.get(n, n) for n in option if n in given]
                wanted = [spec.parameters.get(n, n) for n in missing]
                raise ConfigurationError(
                    wanted[0],
                    f"scheme {spec.name!r}: {', '.join(present)} given without "
                    f"{', '.join(wanted)}",
                )
        return None
    if spec.kind == "apiKey":
        key = _text(spec, values, "api_key") or ""
        api_hook = ApiKeyAuthHook(spec.parameter_name, key, spec.location)
        return SchemeAuth(lambda _: api_hook)
    if spec.kind == "http_basic":
        password = values["password"]
        if not isinstance(password, str):
            raise ConfigurationError(spec.parameters.get("password", "password"), "must be a str")
        basic = BasicAuthHook(_text(spec, values, "username") or "", password)
        return SchemeAuth(lambda _: basic)
    if spec.kind == "http_bearer":
        token = _text(spec, values, "token")
        if token is not None:
            bearer = BearerTokenAuthHook(token)
            return SchemeAuth(lambda _: bearer)
        manager = values.get("token_manager")
        if manager is not None:
            if not callable(getattr(manager, "get_token", None)):
                raise ConfigurationError(
                    spec.parameters.get("token_manager", "token_manager"),
                    "must be a TokenManager (get_token / invalidate)",
                )
            source: TokenSource = manager
            managed_hook = TokenAuthHook(source)
            return SchemeAuth(lambda _: managed_hook)
        inputs = {name: _text(spec, values, name) or "" for name in spec.pipeline_inputs}
        return _pipeline(spec, inputs, managed, base_url)
    if spec.kind == "oauth2":
        return _oauth2(spec, values, managed, {n for option in complete for n in option})
    if spec.kind == "openIdConnect":
        return _openid(spec, values, managed)
    no_credentials = NoCredentialsHook()
    return SchemeAuth(lambda _: no_credentials)
