"""A real HTTP/1.1 server on 127.0.0.1 for tests: routes, a request log, faults.

Tests that cross a socket use this instead of patching ``requests``: the bytes
go through the kernel's loopback, keep-alive, redirects and timeouts behave as
they do against a real server.

    with LoopbackServer() as server:
        server.route("GET", "/users", Reply.json([{"id": 1}]))
        server.queue("GET", "/flaky", Reply(status=503), Reply.json({"ok": True}))
        ...
        assert server.requests[0].headers["Authorization"] == "Bearer t"
"""

from __future__ import annotations

import fnmatch
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["LoopbackServer", "RecordedRequest", "Reply", "refused_url", "running_server"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # keys lower-cased
    body: bytes
    connection_id: int
    received_at: float

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    """What the server answers.  ``delay`` sleeps before the status line;
    ``body_delay`` sleeps between headers and body; ``reset`` drops the
    connection with a TCP RST instead of answering; ``truncate`` announces the
    full Content-Length but sends only that many bytes and closes;
    ``reset_after`` sends the headers and that many body bytes, then a TCP RST
    (a reset mid-body, after the status line was already received)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body_delay: float = 0.0
    reset: bool = False
    truncate: int | None = None
    reset_after: int | None = None

    @classmethod
    def json(
        cls, payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Reply:
        return cls(
            status=status,
            body=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        return cls(status=status, headers={"Location": location})


Handler = Callable[[RecordedRequest], Reply]


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's
        # algorithm holds the body until the client's delayed ACK (~40 ms a request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.owner._connection_opened()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._connection_closed()

    def _handle(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self._read_chunked()
        parts = urlsplit(self.path)
        recorded = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            connection_id=id(self.connection),
            received_at=time.monotonic(),
        )
        reply = owner._dispatch(recorded)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:
            self._reset()
            return
        self.send_response(reply.status)
        headers = {"Content-Length": str(len(reply.body)), **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()
        if reply.body_delay:
            time.sleep(reply.body_delay)
        if self.command == "HEAD":
            return
        if reply.reset_after is not None:
            self.wfile.write(reply.body[: reply.reset_after])
            self.wfile.flush()
            time.sleep(0.01)  # let the client read the headers before the RST arrives
            self._reset()
            return
        if reply.truncate is not None:
            self.wfile.write(reply.body[: reply.truncate])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(reply.body)

    def _reset(self) -> None:
        """Close with SO_LINGER 0: the kernel sends a TCP RST instead of a FIN."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int(self.rfile.readline().strip(), 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    # http.server dispatches on these stdlib-spelled names.
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle  # noqa: N815


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, owner: LoopbackServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _RequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is what timeout tests are about: stay quiet.
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class LoopbackServer:
    """A threaded loopback HTTP server; use as a context manager."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[tuple[str, str], Handler] = {}
        self._queues: dict[tuple[str, str], list[Reply]] = {}
        self.requests: list[RecordedRequest] = []
        self.open_connections = 0
        self.total_connections = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- configuration ---------------------------------------------------------

    def route(self, method: str, path: str, reply: Reply | Handler) -> None:
        """Answer ``method path`` (``path`` may be a glob) with a fixed reply or a handler."""
        handler: Handler = (lambda _request: reply) if isinstance(reply, Reply) else reply
        with self._lock:
            self._routes[(method.upper(), path)] = handler

    def queue(self, method: str, path: str, *replies: Reply) -> None:
        """Answer successive requests with ``replies`` in order; the last one repeats."""
        with self._lock:
            self._queues[(method.upper(), path)] = list(replies)

    # -- inspection ------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [
                r
                for r in self.requests
                if r.path == path and (method is None or r.method == method.upper())
            ]

    def wait_for_connections(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until at most ``count`` connections are open; True if reached."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.open_connections <= count:
                    return True
            time.sleep(0.02)
        return False

    # -- internals -------------------------------------------------------------

    def _connection_opened(self) -> None:
        with self._lock:
            self.open_connections += 1
            self.total_connections += 1

    def _connection_closed(self) -> None:
        with self._lock:
            self.open_connections -= 1

    def _dispatch(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            key = (request.method, request.path)
            queued = self._queues.get(key)
            if queued:
                return queued.pop(0) if len(queued) > 1 else queued[0]
            handler = self._routes.get(key)
            if handler is None:
                for (method, pattern), candidate in self._routes.items():
                    if method == request.method and fnmatch.fnmatchcase(request.path, pattern):
                        handler = candidate
                        break
        if handler is None:
            return Reply.json({"error": "no route", "path": request.path}, status=404)
        return handler(request)

    # -- lifetime --------------------------------------------------------------

    def start(self) -> LoopbackServer:
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextmanager
def running_server() -> Iterator[LoopbackServer]:
    """``LoopbackServer`` as a plain context manager function."""
    with LoopbackServer() as server:
        yield server


@contextmanager
def refused_url(path: str = "/") -> Iterator[str]:
    """A URL on a port that is bound but not listening: connecting is refused at once.

    Holding the bound socket for the duration means no other process can take
    the port in the meantime, so the refusal is certain.
    """
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}{path}"
