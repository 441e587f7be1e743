"""``AsyncHttpClient``: the request lifecycle of seed 001 on ``httpx.AsyncClient``.

The async twin of :class:`~requestforge.client.HttpClient`, built from the same
immutable :class:`HttpClientConfig` and sharing its parts rather than copying
them: the same request, response, error and auth hooks (sync, CPU-only objects,
called directly), the same retry strategies and their bookkeeping
(``_retry_delay``: Retry-After, total timeout, retry budget -- only the sleep is
``await asyncio.sleep``), the same redirect and credential-stripping rules and
timeouts (:mod:`._wire`), the same error classes with the same redacted
messages, and the same correlation-id propagation.

One call of :meth:`AsyncHttpClient.execute` is the sync one, step for step:
correlation id, request hooks, then per attempt ``before_attempt`` (circuit
breaker), auth hook, send (redirects included), one 401 replay, the retry
decision, then response hooks -- or error hooks on the exception raised.

Token-backed auth hooks never block the loop (:mod:`._async_auth`): their
token managers are awaited first through the single-flight ``aget_token``.

A client may be used from several event loops (one after another, or in
several threads): each loop gets its own connection pool.  httpx is an optional
dependency (``forgegen[async]``); only this module and the async API import it.
"""

from __future__ import annotations

# The runtime's modules are one package: they share its underscored helpers
# (and reach each other's underscored members) on purpose.
# pyright: reportPrivateUsage=false
import asyncio
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from ._async_auth import AsyncAuth
from ._async_transport import AsyncTransport
from .client import (
    _NO_NAMES,
    _NO_OP,
    CONFIG_AUTH,
    _ConfigAuth,
    _note_credentials,
    _notify_error_hooks,
    _retry_delay,
    _stream_request,
    _streaming_module,
    _with_correlation_id,
    _with_last_event_id,
)
from .config import HttpClientConfig, HttpClientConfigBuilder
from .context import _correlation_id
from .errors import TransportError
from .hooks import AuthHook
from .models import (
    FileSpec,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    OpenResponse,
    QueryParams,
    RequestContext,
    to_method,
)
from .retry import Outcome

if TYPE_CHECKING:
    from .sse import ServerSentEvent
    from .streaming import AsyncStream, AsyncStreamingResponse

    T = TypeVar("T")

__all__ = ["AsyncHttpClient"]


async def _discard(outcome: Outcome) -> None:
    """Close the body of a streamed response that will not be handed out (a retry follows)."""
    if type(outcome) is OpenResponse:
        await outcome.body.aclose()


