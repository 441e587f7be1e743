"""Request ids for any ASGI application (FastAPI, Starlette, Quart, Django under ASGI).

Pure ASGI, so no framework is imported::

    app = FastAPI()
    app.add_middleware(RequestIdMiddleware)

Each HTTP request and WebSocket connection runs with the incoming
``X-Request-ID`` (or a fresh id when it is missing or not acceptable, see
:func:`~requestforge.context.is_valid_request_id`) as the context's correlation
id, so every client call made while handling it -- in the request's task, in
tasks it starts, and in threads that copy the context (``run_in_threadpool``,
``asyncio.to_thread``) -- sends the same id on.  The id is echoed in the
response headers.  ``lifespan`` and unknown scope types pass through untouched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from ..context import (
    DEFAULT_CORRELATION_HEADER,
    correlation_id_scope,
    request_id_or_new,
    request_metadata_scope,
)

__all__ = ["ASGIApp", "RequestIdMiddleware"]

# The ASGI callables, spelled as Starlette spells them, so the middleware fits
# ``app.add_middleware`` under mypy without importing Starlette.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Messages that start a response and may carry headers (ASGI spec: websocket.accept has them too).
_RESPONSE_STARTS = frozenset({"http.response.start", "websocket.accept"})


def _find_header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            # latin-1 maps every byte: hostile bytes become characters the validator refuses.
            return value.decode("latin-1")
    return None


class RequestIdMiddleware:
    """Sets the correlation id (and request metadata) for each HTTP/WebSocket scope.

    ``header`` names the incoming header read and the response header written.
    Request metadata (:func:`~requestforge.context.get_request_metadata`) gets
    ``method`` (``WEBSOCKET`` for WebSocket connections) and ``path``.
    """

    def __init__(self, app: ASGIApp, header: str = DEFAULT_CORRELATION_HEADER) -> None:
        self.app = app
        self.header = header
        self._raw_header = header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_or_new(_find_header(scope.get("headers", ()), self._raw_header))
        echoed = (self._raw_header, request_id.encode("ascii"))
        raw_header = self._raw_header

        async def send_with_id(message: Message) -> None:
            if message["type"] in _RESPONSE_STARTS:
                headers = [
                    (key, value)
                    for key, value in message.get("headers", ())
                    if key.lower() != raw_header
                ]
                headers.append(echoed)
                message = {**message, "headers": headers}
            await send(message)

        method = scope.get("method", "GET") if kind == "http" else "WEBSOCKET"
        with (
            correlation_id_scope(request_id),
            request_metadata_scope(method=method, path=scope.get("path", "")),
        ):
            await self.app(scope, receive, send_with_id)
