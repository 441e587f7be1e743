"""``HttpClient``: the request lifecycle of seed 001 on thread-local sessions (seed 000).

One call of :meth:`HttpClient.execute`:

1. request hooks, in order (once per call: an idempotency key or correlation
   id they add is the same on every attempt);
2. per attempt: the retry strategy's ``before_attempt`` (the circuit breaker
   may fail fast here), the auth hook, the send (redirects included);
3. on the first 401 the auth hook may renew its credentials and the request is
   replayed once -- this replay is not a retry and does not use up one;
4. the retry strategy decides on failures; the client sleeps ``get_delay``
   (never past the strategy's ``total_timeout``) and tries again;
5. response hooks, in order, on the final response; or error hooks, in order,
   on the exception about to be raised.

A shared client is safe across threads: the config is immutable, each thread
gets its own session, and all per-call state lives in a ``RequestContext``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from enum import Enum
from types import TracebackType
from typing import Any, Final, Literal, overload

import requests

from ._sessions import SessionPool
from ._transport import SessionState, Transport, auth_added_names
from .config import HttpClientConfig, HttpClientConfigBuilder
from .errors import MaxRetryException, RetryBudgetExceededError, TransportError
from .hooks import AuthHook
from .models import (
    FileSpec,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    QueryParams,
    RequestContext,
    to_method,
)
from .retry import Outcome

__all__ = ["CONFIG_AUTH", "HttpClient"]

_LOGGER = logging.getLogger("requestforge")


class _ConfigAuth(Enum):
    """Sentinel type: "use the auth hook of the client's config"."""

    CONFIG_AUTH = "CONFIG_AUTH"


CONFIG_AUTH: Final = _ConfigAuth.CONFIG_AUTH

_NO_OP: Callable[..., None] = lambda *_args: None  # noqa: E731


def _note_credentials(
    context: RequestContext, authenticated: HttpRequest, unauthenticated: HttpRequest
) -> None:
    """Record what the auth hook added, so logging hooks redact it whatever its name."""
    headers, params = auth_added_names(authenticated, unauthenticated)
    context.sensitive_headers.update(headers)
    context.sensitive_params.update(params)


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
        self._transport = Transport(self._config)
        self._shared: SessionState | None = (
            SessionState(session=session) if session is not None else None
        )
        self._pool: SessionPool[SessionState] = SessionPool(self._transport.create_session_state)
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
        """Tell every error hook, in order; a hook that fails is logged and skipped.

        The caller must get the error that actually happened, and later hooks
        (metrics, alerting) must still hear of it, whatever an earlier hook does.
        """
        for error_hook in self._config.error_hooks:
            try:
                error_hook.on_error(error, context)
            except Exception:
                _LOGGER.exception(
                    "error hook %s failed while handling %s",
                    type(error_hook).__name__,
                    type(error).__name__,
                )

    def _attempt_until_done(
        self, request: HttpRequest, context: RequestContext, auth_hook: AuthHook | None
    ) -> HttpResponse:
        strategy = self._config.retry_strategy
        while True:
            outcome = self._attempt(request, context, auth_hook)
            if isinstance(outcome, HttpResponse):
                context.last_response, context.last_error = outcome, None
            else:
                context.last_response, context.last_error = None, outcome
            wants_retry = strategy.should_retry(context, outcome)
            if not wants_retry or strategy.max_retries == 0:
                if isinstance(outcome, HttpResponse):
                    return outcome
                raise outcome
            if context.attempt >= strategy.max_retries:
                raise self._give_up(context, outcome, "retries exhausted")
            delay = max(0.0, strategy.get_delay(context))
            if self._total_timeout is not None and context.elapsed + delay > self._total_timeout:
                raise self._give_up(
                    context, outcome, f"total timeout of {self._total_timeout}s", budget=True
                )
            if delay:
                self._sleep(delay)
            context.increment_attempt()

    def _attempt(
        self, request: HttpRequest, context: RequestContext, auth_hook: AuthHook | None
    ) -> Outcome:
        """One attempt (plus at most one 401 replay); returns the response or the error.

        Everything after ``before_attempt`` is inside the ``try``: whatever
        happens, the strategy hears the outcome, so a circuit breaker's
        half-open probe is always released.
        """
        self._before_attempt(context)
        deadline = (
            context.started_at + self._total_timeout if self._total_timeout is not None else None
        )
        try:
            state = self._state()
            if auth_hook is None:
                response = self._transport.send(state, request, request, deadline=deadline)
            else:

                def authenticate(hop: HttpRequest) -> HttpRequest:
                    return auth_hook.before_request(hop, context)

                authed = authenticate(request)
                _note_credentials(context, authed, request)
                response = self._transport.send(
                    state, authed, request, authenticate, deadline=deadline
                )
                if response.status_code == 401 and not context.auth_replayed:
                    on_unauthorized = getattr(auth_hook, "on_unauthorized", None)
                    replay = on_unauthorized(authed, response, context) if on_unauthorized else None
                    if replay is not None:
                        context.auth_replayed = True
                        _note_credentials(context, replay, request)
                        response = self._transport.send(
                            state, replay, request, authenticate, deadline=deadline
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

    @staticmethod
    def _give_up(
        context: RequestContext, outcome: Outcome, why: str, *, budget: bool = False
    ) -> MaxRetryException:
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
        batch = list(requests_)
        if not batch:
            return []
        results: list[HttpResponse | Exception] = []
        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(batch)))) as pool:
            futures = [pool.submit(self.execute, request) for request in batch]
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
