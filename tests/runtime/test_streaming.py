"""Streamed responses and typed SSE streams, sync and async, over loopback sockets.

Every scenario runs against :class:`StreamServer`, whose handlers write the
response themselves (events spaced by real delays, a connection dropped in
the middle of a chunked body), so timeouts, disconnects and connection reuse
are the kernel's, not a mock's.  Most scenarios run once with ``HttpClient``
and once with ``AsyncHttpClient``: both must behave alike.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from requestforge import (
    AsyncHttpClient,
    HttpClient,
    HttpClientConfig,
    HttpClientConfigBuilder,
    HttpRequest,
    HttpResponse,
    HttpStatusError,
    RequestContext,
    StreamInterruptedError,
    StreamTimeoutError,
)
from requestforge.sse import ServerSentEvent

from tests.runtime.stream_support import Seen, StreamServer, Wire

MODES = ["sync", "async"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[StreamServer]:
    with StreamServer() as running:
        yield running


def _config(server: StreamServer, **retry: Any) -> HttpClientConfig:
    builder = HttpClientConfigBuilder().with_base_url(server.url)
    if retry:
        builder.with_retry(jitter=False, **retry)
    else:
        builder.with_no_retry()
    return builder.build()


def _data(event: ServerSentEvent) -> Any:
    return json.loads(event.data)


@dataclass
class Outcome:
    """What consuming a stream gave: the decoded items, then the error if it broke."""

    items: list[Any] = field(default_factory=list)
    error: BaseException | None = None
    last_event_id: str = ""
    status: int = 0
    reconnects: int = 0


def consume(
    mode: str,
    config: HttpClientConfig,
    path: str,
    decode: Callable[[ServerSentEvent], Any] = _data,
    *,
    stop_after: int | None = None,
    **options: Any,
) -> Outcome:
    """Iterate ``stream_events`` to its end (or ``stop_after`` items) with the ``mode`` client."""
    outcome = Outcome()
    if mode == "sync":
        client = HttpClient(config, sleep=lambda _s: None)
        try:
            with client.stream_events("GET", path, decode, **options) as stream:
                outcome.status = stream.status_code
                for item in stream:
                    outcome.items.append(item)
                    if stop_after is not None and len(outcome.items) >= stop_after:
                        break
                outcome.last_event_id = stream.last_event_id
                outcome.reconnects = stream.reconnects
        except Exception as error:
            outcome.error = error
        finally:
            client.close()
        return outcome

    async def no_sleep(_seconds: float) -> None:
        return None

    async def run() -> None:
        async with AsyncHttpClient(config, sleep=no_sleep) as client:
            try:
                stream = await client.stream_events("GET", path, decode, **options)
                async with stream:
                    outcome.status = stream.status_code
                    async for item in stream:
                        outcome.items.append(item)
                        if stop_after is not None and len(outcome.items) >= stop_after:
                            break
                    outcome.last_event_id = stream.last_event_id
                    outcome.reconnects = stream.reconnects
            except Exception as error:
                outcome.error = error

    asyncio.run(run())
    return outcome


def events(count: int, start: int = 0) -> list[bytes]:
    return [b'id: %d\ndata: {"n": %d}\n\n' % (i, i) for i in range(start, start + count)]


# -- the typed stream ------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_ten_thousand_events_arrive_in_order(server: StreamServer, mode: str) -> None:
    """Batches of events per write, so pieces end mid-event as the network cuts them."""
    stream = b"".join(events(10_000))
    pieces = [stream[i : i + 1500] for i in range(0, len(stream), 1500)]
    server.route("/events", lambda wire, _r: wire.sse(pieces))
    outcome = consume(mode, _config(server), "/events")
    assert outcome.error is None
    assert outcome.items == [{"n": i} for i in range(10_000)]
    assert outcome.last_event_id == "9999"
    assert server.requests[0].headers["accept"] == "text/event-stream"


@pytest.mark.parametrize("mode", MODES)
def test_a_slow_drip_within_the_read_timeout_succeeds(server: StreamServer, mode: str) -> None:
    server.route("/drip", lambda wire, _r: wire.sse(events(5), delay=0.15))
    outcome = consume(mode, _config(server), "/drip", timeout=0.6)
    assert outcome.error is None
    assert outcome.items == [{"n": i} for i in range(5)]


@pytest.mark.parametrize("mode", MODES)
def test_a_gap_longer_than_the_read_timeout_raises_a_timeout(
    server: StreamServer, mode: str
) -> None:
    def handler(wire: Wire, _r: Seen) -> None:
        wire.sse(events(3), end=False)
        wire.sock.recv(1)  # quiet until the client gives up and hangs up

    server.route("/stall", handler)
    outcome = consume(mode, _config(server), "/stall", timeout=0.3)
    assert outcome.items == [{"n": i} for i in range(3)]
    assert isinstance(outcome.error, StreamTimeoutError)
    assert isinstance(outcome.error, StreamInterruptedError)
    assert outcome.error.events == 3
    assert outcome.error.last_event_id == "2"
    assert "after 3 event(s)" in str(outcome.error)


@pytest.mark.parametrize("mode", MODES)
def test_keep_alive_comments_keep_a_quiet_stream_open(server: StreamServer, mode: str) -> None:
    """Comments 0.15 s apart for 0.9 s, read timeout 0.4 s: only the comments keep it alive."""
    pings = [b": keep-alive\n\n"] * 6
    server.route("/quiet", lambda wire, _r: wire.sse([*pings, *events(1)], delay=0.15))
    outcome = consume(mode, _config(server), "/quiet", timeout=0.4)
    assert outcome.error is None
    assert outcome.items == [{"n": 0}]


@pytest.mark.parametrize("mode", MODES)
def test_a_disconnect_mid_stream_says_how_many_events_arrived(
    server: StreamServer, mode: str
) -> None:
    def handler(wire: Wire, _r: Seen) -> None:
        wire.sse([*events(4), b'data: {"n": '], end=False)
        wire.abort()  # no terminating chunk: the body is cut short

    server.route("/cut", handler)
    outcome = consume(mode, _config(server, max_retries=3, base_delay=0.01), "/cut")
    assert outcome.items == [{"n": i} for i in range(4)]
    assert type(outcome.error) is StreamInterruptedError
    assert outcome.error.events == 4
    assert outcome.error.last_event_id == "3"
    # The head had arrived: the broken body is never retried.
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_body_ending_in_the_middle_of_an_event_is_an_interruption(
    server: StreamServer, mode: str
) -> None:
    def handler(wire: Wire, _r: Seen) -> None:
        wire.head(200, {"Content-Type": "text/event-stream"}, chunked=False)
        for event in events(2):
            wire.send(event)
        wire.send(b'data: {"n": 2}\n')  # no blank line: never dispatched
        wire.abort()

    server.route("/half", handler)
    outcome = consume(mode, _config(server), "/half")
    assert outcome.items == [{"n": 0}, {"n": 1}]
    assert isinstance(outcome.error, StreamInterruptedError)
    assert outcome.error.events == 2


@pytest.mark.parametrize("mode", MODES)
def test_an_error_status_is_retried_then_the_stream_is_read(
    server: StreamServer, mode: str
) -> None:
    busy: Callable[[Wire, Seen], None] = lambda wire, _r: wire.reply(503, b"busy")  # noqa: E731
    server.route("/flaky", busy, busy, lambda wire, _r: wire.sse(events(3)))
    outcome = consume(mode, _config(server, max_retries=3, base_delay=0.01), "/flaky")
    assert outcome.error is None
    assert outcome.items == [{"n": i} for i in range(3)]
    assert len(server.requests) == 3


@pytest.mark.parametrize("mode", MODES)
def test_an_error_status_raises_the_status_error_with_its_body(
    server: StreamServer, mode: str
) -> None:
    server.route("/missing", lambda wire, _r: wire.reply(404, b'{"error": "no such stream"}'))
    outcome = consume(mode, _config(server, max_retries=3, base_delay=0.01), "/missing")
    assert isinstance(outcome.error, HttpStatusError)
    assert outcome.error.status_code == 404
    assert outcome.error.response.json() == {"error": "no such stream"}
    assert outcome.items == []
    assert len(server.requests) == 1  # 404 is not a retried status


@pytest.mark.parametrize("mode", MODES)
def test_a_custom_raise_error_replaces_the_status_error(server: StreamServer, mode: str) -> None:
    class RefusedError(Exception):
        pass

    def refuse(head: HttpResponse) -> None:
        raise RefusedError(head.status_code, head.content)

    server.route("/refused", lambda wire, _r: wire.reply(403, b"nope"))
    outcome = consume(mode, _config(server), "/refused", raise_error=refuse)
    assert isinstance(outcome.error, RefusedError)
    assert outcome.error.args == (403, b"nope")


@pytest.mark.parametrize("mode", MODES)
def test_the_done_sentinel_ends_iteration(server: StreamServer, mode: str) -> None:
    after = [b"data: [DONE]\n\n", *events(3, start=100)]
    server.route("/done", lambda wire, _r: wire.sse([*events(3), *after]))
    outcome = consume(mode, _config(server), "/done", done="[DONE]")
    assert outcome.error is None
    assert outcome.items == [{"n": 0}, {"n": 1}, {"n": 2}]


@pytest.mark.parametrize("mode", MODES)
def test_without_a_sentinel_done_is_just_data(server: StreamServer, mode: str) -> None:
    server.route("/done", lambda wire, _r: wire.sse([b"data: [DONE]\n\n", *events(1)]))
    outcome = consume(mode, _config(server), "/done", decode=lambda event: event.data)
    assert outcome.items == ["[DONE]", '{"n": 0}']


@pytest.mark.parametrize("mode", MODES)
def test_leaving_the_with_block_early_closes_the_connection(
    server: StreamServer, mode: str
) -> None:
    server.route("/forever", lambda wire, _r: wire.until_closed(b'data: {"n": 1}\n\n'))
    outcome = consume(mode, _config(server), "/forever", stop_after=3)
    assert outcome.items == [{"n": 1}] * 3
    assert server.peer_closed.wait(5.0), "the server never saw the client hang up"


@pytest.mark.parametrize("mode", MODES)
def test_reconnect_resumes_with_last_event_id(server: StreamServer, mode: str) -> None:
    def first(wire: Wire, _r: Seen) -> None:
        wire.sse([b"retry: 10\n\n", *events(3)], end=False)
        wire.abort()

    def second(wire: Wire, request: Seen) -> None:
        start = int(request.headers["last-event-id"]) + 1
        wire.sse(events(2, start=start))

    server.route("/resume", first, second)
    outcome = consume(mode, _config(server), "/resume", reconnect=True)
    assert outcome.error is None
    assert outcome.items == [{"n": i} for i in range(5)]
    assert outcome.reconnects == 1
    assert "last-event-id" not in server.requests[0].headers
    assert server.requests[1].headers["last-event-id"] == "2"


@pytest.mark.parametrize("mode", MODES)
def test_reconnect_gives_up_after_max_reconnects(server: StreamServer, mode: str) -> None:
    def broken(wire: Wire, _r: Seen) -> None:
        wire.sse(events(1), end=False)
        wire.abort()

    server.route("/broken", broken)
    outcome = consume(mode, _config(server), "/broken", reconnect=True, max_reconnects=2)
    assert isinstance(outcome.error, StreamInterruptedError)
    assert outcome.error.events == 3  # one per connection
    assert len(server.requests) == 3


def test_reconnect_is_off_by_default(server: StreamServer) -> None:
    def broken(wire: Wire, _r: Seen) -> None:
        wire.sse(events(1), end=False)
        wire.abort()

    server.route("/broken", broken)
    outcome = consume("sync", _config(server), "/broken")
    assert isinstance(outcome.error, StreamInterruptedError)
    assert len(server.requests) == 1


# -- hooks and auth on the head ------------------------------------------------------


class _RenewingAuth:
    """Bearer ``old`` until the first 401, then ``new``: the one renewal of the lifecycle."""

    def __init__(self) -> None:
        self.token = "old"
        self.renewals = 0

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        return request._evolve(headers={**request.headers, "Authorization": f"Bearer {self.token}"})

    def on_unauthorized(
        self, request: HttpRequest, response: HttpResponse, context: RequestContext
    ) -> HttpRequest | None:
        self.renewals += 1
        self.token = "new"
        return self.before_request(request, context)


class _HeadRecorder:
    """A response hook: records what it saw, and whether the server had sent the body yet."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, bytes]] = []

    def after_response(self, response: HttpResponse, context: RequestContext) -> HttpResponse:
        self.seen.append((response.status_code, response.content))
        return response


