"""Token providers: where a :class:`TokenManager` gets new tokens from.

The OAuth 2.0 providers talk to a token endpoint (RFC 6749 section 4.3, 4.4, 6)
through the runtime's own :class:`HttpClient` -- a private one with no auth
hook, no retries and no redirects -- so network failures arrive already mapped
to the runtime's exception hierarchy.  Redirects are refused rather than
followed because a 307/308 would re-send the form, client secret and password
included, to wherever the ``Location`` points.

Every failure is a :class:`TokenFetchError` carrying the RFC 6749 ``error`` code
and the HTTP status.  Messages are built from redacted data, and anything the
server echoes back is scrubbed of the client secret, password and refresh
token before it is put in a message.
"""

from __future__ import annotations

import base64
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal, Protocol, cast
from urllib.parse import quote_plus, urlsplit

from .client import HttpClient
from .config import HttpClientConfigBuilder
from .errors import ConfigurationError, RequestForgeError, TokenFetchError
from .models import HttpMethod, HttpRequest, HttpResponse
from .redaction import REDACTED, redact_text, redact_url
from .tokens import DEFAULT_LIFETIME, Clock, TokenData, utcnow

__all__ = [
    "ClientAuthMethod",
    "ClientCredentialsTokenProvider",
    "PasswordGrantTokenProvider",
    "RefreshTokenProvider",
    "TokenProvider",
    "TokenProviderInterface",
    "build_token_client",
]

_LOGGER = logging.getLogger("requestforge.providers")

ClientAuthMethod = Literal["client_secret_basic", "client_secret_post"]
_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
DEFAULT_TOKEN_TIMEOUT = 10.0
_EXCERPT = 200
_MIN_SCRUBBED = 4  # shorter "secrets" are not worth mangling every message for


class TokenProvider(Protocol):
    """What :class:`TokenManager` needs from a provider (``TokenProviderInterface`` has it)."""

    @property
    def service_name(self) -> str: ...

    def fetch_token(self) -> TokenData: ...

    def refresh_token(self, current: TokenData) -> TokenData: ...


class TokenProviderInterface(ABC):
    """Base class for token providers (see :class:`TokenProvider`).

    Only :meth:`fetch_token` is required: by default a "refresh" fetches a new
    token and the service is named after the class.
    """

    @abstractmethod
    def fetch_token(self) -> TokenData:
        """A new token."""

    def refresh_token(self, current: TokenData) -> TokenData:
        """A token renewed from ``current`` (which has a refresh token)."""
        return self.fetch_token()

    @property
    def service_name(self) -> str:
        """Identifies the service (and credentials) tokens are for; the default cache key."""
        return type(self).__name__


def build_token_client(timeout: float = DEFAULT_TOKEN_TIMEOUT) -> HttpClient:
    """The private client providers and pipeline fetchers use: no auth, retries or redirects."""
    config = (
        HttpClientConfigBuilder()
        .with_timeout(timeout, connect=min(timeout, 5.0))
        .with_no_retry()
        .with_redirects(False)
        .build()
    )
    return HttpClient(config)


