"""Hook interfaces and the built-in hooks.

Each interface exists twice: as an ABC for those who like to subclass, and as a
Protocol that the runtime is typed against.  The runtime never isinstance-checks
a hook -- a hook written against the installed ``requestforge`` works with any
copy vendored into a generated client, because only the methods matter.

Hooks are shared by every thread using a client, so they must not keep
per-request state on ``self``; ``RequestContext.metadata`` is the place for it.
"""

from __future__ import annotations

import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from .context import get_correlation_id
from .models import HttpRequest, HttpResponse, RequestContext
from .redaction import redact_headers, redact_url

if TYPE_CHECKING:
    import logging

__all__ = [
    "AuthHook",
    "AuthHookInterface",
    "AuthorizationHook",
    "CorrelationIdHook",
    "ErrorHook",
    "ErrorHookInterface",
    "IdempotencyKeyHook",
    "LoggingErrorHook",
    "LoggingRequestHook",
    "LoggingResponseHook",
    "RateLimitInfo",
    "RateLimitResponseHook",
    "RequestHook",
    "RequestHookInterface",
    "ResponseHook",
    "ResponseHookInterface",
]

# logging's levels, spelled out: importing logging (~5 ms) is left to the logging
# hooks, which most clients never create.
_DEBUG = 10
_WARNING = 30


def _default_logger() -> logging.Logger:
    import logging  # noqa: PLC0415 - see above

    return logging.getLogger("requestforge")


class RequestHook(Protocol):
    """Sees (and may replace) every request before it is authenticated and sent."""

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest: ...


class ResponseHook(Protocol):
    """Sees (and may replace) the final response of a successful call."""

    def after_response(self, response: HttpResponse, context: RequestContext) -> HttpResponse: ...


class ErrorHook(Protocol):
    """Is told about the exception a call is about to raise."""

    def on_error(self, error: BaseException, context: RequestContext) -> None: ...


class AuthHook(Protocol):
    """Applies credentials to each attempt and may re-authenticate once after a 401."""

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest: ...

    def on_unauthorized(
        self, request: HttpRequest, response: HttpResponse, context: RequestContext
    ) -> HttpRequest | None: ...


class RequestHookInterface(ABC):
    """Base class for request hooks (see :class:`RequestHook`)."""

    @abstractmethod
    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        """Return the request to send (the same one, or a modified copy)."""


class ResponseHookInterface(ABC):
    """Base class for response hooks (see :class:`ResponseHook`)."""

    @abstractmethod
    def after_response(self, response: HttpResponse, context: RequestContext) -> HttpResponse:
        """Return the response to hand to the caller."""


class ErrorHookInterface(ABC):
    """Base class for error hooks (see :class:`ErrorHook`)."""

    @abstractmethod
    def on_error(self, error: BaseException, context: RequestContext) -> None:
        """Observe the error; the client re-raises it afterwards."""


class AuthHookInterface(ABC):
    """Base class for auth hooks (see :class:`AuthHook`).

    ``before_request`` runs on every attempt (after the request hooks), so a
    token that expired between retries is renewed.  ``on_unauthorized`` runs at
    most once per call, on the first 401: return a re-authenticated request to
    replay it once, or None to hand the 401 on.
    """

    @abstractmethod
    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        """Return the request with credentials applied."""

    def on_unauthorized(
        self, request: HttpRequest, response: HttpResponse, context: RequestContext
    ) -> HttpRequest | None:
        """Static credentials cannot be renewed: by default a 401 is final."""
        return None


class LoggingRequestHook(RequestHookInterface):
    """Logs each outgoing request (method, redacted URL, redacted headers).

    Besides the usual credential names, whatever ``context.sensitive_headers``
    and ``context.sensitive_params`` list is redacted (the client records there
    what the auth hook added; other hooks may add names too).
    """

    def __init__(
        self,
        logger: logging.Logger | None = None,
        level: int = _DEBUG,
        *,
        include_headers: bool = False,
    ) -> None:
        self._logger = logger or _default_logger()
        self._level = level
        self._include_headers = include_headers

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        if self._logger.isEnabledFor(self._level):
            extra = ""
            if self._include_headers:
                headers = redact_headers(dict(request.headers), context.sensitive_headers)
                extra = f" headers={headers}"
            self._logger.log(
                self._level,
                "request %s %s%s",
                request.method.value,
                redact_url(request.full_url, context.sensitive_params),
                extra,
            )
        return request