@pytest.mark.parametrize("mode", MODES)
def test_the_401_renewal_and_response_hooks_apply_to_the_head(
    server: StreamServer, mode: str
) -> None:
    def guarded(wire: Wire, request: Seen) -> None:
        if request.headers.get("authorization") != "Bearer new":
            wire.reply(401, b"expired")
        else:
            wire.sse(events(2))

    server.route("/private", guarded)
    auth, recorder = _RenewingAuth(), _HeadRecorder()
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_no_retry()
        .with_auth_hook(auth)
        .with_response_hook(recorder)
        .build()
    )
    outcome = consume(mode, config, "/private")
    assert outcome.error is None
    assert outcome.items == [{"n": 0}, {"n": 1}]
    assert auth.renewals == 1
    # The hook ran once, on the head of the final response: no body bytes in it.
    assert recorder.seen == [(200, b"")]


# -- the raw streaming response ----------------------------------------------------


def test_iter_bytes_hands_out_pieces_as_they_arrive(server: StreamServer) -> None:
    server.route("/raw", lambda wire, _r: wire.sse([b"a" * 10, b"b" * 10], delay=0.05))
    with HttpClient(_config(server)) as client, client.stream("GET", "/raw") as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        pieces = list(response.iter_bytes(4))
    assert b"".join(pieces) == b"a" * 10 + b"b" * 10
    assert max(len(piece) for piece in pieces) <= 4
    assert response.closed


