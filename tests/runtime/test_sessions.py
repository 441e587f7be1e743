"""Session lifetimes: finished threads, close(), the context manager, and fork."""

from __future__ import annotations

import gc
import json
import os
import threading

import pytest
from requestforge import ClientClosedError, HttpClient, HttpClientConfigBuilder

from tests.support.server import LoopbackServer, Reply


def _client(server: LoopbackServer) -> HttpClient:
    return HttpClient(HttpClientConfigBuilder().with_base_url(server.url).with_no_retry().build())


def _run_in_threads(count: int, target: object) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]  # type: ignore[arg-type]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_sessions_of_finished_threads_are_closed(server: LoopbackServer) -> None:
    server.route("GET", "/ping", Reply(200, b"pong"))
    client = _client(server)
    start = threading.Barrier(6)

    def worker() -> None:
        start.wait(timeout=10)  # all alive at once: six sessions, six connections
        assert client.get("/ping").status_code == 200

    _run_in_threads(6, worker)
    gc.collect()

    assert server.total_connections == 6
    assert client.open_sessions == 0
    assert server.wait_for_connections(0, timeout=5), "a finished thread left its socket open"
    client.close()


def test_open_sessions_counts_live_threads_only(server: LoopbackServer) -> None:
    server.route("GET", "/ping", Reply(200, b"pong"))
    client = _client(server)
    client.get("/ping")
    used = threading.Event()
    release = threading.Event()

    def worker() -> None:
        client.get("/ping")
        used.set()
        release.wait(timeout=10)

    thread = threading.Thread(target=worker)
    thread.start()
    assert used.wait(timeout=10)
    assert client.open_sessions == 2
    release.set()
    thread.join(timeout=10)
    gc.collect()
    assert client.open_sessions == 1  # the main thread's session is still in use
    assert server.wait_for_connections(1)
    client.close()


def test_close_closes_every_session_and_later_calls_raise(server: LoopbackServer) -> None:
    server.route("GET", "/ping", Reply(200, b"pong"))
    client = _client(server)
    in_thread = threading.Event()
    release = threading.Event()
    outcome: list[BaseException] = []

    def worker() -> None:
        client.get("/ping")
        in_thread.set()
        release.wait(timeout=10)
        try:
            client.get("/ping")
        except BaseException as error:  # asserted below
            outcome.append(error)

    thread = threading.Thread(target=worker)
    thread.start()
    client.get("/ping")
    assert in_thread.wait(timeout=10)
    assert server.open_connections == 2

    client.close()

    assert client.open_sessions == 0
    assert server.wait_for_connections(0), "close() left connections open"
    with pytest.raises(ClientClosedError):
        client.get("/ping")
    with pytest.raises(ClientClosedError):
        _ = client.session
    release.set()
    thread.join(timeout=10)
    assert len(outcome) == 1
    assert isinstance(outcome[0], ClientClosedError)  # a thread that had a session, too
    assert len(server.requests) == 2
    client.close()  # closing twice is harmless


def test_context_manager_closes_the_client(server: LoopbackServer) -> None:
    server.route("GET", "/ping", Reply(200, b"pong"))
    with _client(server) as client:
        assert client.get("/ping").content == b"pong"
        assert server.open_connections == 1
    assert server.wait_for_connections(0)
    with pytest.raises(ClientClosedError):
        client.get("/ping")


def test_a_dropped_client_closes_its_sessions_even_for_live_threads(
    server: LoopbackServer,
) -> None:
    server.route("GET", "/ping", Reply(200, b"pong"))
    holder = [_client(server)]  # the only strong reference to the client
    used, release = threading.Event(), threading.Event()

    def worker() -> None:
        holder[0].get("/ping")
        used.set()
        release.wait(timeout=10)  # the thread outlives the client

    thread = threading.Thread(target=worker)
    thread.start()
    assert used.wait(timeout=10)
    holder[0].get("/ping")
    assert server.open_connections == 2

    holder.clear()
    gc.collect()

    assert thread.is_alive()
    assert server.wait_for_connections(0), "a client dropped without close() leaked sockets"
    release.set()
    thread.join(timeout=10)


def test_close_with_a_shared_session_stops_the_client(server: LoopbackServer) -> None:
    import requests

    server.route("GET", "/ping", Reply(200, b"pong"))
    shared = requests.Session()
    client = HttpClient(HttpClientConfigBuilder().with_base_url(server.url).build(), shared)
    client.get("/ping")
    client.close()
    with pytest.raises(ClientClosedError):
        client.get("/ping")
    shared.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_child_after_fork_gets_a_fresh_session_and_the_parent_keeps_working(
    server: LoopbackServer,
) -> None:
    server.route("GET", "/ping", Reply(200, b"pong"))
    client = _client(server)
    parent_session = client.session  # a strong reference: the object survives into the child
    client.get("/ping")
    parent_connection = server.requests[-1].connection_id
    assert server.total_connections == 1

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report through the pipe, never return into pytest
        status = 1
        try:
            os.close(read_end)
            sessions_after_fork = client.open_sessions  # none inherited from the parent
            fresh = client.session is not parent_session
            body = client.get("/ping").content.decode()
            report = {"fresh": fresh, "sessions": sessions_after_fork, "body": body}
            os.write(write_end, json.dumps(report).encode())
            status = 0
        finally:
            os._exit(status)

    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        report = json.loads(pipe.read() or b"{}")
    _, wait_status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(wait_status) == 0
    assert report == {"fresh": True, "sessions": 0, "body": "pong"}
    child_request = server.requests[-1]
    assert child_request.connection_id != parent_connection
    assert server.total_connections == 2  # the child opened its own connection

    # The parent's session and its kept-alive connection are untouched by the child.
    assert client.session is parent_session
    assert client.get("/ping").content == b"pong"
    assert server.requests[-1].connection_id == parent_connection
    assert server.total_connections == 2
    client.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_multiprocessing_fork_child_can_use_the_client(server: LoopbackServer) -> None:
    import multiprocessing

    server.route("GET", "/ping", Reply(200, b"pong"))
    client = _client(server)
    client.get("/ping")
    context = multiprocessing.get_context("fork")
    queue = context.SimpleQueue()

    def child() -> None:
        queue.put((client.open_sessions, client.get("/ping").status_code))

    process = context.Process(target=child)
    process.start()
    process.join(timeout=20)
    assert process.exitcode == 0
    assert queue.get() == (0, 200)
    assert server.total_connections == 2
    assert client.get("/ping").status_code == 200
    client.close()
