"""Issue 8: the transport's fast path (the session adapter's urllib3 pool, no
``Session.prepare_request``/``Session.send``) against the requests path, over real sockets.

Two things are checked for every case: *which* path a request takes (counted
on ``requests.Session.send``), and that the fast path is indistinguishable from
the requests path -- same bytes on the wire as the server records them, same
response, same error class and message.  ``requests_path`` turns the fast path
off to get the reference behaviour.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requestforge._transport as transport_module
import requests
from requestforge import (
    ApiKeyAuthHook,
    ConnectError,
    ConnectTimeoutError,
    HttpClient,
    HttpClientConfigBuilder,
    HttpMethod,
    HttpRequest,
    ReadError,
    ReadTimeoutError,
    RequestForgeError,
    TLSError,
    TransportError,
)

from tests.support.server import LoopbackServer, RecordedRequest, Reply, refused_url

SECRET = "s3cr3t-value"


class SendCounter:
    """Counts ``requests.Session.send`` calls: zero means the fast path carried the request."""

    def __init__(self) -> None:
        self.calls = 0


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> SendCounter:
    counter = SendCounter()
    original = requests.Session.send

    def counting(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        counter.calls += 1
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", counting)
    return counter


@pytest.fixture
def other() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        running.route("GET", "/*", Reply(200, b"landed"))
        yield running


def requests_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every request take the requests path (the reference behaviour)."""
    monkeypatch.setattr(transport_module.Transport, "_fast_send", lambda *_a, **_k: None)


def client_for(url: str, **options: Any) -> HttpClient:
    builder = HttpClientConfigBuilder().with_base_url(url).with_no_retry()
    if "timeout" in options:
        builder.with_timeout(options.pop("timeout"))
    if "auth" in options:
        builder.with_auth_hook(options.pop("auth"))
    if "headers" in options:
        builder.with_headers(options.pop("headers"))
    assert not options
    return HttpClient(builder.build())


def recorded(server: LoopbackServer) -> list[tuple[str, str, Any, dict[str, str], bytes]]:
    return [(r.method, r.path, r.query, r.headers, r.body) for r in server.requests]


def _echo(request: RecordedRequest) -> Reply:
    return Reply.json({"path": request.path}, headers={"X-Seen": request.method})


# -- which path ------------------------------------------------------------------------


def test_a_plain_call_takes_the_fast_path(server: LoopbackServer, sends: SendCounter) -> None:
    server.route("GET", "/pets/1", Reply.json({"id": 1}, headers={"X-Rate": "5"}))
    client = client_for(server.url)
    response = client.get("/pets/1", params={"q": "a b"})
    assert sends.calls == 0
    assert response.status_code == 200
    assert response.json() == {"id": 1}
    assert response.headers["x-rate"] == "5"
    assert response.headers["X-RATE"] == "5"
    assert response.reason == "OK"
    assert response.url == f"{server.url}/pets/1?q=a+b"
    assert response.elapsed_ms > 0
    assert response.request is not None
    assert response.request.url == f"{server.url}/pets/1"


def test_proxies_take_the_requests_path(server: LoopbackServer, sends: SendCounter) -> None:
    # The loopback server plays the proxy: it receives the absolute-form request.
    server.route("GET", "/via-proxy", Reply(200, b"proxied"))
    client = HttpClient(
        HttpClientConfigBuilder()
        .with_base_url("http://api.example.invalid")
        .with_proxies({"http": server.url})
        .with_no_retry()
        .build()
    )
    assert client.get("/via-proxy").content == b"proxied"
    assert sends.calls == 1


