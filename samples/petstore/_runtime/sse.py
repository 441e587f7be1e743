"""An incremental parser for ``text/event-stream`` (server-sent events).

It follows the WHATWG HTML "Server-sent events" interpretation rules
(section 9.2.6): the stream is UTF-8 (invalid bytes become U+FFFD); one
leading BOM is dropped; lines end in CRLF, LF or CR; a line starting with
``:`` is a comment (servers send them as keep-alives); ``field: value`` lines
fill the ``data`` (joined with LF), ``event``, ``id`` and ``retry`` buffers;
a blank line dispatches the event -- unless no ``data`` line was seen, in
which case nothing is dispatched and the event type is reset.  An ``id``
holding NUL is ignored, and the last id persists from one event to the next
(it is what a client sends back as ``Last-Event-ID`` when it reconnects);
``retry`` is honoured only when it is all ASCII digits.  An event cut off by
the end of the stream (no blank line after it) is never dispatched.

The parser is fed bytes in whatever pieces the network delivers: a piece may
end in the middle of a line, of a CRLF pair or of a UTF-8 sequence.  It is
written for throughput -- the whole piece is decoded at once by the codec,
split into lines by ``str.split`` and only the line loop is Python -- because
a token stream from a model server is thousands of tiny events a second.

This module is loaded on first use, never by ``import requestforge``.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

__all__ = ["SSEParser", "ServerSentEvent", "iter_sse"]


class ServerSentEvent:
    """One dispatched event: ``data`` (lines joined with LF), ``event`` type, ``id``, ``retry``.

    ``event`` is ``"message"`` when the server named no type, as the spec's
    ``MessageEvent`` has it.  ``id`` is the stream's last event id when the
    event was dispatched (it persists across events; ``""`` when none was
    ever set).  ``retry`` is the reconnection time in milliseconds when this
    event's block carried a valid ``retry`` field, else ``None``.
    """

    __slots__ = ("data", "event", "id", "retry")

    def __init__(
        self, data: str, event: str = "message", id: str = "", retry: int | None = None
    ) -> None:
        self.data = data
        self.event = event
        self.id = id
        self.retry = retry

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return (
            self.data == other.data
            and self.event == other.event
            and self.id == other.id
            and self.retry == other.retry
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        return (
            f"ServerSentEvent(data={self.data!r}, event={self.event!r}, "
            f"id={self.id!r}, retry={self.retry!r})"
        )


class SSEParser:
    """Feed it bytes with :meth:`feed`; it returns the events those bytes completed.

    State between calls: an undecoded partial UTF-8 sequence, the partial last
    line, whether the previous piece ended in CR (so a LF starting the next
    piece is the second half of a CRLF), and the event being built.
    """

    __slots__ = (
        "_bom_pending",
        "_cr_pending",
        "_data",
        "_decode",
        "_event",
        "_event_retry",
        "_tail",
        "last_event_id",
        "retry",
    )

    def __init__(self) -> None:
        self._decode = codecs.getincrementaldecoder("utf-8")(errors="replace").decode
        self._bom_pending = True
        self._cr_pending = False
        self._tail: list[str] = []
        self._data: list[str] = []
        self._event = ""
        self._event_retry: int | None = None
        #: The last event id the stream set (``""`` when none): ``Last-Event-ID`` on reconnect.
        self.last_event_id = ""
        #: The last valid ``retry`` the stream sent, in milliseconds (``None`` when none).
        self.retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """The events completed by ``chunk`` (often none, sometimes many)."""
        text = self._decode(chunk)
        if not text:
            return []
        if self._bom_pending:
            self._bom_pending = False
            if text[0] == "\ufeff":
                text = text[1:]
                if not text:
                    return []
        if self._cr_pending:
            self._cr_pending = False
            if text[0] == "\n":
                text = text[1:]
                if not text:
                    return []
        if "\r" in text:
            self._cr_pending = text[-1] == "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\n" not in text:
            self._tail.append(text)
            return []
        if self._tail:
            self._tail.append(text)
            text = "".join(self._tail)
            self._tail = []
        lines = text.split("\n")
        last = lines.pop()
        if last:
            self._tail.append(last)
        return self._lines(lines)

    def _lines(self, lines: list[str]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        data = self._data
        for line in lines:
            if line[:6] == "data: ":  # the common case first
                data.append(line[6:])
                continue
            if not line:
                if data:
                    events.append(
                        ServerSentEvent(
                            data[0] if len(data) == 1 else "\n".join(data),
                            self._event or "message",
                            self.last_event_id,
                            self._event_retry,
                        )
                    )
                    data.clear()
                self._event = ""
                self._event_retry = None
                continue
            name, _, value = line.partition(":")
            if not name:
                continue  # a comment (keep-alive)
            if value[:1] == " ":
                value = value[1:]
            if name == "data":
                data.append(value)
            elif name == "event":
                self._event = value
            elif name == "id":
                if "\0" not in value:
                    self.last_event_id = value
            elif name == "retry" and value.isascii() and value.isdigit():
                self.retry = self._event_retry = int(value)
            # any other field name is ignored, as the spec says
        return events

    @property
    def pending(self) -> bool:
        """Whether an event (or a line) has begun that the stream has not finished."""
        return bool(self._data or self._tail or self._event)


def iter_sse(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    """The events of a byte stream delivered as ``chunks``."""
    parser = SSEParser()
    for chunk in chunks:
        yield from parser.feed(chunk)
