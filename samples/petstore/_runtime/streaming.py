"""Streamed responses: raw bodies read as they arrive, and typed server-sent event streams.

``HttpClient.stream(...)`` sends a request through the whole lifecycle --
request hooks, auth, retries, the one 401 renewal, response hooks -- but
those see the response *head* only: the body of a success stays on the wire
and is handed to the caller as a :class:`StreamingResponse` (``AsyncHttpClient``:
:class:`AsyncStreamingResponse`).  Nothing is retried once the body has
started -- a retry would hand out the same bytes twice.  An error status is
read whole as usual, so the status error carries its body.

:class:`Stream` / :class:`AsyncStream` parse such a body as
``text/event-stream`` (:mod:`.sse`) and decode each event into a ``T`` with
the caller's ``decode``; iteration stops at the end of the body or at the
``done`` sentinel (``"[DONE]"`` for OpenAI-style streams).  A break in the
middle raises :class:`StreamInterruptedError` (a quiet gap longer than the
read timeout: :class:`StreamTimeoutError`) saying how many events had
arrived -- or, with ``reconnect`` set (off by default), the stream reopens
with ``Last-Event-ID`` and carries on.

Everything here closes its connection when leaving a ``with`` block, at the
end of the body, on a failure and on :meth:`close`.  This module is loaded on
first use, never by ``import requestforge``.
"""

from __future__ import annotations

import asyncio
import codecs
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from os import PathLike
from types import TracebackType
from typing import Any, Generic, TypeVar

from .errors import (
    HttpStatusError,
    ReadError,
    RequestTimeoutError,
    StreamInterruptedError,
    StreamTimeoutError,
    TransportError,
)
from .models import Headers, HttpRequest, HttpResponse, OpenResponse
from .redaction import redact_url
from .sse import ServerSentEvent, SSEParser

__all__ = [
    "AsyncStream",
    "AsyncStreamingResponse",
    "Stream",
    "StreamingResponse",
]

T = TypeVar("T")

#: What ``iter_bytes`` asks the socket for at most, per read.
DEFAULT_CHUNK = 64 * 1024
#: What ``stream_to`` reads and writes per step: the only memory a download holds.
DOWNLOAD_CHUNK = 1024 * 1024


class _LineSplitter:
    """Text split into lines at CRLF, LF or CR, across pieces (a CRLF may straddle two)."""

    __slots__ = ("_cr", "_tail")

    def __init__(self) -> None:
        self._tail = ""
        self._cr = False

    def feed(self, text: str) -> list[str]:
        if not text:
            return []
        if self._cr:
            self._cr = False
            if text[0] == "\n":
                text = text[1:]
        if "\r" in text:
            self._cr = text[-1] == "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = self._tail + text
        lines = text.split("\n")
        self._tail = lines.pop()
        return lines

    def end(self) -> list[str]:
        tail, self._tail = self._tail, ""
        return [tail] if tail else []


def _interrupted(
    head: HttpResponse, error: TransportError, *, events: int, received: int, last_id: str = ""
) -> StreamInterruptedError:
    """The typed error for a body that broke after ``events`` events / ``received`` bytes."""
    what = f"{events} event(s)" if events or last_id else f"{received} byte(s)"
    where = redact_url(head.url, head.sensitive_params)
    cls = StreamTimeoutError if isinstance(error, RequestTimeoutError) else StreamInterruptedError
    failure = cls(
        f"stream from {where} interrupted after {what}: {error}",
        events=events,
        bytes_received=received,
        last_event_id=last_id,
    )
    failure.__cause__ = error
    return failure


def _not_a_stream(head: HttpResponse) -> None:
    """The default ``raise_error`` of a typed stream: ``HttpStatusError`` for any non-2xx head."""
    head.raise_for_status()
    where = redact_url(head.url, head.sensitive_params)
    raise HttpStatusError(f"{head.status_code} {head.reason} for {where}: no stream", head)


class _Head:
    """The response head, shared by the sync and async streaming responses."""

    head: HttpResponse

    @property
    def status_code(self) -> int:
        return self.head.status_code

    @property
    def headers(self) -> Headers:
        return self.head.headers

    @property
    def url(self) -> str:
        return self.head.url

    @property
    def reason(self) -> str:
        return self.head.reason

    @property
    def request(self) -> HttpRequest | None:
        return self.head.request

    @property
    def is_success(self) -> bool:
        return self.head.is_success

    @property
    def encoding(self) -> str:
        return self.head.encoding