def test_iter_lines_splits_at_every_line_ending_across_pieces(server: StreamServer) -> None:
    pieces = [b"one\r", b"\ntwo\n", b"thr", b"ee\rfour", "\n€\n".encode()[:2], "\n€\n".encode()[2:]]
    server.route("/lines", lambda wire, _r: wire.sse(pieces))
    with HttpClient(_config(server)) as client, client.stream("GET", "/lines") as response:
        assert list(response.iter_lines()) == ["one", "two", "three", "four", "€"]


def test_a_fully_read_stream_gives_its_connection_back(server: StreamServer) -> None:
    server.route("/a", lambda wire, _r: wire.sse(events(2)))
    server.route("/b", lambda wire, _r: wire.reply(200, b"plain body"))
    with HttpClient(_config(server)) as client:
        for _ in range(2):
            with client.stream("GET", "/a") as response:
                response.read()
            with client.stream("GET", "/b") as response:
                assert response.read() == b"plain body"
        assert client.get("/b").content == b"plain body"
    assert len(server.requests) == 5
    assert server.connections == 1


def test_a_raw_stream_cut_short_raises_with_the_byte_count(server: StreamServer) -> None:
    def handler(wire: Wire, _r: Seen) -> None:
        wire.sse([b"x" * 100], end=False)
        wire.abort()

    server.route("/cut", handler)
    with (
        HttpClient(_config(server)) as client,
        client.stream("GET", "/cut") as response,
        pytest.raises(StreamInterruptedError) as caught,
    ):
        response.read()
    assert caught.value.bytes_received == 100
    assert "after 100 byte(s)" in str(caught.value)


