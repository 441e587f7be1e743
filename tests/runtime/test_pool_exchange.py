"""The fast path's response reading (``_pool_exchange``) against the requests path.

``test_fast_path`` covers what a well-behaved server sends plus resets,
timeouts and truncation.  These cases need exact bytes on the wire -- chunked
bodies (good and broken), a body that ends when the connection closes,
repeated and folded headers, an HTTP/1.0 answer -- so a raw socket server
sends them verbatim.  Each response is fetched on both paths: the results
(status, headers, body) or the errors (class and message) must be equal, and
the fast path must have carried the first.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requestforge._transport as transport_module
import requests
from requestforge import (
    HttpClient,
    HttpClientConfigBuilder,
    HttpResponse,
    ReadError,
    TransportError,
)

from tests.support.server import LoopbackServer, Reply

_RESPONSES: dict[str, bytes] = {
    "chunked": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    ),
    "until-close": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody until close",
    "http10": b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nold ok",
    "repeated": (
        b"HTTP/1.1 200 OK\r\nX-Dup: a\r\nContent-Length: 2\r\nx-dup: b\r\nX-DUP: c\r\n\r\nok"
    ),
    "folded": (b"HTTP/1.1 200 OK\r\nX-Folded: one\r\n  two\r\nContent-Length: 2\r\n\r\nok"),
    "empty-204": b"HTTP/1.1 204 No Content\r\nX-Note: none\r\n\r\n",
    "bad-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n",
    "short-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\nabc",
    "bad-status": b"HTTP/1.1 2xx Nope\r\n\r\n",
    "closed-before-status": b"",
}
_CLOSE_AFTER = {"until-close", "http10", "bad-chunk", "short-chunk", "bad-status"}
_CLOSE_AFTER.add("closed-before-status")


class RawServer:
    """Answers ``GET /<name>`` with ``_RESPONSES[name]``, byte for byte."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.accepted = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            buffered = b""
            while True:
                while b"\r\n\r\n" not in buffered:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    buffered += chunk
                head, _, buffered = buffered.partition(b"\r\n\r\n")
                name = head.split(b" ", 2)[1].decode().lstrip("/")
                connection.sendall(_RESPONSES[name])
                if name in _CLOSE_AFTER:
                    return

    def close(self) -> None:
        self._listener.close()


@pytest.fixture(scope="module")
def raw_server() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()


def _client(url: str) -> HttpClient:
    return HttpClient(HttpClientConfigBuilder().with_base_url(url).with_no_retry().build())


def _outcome_of(call: Callable[[], HttpResponse]) -> tuple[str, Any]:
    """A response's status, headers and body, or an error's class and message."""
    try:
        response = call()
    except Exception as error:
        return "error", (type(error), re.sub(r"0x[0-9a-f]+", "0x?", str(error)))
    return "response", (response.status_code, dict(response.headers), response.content)


def _outcome(url: str, name: str, headers: dict[str, str] | None = None) -> tuple[str, Any]:
    client = _client(url)
    try:
        return _outcome_of(lambda: client.get(f"/{name}", headers=headers))
    finally:
        client.close()


@pytest.mark.parametrize("name", sorted(_RESPONSES))
def test_the_fast_path_reads_what_the_requests_path_reads(
    raw_server: RawServer, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sends = 0
    original = requests.Session.send

    def counting(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        nonlocal sends
        sends += 1
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", counting)
    fast = _outcome(raw_server.url, name)
    assert sends == 0  # the fast path carried it
    with monkeypatch.context() as patched:
        patched.setattr(transport_module.Transport, "_fast_send", lambda *_a, **_k: None)
        reference = _outcome(raw_server.url, name)
    assert sends == 1
    assert fast == reference
    if fast[0] == "error":  # what a server sends fails as a transport error, nothing rawer
        assert issubclass(fast[1][0], TransportError)


def test_what_the_cases_show(raw_server: RawServer) -> None:
    """The reference behaviour the comparison above pins, spelled out."""
    assert _outcome(raw_server.url, "chunked")[1][2] == b"hello world"
    assert _outcome(raw_server.url, "until-close")[1][2] == b"body until close"
    assert _outcome(raw_server.url, "repeated")[1][1]["X-Dup"] == "a, b, c"
    assert _outcome(raw_server.url, "folded")[1][1]["X-Folded"] == "one two"
    assert _outcome(raw_server.url, "empty-204")[1][:1] == (204,)
    kind, (error_class, _message) = _outcome(raw_server.url, "short-chunk")
    assert kind == "error"
    assert issubclass(error_class, ReadError)


def test_a_kept_alive_connection_serves_the_next_call(raw_server: RawServer) -> None:
    """After a chunked and a repeated-header answer, the same connection is reused."""
    client = _client(raw_server.url)
    before = raw_server.accepted
    try:
        first = client.get("/chunked")
        second = client.get("/repeated")
        third = client.get("/chunked")
    finally:
        client.close()
    assert (first.content, second.content, third.content) == (b"hello world", b"ok", b"hello world")
    assert raw_server.accepted == before + 1


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Price": "5 \u20ac"},  # not Latin-1: http.client cannot encode it
        {"X-Caf\u00e9": "1"},  # a non-ASCII name: the same
        {"X-Name": "caf\u00e9"},  # Latin-1: sent as one byte
        {"User-Agent": "@@@SKIP_HEADER@@@"},  # urllib3's "leave the default out"
        {"X-Other": "@@@SKIP_HEADER@@@"},  # ... refused for any other header
    ],
)
def test_headers_http_client_treats_specially_behave_alike_on_both_paths(
    server: LoopbackServer, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("GET", "/h", Reply(200))
    fast = _outcome(server.url, "h", headers)
    fast_seen = [r.headers for r in server.requests]
    server.requests.clear()
    with monkeypatch.context() as patched:
        patched.setattr(transport_module.Transport, "_fast_send", lambda *_a, **_k: None)
        reference = _outcome(server.url, "h", headers)
    assert fast == reference
    assert fast_seen == [r.headers for r in server.requests]
