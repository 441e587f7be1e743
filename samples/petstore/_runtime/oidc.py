"""OpenID Connect discovery: the provider's metadata, fetched once per URL and cached.

A security scheme of type ``openIdConnect`` names a discovery document
(``https://issuer/.well-known/openid-configuration``); its ``token_endpoint``
is where a generated client gets client-credentials tokens.  :func:`discover`
fetches the document once per URL for the whole process (concurrent callers
wait for the one fetch) and hands out the cached :class:`OidcConfiguration`
after that; a failed fetch is not cached, so the next call tries again.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, cast
from urllib.parse import urlsplit

from .client import HttpClient
from .errors import ConfigurationError, RequestForgeError, TokenFetchError
from .models import HttpMethod, HttpRequest
from .providers import DEFAULT_TOKEN_TIMEOUT, build_token_client
from .redaction import redact_url

__all__ = ["OidcConfiguration", "clear_discovery_cache", "discover"]


@dataclass(frozen=True, slots=True)
class OidcConfiguration:
    """The parts of an OpenID Provider's metadata a client uses (the rest is in ``raw``)."""

    issuer: str | None
    token_endpoint: str
    authorization_endpoint: str | None = None
    scopes_supported: tuple[str, ...] = ()
    grant_types_supported: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_document(cls, document: Mapping[str, Any], where: str) -> OidcConfiguration:
        token_endpoint = document.get("token_endpoint")
        if not isinstance(token_endpoint, str) or not token_endpoint.startswith(
            ("http://", "https://")
        ):
            raise TokenFetchError(
                f"OpenID Connect discovery document {where} has no absolute token_endpoint"
            )

        def strings(key: str) -> tuple[str, ...]:
            value = document.get(key)
            if not isinstance(value, list):
                return ()
            return tuple(v for v in cast("list[object]", value) if isinstance(v, str))

        issuer = document.get("issuer")
        authorization = document.get("authorization_endpoint")
        return cls(
            issuer=issuer if isinstance(issuer, str) else None,
            token_endpoint=token_endpoint,
            authorization_endpoint=authorization if isinstance(authorization, str) else None,
            scopes_supported=strings("scopes_supported"),
            grant_types_supported=strings("grant_types_supported"),
            raw=MappingProxyType(dict(document)),
        )


_CACHE: dict[str, OidcConfiguration] = {}
_CACHE_LOCK = threading.Lock()
_URL_LOCKS: dict[str, threading.Lock] = {}


def _fetch(url: str, http_client: HttpClient | None, timeout: float) -> OidcConfiguration:
    where = redact_url(url)
    client = http_client if http_client is not None else build_token_client(timeout)
    try:
        request = HttpRequest(
            method=HttpMethod.GET, url=url, headers={"Accept": "application/json"}
        )
        try:
            response = client.execute(request)
        except RequestForgeError as exc:
            raise TokenFetchError(f"OpenID Connect discovery at {where} failed: {exc}") from exc
        if not response.is_success:
            raise TokenFetchError(
                f"OpenID Connect discovery at {where} answered HTTP {response.status_code}",
                status_code=response.status_code,
            )
        document = response.json_or_none()
        if not isinstance(document, dict):
            raise TokenFetchError(
                f"OpenID Connect discovery at {where} did not return a JSON object"
            )
        return OidcConfiguration.from_document(cast("dict[str, Any]", document), where)
    finally:
        if http_client is None:
            client.close()


def discover(
    url: str, *, http_client: HttpClient | None = None, timeout: float = DEFAULT_TOKEN_TIMEOUT
) -> OidcConfiguration:
    """The provider metadata at ``url``: fetched on first use, then served from the cache."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            "openid_connect_url", f"must be an absolute http(s) URL, got {redact_url(url)!r}"
        )
    cached = _CACHE.get(url)
    if cached is not None:
        return cached
    with _CACHE_LOCK:
        url_lock = _URL_LOCKS.setdefault(url, threading.Lock())
    with url_lock:
        cached = _CACHE.get(url)
        if cached is None:
            cached = _fetch(url, http_client, timeout)
            _CACHE[url] = cached
        return cached


def clear_discovery_cache() -> None:
    """Forget every cached discovery document (the next :func:`discover` fetches again)."""
    with _CACHE_LOCK:
        _CACHE.clear()