class AsyncHttpClient:
    """An asyncio HTTP client: hooks, auth, retries, circuit breaking, typed errors.

    ``sleep`` is awaited between retries (``asyncio.sleep``; tests pass a fake).
    Safe to share between tasks: the config is immutable and all per-call
    state lives in a ``RequestContext``.
    """

    def __init__(
        self,
        config: HttpClientConfig | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._config = config if config is not None else HttpClientConfigBuilder().build()
        self._transport = AsyncTransport(self._config)
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
    def open_pools(self) -> int:
        """How many event loops hold an open connection pool of this client."""
        return self._transport.open_pools

    # -- the verbs -------------------------------------------------------------

    async def request(
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
        return await self.execute(
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

    async def get(
        self,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """GET ``url`` (relative to the base URL, or absolute)."""
        return await self.request(
            HttpMethod.GET, url, params=params, headers=headers, timeout=timeout
        )

    async def head(
        self,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """HEAD ``url``."""
        return await self.request(
            HttpMethod.HEAD, url, params=params, headers=headers, timeout=timeout
        )

    async def options(
        self,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """OPTIONS ``url``."""
        return await self.request(
            HttpMethod.OPTIONS, url, params=params, headers=headers, timeout=timeout
        )

    async def delete(
        self,
        url: str,
        *,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """DELETE ``url``."""
        return await self.request(
            HttpMethod.DELETE, url, params=params, headers=headers, json=json, timeout=timeout
        )

    async def post(
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
        return await self.request(
            HttpMethod.POST,
            url,
            params=params,
            headers=headers,
            json=json,
            data=data,
            files=files,
            timeout=timeout,
        )

    async def put(
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
        return await self.request(
            HttpMethod.PUT,
            url,
            params=params,
            headers=headers,
            json=json,
            data=data,
            files=files,
            timeout=timeout,
        )

    async def patch(
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
        return await self.request(
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

    async def stream(
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
    ) -> AsyncStreamingResponse:
        """Send a request as :meth:`request` does, but leave a success's body unread.

        Use the result in an ``async with`` block (see
        :class:`~requestforge.streaming.AsyncStreamingResponse`).
        """
        return await self.execute_stream(
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

    async def stream_events(
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
    ) -> AsyncStream[T]:
        """A typed server-sent event stream, as ``HttpClient.stream_events`` (same options)."""
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

        async def reopen(last_event_id: str) -> AsyncStreamingResponse:
            return await self.execute_stream(_with_last_event_id(request, last_event_id), auth=auth)

        stream_class: type[AsyncStream[T]] = _streaming_module().AsyncStream
        return await stream_class.open(
            await self.execute_stream(request, auth=auth),
            decode,
            done=done,
            reconnect=reopen if reconnect else None,
            max_reconnects=max_reconnects,
            reconnect_delay=reconnect_delay,
            raise_error=raise_error,
            sleep=self._sleep,
        )

    async def execute_stream(
        self, request: HttpRequest, *, auth: AuthHook | _ConfigAuth | None = CONFIG_AUTH
    ) -> AsyncStreamingResponse:
        """:meth:`execute`, but a success's body is left on the wire (as the sync client's)."""
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
            opened = response = await self._attempt_until_done(
                request, context, auth_hook, stream=True
            )
            for response_hook in config.response_hooks:
                response = response_hook.after_response(response, context)
            streamed: AsyncStreamingResponse = _streaming_module().AsyncStreamingResponse._from(
                response, opened
            )
            return streamed
        except BaseException as error:
            if opened is not None:
                await _discard(opened)
            _notify_error_hooks(config.error_hooks, error, context)
            raise

    # -- the lifecycle -----------------------------------------------------------

    async def execute(
        self, request: HttpRequest, *, auth: AuthHook | _ConfigAuth | None = CONFIG_AUTH
    ) -> HttpResponse:
        """Run one request through hooks, auth, retries and the circuit breaker.

        ``auth`` overrides the config's auth hook for this call only (another
        hook, or ``None`` for no credentials), exactly as ``HttpClient.execute``.
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
            response = await self._attempt_until_done(request, context, auth_hook)
            for response_hook in config.response_hooks:
                response = response_hook.after_response(response, context)
            return response
        except BaseException as error:
            _notify_error_hooks(config.error_hooks, error, context)
            raise

    async def _attempt_until_done(
        self,
        request: HttpRequest,
        context: RequestContext,
        auth_hook: AuthHook | None,
        *,
        stream: bool = False,
    ) -> HttpResponse:
        strategy = self._config.retry_strategy
        while True:
            outcome = await self._attempt(request, context, auth_hook, stream)
            try:
                delay = _retry_delay(strategy, self._total_timeout, context, outcome)
            except BaseException:
                await _discard(outcome)
                raise
            if delay is None:
                if isinstance(outcome, HttpResponse):
                    return outcome
                raise outcome
            await _discard(outcome)
            if delay:
                await self._sleep(delay)
            context.increment_attempt()

    async def _attempt(
        self,
        request: HttpRequest,
        context: RequestContext,
        auth_hook: AuthHook | None,
        stream: bool = False,
    ) -> Outcome:
        """One attempt (plus at most one 401 replay); returns the response or the error.

        As in the sync client, everything after ``before_attempt`` is inside the
        ``try``, cancellation included: the strategy always hears the outcome,
        so a circuit breaker's half-open probe is released by a cancelled task.
        """
        self._before_attempt(context)
        deadline = (
            context.started_at + self._total_timeout if self._total_timeout is not None else None
        )
        transport = self._transport
        try:
            if auth_hook is None:
                response = await transport.send(
                    request, request, deadline=deadline, auth_params=_NO_NAMES, stream=stream
                )
            else:
                auth = AsyncAuth(auth_hook)

                async def authenticate(hop: HttpRequest) -> HttpRequest:
                    return await auth.before_request(hop, context)

                authed = await authenticate(request)
                params = _note_credentials(context, authed, request)
                response = await transport.send(
                    authed,
                    request,
                    authenticate,
                    deadline=deadline,
                    auth_params=params,
                    stream=stream,
                )
                if response.status_code == 401 and not context.auth_replayed:
                    replay = await auth.on_unauthorized(authed, response, context)
                    if replay is not None:
                        context.auth_replayed = True
                        params = _note_credentials(context, replay, request)
                        response = await transport.send(
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

    # -- lifetime --------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the connection pools; the client cannot be used afterwards."""
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncHttpClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncHttpClient({self._config!r})"