class LoggingResponseHook(ResponseHookInterface):
    """Logs each final response: status, redacted URL, time, attempts.

    The final URL carries the auth hook's query parameters, so the names in
    ``context.sensitive_params`` are redacted along with the usual ones.
    """

    def __init__(self, logger: logging.Logger | None = None, level: int = _DEBUG) -> None:
        self._logger = logger or _default_logger()
        self._level = level

    def after_response(self, response: HttpResponse, context: RequestContext) -> HttpResponse:
        if self._logger.isEnabledFor(self._level):
            self._logger.log(
                self._level,
                "response %d %s %s in %.1f ms (attempt %d)",
                response.status_code,
                context.request.method.value,
                redact_url(response.url, context.sensitive_params),
                response.elapsed_ms,
                context.attempt + 1,
            )
        return response


class LoggingErrorHook(ErrorHookInterface):
    """Logs the error a call raises; runtime messages are already free of secrets."""

    def __init__(self, logger: logging.Logger | None = None, level: int = _WARNING) -> None:
        self._logger = logger or _default_logger()
        self._level = level

    def on_error(self, error: BaseException, context: RequestContext) -> None:
        self._logger.log(
            self._level,
            "request %s %s failed after %d attempt(s): %s: %s",
            context.request.method.value,
            redact_url(context.request.full_url, context.sensitive_params),
            context.attempt + 1,
            type(error).__name__,
            error,
        )


class CorrelationIdHook(RequestHookInterface):
    """Adds a correlation id header to every request.

    The id comes from the current context (set by web-framework middleware via
    :func:`requestforge.context.correlation_id_scope`) so that outgoing calls
    carry the incoming request's id; otherwise a new one is generated.  A header
    already on the request wins.  The id is recorded in ``context.metadata``.

    The client already sends a context id without this hook, in its config's
    ``correlation_header`` (``X-Request-ID``); the hook is for giving *every*
    call an id.  Name the same header here (``CorrelationIdHook("X-Request-ID")``)
    to get one header whose value is the incoming id when there is one and a
    fresh id otherwise.
    """

    def __init__(
        self,
        header_name: str = "X-Correlation-ID",
        generator: Callable[[], str] | None = None,
    ) -> None:
        self._header_name = header_name
        self._generator = generator or (lambda: uuid.uuid4().hex)

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        existing = request.header(self._header_name)
        if existing is not None:
            context.metadata["correlation_id"] = existing
            return request
        value = get_correlation_id() or self._generator()
        context.metadata["correlation_id"] = value
        return request.with_headers({self._header_name: value})


class IdempotencyKeyHook(RequestHookInterface):
    """Gives POST and PATCH requests an ``Idempotency-Key`` so they may be retried.

    Request hooks run once per call, before the retry loop, so every attempt
    carries the same key -- which is what lets the server deduplicate them.
    """

    def __init__(
        self,
        header_name: str = "Idempotency-Key",
        generator: Callable[[], str] | None = None,
    ) -> None:
        self._header_name = header_name
        self._generator = generator or (lambda: str(uuid.uuid4()))

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        if request.method.is_idempotent or request.header(self._header_name) is not None:
            return request
        return request.with_headers({self._header_name: self._generator()})


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """Rate-limit state a server reported; ``reset_after`` is in seconds from now."""

    limit: int | None
    remaining: int | None
    reset_after: float | None


_EPOCH_THRESHOLD = 1_000_000_000  # a reset value this large is a Unix time, not a delay


def _int_or_none(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


class RateLimitResponseHook(ResponseHookInterface):
    """Reads ``RateLimit-*`` / ``X-RateLimit-*`` headers into ``context.metadata["rate_limit"]``.

    ``*-Reset`` is a delay in seconds in the IETF draft but a Unix timestamp at
    GitHub and others; values past 10^9 are read as timestamps.
    """

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self._clock = clock or time.time

    def after_response(self, response: HttpResponse, context: RequestContext) -> HttpResponse:
        headers = response.headers
        for prefix in ("RateLimit-", "X-RateLimit-"):
            limit = _int_or_none(headers.get(prefix + "Limit"))
            remaining = _int_or_none(headers.get(prefix + "Remaining"))
            reset = _int_or_none(headers.get(prefix + "Reset"))
            if limit is None and remaining is None and reset is None:
                continue
            reset_after: float | None = None
            if reset is not None:
                reset_after = (
                    max(0.0, reset - self._clock()) if reset > _EPOCH_THRESHOLD else float(reset)
                )
            context.metadata["rate_limit"] = RateLimitInfo(limit, remaining, reset_after)
            break
        return response


class AuthorizationHook(RequestHookInterface):
    """Sets a header from a callable on every request ("dynamic authorization").

    For credentials that come from elsewhere at call time (a value in the
    current web request, a secret manager).  When the callable returns None the
    request is sent unchanged.
    """

    def __init__(
        self, provider: Callable[[], str | None], header_name: str = "Authorization"
    ) -> None:
        self._provider = provider
        self._header_name = header_name

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        value = self._provider()
        if value is None:
            return request
        context.sensitive_headers.add(self._header_name.lower())
        return request.with_headers({self._header_name: value})