class StreamingResponse(_Head):
    """A response whose body is read as it arrives; use it in a ``with`` block.

    ``head`` is the response as the hooks saw it (status, headers, URL; its
    ``content`` is empty for a streamed success, the whole body otherwise).
    Each body byte is handed out once: :meth:`iter_bytes`, :meth:`iter_lines`,
    :meth:`stream_to` and :meth:`read` all continue from where the last left
    off.  A broken connection raises :class:`StreamInterruptedError` with the
    bytes received so far (:class:`StreamTimeoutError` when the read timeout
    elapsed between two pieces).
    """

    __slots__ = ("_body", "bytes_received", "head")

    def __init__(self, head: HttpResponse, body: Any = None) -> None:
        self.head = head
        # A head that was read whole (an error status): its content is the body.
        self._body = body
        self.bytes_received = 0
        if body is None and head.content:
            self._body = _BufferedBody(head.content)

    @classmethod
    def _from(cls, head: HttpResponse, opened: HttpResponse) -> StreamingResponse:
        return cls(head, opened.body if isinstance(opened, OpenResponse) else None)

    @property
    def closed(self) -> bool:
        """Whether the body has ended or been closed (the connection is released)."""
        return self._body is None or bool(self._body.closed)

    def raise_for_status(self) -> StreamingResponse:
        """``HttpStatusError`` for a 4xx/5xx head (its body read whole); self otherwise."""
        if self.head.status_code >= 400:
            self.close()
            self.head.raise_for_status()
        return self

    def iter_bytes(self, chunk_size: int = DEFAULT_CHUNK) -> Iterator[bytes]:
        """The body in pieces of at most ``chunk_size`` bytes, each as soon as it arrives."""
        body = self._body
        if body is None:
            return
        read1 = body.read1
        try:
            while True:
                chunk = read1(chunk_size)
                if not chunk:
                    return
                self.bytes_received += len(chunk)
                yield chunk
        except (ReadError, RequestTimeoutError) as error:
            raise _interrupted(self.head, error, events=0, received=self.bytes_received) from None
        finally:
            if not body.closed:
                body.close()

    def iter_lines(self) -> Iterator[str]:
        """The body decoded (``encoding``) and split at CRLF, LF or CR; endings dropped."""
        decoder = codecs.getincrementaldecoder(_codec(self.head.encoding))(errors="replace")
        splitter = _LineSplitter()
        for chunk in self.iter_bytes():
            yield from splitter.feed(decoder.decode(chunk))
        yield from splitter.feed(decoder.decode(b"", final=True))
        yield from splitter.end()

    def read(self) -> bytes:
        """The rest of the body, whole (for a small one: a stream is what avoids this)."""
        return b"".join(self.iter_bytes())

    def stream_to(self, path: str | PathLike[str], *, chunk_size: int = DOWNLOAD_CHUNK) -> int:
        """Write the rest of the body to ``path``, a piece at a time; returns the bytes written.

        Memory stays at one piece whatever the size.  If the body breaks, the
        partial file is left in place and :class:`StreamInterruptedError` says
        how much arrived.
        """
        written = 0
        with open(path, "wb") as file:
            for chunk in self.iter_bytes(chunk_size):
                file.write(chunk)
                written += len(chunk)
        return written

    def close(self) -> None:
        """Release the connection now (closed unless the body had been read to its end)."""
        body = self._body
        if body is not None and not body.closed:
            body.close()

    def __enter__(self) -> StreamingResponse:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        where = redact_url(self.head.url, self.head.sensitive_params)
        return f"<StreamingResponse [{self.head.status_code}] {where}>"


class _BufferedBody:
    """An already-read body behind the same ``read1``/``close`` as one on the wire."""

    __slots__ = ("_content", "_offset", "closed")

    def __init__(self, content: bytes) -> None:
        self._content = content
        self._offset = 0
        self.closed = False

    def read1(self, size: int) -> bytes:
        chunk = self._content[self._offset : self._offset + size]
        self._offset += len(chunk)
        if not chunk:
            self.closed = True
        return chunk

    def close(self) -> None:
        self.closed = True

    async def chunks(self) -> AsyncIterator[bytes]:
        if not self.closed:
            self.closed = True
            yield self._content[self._offset :]

    async def aclose(self) -> None:
        self.closed = True


