"""``HttpClientConfig`` (immutable, validated) and its fluent builder.

A config is built once and shared by every thread (seed 000: "Config is
immutable"), so it is a frozen dataclass whose collections are read-only
views and tuples.  Every setting is checked in :meth:`HttpClientConfigBuilder.build`
and a bad one raises :class:`ConfigurationError` naming it, at start-up rather
than on the first request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any, cast
from urllib.parse import urlsplit

from .auth import (
    ApiKeyAuthHook,
    ApiKeyLocation,
    BasicAuthHook,
    BearerTokenAuthHook,
    TokenAuthHook,
    TokenSource,
)
from .context import DEFAULT_CORRELATION_HEADER
from .errors import ConfigurationError
from .hooks import AuthHook, ErrorHook, IdempotencyKeyHook, RequestHook, ResponseHook
from .redaction import redact_headers, redact_url
from .retry import (
    CircuitBreakerRetryStrategy,
    ExponentialBackoffRetryStrategy,
    NoRetryStrategy,
    RetryStrategy,
)

__all__ = ["DEFAULT_USER_AGENT", "HttpClientConfig", "HttpClientConfigBuilder"]

DEFAULT_USER_AGENT = "requestforge/0.1"
_EMPTY: Mapping[str, str] = MappingProxyType({})
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 header field name


def _default_retry() -> RetryStrategy:
    return ExponentialBackoffRetryStrategy(max_retries=2)


class _DefaultRetry(Enum):
    """Sentinel type: "a new default retry strategy" (``None`` could be misread as "no retries")."""

    DEFAULT_RETRY = "DEFAULT_RETRY"


# ``init=False``: the constructor is written out below so that it can take
# ``default_headers=None`` while the attribute stays a mapping for every reader.
@dataclass(frozen=True, slots=True, repr=False, init=False)  # its own __repr__ redacts
class HttpClientConfig:
    """Everything an :class:`~requestforge.HttpClient` needs; build it with the builder.

    ``default_timeout`` is the per-attempt read timeout in seconds and
    ``connect_timeout`` the time allowed to open a connection (defaults to
    ``default_timeout``).  ``default_headers=None`` is the same as no default
    headers.  ``proxies=None`` takes proxies from the environment
    (resolved once per thread session, not per call) when ``trust_env`` is true.
    ``correlation_header`` names the header that carries the current context's
    correlation id (set by web-framework middleware) on every outgoing call;
    ``None`` turns that propagation off.
    """

    base_url: str = ""
    default_timeout: float = 30.0
    connect_timeout: float | None = None
    default_headers: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    verify_ssl: bool | str = True
    client_cert: str | tuple[str, str] | None = None
    proxies: Mapping[str, str] | None = None
    trust_env: bool = True
    retry_strategy: RetryStrategy = field(default_factory=_default_retry)
    auth_hook: AuthHook | None = None
    request_hooks: tuple[RequestHook, ...] = ()
    response_hooks: tuple[ResponseHook, ...] = ()
    error_hooks: tuple[ErrorHook, ...] = ()
    follow_redirects: bool = True
    max_redirects: int = 20
    pool_maxsize: int = 10
    user_agent: str = DEFAULT_USER_AGENT
    correlation_header: str | None = DEFAULT_CORRELATION_HEADER

    def __init__(  # noqa: PLR0917 -- positional, as the generated __init__ was
        self,
        base_url: str = "",
        default_timeout: float = 30.0,
        connect_timeout: float | None = None,
        default_headers: Mapping[str, str] | None = None,
        verify_ssl: bool | str = True,
        client_cert: str | tuple[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
        trust_env: bool = True,
        retry_strategy: RetryStrategy | _DefaultRetry = _DefaultRetry.DEFAULT_RETRY,
        auth_hook: AuthHook | None = None,
        request_hooks: tuple[RequestHook, ...] = (),
        response_hooks: tuple[ResponseHook, ...] = (),
        error_hooks: tuple[ErrorHook, ...] = (),
        follow_redirects: bool = True,
        max_redirects: int = 20,
        pool_maxsize: int = 10,
        user_agent: str = DEFAULT_USER_AGENT,
        correlation_header: str | None = DEFAULT_CORRELATION_HEADER,
    ) -> None:
        if retry_strategy is _DefaultRetry.DEFAULT_RETRY:
            retry_strategy = _default_retry()
        setattr_ = object.__setattr__
        setattr_(self, "base_url", base_url)
        setattr_(self, "default_timeout", default_timeout)
        setattr_(self, "connect_timeout", connect_timeout)
        setattr_(self, "default_headers", default_headers)
        setattr_(self, "verify_ssl", verify_ssl)
        setattr_(self, "client_cert", client_cert)
        setattr_(self, "proxies", proxies)
        setattr_(self, "trust_env", trust_env)
        setattr_(self, "retry_strategy", retry_strategy)
        setattr_(self, "auth_hook", auth_hook)
        setattr_(self, "request_hooks", request_hooks)
        setattr_(self, "response_hooks", response_hooks)
        setattr_(self, "error_hooks", error_hooks)
        setattr_(self, "follow_redirects", follow_redirects)
        setattr_(self, "max_redirects", max_redirects)
        setattr_(self, "pool_maxsize", pool_maxsize)
        setattr_(self, "user_agent", user_agent)
        setattr_(self, "correlation_header", correlation_header)
        self.__post_init__()

    def __post_init__(self) -> None:
        # Also run by the generated ``__init__`` of a dataclass subclass.
        default_headers = cast(object, self.default_headers)
        if default_headers is None:
            object.__setattr__(self, "default_headers", _EMPTY)
        _validate(self)

    def __repr__(self) -> str:
        return (
            f"HttpClientConfig(base_url={redact_url(self.base_url)!r}, "
            f"default_timeout={self.default_timeout!r}, "
            f"default_headers={redact_headers(dict(self.default_headers))!r}, "
            f"verify_ssl={self.verify_ssl!r}, retry_strategy={type(self.retry_strategy).__name__}, "
            f"auth_hook={type(self.auth_hook).__name__ if self.auth_hook else None}, "
            f"request_hooks={len(self.request_hooks)}, response_hooks={len(self.response_hooks)}, "
            f"error_hooks={len(self.error_hooks)})"
        )


def _check_timeout(setting: str, value: object, *, required: bool = False) -> None:
    # ``object``: untyped callers (and environment parsing) may pass anything.
    if value is None:
        if required:  # requests would read None as "wait forever"
            raise ConfigurationError(setting, "must be a positive number of seconds, got None")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(setting, f"must be a number of seconds, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(setting, f"must be a positive number of seconds, got {value!r}")


def check_header(name: object, value: object, setting: str = "headers") -> None:
    """Refuse header names/values that would break or inject into the HTTP message."""
    if not isinstance(name, str) or not _TOKEN.match(name):
        raise ConfigurationError(setting, f"invalid header name {name!r}")
    if not isinstance(value, str) or any(ch in value for ch in "\r\n\x00"):
        raise ConfigurationError(setting, f"header {name!r} has a value with CR, LF or NUL")


def _check_count(setting: str, value: object, minimum: int) -> None:
    # A str or float here would fail later with a TypeError far from its cause.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigurationError(setting, f"must be an integer >= {minimum}, got {value!r}")


def _validate(config: HttpClientConfig) -> None:
    if config.base_url:
        parts = urlsplit(config.base_url)
        if parts.scheme not in ("http", "https"):
            raise ConfigurationError(
                "base_url",
                f"must start with http:// or https://, got {redact_url(config.base_url)!r}",
            )
        if not parts.hostname:
            raise ConfigurationError("base_url", "has no host")
        if parts.query or parts.fragment:
            raise ConfigurationError("base_url", "must not have a query string or fragment")
    _check_timeout("default_timeout", config.default_timeout, required=True)
    _check_timeout("connect_timeout", config.connect_timeout)
    for name, value in config.default_headers.items():
        check_header(name, value, "default_headers")
    check_header("User-Agent", config.user_agent, "user_agent")
    if config.correlation_header is not None:
        check_header(config.correlation_header, "", "correlation_header")
    _check_count("max_redirects", config.max_redirects, 0)
    _check_count("pool_maxsize", config.pool_maxsize, 1)
    if not isinstance(cast(object, config.verify_ssl), (bool, str)):
        raise ConfigurationError("verify_ssl", "must be a bool or a CA bundle path")
    for attribute in ("max_retries", "should_retry", "get_delay"):
        if not hasattr(config.retry_strategy, attribute):
            raise ConfigurationError("retry_strategy", f"has no {attribute!r}")
    if config.auth_hook is not None and not hasattr(config.auth_hook, "before_request"):
        raise ConfigurationError("auth_hook", "has no 'before_request' method")
    for setting, hooks, method in (
        ("request_hooks", config.request_hooks, "before_request"),
        ("response_hooks", config.response_hooks, "after_response"),
        ("error_hooks", config.error_hooks, "on_error"),
    ):
        for hook in hooks:
            if not callable(getattr(hook, method, None)):
                raise ConfigurationError(setting, f"{type(hook).__name__} has no {method!r} method")


class HttpClientConfigBuilder:
    """Fluent builder for :class:`HttpClientConfig`; every ``with_*`` returns the builder."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._headers: dict[str, str] = {}
        self._request_hooks: list[RequestHook] = []
        self._response_hooks: list[ResponseHook] = []
        self._error_hooks: list[ErrorHook] = []

    def with_base_url(self, base_url: str) -> HttpClientConfigBuilder:
        """URL that relative request URLs are appended to (its path is kept)."""
        self._values["base_url"] = base_url.rstrip("/")
        return self

    def with_timeout(
        self, timeout: float, *, connect: float | None = None
    ) -> HttpClientConfigBuilder:
        """Per-attempt read timeout, and optionally a separate connect timeout (seconds)."""
        self._values["default_timeout"] = timeout
        if connect is not None:
            self._values["connect_timeout"] = connect
        return self

    def with_header(self, name: str, value: str) -> HttpClientConfigBuilder:
        """A header sent with every request."""
        check_header(name, value, "default_headers")
        self._headers[name] = value
        return self

    def with_headers(self, headers: Mapping[str, str] | None) -> HttpClientConfigBuilder:
        """Several headers sent with every request; ``None`` adds none."""
        for name, value in (headers or {}).items():
            self.with_header(name, value)
        return self

    def with_user_agent(self, user_agent: str) -> HttpClientConfigBuilder:
        """The ``User-Agent`` header (default ``requestforge/<version>``)."""
        check_header("User-Agent", user_agent, "user_agent")
        self._values["user_agent"] = user_agent
        return self

    def with_verify_ssl(self, verify: bool | str = True) -> HttpClientConfigBuilder:
        """Verify TLS certificates (True), skip verification (False), or use a CA bundle path."""
        self._values["verify_ssl"] = verify
        return self

    def with_client_cert(self, cert: str | tuple[str, str]) -> HttpClientConfigBuilder:
        """Client certificate for mutual TLS: a PEM path, or ``(cert, key)`` paths."""
        self._values["client_cert"] = cert
        return self

    def with_proxies(self, proxies: Mapping[str, str] | None) -> HttpClientConfigBuilder:
        """Explicit proxies by scheme (``{"https": "http://proxy:3128"}``).

        ``None`` is the same as never calling this (the config's ``proxies=None``:
        proxies from the environment, if ``trust_env``); ``{}`` means no proxy at all.
        """
        if proxies is None:
            self._values.pop("proxies", None)
        else:
            self._values["proxies"] = MappingProxyType(dict(proxies))
        return self

    def with_trust_env(self, trust_env: bool) -> HttpClientConfigBuilder:
        """Whether proxy and CA-bundle environment variables are honoured (default True)."""
        self._values["trust_env"] = trust_env
        return self

    def with_redirects(
        self, follow: bool = True, *, max_redirects: int = 20
    ) -> HttpClientConfigBuilder:
        """Whether redirects are followed, and how many at most."""
        self._values["follow_redirects"] = follow
        self._values["max_redirects"] = max_redirects
        return self

    def with_pool_size(self, maxsize: int) -> HttpClientConfigBuilder:
        """Keep-alive connections per host in each thread's session."""
        self._values["pool_maxsize"] = maxsize
        return self

    def with_retry(
        self,
        max_retries: int = 3,
        *,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        jitter: bool = True,
        retry_statuses: Sequence[int] | None = None,
        total_timeout: float | None = None,
        max_retry_after: float = 60.0,
    ) -> HttpClientConfigBuilder:
        """Exponential backoff with full jitter (see :class:`ExponentialBackoffRetryStrategy`)."""
        self._values["retry_strategy"] = ExponentialBackoffRetryStrategy(
            max_retries=max_retries,
            base_delay=base_delay,
            max_delay=max_delay,
            jitter=jitter,
            retry_statuses=retry_statuses,
            total_timeout=total_timeout,
            max_retry_after=max_retry_after,
        )
        return self

    def with_no_retry(self) -> HttpClientConfigBuilder:
        """Never retry."""
        self._values["retry_strategy"] = NoRetryStrategy()
        return self

    def with_retry_strategy(self, strategy: RetryStrategy) -> HttpClientConfigBuilder:
        """Any retry strategy (one of the built-ins or your own)."""
        self._values["retry_strategy"] = strategy
        return self

    def with_circuit_breaker(
        self,
        *,
        failure_threshold: int = 5,
        recovery_timeout: float = 30.0,
        inner: RetryStrategy | None = None,
    ) -> HttpClientConfigBuilder:
        """Wrap the current (or given) retry strategy in a circuit breaker."""
        wrapped = inner or self._values.get("retry_strategy") or _default_retry()
        self._values["retry_strategy"] = CircuitBreakerRetryStrategy(
            wrapped, failure_threshold=failure_threshold, recovery_timeout=recovery_timeout
        )
        return self

    def with_idempotency_keys(
        self, header_name: str = "Idempotency-Key"
    ) -> HttpClientConfigBuilder:
        """Give every POST/PATCH an idempotency key, which makes it safe to retry."""
        return self.with_request_hook(IdempotencyKeyHook(header_name))

    def with_correlation_header(self, header_name: str | None) -> HttpClientConfigBuilder:
        """The header outgoing calls carry the incoming request's id in; ``None``: don't.

        By default (``X-Request-ID``) every call made while a correlation id is
        set in the current context -- web-framework middleware sets it per
        incoming request -- carries that id, unless the request already has the
        header.  Without a context id nothing is added; to give *every* call an
        id, add a :class:`~requestforge.hooks.CorrelationIdHook`.
        """
        if header_name is not None:
            check_header(header_name, "", "correlation_header")
        self._values["correlation_header"] = header_name
        return self

    def with_request_hook(self, hook: RequestHook) -> HttpClientConfigBuilder:
        """Add a request hook; hooks run in the order they were added."""
        self._request_hooks.append(hook)
        return self

    def with_response_hook(self, hook: ResponseHook) -> HttpClientConfigBuilder:
        """Add a response hook; hooks run in the order they were added."""
        self._response_hooks.append(hook)
        return self

    def with_error_hook(self, hook: ErrorHook) -> HttpClientConfigBuilder:
        """Add an error hook; hooks run in the order they were added."""
        self._error_hooks.append(hook)
        return self

    def with_auth_hook(self, hook: AuthHook) -> HttpClientConfigBuilder:
        """The auth hook (one per client; combine several with ``CompositeAuthHook``)."""
        self._values["auth_hook"] = hook
        return self

    def with_bearer_token(self, token: str) -> HttpClientConfigBuilder:
        """A static bearer token."""
        return self.with_auth_hook(BearerTokenAuthHook(token))

    def with_api_key(
        self, api_key: str, *, name: str = "X-API-Key", location: ApiKeyLocation = "header"
    ) -> HttpClientConfigBuilder:
        """A static API key in a header, query parameter or cookie."""
        return self.with_auth_hook(ApiKeyAuthHook(name, api_key, location))

    def with_basic_auth(self, username: str, password: str) -> HttpClientConfigBuilder:
        """HTTP Basic credentials."""
        return self.with_auth_hook(BasicAuthHook(username, password))

    def with_token_auth(self, token_manager: TokenSource) -> HttpClientConfigBuilder:
        """Bearer tokens from a ``TokenManager``, refreshed on expiry and once on 401."""
        return self.with_auth_hook(TokenAuthHook(token_manager))

    def build(self) -> HttpClientConfig:
        """Validate everything and return the immutable config."""
        return HttpClientConfig(
            default_headers=MappingProxyType(dict(self._headers)),
            request_hooks=tuple(self._request_hooks),
            response_hooks=tuple(self._response_hooks),
            error_hooks=tuple(self._error_hooks),
            **self._values,
        )
