"""Seed 000's own thread-safety tests: one client shared by many threads, over real sockets."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from requestforge import (
    ConnectError,
    HttpClient,
    HttpClientConfigBuilder,
    HttpMethod,
    HttpRequest,
    ReadError,
)

from tests.support.server import LoopbackServer, RecordedRequest, Reply, refused_url


def _echo(request: RecordedRequest) -> Reply:
    return Reply.json(
        {
            "path": request.path,
            "query": request.query.get("n", [None])[0],
            "header": request.header("X-Request-Number"),
        }
    )


def _client(server: LoopbackServer, **retry: int) -> HttpClient:
    builder = HttpClientConfigBuilder().with_base_url(server.url).with_timeout(5.0)
    builder.with_retry(max_retries=retry.get("max_retries", 0), base_delay=0.0, jitter=False)
    return HttpClient(builder.build())


def test_100_concurrent_requests_through_one_client_get_their_own_responses(
    server: LoopbackServer,
) -> None:
    server.route("GET", "/echo/*", _echo)
    client = _client(server)
    count = 100
    start = threading.Barrier(count)
    results: dict[int, object] = {}
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            start.wait(timeout=10)
            response = client.get(
                f"/echo/{number}",
                params={"n": number},
                headers={"X-Request-Number": str(number)},
            )
            results[number] = (response.status_code, response.json())
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(results) == count
    for number, (status, body) in results.items():
        assert status == 200
        # Path, query and header all belong to the same request: no mix-ups between threads.
        assert body == {"path": f"/echo/{number}", "query": str(number), "header": str(number)}
    assert len(server.requests) == count
    client.close()


def test_each_thread_gets_one_session_of_its_own(server: LoopbackServer) -> None:
    server.route("GET", "/ping", Reply(200, b"pong"))
    client = _client(server)
    seen: dict[int, requests.Session] = {}
    same_within_thread: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker(number: int) -> None:
        start.wait(timeout=10)
        first = client.session
        client.get("/ping")
        second = client.session
        with lock:
            seen[number] = first  # keeps every session alive, so ids cannot be recycled
            same_within_thread.append(first is second)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert same_within_thread == [True] * 8
    assert len({id(session) for session in seen.values()}) == 8
    main_session = client.session
    assert main_session is client.session
    assert all(main_session is not other for other in seen.values())
    client.close()


def test_a_shared_session_is_used_by_every_thread(server: LoopbackServer) -> None:
    server.route("GET", "/ping", Reply(200, b"pong"))
    shared = requests.Session()
    client = HttpClient(HttpClientConfigBuilder().with_base_url(server.url).build(), shared)
    with ThreadPoolExecutor(max_workers=4) as pool:
        sessions = list(pool.map(lambda _n: client.session, range(4)))
    assert all(session is shared for session in sessions)
    assert client.get("/ping").content == b"pong"
    assert client.open_sessions == 0
    shared.close()


def test_execute_many_returns_results_in_input_order(server: LoopbackServer) -> None:
    # Earlier requests answer later, so completion order is the reverse of input order.
    server.route(
        "GET",
        "/slow/*",
        lambda request: Reply(
            200, request.path.encode(), delay=(6 - int(request.path.rsplit("/", 1)[1])) * 0.02
        ),
    )
    client = _client(server)
    batch = [HttpRequest(HttpMethod.GET, f"/slow/{n}") for n in range(6)]

    responses = client.execute_many(batch, max_workers=6)

    assert [response.content for response in responses] == [f"/slow/{n}".encode() for n in range(6)]
    arrival = [request.path for request in server.requests]
    assert sorted(arrival) == sorted(f"/slow/{n}" for n in range(6))
    client.close()


def test_execute_many_with_return_exceptions_puts_each_error_in_its_place(
    server: LoopbackServer,
) -> None:
    server.route("GET", "/ok/*", lambda request: Reply(200, request.path.encode()))
    server.route("POST", "/reset", Reply(reset=True))
    with refused_url() as refused:
        client = _client(server)
        batch = [
            HttpRequest(HttpMethod.GET, "/ok/0"),
            HttpRequest(HttpMethod.POST, "/reset"),
            HttpRequest(HttpMethod.GET, "/ok/2"),
            HttpRequest(HttpMethod.GET, refused),
            HttpRequest(HttpMethod.GET, "/ok/4"),
        ]

        results = client.execute_many(batch, return_exceptions=True)

    assert len(results) == 5
    assert [getattr(r, "content", None) for r in results[::2]] == [b"/ok/0", b"/ok/2", b"/ok/4"]
    assert isinstance(results[1], ReadError)
    assert isinstance(results[3], ConnectError)
    client.close()


def test_execute_many_raises_the_first_failure_in_input_order_after_all_finished(
    server: LoopbackServer,
) -> None:
    server.route("GET", "/ok/*", Reply(200, b"ok", delay=0.05))
    server.route("POST", "/reset", Reply(reset=True))
    with refused_url() as refused:
        client = _client(server)
        batch = [
            HttpRequest(HttpMethod.GET, "/ok/0"),
            HttpRequest(HttpMethod.GET, refused),  # fails first in input order (and fast)
            HttpRequest(HttpMethod.POST, "/reset"),
            HttpRequest(HttpMethod.GET, "/ok/3"),
        ]
        with pytest.raises(ConnectError):
            client.execute_many(batch, max_workers=4)

    # Every request ran to the end before the failure was raised.
    assert sorted(r.path for r in server.requests) == ["/ok/0", "/ok/3", "/reset"]
    client.close()


def test_execute_many_of_nothing_is_an_empty_list(server: LoopbackServer) -> None:
    client = _client(server)
    assert client.execute_many([]) == []
    assert client.execute_many([], return_exceptions=True) == []


def test_execute_many_leaves_no_worker_sessions_open(server: LoopbackServer) -> None:
    import gc

    server.route("GET", "/ok/*", Reply(200, b"ok", delay=0.01))
    client = _client(server)
    batch = [HttpRequest(HttpMethod.GET, f"/ok/{n}") for n in range(12)]
    assert len(client.execute_many(batch, max_workers=4)) == 12
    gc.collect()
    assert client.open_sessions == 0
    assert server.wait_for_connections(0), "worker threads left their connections open"