def test_an_error_status_is_a_whole_response_behind_raise_for_status(
    server: StreamServer,
) -> None:
    server.route("/err", lambda wire, _r: wire.reply(500, b"boom"))
    with HttpClient(_config(server)) as client, client.stream("GET", "/err") as response:
        assert response.status_code == 500
        assert response.head.content == b"boom"
        with pytest.raises(HttpStatusError):
            response.raise_for_status()


def test_stream_to_writes_the_body_to_a_file(server: StreamServer, tmp_path: Path) -> None:
    payload = os.urandom(3 * 1024 * 1024 + 17)

    def handler(wire: Wire, _r: Seen) -> None:
        wire.head(200, {"Content-Length": str(len(payload))}, chunked=False)
        wire.sock.sendall(payload)

    server.route("/file", handler)
    target = tmp_path / "download.bin"
    with HttpClient(_config(server)) as client, client.stream("GET", "/file") as response:
        written = response.stream_to(target, chunk_size=64 * 1024)
    assert written == len(payload)
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(payload).digest()


def test_async_raw_stream_and_stream_to(server: StreamServer, tmp_path: Path) -> None:
    payload = os.urandom(2 * 1024 * 1024 + 5)

    def handler(wire: Wire, _r: Seen) -> None:
        wire.head(200, {"Content-Length": str(len(payload))}, chunked=False)
        wire.sock.sendall(payload)

    server.route("/file", handler)
    server.route("/lines", lambda wire, _r: wire.sse([b"a\r", b"\nb\n", b"c"]))
    target = tmp_path / "download.bin"

    async def run() -> tuple[int, list[str]]:
        async with AsyncHttpClient(_config(server)) as client:
            async with await client.stream("GET", "/file") as response:
                written = await response.stream_to(target)
            async with await client.stream("GET", "/lines") as response:
                lines = [line async for line in response.aiter_lines()]
        return written, lines

    written, lines = asyncio.run(run())
    assert written == len(payload)
    assert target.read_bytes() == payload
    assert lines == ["a", "b", "c"]