def _codec(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return "utf-8"


class AsyncStreamingResponse(_Head):
    """The async twin of :class:`StreamingResponse`; use it in an ``async with`` block.

    ``aiter_bytes``, ``aiter_lines``, ``stream_to`` (awaited; the file writes
    are plain blocking writes of one piece each) and ``aread`` hand each body
    byte out once; ``aclose`` releases the connection and its pool slot.
    """

    __slots__ = ("_body", "bytes_received", "head")

    def __init__(self, head: HttpResponse, body: Any = None) -> None:
        self.head = head
        self._body = body
        self.bytes_received = 0
        if body is None and head.content:
            self._body = _BufferedBody(head.content)

    @classmethod
    def _from(cls, head: HttpResponse, opened: HttpResponse) -> AsyncStreamingResponse:
        return cls(head, opened.body if isinstance(opened, OpenResponse) else None)

    @property
    def closed(self) -> bool:
        """Whether the body has ended or been closed (the connection is released)."""
        return self._body is None or bool(self._body.closed)

    async def raise_for_status(self) -> AsyncStreamingResponse:
        """``HttpStatusError`` for a 4xx/5xx head (its body read whole); self otherwise."""
        if self.head.status_code >= 400:
            await self.aclose()
            self.head.raise_for_status()
        return self

    async def aiter_bytes(self, chunk_size: int = DEFAULT_CHUNK) -> AsyncIterator[bytes]:
        """The body in pieces of at most ``chunk_size`` bytes, each as soon as it arrives."""
        body = self._body
        if body is None:
            return
        failure: StreamInterruptedError | None = None
        try:
            async for chunk in body.chunks():
                for start in range(0, len(chunk), chunk_size):
                    piece = chunk[start : start + chunk_size] if len(chunk) > chunk_size else chunk
                    self.bytes_received += len(piece)
                    yield piece
        except (ReadError, RequestTimeoutError) as error:
            failure = _interrupted(self.head, error, events=0, received=self.bytes_received)
        finally:
            if not body.closed:
                await body.aclose()
        if failure is not None:
            raise failure

    async def aiter_lines(self) -> AsyncIterator[str]:
        """The body decoded (``encoding``) and split at CRLF, LF or CR; endings dropped."""
        decoder = codecs.getincrementaldecoder(_codec(self.head.encoding))(errors="replace")
        splitter = _LineSplitter()
        async for chunk in self.aiter_bytes():
            for line in splitter.feed(decoder.decode(chunk)):
                yield line
        for line in [*splitter.feed(decoder.decode(b"", final=True)), *splitter.end()]:
            yield line

    async def aread(self) -> bytes:
        """The rest of the body, whole."""
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    async def stream_to(
        self, path: str | PathLike[str], *, chunk_size: int = DOWNLOAD_CHUNK
    ) -> int:
        """Write the rest of the body to ``path`` a piece at a time; returns the bytes written."""
        written = 0
        with open(path, "wb") as file:  # one bounded, blocking write per piece
            async for chunk in self.aiter_bytes(chunk_size):
                file.write(chunk)
                written += len(chunk)
        return written

    async def aclose(self) -> None:
        """Release the connection and its pool slot now."""
        body = self._body
        if body is not None and not body.closed:
            await body.aclose()

    async def __aenter__(self) -> AsyncStreamingResponse:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        where = redact_url(self.head.url, self.head.sensitive_params)
        return f"<AsyncStreamingResponse [{self.head.status_code}] {where}>"


# -- typed event streams ---------------------------------------------------------


class _StreamState:
    """What a typed stream knows between reads, shared by the sync and async ones."""

    __slots__ = (
        "decode",
        "done",
        "events",
        "max_reconnects",
        "parser",
        "raise_error",
        "reconnect_delay",
        "reconnects",
    )

    def __init__(
        self,
        decode: Callable[[ServerSentEvent], Any],
        done: str | None,
        max_reconnects: int,
        reconnect_delay: float,
        raise_error: Callable[[HttpResponse], object] | None,
    ) -> None:
        self.decode = decode
        self.done = done
        self.events = 0
        self.parser = SSEParser()
        self.max_reconnects = max_reconnects
        self.reconnect_delay = reconnect_delay
        self.reconnects = 0
        self.raise_error = raise_error or _not_a_stream

    def check(self, head: HttpResponse) -> None:
        if not head.is_success:
            self.raise_error(head)
            _not_a_stream(head)  # a raise_error that returned: still no stream

    def fresh_parser(self) -> None:
        """A parser for a reopened stream: the half-read event is gone, the id and retry kept."""
        old = self.parser
        self.parser = SSEParser()
        self.parser.last_event_id = old.last_event_id
        self.parser.retry = old.retry

    def delay(self) -> float:
        retry = self.parser.retry
        return retry / 1000.0 if retry is not None else self.reconnect_delay

    def truncated(self, head: HttpResponse) -> StreamInterruptedError:
        error = ReadError("the body ended in the middle of an event")
        return self.interrupted(head, error)

    def interrupted(self, head: HttpResponse, error: TransportError) -> StreamInterruptedError:
        return _interrupted(
            head,
            error,
            events=self.events,
            received=0,
            last_id=self.parser.last_event_id or "",
        )


class Stream(Generic[T]):
    """Server-sent events of a :class:`StreamingResponse`, each decoded into a ``T``.

    ``decode`` turns each :class:`~requestforge.sse.ServerSentEvent` into a
    ``T`` (``lambda event: Chunk.model_validate_json(event.data)``).  ``done``:
    an event whose data is exactly this ends the stream (``"[DONE]"`` for
    OpenAI-style APIs; ``None``, the default, for none).  A non-2xx head is
    rejected at once by ``raise_error`` (default: :class:`HttpStatusError`;
    a generated operation passes its own ``raise_api_error``).

    ``reconnect`` (off by default): a callable that reopens the stream given
    the last event id (sent as ``Last-Event-ID``).  When set, a break mid-
    stream is followed by up to ``max_reconnects`` reopenings, each after the
    server's ``retry`` (else ``reconnect_delay`` seconds).  Without it a
    break raises :class:`StreamInterruptedError` saying how many events came.

    The read timeout of the request applies between two reads, so between two
    events (keep-alive comments count as traffic).  Use it in a ``with``
    block, or call :meth:`close`: both release the connection.
    """

    def __init__(
        self,
        response: StreamingResponse,
        decode: Callable[[ServerSentEvent], T],
        *,
        done: str | None = None,
        reconnect: Callable[[str], StreamingResponse] | None = None,
        max_reconnects: int = 3,
        reconnect_delay: float = 1.0,
        raise_error: Callable[[HttpResponse], object] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._state = _StreamState(decode, done, max_reconnects, reconnect_delay, raise_error)
        self._reconnect = reconnect
        self._sleep = sleep
        self._response = response
        try:
            self._state.check(response.head)
        except BaseException:
            response.close()
            raise
        self._iterator = self._generate()

    @property
    def response(self) -> StreamingResponse:
        """The response being read (a reconnect replaces it)."""
        return self._response

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Headers:
        return self._response.headers

    @property
    def last_event_id(self) -> str:
        """The last event id the server set (``""`` when none): ``Last-Event-ID`` on reconnect."""
        return self._state.parser.last_event_id

    @property
    def events_received(self) -> int:
        """How many events have been handed out (across reconnects)."""
        return self._state.events

    @property
    def reconnects(self) -> int:
        """How many times the stream was reopened."""
        return self._state.reconnects

    def __iter__(self) -> Iterator[T]:
        return self._iterator

    def __next__(self) -> T:
        return next(self._iterator)

    def _generate(self) -> Iterator[T]:
        state = self._state
        decode = state.decode
        done = state.done
        try:
            while True:
                response = self._response
                failure: StreamInterruptedError | None = None
                try:
                    for chunk in response.iter_bytes():
                        for event in state.parser.feed(chunk):
                            if event.data == done:
                                return
                            state.events += 1
                            yield decode(event)
                except StreamInterruptedError as error:
                    cause = error.__cause__
                    failure = state.interrupted(
                        response.head, cause if isinstance(cause, TransportError) else error
                    )
                else:
                    if not state.parser.pending:
                        return
                    failure = state.truncated(response.head)
                self._reopen(failure)
        finally:
            self._response.close()

    def _reopen(self, failure: StreamInterruptedError) -> None:
        """Reopen after ``failure``, or raise it (no ``reconnect``, or none left)."""
        state = self._state
        while True:
            if self._reconnect is None or state.reconnects >= state.max_reconnects:
                raise failure
            state.reconnects += 1
            self._response.close()
            self._sleep(state.delay())
            try:
                response = self._reconnect(state.parser.last_event_id)
            except TransportError as error:
                failure = state.interrupted(self._response.head, error)
                continue
            self._response = response
            state.check(response.head)
            state.fresh_parser()
            return

    def close(self) -> None:
        """Stop reading and release the connection."""
        self._iterator.close()  # type: ignore[attr-defined]  # a generator
        self._response.close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Stream [{self.status_code}] {self._state.events} event(s)>"


class AsyncStream(Generic[T]):
    """The async twin of :class:`Stream`: ``async for``, ``async with``, :meth:`aclose`.

    ``reconnect`` is awaited (it reopens with the client's ``stream``);
    ``sleep`` between a break and the reopening is ``asyncio.sleep``.
    """

    def __init__(
        self,
        response: AsyncStreamingResponse,
        decode: Callable[[ServerSentEvent], T],
        *,
        done: str | None = None,
        reconnect: Callable[[str], Awaitable[AsyncStreamingResponse]] | None = None,
        max_reconnects: int = 3,
        reconnect_delay: float = 1.0,
        raise_error: Callable[[HttpResponse], object] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._state = _StreamState(decode, done, max_reconnects, reconnect_delay, raise_error)
        self._reconnect = reconnect
        self._sleep = sleep
        self._response = response
        self._iterator = self._generate()
        self._checked = False

    @classmethod
    async def open(
        cls,
        response: AsyncStreamingResponse,
        decode: Callable[[ServerSentEvent], T],
        **options: Any,
    ) -> AsyncStream[T]:
        """The stream, its head checked at once (a non-2xx raises before any iteration)."""
        stream = cls(response, decode, **options)
        await stream._check()
        return stream

    async def _check(self) -> None:
        if self._checked:
            return
        self._checked = True
        try:
            self._state.check(self._response.head)
        except BaseException:
            await self._response.aclose()
            raise

    @property
    def response(self) -> AsyncStreamingResponse:
        return self._response

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Headers:
        return self._response.headers

    @property
    def last_event_id(self) -> str:
        return self._state.parser.last_event_id

    @property
    def events_received(self) -> int:
        return self._state.events

    @property
    def reconnects(self) -> int:
        return self._state.reconnects

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        return await self._iterator.__anext__()

    async def _generate(self) -> AsyncIterator[T]:
        await self._check()
        state = self._state
        decode = state.decode
        done = state.done
        try:
            while True:
                response = self._response
                failure: StreamInterruptedError | None = None
                try:
                    async for chunk in response.aiter_bytes():
                        for event in state.parser.feed(chunk):
                            if event.data == done:
                                return
                            state.events += 1
                            yield decode(event)
                except StreamInterruptedError as error:
                    cause = error.__cause__
                    failure = state.interrupted(
                        response.head, cause if isinstance(cause, TransportError) else error
                    )
                else:
                    if not state.parser.pending:
                        return
                    failure = state.truncated(response.head)
                await self._reopen(failure)
        finally:
            await self._response.aclose()

    async def _reopen(self, failure: StreamInterruptedError) -> None:
        state = self._state
        while True:
            if self._reconnect is None or state.reconnects >= state.max_reconnects:
                raise failure
            state.reconnects += 1
            await self._response.aclose()
            await self._sleep(state.delay())
            try:
                response = await self._reconnect(state.parser.last_event_id)
            except TransportError as error:
                failure = state.interrupted(self._response.head, error)
                continue
            self._response = response
            state.check(response.head)
            state.fresh_parser()
            return

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        await self._iterator.aclose()  # type: ignore[attr-defined]  # an async generator
        await self._response.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        await self._check()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<AsyncStream [{self.status_code}] {self._state.events} event(s)>"
