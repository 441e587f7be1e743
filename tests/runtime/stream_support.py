"""A raw-socket HTTP/1.1 server for streaming tests: each handler writes the response itself.

``tests/support/server.py`` answers with whole bodies; a streaming test needs
control of every write -- events spaced by delays, a connection dropped in
the middle of a chunked body, a body written until the client hangs up -- so
the handler gets the socket (wrapped in :class:`Wire`) and writes what it likes.

    with StreamServer() as server:
        server.route("/events", lambda wire, request: wire.sse([b"data: 1\\n\\n"]))
        ...
        assert server.requests[0].headers["accept"] == "text/event-stream"
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType


@dataclass(frozen=True)
class Seen:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]  # keys lower-cased
    body: bytes = b""


class Wire:
    """The response side of one exchange: head, chunks, and the ways to end it."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.chunked = False
        self.keep_alive = True

    def head(
        self, status: int = 200, headers: dict[str, str] | None = None, *, chunked: bool = True
    ) -> None:
        self.chunked = chunked
        lines = [f"HTTP/1.1 {status} X"]
        sent = dict(headers or {})
        if chunked:
            sent["Transfer-Encoding"] = "chunked"
        elif "Content-Length" not in sent:
            sent["Connection"] = "close"  # the body ends when the connection does
            self.keep_alive = False
        lines += [f"{name}: {value}" for name, value in sent.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def send(self, data: bytes) -> None:
        if self.chunked:
            self.sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))
        else:
            self.sock.sendall(data)

    def end(self) -> None:
        if self.chunked:
            self.sock.sendall(b"0\r\n\r\n")

    def abort(self) -> None:
        """Drop the connection here (mid-body: no terminating chunk)."""
        self.keep_alive = False
        self.sock.shutdown(socket.SHUT_RDWR)

    def sse(
        self,
        events: Iterable[bytes],
        *,
        delay: float = 0.0,
        status: int = 200,
        end: bool = True,
        headers: dict[str, str] | None = None,
    ) -> None:
        """A ``text/event-stream`` response: each item one write, ``delay`` apart."""
        self.head(status, {"Content-Type": "text/event-stream", **(headers or {})})
        for event in events:
            if delay:
                time.sleep(delay)
            self.send(event)
        if end:
            self.end()

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        """A whole response (an error status before any stream)."""
        self.head(status, {"Content-Length": str(len(body)), **(headers or {})}, chunked=False)
        self.sock.sendall(body)

    def until_closed(self, event: bytes, *, interval: float = 0.01, limit: float = 10.0) -> None:
        """Write ``event`` every ``interval`` until the client hangs up (or ``limit`` passes).

        The write that meets the closed connection raises ``OSError`` (EPIPE or
        ECONNRESET); the server records it as ``peer_closed``.
        """
        self.head(200, {"Content-Type": "text/event-stream"})
        stop = time.monotonic() + limit
        while time.monotonic() < stop:
            self.send(event)
            time.sleep(interval)
        self.end()


Handler = Callable[[Wire, Seen], None]


class StreamServer:
    """Accepts on 127.0.0.1; each connection is served in its own thread, keep-alive."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._routes: dict[str, list[Handler]] = {}
        self.requests: list[Seen] = []
        self.connections = 0
        self.peer_closed = threading.Event()
        self._threads: list[threading.Thread] = []
        self._stopping = False

    def route(self, path: str, *handlers: Handler) -> None:
        """Answer ``path`` with ``handlers`` in turn; the last one answers from then on."""
        self._routes[path] = list(handlers)

    def __enter__(self) -> StreamServer:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopping = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopping:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, sock: socket.socket) -> None:
        reader = sock.makefile("rb")
        try:
            for seen in _requests(reader):
                self.requests.append(seen)
                handlers = self._routes.get(seen.path)
                wire = Wire(sock)
                if not handlers:
                    wire.reply(404, b"no route")
                    continue
                handler = handlers.pop(0) if len(handlers) > 1 else handlers[0]
                try:
                    handler(wire, seen)
                except OSError:
                    self.peer_closed.set()
                    return
                if not wire.keep_alive:
                    return
        except OSError:
            return
        finally:
            reader.close()
            sock.close()


def _requests(reader: object) -> Iterator[Seen]:
    """Requests read off a connection until the client closes it."""
    readline = reader.readline  # type: ignore[attr-defined]
    read = reader.read  # type: ignore[attr-defined]
    while True:
        line = readline()
        if not line:
            return
        method, path, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            header = readline()
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        body = read(length) if length else b""
        yield Seen(method, path, headers, body)