def test_async_early_close_gives_the_pool_slot_back(server: StreamServer) -> None:
    """With a pool of one, a second stream can only start if the first one's slot came back."""
    server.route("/forever", lambda wire, _r: wire.until_closed(b"data: 1\n\n", limit=3.0))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_no_retry()
        .with_pool_size(1)
        .with_timeout(2.0)
        .build()
    )

    async def run() -> list[bytes]:
        firsts = []
        async with AsyncHttpClient(config) as client:
            for _ in range(2):
                async with await client.stream("GET", "/forever") as response:
                    async for chunk in response.aiter_bytes():
                        firsts.append(chunk)
                        break
        return firsts

    assert asyncio.run(run()) == [b"data: 1\n\n"] * 2


# -- memory of a large download ------------------------------------------------------

DOWNLOAD_SIZE = 1024**3  # 1 GiB
_CHILD = textwrap.dedent("""
    import resource, sys
    from requestforge import HttpClient, HttpClientConfigBuilder
    config = HttpClientConfigBuilder().with_base_url(sys.argv[1]).with_no_retry().build()
    client = HttpClient(config)
    with client.stream("GET", "/warm") as response:  # loads the transport before measuring
        response.stream_to(sys.argv[2])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with client.stream("GET", "/big") as response:
        written = response.stream_to(sys.argv[2])
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(written, before, after)
    """)


@pytest.mark.slow
def test_a_one_gigabyte_download_runs_in_constant_memory(server: StreamServer) -> None:
    """RSS growth of the downloading process (its peak, ``ru_maxrss``) stays under 60 MB.

    The client runs in a child process so that its peak RSS is its own; the
    server writes 1 GiB from a 1 MiB buffer.  A client that buffered the body
    would grow by the whole gigabyte.
    """
    block = b"\xab" * (1024 * 1024)

    def big(wire: Wire, _r: Seen) -> None:
        wire.head(200, {"Content-Length": str(DOWNLOAD_SIZE)}, chunked=False)
        for _ in range(DOWNLOAD_SIZE // len(block)):
            wire.sock.sendall(block)

    server.route("/warm", lambda wire, _r: wire.reply(200, block))
    server.route("/big", big)
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, server.url, os.devnull],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    written, before, after = (int(value) for value in result.stdout.split())
    assert written == DOWNLOAD_SIZE
    growth_mb = (after - before) / 1024  # ru_maxrss is in KiB on Linux
    print(f"RSS growth over a 1 GiB stream_to: {growth_mb:.1f} MB")
    assert growth_mb < 60, growth_mb


def test_the_requests_path_streams_too(server: StreamServer) -> None:
    """Cookies send a request through ``requests`` instead of the fast path: same streaming."""

    def cut(wire: Wire, _r: Seen) -> None:
        wire.sse(events(2), end=False)
        wire.abort()

    server.route("/events", lambda wire, _r: wire.sse(events(3), delay=0.02))
    server.route("/cut", cut)
    with HttpClient(_config(server)) as client:
        stream = client.stream_events("GET", "/events", _data, cookies={"session": "s1"})
        with stream:
            assert list(stream) == [{"n": 0}, {"n": 1}, {"n": 2}]
        broken = client.stream_events("GET", "/cut", _data, cookies={"session": "s1"})
        with broken, pytest.raises(StreamInterruptedError) as caught:
            list(broken)
    assert caught.value.events == 2
    assert all(seen.headers["cookie"] == "session=s1" for seen in server.requests)
