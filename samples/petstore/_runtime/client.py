"""``HttpClient``: the request lifecycle of seed 001 on thread-local sessions (seed 000).

One call of :meth:`HttpClient.execute`:

1. the current context's correlation id (the incoming request's, set by
   web-framework middleware) is added as the config's ``correlation_header``,
   then the request hooks run, in order (once per call: an idempotency key or
   correlation id they add is the same on every attempt);
2. per attempt: the retry strategy's ``before_attempt`` (the circuit breaker
   may fail fast here), the auth hook, the send (redirects included);
3. on the first 401 the auth hook may renew its credentials and the request is
   replayed once -- this replay is not a retry and does not use up one;
4. the retry strategy decides on failures; the client sleeps ``get_delay``
   (never past the strategy's ``total_timeout``) and tries again -- or gives
   up at once when the server's ``Retry-After`` is beyond ``max_retry_after``;
5. response hooks, in order, on the final response; or error hooks, in order,
   on the exception about to be raised.

A shared client is safe across threads: the config is immutable, each thread
gets its own session, and all per-call state lives in a ``RequestContext``.
"""

from __future__ import annotations

# The runtime's modules are one package: they share its underscored helpers
# (and reach each other's underscored members) on purpose.
# pyright: reportPrivateUsage=false
import contextvars
import importlib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, overload

from ._sessions import SessionPool
from .config import HttpClientConfig, HttpClientConfigBuilder
from .context import _correlation_id, outgoing_correlation_headers
from .errors import MaxRetryException, RetryBudgetExceededError, TransportError
from .hooks import AuthHook, ErrorHook
from .models import (
    FileSpec,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    OpenResponse,
    QueryParams,
    RequestContext,
    auth_added_names,
    to_method,
)
from .retry import Outcome, RetryAfterTooLongError, RetryStrategy

if TYPE_CHECKING:
    # requests/urllib3 are imported on the first request, not with the package
    # (issue 8): ``import requestforge`` and building a client stay cheap.
    import requests

    from ._transport import SessionState, Transport
    from .sse import ServerSentEvent
    from .streaming import Stream, StreamingResponse

    T = TypeVar("T")

__all__ = ["CONFIG_AUTH", "HttpClient"]


class _ConfigAuth(Enum):
    """Sentinel type: "use the auth hook of the client's config"."""

    CONFIG_AUTH = "CONFIG_AUTH"


CONFIG_AUTH: Final = _ConfigAuth.CONFIG_AUTH

_NO_OP: Callable[..., None] = lambda *_args: None  # noqa: E731
_NO_NAMES: frozenset[str] = frozenset()


def _transport_module() -> ModuleType:
    """``._transport``, imported (with requests and urllib3) when first needed."""
    return importlib.import_module("._transport", __package__)


def _streaming_module() -> ModuleType:
    """``.streaming``, imported when a client first streams a response."""
    return importlib.import_module(".streaming", __package__)


def _discard(outcome: Outcome) -> None:
    """Close the body of a streamed response that will not be handed out (a retry follows)."""
    if type(outcome) is OpenResponse:
        outcome.body.close()


def _stream_request(
    method: HttpMethod | str,
    url: str,
    *,
    params: QueryParams | None,
    headers: Mapping[str, str] | None,
    json: Any,
    data: Mapping[str, Any] | bytes | str | None,
    files: Mapping[str, FileSpec] | None,
    cookies: Mapping[str, str] | None,
    timeout: float | None,
    accept: str | None = None,
) -> HttpRequest:
    """The request of a ``stream``/``stream_events`` call (``accept``: a default ``Accept``)."""
    sent = dict(headers) if headers is not None else {}
    if accept is not None and not any(name.lower() == "accept" for name in sent):
        sent["Accept"] = accept
    return HttpRequest(
        method=to_method(method),
        url=url,
        headers=sent,
        params=params,
        json_data=json,
        data=data,
        files=files,
        cookies=cookies,
        timeout=timeout,
    )


def _with_last_event_id(request: HttpRequest, last_event_id: str) -> HttpRequest:
    """``request`` carrying ``Last-Event-ID`` (replacing any), or without one when it is empty."""
    headers = {k: v for k, v in request.headers.items() if k.lower() != "last-event-id"}
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    return request._evolve(headers=headers)


