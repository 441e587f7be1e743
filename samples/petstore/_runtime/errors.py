"""One exception hierarchy for everything the runtime raises.

Callers catch :class:`RequestForgeError` to handle any runtime failure, or a
narrower class to handle one kind.  Transport failures are split by whether the
request could have reached the server, because that decides whether a retry of
a non-idempotent request is safe:

* :class:`ConnectError` -- no connection was made, so nothing was sent.
* :class:`ReadError` / :class:`ReadTimeoutError` -- the request may have been
  received and acted upon.

Messages never contain credentials: the runtime builds them from redacted data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import HttpResponse

__all__ = [
    "AuthenticationError",
    "CircuitOpenError",
    "ConfigurationError",
    "ConnectError",
    "ConnectTimeoutError",
    "HttpStatusError",
    "InvalidRequestError",
    "MaxRetryException",
    "PipelineError",
    "ReadError",
    "ReadTimeoutError",
    "RequestForgeError",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "RetryBudgetExceededError",
    "StreamInterruptedError",
    "StreamTimeoutError",
    "TLSError",
    "TokenFetchError",
    "TokenStorageError",
    "TooManyRedirectsError",
    "TransportError",
]


class RequestForgeError(Exception):
    """Root of every exception raised by Request Forge."""


class ConfigurationError(RequestForgeError, ValueError):
    """A setting is invalid; ``setting`` names it."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting


class InvalidRequestError(RequestForgeError, ValueError):
    """The request cannot be sent as built (bad URL, unsupported body, ...)."""


class TransportError(RequestForgeError):
    """The exchange with the server failed below HTTP (socket, TLS, timeout)."""


class ConnectError(TransportError):
    """No connection could be established: the request was never sent."""


class TLSError(TransportError):
    """The TLS handshake failed (certificate, protocol); retrying will not help."""


class RequestTimeoutError(TransportError):
    """A timeout elapsed (connecting or waiting for the response)."""


class ConnectTimeoutError(ConnectError, RequestTimeoutError):
    """Connecting timed out: nothing was sent, so any method may be retried."""


class ReadTimeoutError(RequestTimeoutError):
    """The server accepted the request but did not answer in time."""


class ReadError(TransportError):
    """The connection broke after the request may have been sent."""


class StreamInterruptedError(ReadError):
    """A streamed response ended early: the connection broke, or the body stopped mid-event.

    ``events`` counts the events (or, for a raw byte stream, ``bytes`` the
    bytes) that had arrived and been handed out before the break;
    ``last_event_id`` is the stream's last event id (``""`` when none), what
    a reconnect sends back as ``Last-Event-ID``.  Nothing is retried once a
    body has started: a retry would hand the same events out twice.
    """

    def __init__(
        self, message: str, *, events: int = 0, bytes_received: int = 0, last_event_id: str = ""
    ) -> None:
        super().__init__(message)
        self.events = events
        self.bytes_received = bytes_received
        self.last_event_id = last_event_id


class StreamTimeoutError(StreamInterruptedError, ReadTimeoutError):
    """A streamed response went quiet for longer than the read timeout between two reads."""


class TooManyRedirectsError(TransportError):
    """The redirect limit was reached."""


class ResponseDecodeError(RequestForgeError, ValueError):
    """A response body could not be decoded as the caller asked (e.g. JSON)."""


class HttpStatusError(RequestForgeError):
    """Raised by :meth:`HttpResponse.raise_for_status` for a 4xx/5xx response."""

    def __init__(self, message: str, response: HttpResponse) -> None:
        super().__init__(message)
        self.response = response

    @property
    def status_code(self) -> int:
        """Status code of the failed response."""
        return self.response.status_code


class MaxRetryException(RequestForgeError):  # noqa: N818 -- the name is the seed's API
    """The retry strategy gave up; carries the last response or error.

    Exactly one of ``last_response`` and ``last_error`` is set.
    """

    def __init__(
        self,
        message: str,
        *,
        attempts: int,
        last_response: HttpResponse | None = None,
        last_error: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.last_response = last_response
        self.last_error = last_error


class RetryBudgetExceededError(MaxRetryException):
    """Retrying would exceed the strategy's total time budget."""


class CircuitOpenError(RequestForgeError):
    """The circuit breaker is open: the call failed fast without touching the network."""

    def __init__(self, message: str, *, retry_in: float) -> None:
        super().__init__(message)
        self.retry_in = retry_in


class AuthenticationError(RequestForgeError):
    """Credentials could not be obtained or applied."""


class TokenFetchError(AuthenticationError):
    """A token endpoint refused or failed; ``error`` holds the RFC 6749 error code if any."""

    def __init__(
        self,
        message: str,
        *,
        error: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.error = error
        self.status_code = status_code


class TokenStorageError(RequestForgeError):
    """The token storage backend failed (e.g. Redis unreachable)."""


class PipelineError(AuthenticationError):
    """A multi-step token pipeline is misconfigured or a step failed."""
