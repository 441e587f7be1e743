"""Auth hooks: how credentials get onto a request, and how a 401 is answered.

The client calls ``before_request`` on every attempt and ``on_unauthorized``
at most once per call (seed 001: "401 -> refresh token & retry").  Static
credentials cannot be renewed, so their hooks hand the 401 back; the token hook
invalidates the token that failed, gets a fresh one and replays once.

Hooks never mark what they add: on a cross-origin redirect the client strips
every header, query parameter and cookie the auth hook changed, by comparing
the request before and after the hook.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Literal, Protocol

from .errors import ConfigurationError
from .hooks import AuthHook, AuthHookInterface
from .models import HttpRequest, HttpResponse, RequestContext

__all__ = [
    "ApiKeyAuthHook",
    "ApiKeyLocation",
    "BasicAuthHook",
    "BearerTokenAuthHook",
    "CompositeAuthHook",
    "TokenAuthHook",
    "TokenLike",
    "TokenSource",
]

ApiKeyLocation = Literal["header", "query", "cookie"]
_LOCATIONS = ("header", "query", "cookie")


class ApiKeyAuthHook(AuthHookInterface):
    """Sends a static API key as a header, query parameter or cookie."""

    def __init__(self, name: str, value: str, location: ApiKeyLocation = "header") -> None:
        if location not in _LOCATIONS:
            raise ConfigurationError(
                "api_key.location", f"must be one of {', '.join(_LOCATIONS)}, got {location!r}"
            )
        if not name:
            raise ConfigurationError("api_key.name", "must not be empty")
        self.name = name
        self.location: ApiKeyLocation = location
        self._value = value

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        if self.location == "header":
            return request.with_headers({self.name: self._value})
        if self.location == "query":
            return request.with_params({self.name: self._value})
        return request.with_cookies({self.name: self._value})

    def __repr__(self) -> str:
        return f"ApiKeyAuthHook(name={self.name!r}, location={self.location!r}, value=[REDACTED])"


class BasicAuthHook(AuthHookInterface):
    """HTTP Basic authentication (RFC 7617, UTF-8 credentials)."""

    def __init__(self, username: str, password: str) -> None:
        if ":" in username:
            raise ConfigurationError("basic_auth.username", "must not contain ':' (RFC 7617)")
        self.username = username
        encoded = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._header = f"Basic {encoded}"

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        return request.with_headers({"Authorization": self._header})

    def __repr__(self) -> str:
        return f"BasicAuthHook(username={self.username!r}, password=[REDACTED])"


class BearerTokenAuthHook(AuthHookInterface):
    """A static bearer token (one that nothing can renew)."""

    def __init__(self, token: str, *, header_name: str = "Authorization", scheme: str = "Bearer"):
        if not token:
            raise ConfigurationError("bearer_token", "must not be empty")
        self._header_name = header_name
        self._value = f"{scheme} {token}" if scheme else token

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        return request.with_headers({self._header_name: self._value})

    def __repr__(self) -> str:
        return "BearerTokenAuthHook(token=[REDACTED])"


class TokenLike(Protocol):
    """What :class:`TokenAuthHook` reads from a token (``TokenData`` has it)."""

    @property
    def access_token(self) -> str: ...

    @property
    def authorization_header(self) -> str: ...


class TokenSource(Protocol):
    """What :class:`TokenAuthHook` needs from a token manager.

    ``invalidate(access_token)`` must drop the cached token only if it is still
    that one: when another thread already replaced it, the new token stays.
    """

    def get_token(self) -> TokenLike: ...

    def invalidate(self, access_token: str | None = None) -> None: ...


class TokenAuthHook(AuthHookInterface):
    """Bearer token from a token manager, renewed once when the server answers 401.

    On a 401 the token that was sent is invalidated (only if it is still the
    cached one) and a token is fetched again.  If another thread has already
    renewed it, that token is used without a new fetch.  If the "new" token is
    the one that just failed, the 401 is final: no replay, never a loop.
    """

    def __init__(self, token_manager: TokenSource, *, header_name: str = "Authorization") -> None:
        self.token_manager = token_manager
        self._header_name = header_name

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        token = self.token_manager.get_token()
        return request.with_headers({self._header_name: token.authorization_header})

    def on_unauthorized(
        self, request: HttpRequest, response: HttpResponse, context: RequestContext
    ) -> HttpRequest | None:
        sent = request.header(self._header_name)
        sent_token = sent.split(" ", 1)[-1] if sent else None
        self.token_manager.invalidate(sent_token)
        fresh = self.token_manager.get_token()
        if fresh.access_token == sent_token:
            return None
        return request.with_headers({self._header_name: fresh.authorization_header})

    def __repr__(self) -> str:
        return f"TokenAuthHook(token_manager={self.token_manager!r})"


class CompositeAuthHook(AuthHookInterface):
    """Applies several auth hooks to one request (OpenAPI: schemes ANDed in one requirement)."""

    def __init__(self, hooks: Sequence[AuthHook]) -> None:
        if not hooks:
            raise ConfigurationError("auth_hooks", "a composite needs at least one hook")
        self.hooks: tuple[AuthHook, ...] = tuple(hooks)

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        for hook in self.hooks:
            request = hook.before_request(request, context)
        return request

    def on_unauthorized(
        self, request: HttpRequest, response: HttpResponse, context: RequestContext
    ) -> HttpRequest | None:
        current, renewed = request, False
        for hook in self.hooks:
            replay = hook.on_unauthorized(current, response, context)
            if replay is not None:
                current, renewed = replay, True
        return current if renewed else None

    def __repr__(self) -> str:
        return f"CompositeAuthHook({list(self.hooks)!r})"