def _note_credentials(
    context: RequestContext, authenticated: HttpRequest, unauthenticated: HttpRequest
) -> frozenset[str]:
    """Record what the auth hook added, so logging hooks redact it whatever its name.

    Returns the query parameter names, which the transport needs too (computed once).
    """
    headers, params = auth_added_names(authenticated, unauthenticated)
    if headers:
        context.sensitive_headers.update(headers)
    if params:
        context.sensitive_params.update(params)
    return params


def _with_correlation_id(request: HttpRequest, header_name: str) -> HttpRequest:
    """``request`` carrying the context's correlation id (see ``outgoing_correlation_headers``).

    Runs before the request hooks, so a logging hook sees the header and a
    ``CorrelationIdHook`` on the same header finds it and keeps it.
    """
    headers = outgoing_correlation_headers(request.headers, header_name)
    if headers is request.headers:
        return request
    return request._evolve(headers=headers)


def _notify_error_hooks(
    error_hooks: Sequence[ErrorHook], error: BaseException, context: RequestContext
) -> None:
    """Tell every error hook, in order; a hook that fails is logged and skipped.

    The caller must get the error that actually happened, and later hooks
    (metrics, alerting) must still hear of it, whatever an earlier hook does.
    """
    for error_hook in error_hooks:
        try:
            error_hook.on_error(error, context)
        except Exception:
            import logging  # noqa: PLC0415 - loaded only when a hook fails

            logging.getLogger("requestforge").exception(
                "error hook %s failed while handling %s",
                type(error_hook).__name__,
                type(error).__name__,
            )


def _give_up(
    context: RequestContext, outcome: Outcome, why: str, *, budget: bool = False
) -> MaxRetryException:
    """The error a call raises when its retry strategy gives up (``budget``: on total time)."""
    attempts = context.attempt + 1
    what = (
        f"status {outcome.status_code}"
        if isinstance(outcome, HttpResponse)
        else f"{type(outcome).__name__}: {outcome}"
    )
    message = (
        f"{context.request.method.value} gave up after {attempts} attempt(s) ({why}); "
        f"last outcome: {what}"
    )
    cls = RetryBudgetExceededError if budget else MaxRetryException
    error = cls(
        message,
        attempts=attempts,
        last_response=outcome if isinstance(outcome, HttpResponse) else None,
        last_error=outcome if isinstance(outcome, BaseException) else None,
    )
    if isinstance(outcome, BaseException):
        error.__cause__ = outcome
    return error


def _retry_delay(
    strategy: RetryStrategy,
    total_timeout: float | None,
    context: RequestContext,
    outcome: Outcome,
) -> float | None:
    """What follows an attempt's ``outcome``: ``None`` if final, else the delay before a retry.

    Records the outcome on ``context``; raises :class:`MaxRetryException` when
    retries are exhausted or the strategy refuses the server's ``Retry-After``
    (:class:`RetryAfterTooLongError`), and :class:`RetryBudgetExceededError`
    when the delay would overrun ``total_timeout``.  Pure bookkeeping -- the
    sync and async clients share it and differ only in how they sleep.
    """
    if isinstance(outcome, HttpResponse):
        context.last_response, context.last_error = outcome, None
    else:
        context.last_response, context.last_error = None, outcome
    wants_retry = strategy.should_retry(context, outcome)
    if not wants_retry or strategy.max_retries == 0:
        return None
    if context.attempt >= strategy.max_retries:
        raise _give_up(context, outcome, "retries exhausted")
    try:
        delay = max(0.0, strategy.get_delay(context))
    except RetryAfterTooLongError as refusal:
        error = _give_up(context, outcome, str(refusal))
        # The refusal is the reason in the message, not a failure to chain; the
        # cause (an error outcome's exception, if any) stays as _give_up set it.
        raise error from error.__cause__
    if total_timeout is not None and context.elapsed + delay > total_timeout:
        raise _give_up(context, outcome, f"total timeout of {total_timeout}s", budget=True)
    return delay