def _scope_text(scope: str | Sequence[str] | None) -> str | None:
    if scope is None or isinstance(scope, str):
        return scope or None
    return " ".join(scope) or None


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Scrubber:
    """Replaces known secrets (and their encoded forms) in text from the wire."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= _MIN_SCRUBBED:
                forms.update({secret, quote_plus(secret), quote_plus(secret, safe="")})
        self._forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str, extra: Iterable[str | None] = ()) -> str:
        forms = list(self._forms)
        forms.extend(s for s in extra if s and len(s) >= _MIN_SCRUBBED)
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, REDACTED)
        return text


class _TokenEndpoint:
    """POSTs grants to one token endpoint with one client's credentials; parses the answer."""

    def __init__(
        self,
        token_url: str,
        *,
        client_id: str | None,
        client_secret: str | None,
        auth_method: ClientAuthMethod,
        extra_params: Mapping[str, str] | None,
        timeout: float,
        http_client: HttpClient | None,
        default_lifetime: float | None,
        clock: Clock,
        secrets: Iterable[str | None] = (),
    ) -> None:
        parts = urlsplit(token_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                "token_url", f"must be an absolute http(s) URL, got {redact_url(token_url)!r}"
            )
        if auth_method not in _AUTH_METHODS:
            raise ConfigurationError(
                "auth_method", f"must be one of {', '.join(_AUTH_METHODS)}, got {auth_method!r}"
            )
        if client_secret is not None and not client_id:
            raise ConfigurationError("client_id", "is required when a client_secret is given")
        self.token_url = token_url
        self.where = redact_url(token_url)
        self.client_id = client_id
        self._client_secret = client_secret
        self.auth_method = auth_method
        self._extra = dict(extra_params or {})
        self._client = http_client if http_client is not None else build_token_client(timeout)
        self._owns_client = http_client is None
        self._default_lifetime = default_lifetime
        self._clock = clock
        self._basic: str | None = None
        if client_id and client_secret is not None and auth_method == "client_secret_basic":
            # RFC 6749 section 2.3.1: both parts form-urlencoded before base64.
            pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
            self._basic = base64.b64encode(pair.encode()).decode("ascii")
        self.scrub = _Scrubber([client_secret, self._basic, *secrets])

    def identity(self) -> str:
        """``client@host/path``: safe to show, stable enough to name a cache entry."""
        parts = urlsplit(self.token_url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return f"{self.client_id or 'public'}@{host}{parts.path}"

    def request(
        self, grant: str, form: Mapping[str, str], in_flight: Iterable[str | None] = ()
    ) -> TokenData:
        """POST ``form`` (plus client authentication) and return the token it yields."""
        in_flight = tuple(in_flight)
        headers = {"Accept": "application/json"}
        body = {**self._extra, **form}
        if self._basic is not None:
            headers["Authorization"] = f"Basic {self._basic}"
        elif self.client_id:
            body["client_id"] = self.client_id
            if self._client_secret is not None:
                body["client_secret"] = self._client_secret
        request = HttpRequest(
            method=HttpMethod.POST, url=self.token_url, headers=headers, data=body
        )
        try:
            response = self._client.execute(request)
        except RequestForgeError as exc:
            message = self.scrub(f"{grant} token request to {self.where} failed: {exc}", in_flight)
            raise TokenFetchError(message) from exc
        return self._parse(grant, response, in_flight)

    def _parse(
        self, grant: str, response: HttpResponse, in_flight: Sequence[str | None]
    ) -> TokenData:
        status = response.status_code
        payload = response.json_or_none()
        body = cast("dict[str, Any]", payload) if isinstance(payload, dict) else None
        if 200 <= status < 300 and body is not None:
            try:
                return TokenData.from_response(
                    body, default_lifetime=self._default_lifetime, now=self._clock()
                )
            except (TokenFetchError, ValueError) as exc:
                raise TokenFetchError(
                    f"token endpoint {self.where} answered the {grant} grant with HTTP {status} "
                    f"but no usable token: {exc}",
                    status_code=status,
                ) from None
        error = body.get("error") if body is not None else None
        if isinstance(error, str):
            description = body.get("error_description") if body is not None else None
            message = (
                f"token endpoint {self.where} refused the {grant} grant: {error} (HTTP {status})"
            )
            if isinstance(description, str) and description:
                message += f": {redact_text(_one_line(description))[:_EXCERPT]}"
            raise TokenFetchError(self.scrub(message, in_flight), error=error, status_code=status)
        if 300 <= status < 400:
            location = redact_url(response.headers.get("location", "?"))
            raise TokenFetchError(
                f"token endpoint {self.where} redirected the {grant} grant to {location!r} "
                f"(HTTP {status}); redirects are not followed, configure the final URL",
                status_code=status,
            )
        content_type = response.headers.get("content-type", "no content type")
        message = (
            f"token endpoint {self.where} answered the {grant} grant with HTTP {status} "
            f"{response.reason}".rstrip()
        )
        if 200 <= status < 300:
            # A 2xx body may hold a token in some other shape: never quote it.
            raise TokenFetchError(
                f"{message} and a body that is not a JSON object ({content_type})",
                status_code=status,
            )
        what = "a non-JSON body" if payload is None else "a JSON body without an RFC 6749 error"
        # Redacted before it is cut: a cut could split a name from its value.
        excerpt = self.scrub(redact_text(_one_line(response.text))[:_EXCERPT], in_flight)
        raise TokenFetchError(
            f"{message} and {what} ({content_type}): {excerpt!r}", status_code=status
        )

    def close(self) -> None:
        if self._owns_client:
            self._client.close()


class _OAuth2Provider(TokenProviderInterface):
    """Shared by the OAuth 2.0 providers: the refresh grant and its fallback."""

    _endpoint: _TokenEndpoint
    _scope: str | None
    _service_name: str

    @property
    def service_name(self) -> str:
        return self._service_name

    @property
    def token_url(self) -> str:
        """The token endpoint."""
        return self._endpoint.token_url

    def _refresh_grant(self, refresh_token: str) -> TokenData:
        token = self._endpoint.request(
            "refresh_token",
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
            in_flight=[refresh_token],
        )
        if token.refresh_token is None:
            # RFC 6749 section 6: without a new refresh token, the old one stays valid.
            token = replace(token, refresh_token=refresh_token)
        return token

    def refresh_token(self, current: TokenData) -> TokenData:
        """Use the refresh grant; if the refresh token is refused (``invalid_grant``), fetch."""
        if not current.refresh_token:
            return self.fetch_token()
        try:
            return self._refresh_grant(current.refresh_token)
        except TokenFetchError as exc:
            if exc.error != "invalid_grant":
                raise
            _LOGGER.info("%s: refresh token refused (invalid_grant); fetching anew", self)
            return self.fetch_token()

    def _scoped(self, form: dict[str, str]) -> dict[str, str]:
        if self._scope:
            form["scope"] = self._scope
        return form

    def close(self) -> None:
        """Close the private HTTP client (if the provider created it)."""
        self._endpoint.close()


class ClientCredentialsTokenProvider(_OAuth2Provider):
    """OAuth 2.0 client credentials grant (RFC 6749 section 4.4): machine-to-machine tokens.

    ``auth_method``: ``client_secret_basic`` (HTTP Basic, the RFC's default) or
    ``client_secret_post`` (credentials in the form body).  ``extra_params`` are
    added to every request (e.g. ``{"audience": "..."}``).  Tokens without
    ``expires_in`` live ``default_lifetime`` seconds.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | Sequence[str] | None = None,
        *,
        auth_method: ClientAuthMethod = "client_secret_basic",
        extra_params: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TOKEN_TIMEOUT,
        http_client: HttpClient | None = None,
        default_lifetime: float | None = DEFAULT_LIFETIME,
        service_name: str | None = None,
        clock: Clock = utcnow,
    ) -> None:
        if not client_id:
            raise ConfigurationError("client_id", "must not be empty")
        self._scope = _scope_text(scope)
        self._endpoint = _TokenEndpoint(
            token_url,
            client_id=client_id,
            client_secret=client_secret,
            auth_method=auth_method,
            extra_params=extra_params,
            timeout=timeout,
            http_client=http_client,
            default_lifetime=default_lifetime,
            clock=clock,
        )
        scope_part = f"[{self._scope}]" if self._scope else ""
        self._service_name = (
            service_name or f"client_credentials:{self._endpoint.identity()}{scope_part}"
        )

    def fetch_token(self) -> TokenData:
        return self._endpoint.request(
            "client_credentials", self._scoped({"grant_type": "client_credentials"})
        )

    def __repr__(self) -> str:
        return (
            f"ClientCredentialsTokenProvider(token_url={self._endpoint.where!r}, "
            f"client_id={self._endpoint.client_id!r}, client_secret={REDACTED}, "
            f"scope={self._scope!r}, auth_method={self._endpoint.auth_method!r})"
        )


class PasswordGrantTokenProvider(_OAuth2Provider):
    """OAuth 2.0 resource owner password grant (RFC 6749 section 4.3).

    ``client_id`` alone identifies a public client (sent in the body);
    with ``client_secret`` the client authenticates as ``auth_method`` says.
    """

    def __init__(  # noqa: PLR0917 -- the positional order is the documented API
        self,
        token_url: str,
        username: str,
        password: str,
        client_id: str | None = None,
        client_secret: str | None = None,
        scope: str | Sequence[str] | None = None,
        *,
        auth_method: ClientAuthMethod = "client_secret_basic",
        extra_params: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TOKEN_TIMEOUT,
        http_client: HttpClient | None = None,
        default_lifetime: float | None = DEFAULT_LIFETIME,
        service_name: str | None = None,
        clock: Clock = utcnow,
    ) -> None:
        if not username:
            raise ConfigurationError("username", "must not be empty")
        self.username = username
        self._password = password
        self._scope = _scope_text(scope)
        self._endpoint = _TokenEndpoint(
            token_url,
            client_id=client_id,
            client_secret=client_secret,
            auth_method=auth_method,
            extra_params=extra_params,
            timeout=timeout,
            http_client=http_client,
            default_lifetime=default_lifetime,
            clock=clock,
            secrets=[password],
        )
        scope_part = f"[{self._scope}]" if self._scope else ""
        self._service_name = (
            service_name or f"password:{username}/{self._endpoint.identity()}{scope_part}"
        )

    def fetch_token(self) -> TokenData:
        form = {"grant_type": "password", "username": self.username, "password": self._password}
        return self._endpoint.request("password", self._scoped(form))

    def __repr__(self) -> str:
        return (
            f"PasswordGrantTokenProvider(token_url={self._endpoint.where!r}, "
            f"username={self.username!r}, password={REDACTED}, "
            f"client_id={self._endpoint.client_id!r}, scope={self._scope!r})"
        )


class RefreshTokenProvider(_OAuth2Provider):
    """Keeps a token obtained elsewhere (authorization code, implicit) alive with its refresh token.

    ``initial`` is a :class:`TokenData` (from your authorization-code exchange)
    or just the refresh token.  An initial token that is still valid is handed
    out by the first :meth:`fetch_token` instead of spending a refresh; after
    that every fetch is a refresh grant with the newest refresh token seen
    (servers that rotate refresh tokens invalidate the old one).
    """

    def __init__(
        self,
        token_url: str,
        initial: TokenData | str,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        auth_method: ClientAuthMethod = "client_secret_basic",
        extra_params: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TOKEN_TIMEOUT,
        http_client: HttpClient | None = None,
        default_lifetime: float | None = DEFAULT_LIFETIME,
        service_name: str | None = None,
        clock: Clock = utcnow,
    ) -> None:
        initial_token = initial if isinstance(initial, TokenData) else None
        refresh = initial_token.refresh_token if initial_token is not None else initial
        if not isinstance(refresh, str) or not refresh:
            raise ConfigurationError("initial", "needs a refresh token")
        self._scope = None
        self._lock = threading.Lock()
        self._latest_refresh = refresh
        self._pending_initial = initial_token
        self._clock = clock
        self._endpoint = _TokenEndpoint(
            token_url,
            client_id=client_id,
            client_secret=client_secret,
            auth_method=auth_method,
            extra_params=extra_params,
            timeout=timeout,
            http_client=http_client,
            default_lifetime=default_lifetime,
            clock=clock,
        )
        self._service_name = service_name or f"refresh_token:{self._endpoint.identity()}"

    def fetch_token(self) -> TokenData:
        with self._lock:
            initial, self._pending_initial = self._pending_initial, None
            refresh = self._latest_refresh
        if initial is not None and not initial.is_expired_within(0.0, self._clock()):
            return initial
        return self._remember(self._refresh_grant(refresh))

    def refresh_token(self, current: TokenData) -> TokenData:
        """Refresh with ``current``'s refresh token, else (if refused) with the newest one known."""
        tried = current.refresh_token or self._latest_refresh
        try:
            return self._remember(self._refresh_grant(tried))
        except TokenFetchError as exc:
            with self._lock:
                newest = self._latest_refresh
            if exc.error != "invalid_grant" or newest == tried:
                raise
            return self._remember(self._refresh_grant(newest))

    def _remember(self, token: TokenData) -> TokenData:
        if token.refresh_token:
            with self._lock:
                self._latest_refresh = token.refresh_token
        return token

    def __repr__(self) -> str:
        return (
            f"RefreshTokenProvider(token_url={self._endpoint.where!r}, "
            f"client_id={self._endpoint.client_id!r}, refresh_token={REDACTED})"
        )