def test_proxy_from_the_environment_takes_the_requests_path(
    server: LoopbackServer, sends: SendCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("GET", "/via-env-proxy", Reply(200, b"proxied"))
    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = HttpClient(
        HttpClientConfigBuilder()
        .with_base_url("http://api.example.invalid")
        .with_trust_env(True)
        .with_no_retry()
        .build()
    )
    assert client.get("/via-env-proxy").content == b"proxied"
    assert sends.calls == 1


def test_a_client_certificate_takes_the_requests_path(
    server: LoopbackServer, sends: SendCounter, tmp_path: Any
) -> None:
    cert = tmp_path / "client.pem"
    cert.write_text("not used over plain http")
    server.route("GET", "/x", Reply(200, b"ok"))
    client = HttpClient(
        HttpClientConfigBuilder().with_base_url(server.url).with_client_cert(str(cert)).build()
    )
    assert client.get("/x").content == b"ok"
    assert sends.calls == 1


def test_cookies_set_by_the_server_are_kept_and_sent(
    server: LoopbackServer, sends: SendCounter
) -> None:
    server.route("GET", "/login", Reply(200, b"in", headers={"Set-Cookie": "sid=abc; Path=/"}))
    server.route("GET", "/me", Reply(200, b"me"))
    client = client_for(server.url)
    client.get("/login")
    assert sends.calls == 0  # the cookie came back on the fast path ...
    assert client.session.cookies.get("sid") == "abc"  # ... into the session's jar
    client.get("/me")
    assert sends.calls == 1  # a non-empty jar: the requests path sends it
    assert server.requests_to("/me")[0].header("Cookie") == "sid=abc"


def test_request_cookies_take_the_requests_path(server: LoopbackServer, sends: SendCounter) -> None:
    server.route("GET", "/c", Reply(200, b"ok"))
    client_for(server.url).request("GET", "/c", cookies={"flavour": "oat"})
    assert sends.calls == 1
    assert server.requests_to("/c")[0].header("Cookie") == "flavour=oat"


def test_files_take_the_requests_path(server: LoopbackServer, sends: SendCounter) -> None:
    server.route("POST", "/upload", Reply(201))
    response = client_for(server.url).post("/upload", files={"f": ("a.txt", b"hello")})
    assert response.status_code == 201
    assert sends.calls == 1
    assert b"hello" in server.requests_to("/upload")[0].body


def test_a_session_changed_by_the_caller_takes_the_requests_path(
    server: LoopbackServer, sends: SendCounter
) -> None:
    server.route("GET", "/x", Reply(200, b"ok"))
    client = client_for(server.url)
    client.get("/x")
    assert sends.calls == 0
    seen: list[int] = []
    client.session.hooks["response"].append(lambda response, **_kw: seen.append(1))
    client.get("/x")
    assert sends.calls == 1
    assert seen == [1]


def test_a_shared_session_takes_the_requests_path(
    server: LoopbackServer, sends: SendCounter
) -> None:
    server.route("GET", "/x", Reply(200, b"ok"))
    client = HttpClient(
        HttpClientConfigBuilder().with_base_url(server.url).build(), session=requests.Session()
    )
    assert client.get("/x").content == b"ok"
    assert sends.calls == 1


@pytest.mark.parametrize(
    ("path", "fast"),
    [
        ("/caf%C3%A9", True),  # already encoded the way requests sends it
        ("/a%20b/c", True),
        ("/café", False),  # requests percent-encodes it
        ("/caf%c3%a9", False),  # urllib3 upper-cases the escape
        ("/%41bc", False),  # requests decodes escaped unreserved characters
        ("/a b", False),
        ("/a/../b", False),  # dot segments are resolved
        ("/x%zz", False),  # a lone % is re-escaped
    ],
)
def test_urls_requests_would_rewrite_take_the_requests_path(
    server: LoopbackServer,
    sends: SendCounter,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    fast: bool,
) -> None:
    server.route("GET", "/*", _echo)
    response = client_for(server.url).get(path)
    assert sends.calls == (0 if fast else 1)
    reference_server_view = recorded(server)[-1][:3]
    requests_path(monkeypatch)
    reference = client_for(server.url).get(path)
    assert recorded(server)[-1][:3] == reference_server_view
    assert (response.status_code, response.url, response.content) == (
        reference.status_code,
        reference.url,
        reference.content,
    )


def test_an_upper_case_host_takes_the_requests_path(
    server: LoopbackServer, sends: SendCounter
) -> None:
    server.route("GET", "/x", Reply(200, b"ok"))
    response = client_for(server.url.replace("http://", "HTTP://")).get("/x")
    assert response.content == b"ok"
    assert sends.calls == 1


# -- same bytes on the wire, same response ------------------------------------------------


def _shapes() -> list[tuple[str, Callable[[HttpClient], Any]]]:
    return [
        ("get", lambda c: c.get("/r", params={"a": 1, "b": [True, "x y"]})),
        ("get-with-query", lambda c: c.get("/r?z=1", params={"a": "é"})),
        ("head", lambda c: c.head("/r")),
        ("options", lambda c: c.options("/r")),
        ("delete-no-body", lambda c: c.delete("/r")),
        ("post-json", lambda c: c.post("/r", json={"n": 1, "s": "ünï"})),
        (
            "post-json-own-type",
            lambda c: c.post("/r", json=[1], headers={"content-type": "application/x+json"}),
        ),
        ("post-form", lambda c: c.post("/r", data={"a": "1 2", "b": ["x", "y"], "c": None})),
        ("post-empty-form-and-json", lambda c: c.post("/r", data={"c": None}, json={"j": 1})),
        ("put-bytes", lambda c: c.put("/r", data=b"\x00\x01raw")),
        ("put-str", lambda c: c.put("/r", data="plain text")),
        ("patch-nothing", lambda c: c.patch("/r")),
        (
            "override-default-headers",
            lambda c: c.get("/r", headers={"accept": "text/plain", "USER-AGENT": "mine/1"}),
        ),
        ("drop-a-default-header", lambda c: c.get("/r", headers={"Accept-Encoding": None})),
        (
            "caller-content-length",
            lambda c: c.post("/r", data=b"abc", headers={"Content-Length": "9"}),
        ),
    ]


@pytest.mark.parametrize(("name", "call"), _shapes(), ids=[name for name, _ in _shapes()])
def test_the_fast_path_sends_what_requests_sends(
    server: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    call: Callable[[HttpClient], Any],
) -> None:
    for method in ("GET", "HEAD", "OPTIONS", "DELETE", "POST", "PUT", "PATCH"):
        server.route(method, "/r", Reply.json({"ok": name}, headers={"X-Multi": "1"}))
    fast_client = client_for(server.url, headers={"X-Default": "d"})
    fast = call(fast_client)
    fast_sent = recorded(server)
    server.requests.clear()
    requests_path(monkeypatch)
    slow = call(client_for(server.url, headers={"X-Default": "d"}))
    assert recorded(server) == fast_sent
    assert (fast.status_code, fast.url, fast.reason, fast.content) == (
        slow.status_code,
        slow.url,
        slow.reason,
        slow.content,
    )
    assert dict(fast.headers) == {k: v for k, v in slow.headers.items() if k != "Date"} | {
        "Date": fast.headers["Date"]
    }


def test_invalid_headers_fail_the_same_way(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("GET", "/r", Reply(200))
    errors = []
    for _ in range(2):
        with pytest.raises(RequestForgeError) as caught:
            client_for(server.url).get("/r", headers={"X-Bad": "a\r\nInjected: yes"})
        errors.append((type(caught.value), str(caught.value)))
        requests_path(monkeypatch)
    assert errors[0] == errors[1]
    assert server.requests == []


def test_gzip_bodies_are_decoded(server: LoopbackServer, sends: SendCounter) -> None:
    payload = b'{"pets": [' + b",".join(b'{"id": %d}' % i for i in range(2000)) + b"]}"
    server.route(
        "GET",
        "/gz",
        Reply(200, gzip.compress(payload), headers={"Content-Encoding": "gzip"}),
    )
    response = client_for(server.url).get("/gz")
    assert sends.calls == 0
    assert response.content == payload
    assert len(response.json()["pets"]) == 2000


def test_large_bodies_arrive_whole(server: LoopbackServer, sends: SendCounter) -> None:
    big = bytes(range(256)) * 40_000  # ~10 MB, many reads
    server.route("PUT", "/big", lambda r: Reply(200, r.body[::-1]))
    response = client_for(server.url).put("/big", data=big)
    assert sends.calls == 0
    assert response.content == big[::-1]


def test_head_and_204_have_empty_bodies_and_keep_the_connection(
    server: LoopbackServer, sends: SendCounter
) -> None:
    server.route("HEAD", "/h", Reply(200, b"not sent for HEAD", headers={"X-H": "1"}))
    server.route("DELETE", "/d", Reply(204))
    client = client_for(server.url)
    head = client.head("/h")
    gone = client.delete("/d")
    again = client.head("/h")
    assert sends.calls == 0
    assert (head.status_code, head.content, head.headers["x-h"]) == (200, b"", "1")
    assert head.headers["Content-Length"] == str(len(b"not sent for HEAD"))
    assert (gone.status_code, gone.content) == (204, b"")
    assert again.status_code == 200
    assert len({r.connection_id for r in server.requests}) == 1  # one keep-alive connection


def test_redirects_on_the_fast_path_still_drop_credentials_off_origin(
    server: LoopbackServer, other: LoopbackServer, sends: SendCounter
) -> None:
    server.route("GET", "/same", Reply.redirect("/next", 302))
    server.route("GET", "/next", Reply(200, b"next"))
    server.route("GET", "/away", Reply.redirect(f"{other.url}/land?page=2", 307))
    client = client_for(
        server.url,
        auth=ApiKeyAuthHook("X-API-Key", SECRET, "header"),
        headers={"Authorization": f"Bearer {SECRET}"},
    )
    assert client.get("/same").content == b"next"
    assert client.get("/away").content == b"landed"
    assert sends.calls == 0
    kept = server.requests_to("/next")[0]
    assert kept.header("X-API-Key") == SECRET
    assert kept.header("Authorization") == f"Bearer {SECRET}"
    landed = other.requests_to("/land")[0]
    assert SECRET not in repr(landed.headers)
    assert landed.query == {"page": ["2"]}
    assert landed.header("User-Agent")  # the non-secret session headers still go


# -- errors: same class, same (redacted) message on both paths ------------------------------


def _failure(call: Callable[[], Any]) -> tuple[type[BaseException], str]:
    with pytest.raises(TransportError) as caught:
        call()
    error = caught.value
    assert error.__cause__ is None  # the requests/urllib3 exception (full URL) is not chained
    return type(error), re.sub(r"0x[0-9a-f]+", "0x?", str(error))


def _both_paths(
    monkeypatch: pytest.MonkeyPatch, call: Callable[[], Any]
) -> tuple[type[BaseException], str]:
    fast = _failure(call)
    with monkeypatch.context() as patched:
        requests_path(patched)
        slow = _failure(call)
    assert fast == slow
    return fast


def test_connection_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with refused_url("/x") as url:
        kind, message = _both_paths(
            monkeypatch, lambda: client_for(url).get(url, params={"api_key": SECRET})
        )
    assert kind is ConnectError
    assert "refused" in message.lower()
    assert SECRET not in message


def test_read_timeout_before_headers(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("GET", "/slow", Reply(200, b"late", delay=0.5))
    kind, _ = _both_paths(monkeypatch, lambda: client_for(server.url, timeout=0.1).get("/slow"))
    assert kind is ReadTimeoutError


def test_read_timeout_during_the_body(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("GET", "/slow-body", Reply(200, b"late body", body_delay=0.5))
    kind, message = _both_paths(
        monkeypatch, lambda: client_for(server.url, timeout=0.1).get("/slow-body")
    )
    assert kind is ReadTimeoutError
    assert "body" in message


@pytest.fixture
def full_backlog() -> Iterator[str]:
    """A URL whose connect never completes: a listener with a full accept queue drops SYNs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_connect_timeout(full_backlog: str, monkeypatch: pytest.MonkeyPatch) -> None:
    kind, message = _both_paths(
        monkeypatch, lambda: client_for(full_backlog, timeout=0.2).get("/x?token=" + SECRET)
    )
    assert kind is ConnectTimeoutError
    assert SECRET not in message


def test_reset_before_headers(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.route("GET", "/reset", Reply(reset=True))
    kind, _ = _both_paths(monkeypatch, lambda: client_for(server.url).get("/reset"))
    assert kind is ReadError


def test_reset_mid_body(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.route("GET", "/reset-body", Reply(200, b"x" * 100_000, reset_after=10))
    kind, _ = _both_paths(monkeypatch, lambda: client_for(server.url).get("/reset-body"))
    assert kind is ReadError


def test_truncated_body(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.route("GET", "/short", Reply(200, b"0123456789", truncate=4))
    kind, message = _both_paths(monkeypatch, lambda: client_for(server.url).get("/short"))
    assert kind is ReadError
    assert "IncompleteRead" in message or "Connection broken" in message


def test_the_connection_is_reused_after_an_error_status(
    server: LoopbackServer, sends: SendCounter
) -> None:
    server.route("GET", "/missing", Reply.json({"error": "nope"}, status=404))
    client = client_for(server.url)
    statuses = [client.get("/missing").status_code for _ in range(3)]
    assert statuses == [404, 404, 404]
    assert sends.calls == 0
    assert server.total_connections == 1


# -- threads ----------------------------------------------------------------------------------


def test_threads_each_use_their_own_session_and_pool(
    server: LoopbackServer, sends: SendCounter
) -> None:
    server.route("GET", "/t/*", _echo)
    client = client_for(server.url)
    barrier = threading.Barrier(8)
    pools: dict[int, set[int]] = {}
    sessions: dict[int, int] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(20):
                assert client.get(f"/t/{n}-{i}").json() == {"path": f"/t/{n}-{i}"}
            state = client._state()
            sessions[n] = id(state.session)
            assert state.adapter is not None
            pools[n] = {id(pool) for pool in state.adapter.poolmanager.pools._container.values()}
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sends.calls == 0
    assert len(set(sessions.values())) == 8
    all_pools = [pool for ids in pools.values() for pool in ids]
    assert len(all_pools) == len(set(all_pools)) == 8
    assert len(server.requests) == 160


def test_the_fast_path_uses_the_adapters_pools_only(server: LoopbackServer) -> None:
    server.route("GET", "/x", Reply(200, b"ok"))
    client = client_for(server.url)
    client.get("/x")
    adapter = client._state().adapter
    assert adapter is not None
    assert len(adapter.poolmanager.pools) == 1
    client.get(server.url.replace("127.0.0.1", "localhost") + "/x")  # another origin
    assert len(adapter.poolmanager.pools) == 2
    assert len(server.requests) == 2
    client.close()
    assert len(adapter.poolmanager.pools) == 0  # the session's close drops them all
    assert server.wait_for_connections(0)


# -- import cost ------------------------------------------------------------------------------


def test_importing_and_configuring_does_not_import_requests() -> None:
    code = (
        "import sys\n"
        "import requestforge\n"
        "from requestforge import HttpClient, HttpClientConfigBuilder\n"
        "client = HttpClient(HttpClientConfigBuilder().with_base_url('http://x').build())\n"
        "print(sorted(m for m in ('requests', 'urllib3') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_the_first_request_imports_the_transport(server: LoopbackServer) -> None:
    server.route("GET", "/x", Reply(200, b"ok"))
    code = (
        "import sys\n"
        "from requestforge import HttpClient, HttpClientConfigBuilder, HttpRequest\n"
        f"client = HttpClient(HttpClientConfigBuilder().with_base_url({server.url!r}).build())\n"
        "print(client.get('/x').content.decode(), 'requests' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["ok", "True"]


def test_execute_accepts_a_prebuilt_absolute_request(
    server: LoopbackServer, sends: SendCounter
) -> None:
    server.route("GET", "/abs", Reply(200, b"abs"))
    request = HttpRequest(method=HttpMethod.GET, url=f"{server.url}/abs")
    response = client_for("").execute(request)
    assert response.content == b"abs"
    assert response.request is request  # no copy needed for an absolute URL
    assert sends.calls == 0


# -- https ------------------------------------------------------------------------------------


class _TLSHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b'{"tls": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(https base URL, path of its self-signed certificate) on 127.0.0.1."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    work = tmp_path_factory.mktemp("tls")
    cert, key = work / "cert.pem", work / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _TLSHandler)
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01})
    thread.daemon = True
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}", str(cert)
    finally:
        httpd.shutdown()
        httpd.server_close()


def _tls_client(url: str, verify: bool | str) -> HttpClient:
    return HttpClient(
        HttpClientConfigBuilder().with_base_url(url).with_verify_ssl(verify).with_no_retry().build()
    )


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
@pytest.mark.parametrize("verify", ["cert", False])
def test_https_takes_the_fast_path(
    tls_server: tuple[str, str], sends: SendCounter, verify: str | bool
) -> None:
    url, cert = tls_server
    client = _tls_client(url, cert if verify == "cert" else False)
    assert client.get("/x").json() == {"tls": True}
    assert client.get("/y").json() == {"tls": True}
    assert sends.calls == 0


def test_an_untrusted_certificate_is_a_tls_error_on_both_paths(
    tls_server: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _cert = tls_server
    kind, message = _both_paths(monkeypatch, lambda: _tls_client(url, True).get("/x"))
    assert kind is TLSError
    assert "certificate" in message.lower()