class HttpClient:
    """A thread-safe HTTP client: hooks, auth, retries, circuit breaking, typed errors.

    ``session``: pass a ``requests.Session`` to use it for every thread instead
    of thread-local ones -- you then answer for its thread safety (seed 000).
    """

    def __init__(
        self,
        config: HttpClientConfig | None = None,
        session: requests.Session | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._config = config if config is not None else HttpClientConfigBuilder().build()
        self._transport_: Transport | None = None
        self._shared: SessionState | None = None
        if session is not None:
            self._shared = _transport_module().SessionState(session=session)
        self._pool: SessionPool[SessionState] = SessionPool(self._create_session_state)
        self._sleep = sleep
        strategy = self._config.retry_strategy
        self._before_attempt: Callable[[RequestContext], None] = getattr(
            strategy, "before_attempt", _NO_OP
        )
        self._record_outcome: Callable[[RequestContext, Outcome], None] = getattr(
            strategy, "record_outcome", _NO_OP
        )
        self._total_timeout: float | None = getattr(strategy, "total_timeout", None)

    @property
    def _transport(self) -> Transport:
        """The transport, created (and requests imported) on first use."""
        transport = self._transport_
        if transport is None:
            transport = self._transport_ = _transport_module().Transport(self._config)
        return transport

    def _create_session_state(self) -> SessionState:
        return self._transport.create_session_state()

    @property
    def config(self) -> HttpClientConfig:
        """The immutable configuration this client was built with."""
        return self._config

    @property
    def session(self) -> requests.Session:
        """This thread's session (the shared one if the client was given one)."""
        return self._state().session

    @property
    def open_sessions(self) -> int:
        """How many thread-local sessions are open right now."""
        return self._pool.open_count

    def _state(self) -> SessionState:
        if self._shared is not None:
            return self._shared
        return self._pool.get()

    # -- the verbs -------------------------------------------------------------

    def request(
        self,
        method: HttpMethod | str,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | bytes | str | None = None,
        files: Mapping[str, FileSpec] | None = None,
        cookies: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """Build an :class:`HttpRequest` and :meth:`execute` it."""
        return self.execute(
            HttpRequest(
                method=to_method(method),
                url=url,
                headers=headers if headers is not None else {},
                params=params,
                json_data=json,
                data=data,
                files=files,
                cookies=cookies,
                timeout=timeout,
            )
        )

    def get(
        self,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """GET ``url`` (relative to the base URL, or absolute)."""
        return self.request(HttpMethod.GET, url, params=params, headers=headers, timeout=timeout)

    def head(
        self,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """HEAD ``url``."""
        return self.request(HttpMethod.HEAD, url, params=params, headers=headers, timeout=timeout)

    def options(
        self,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """OPTIONS ``url``."""
        return self.request(
            HttpMethod.OPTIONS, url, params=params, headers=headers, timeout=timeout
        )

    def delete(
        self,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """DELETE ``url``."""
        return self.request(
            HttpMethod.DELETE, url, params=params, headers=headers, json=json, timeout=timeout
        )

    def post(
        self,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | bytes | str | None = None,
        files: Mapping[str, FileSpec] | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """POST to ``url`` (retried only with an ``Idempotency-Key`` header)."""
        return self.request(
            HttpMethod.POST,
            url,
            params=params,
            headers=headers,
            json=json,
            data=data,
            files=files,
            timeout=timeout,
        )

    def put(
        self,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | bytes | str | None = None,
        files: Mapping[str, FileSpec] | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """PUT to ``url``."""
        return self.request(
            HttpMethod.PUT,
            url,
            params=params,
            headers=headers,
            json=json,
            data=data,
            files=files,
            timeout=timeout,
        )

    def patch(
        self,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | bytes | str | None = None,
        files: Mapping[str, FileSpec] | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """PATCH ``url`` (retried only with an ``Idempotency-Key`` header)."""
        return self.request(
            HttpMethod.PATCH,
            url,
            params=params,
            headers=headers,
            json=json,
            data=data,
            files=files,
            timeout=timeout,
        )

    # -- streaming ---------------------------------------------------------------

    def stream(
        self,
        method: HttpMethod | str,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | bytes | str | None = None,
        files: Mapping[str, FileSpec] | None = None,
        cookies: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> StreamingResponse:
        """Send a request as :meth:`request` does, but leave a success's body unread.

        Use the result in a ``with`` block: ``iter_bytes``, ``iter_lines``,
        ``stream_to(path)`` read the body as it arrives (see
        :class:`~requestforge.streaming.StreamingResponse`).
        """
        return self.execute_stream(
            _stream_request(
                method,
                url,
                params=params,
                headers=headers,
                json=json,
                data=data,
                files=files,
                cookies=cookies,
                timeout=timeout,
            )
        )

    def stream_events(
        self,
        method: HttpMethod | str,
        url: str,
        decode: Callable[[ServerSentEvent], T],
        *,
        done: str | None = None,
        reconnect: bool = False,
        max_reconnects: int = 3,
        reconnect_delay: float = 1.0,
        raise_error: Callable[[HttpResponse], object] | None = None,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | bytes | str | None = None,
        cookies: Mapping[str, str] | None = None,
        timeout: float | None = None,
        auth: AuthHook | _ConfigAuth | None = CONFIG_AUTH,
        files: Mapping[str, FileSpec] | None = None,
    ) -> Stream[T]:
        """A typed server-sent event stream (:class:`~requestforge.streaming.Stream`).

        Sends ``Accept: text/event-stream`` unless ``headers`` name another.
        ``reconnect=True`` reopens a broken stream (the same request, through
        the whole lifecycle again, with ``Last-Event-ID``) up to
        ``max_reconnects`` times; it is off by default because a reopened
        request must be safe to repeat (a multipart ``files`` body read from
        file objects is not).
        """
        request = _stream_request(
            method,
            url,
            params=params,
            headers=headers,
            json=json,
            data=data,
            files=files,
            cookies=cookies,
            timeout=timeout,
            accept="text/event-stream",
        )

        def reopen(last_event_id: str) -> StreamingResponse:
            return self.execute_stream(_with_last_event_id(request, last_event_id), auth=auth)

        stream_class: type[Stream[T]] = _streaming_module().Stream
        return stream_class(
            self.execute_stream(request, auth=auth),
            decode,
            done=done,
            reconnect=reopen if reconnect else None,
            max_reconnects=max_reconnects,
            reconnect_delay=reconnect_delay,
            raise_error=raise_error,
            sleep=self._sleep,
        )

    def execute_stream(
        self, request: HttpRequest, *, auth: AuthHook | _ConfigAuth | None = CONFIG_AUTH
    ) -> StreamingResponse:
        """:meth:`execute`, but a success's body is left on the wire for the caller.

        Retries, the one 401 renewal and the response hooks run on the head
        (status and headers) before any body byte is handed out; once the
        caller has the response nothing is retried.  A non-success is read
        whole, as :meth:`execute` reads it.
        """
        config = self._config
        auth_hook = config.auth_hook if auth is CONFIG_AUTH else auth
        if _correlation_id.get() is not None and config.correlation_header is not None:
            request = _with_correlation_id(request, config.correlation_header)
        context = RequestContext(request=request, max_retries=config.retry_strategy.max_retries)
        opened: HttpResponse | None = None
        try:
            for hook in config.request_hooks:
                request = hook.before_request(request, context)
            context.request = request
            opened = response = self._attempt_until_done(request, context, auth_hook, stream=True)
            for response_hook in config.response_hooks:
                response = response_hook.after_response(response, context)
            streamed: StreamingResponse = _streaming_module().StreamingResponse._from(
                response, opened
            )
            return streamed
        except BaseException as error:
            if opened is not None:
                _discard(opened)
            self._notify_error_hooks(error, context)
            raise

    # -- the lifecycle -----------------------------------------------------------

    def execute(
        self, request: HttpRequest, *, auth: AuthHook | _ConfigAuth | None = CONFIG_AUTH
    ) -> HttpResponse:
        """Run one request through hooks, auth, retries and the circuit breaker.

        ``auth`` overrides the config's auth hook for this call only: another
        hook, or ``None`` to send no credentials (a generated client picks the
        hook per operation from the operation's security requirements).
        """
        config = self._config
        auth_hook = config.auth_hook if auth is CONFIG_AUTH else auth
        if _correlation_id.get() is not None and config.correlation_header is not None:
            request = _with_correlation_id(request, config.correlation_header)
        context = RequestContext(request=request, max_retries=config.retry_strategy.max_retries)
        try:
            for hook in config.request_hooks:
                request = hook.before_request(request, context)
            context.request = request
            response = self._attempt_until_done(request, context, auth_hook)
            for response_hook in config.response_hooks:
                response = response_hook.after_response(response, context)
            return response
        except BaseException as error:
            self._notify_error_hooks(error, context)
            raise

    def _notify_error_hooks(self, error: BaseException, context: RequestContext) -> None:
        _notify_error_hooks(self._config.error_hooks, error, context)

    def _attempt_until_done(
        self,
        request: HttpRequest,
        context: RequestContext,
        auth_hook: AuthHook | None,
        *,
        stream: bool = False,
    ) -> HttpResponse:
        strategy = self._config.retry_strategy
        while True:
            outcome = self._attempt(request, context, auth_hook, stream)
            try:
                delay = _retry_delay(strategy, self._total_timeout, context, outcome)
            except BaseException:
                _discard(outcome)
                raise
            if delay is None:
                if isinstance(outcome, HttpResponse):
                    return outcome
                raise outcome
            _discard(outcome)
            if delay:
                self._sleep(delay)
            context.increment_attempt()

    def _attempt(
        self,
        request: HttpRequest,
        context: RequestContext,
        auth_hook: AuthHook | None,
        stream: bool = False,
    ) -> Outcome:
        """One attempt (plus at most one 401 replay); returns the response or the error.

        Everything after ``before_attempt`` is inside the ``try``: whatever
        happens, the strategy hears the outcome, so a circuit breaker's
        half-open probe is always released.  ``stream``: a 2xx body is left
        unread (an :class:`OpenResponse`); a 401 is read whole, so its replay
        never leaves a body behind.
        """
        self._before_attempt(context)
        deadline = (
            context.started_at + self._total_timeout if self._total_timeout is not None else None
        )
        try:
            state = self._state()
            transport = self._transport
            if auth_hook is None:
                response = transport.send(
                    state, request, request, deadline=deadline, auth_params=_NO_NAMES, stream=stream
                )
            else:

                def authenticate(hop: HttpRequest) -> HttpRequest:
                    return auth_hook.before_request(hop, context)

                authed = authenticate(request)
                params = _note_credentials(context, authed, request)
                response = transport.send(
                    state,
                    authed,
                    request,
                    authenticate,
                    deadline=deadline,
                    auth_params=params,
                    stream=stream,
                )
                if response.status_code == 401 and not context.auth_replayed:
                    on_unauthorized = getattr(auth_hook, "on_unauthorized", None)
                    replay = on_unauthorized(authed, response, context) if on_unauthorized else None
                    if replay is not None:
                        context.auth_replayed = True
                        params = _note_credentials(context, replay, request)
                        response = transport.send(
                            state,
                            replay,
                            request,
                            authenticate,
                            deadline=deadline,
                            auth_params=params,
                            stream=stream,
                        )
        except Exception as error:
            self._record_outcome(context, error)
            if isinstance(error, TransportError):
                return error
            raise
        except BaseException as error:
            self._record_outcome(context, error)
            raise
        self._record_outcome(context, response)
        return response

    # -- many at once ----------------------------------------------------------

    @overload
    def execute_many(
        self,
        requests_: Iterable[HttpRequest],
        *,
        max_workers: int = ...,
        return_exceptions: Literal[False] = ...,
    ) -> list[HttpResponse]: ...

    @overload
    def execute_many(
        self,
        requests_: Iterable[HttpRequest],
        *,
        max_workers: int = ...,
        return_exceptions: Literal[True],
    ) -> list[HttpResponse | Exception]: ...

    def execute_many(
        self,
        requests_: Iterable[HttpRequest],
        *,
        max_workers: int = 8,
        return_exceptions: bool = False,
    ) -> Sequence[HttpResponse | Exception]:
        """Execute requests concurrently on a thread pool; results come back in input order.

        With ``return_exceptions=False`` the first failure (in input order) is
        raised once every request has finished; with ``True`` each failed
        request's exception takes its place in the list.  Worker threads'
        sessions are closed when the pool shuts down.
        """
        executor_class = importlib.import_module("concurrent.futures").ThreadPoolExecutor
        batch = list(requests_)
        if not batch:
            return []
        results: list[HttpResponse | Exception] = []
        with executor_class(max_workers=max(1, min(max_workers, len(batch)))) as pool:
            # Each request runs in a copy of the caller's context: an incoming request's
            # correlation id (and anything else in context variables) goes with it.
            futures = [
                pool.submit(contextvars.copy_context().run, self.execute, request)
                for request in batch
            ]
            for future in futures:
                try:
                    results.append(future.result())
                except Exception as error:
                    results.append(error)
        if not return_exceptions:
            for result in results:
                if isinstance(result, Exception):
                    raise result
        return results

    # -- lifetime --------------------------------------------------------------

    def close(self) -> None:
        """Close every thread's session; the client cannot be used afterwards."""
        self._pool.close()
        if self._shared is not None:
            self._shared = None

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HttpClient({self._config!r})"
