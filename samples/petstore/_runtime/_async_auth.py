"""Running the runtime's sync auth hooks from a coroutine without blocking the event loop.

Auth hooks are sync objects (``before_request`` / ``on_unauthorized``), shared
by the sync and async clients.  Static ones (API key, basic, bearer) only copy
a request: they are called directly.  Token-backed ones ask a token manager,
which may fetch over the network, and that must not happen on the loop:

* before the hook runs, every token source in it (``hook.token_manager``,
  recursively through a composite's ``hooks``) is awaited with
  ``aget_token()`` -- the manager's single-flight async path, so a thousand
  tasks on an expired token cause one fetch -- after which the hook's own
  ``get_token()`` finds a valid token;
* if that second read would still do I/O (a Redis or Django storage, or a
  token source without the async path), the hook runs in a worker thread;
* after a 401, each source is told ``ainvalidate(token sent)`` and renewed
  with ``aget_token()``; then the hook's ``on_unauthorized`` runs in a worker
  thread (it takes the manager's locks) and finds the renewed token there.

Which objects are token sources is decided by duck typing, as everywhere in
the runtime: hooks from any vendored copy of ``requestforge`` work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import Any, cast

from .hooks import AuthHook
from .models import HttpRequest, HttpResponse, RequestContext

__all__ = ["AsyncAuth"]

_MAX_DEPTH = 8  # composites of composites: deep enough for any real wiring, bounded for cycles


def _token_sources(hook: object, depth: int = 0) -> Iterator[Any]:
    if depth > _MAX_DEPTH:
        return
    source = getattr(hook, "token_manager", None)
    if source is not None and callable(getattr(source, "get_token", None)):
        yield source
    children = getattr(hook, "hooks", None)
    if isinstance(children, (tuple, list)):
        for child in cast("Sequence[object]", children):
            yield from _token_sources(child, depth + 1)


class AsyncAuth:
    """One auth hook, as the async client calls it (built per call: it is a few getattrs).

    Remembers the tokens it warmed for this call, so that after a 401 it
    invalidates exactly the token that was sent.
    """

    __slots__ = ("_async_sources", "_blocking", "_hook", "_renewable", "_sent")

    def __init__(self, hook: AuthHook) -> None:
        self._hook = hook
        sources = list(dict.fromkeys(_token_sources(hook)))  # a manager shared by two schemes: once
        self._async_sources = [s for s in sources if callable(getattr(s, "aget_token", None))]
        self._blocking = any(
            not callable(getattr(s, "aget_token", None)) or not getattr(s, "reads_are_local", False)
            for s in sources
        )
        self._renewable = bool(sources)
        self._sent: list[tuple[Any, str | None]] = []

    async def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        """The hook's ``before_request``, with its tokens made valid first, off the loop."""
        sent: list[tuple[Any, str | None]] = []
        for source in self._async_sources:
            token = await source.aget_token()
            sent.append((source, getattr(token, "access_token", None)))
        self._sent = sent
        if self._blocking:
            return await asyncio.to_thread(self._hook.before_request, request, context)
        return self._hook.before_request(request, context)

    async def on_unauthorized(
        self, request: HttpRequest, response: HttpResponse, context: RequestContext
    ) -> HttpRequest | None:
        """The hook's ``on_unauthorized`` after its tokens were renewed (one fetch per loop)."""
        on_unauthorized = getattr(self._hook, "on_unauthorized", None)
        if on_unauthorized is None:
            return None
        if not self._renewable:
            replay: HttpRequest | None = on_unauthorized(request, response, context)
            return replay
        for source, access_token in self._sent:
            if access_token is not None and callable(getattr(source, "ainvalidate", None)):
                await source.ainvalidate(access_token)
                await source.aget_token()
        replay = await asyncio.to_thread(on_unauthorized, request, response, context)
        return replay
