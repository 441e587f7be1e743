"""Per-call latency of ``HttpClient.get`` against its peers, one loopback server, one run.

    .venv/bin/python -m benchmarks.http_client_latency [--calls 2000] [--rounds 7]

Peers: a raw ``requests.Session`` (what the runtime is built on), ``httpx.Client``
and ``http.client`` (the floor: one keep-alive connection, no abstraction).
Every client talks to the same in-process HTTP/1.1 server over keep-alive; the
clients take turns round by round so that drift in machine load hits them all
alike.  The table reports the median of the per-round means and the ratio to
``requests.Session``.  Targets are read off the table, never asserted in tests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import platform
import socket
import statistics
import threading
import time
from collections.abc import Callable
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import requests
from requestforge import HttpClient, HttpClientConfigBuilder

BODY = json.dumps({"id": 42, "name": "doggie", "status": "available", "tags": []}).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # One response is two writes (headers, body): without TCP_NODELAY, Nagle's
        # algorithm and the client's delayed ACK add ~40 ms to every call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def _clients(
    base: str, host: str, port: int
) -> dict[str, tuple[Callable[[], object], Callable[[], None]]]:
    """name -> (one call, close)."""
    forge = HttpClient(HttpClientConfigBuilder().with_base_url(base).build())
    session = requests.Session()
    hx = httpx.Client(base_url=base)
    conn = http.client.HTTPConnection(host, port)

    def raw_http_client() -> bytes:
        conn.request("GET", "/pet/42")
        return conn.getresponse().read()

    url = f"{base}/pet/42"
    return {
        "requestforge HttpClient.get": (lambda: forge.get("/pet/42").content, forge.close),
        "requests.Session.get": (lambda: session.get(url).content, session.close),
        "httpx.Client.get": (lambda: hx.get("/pet/42").content, hx.close),
        "http.client (floor)": (raw_http_client, conn.close),
    }


def run(calls: int, rounds: int) -> list[tuple[str, float]]:
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    clients = _clients(f"http://{host}:{port}", str(host), int(port))
    per_round: dict[str, list[float]] = {name: [] for name in clients}
    try:
        for call, _ in clients.values():  # warm up connections and code paths
            for _ in range(50):
                call()
        for _ in range(rounds):
            for name, (call, _) in clients.items():
                started = time.perf_counter()
                for _ in range(calls):
                    call()
                per_round[name].append((time.perf_counter() - started) / calls * 1e6)
    finally:
        for _, close in clients.values():
            close()
        server.shutdown()
        server.server_close()
    return [(name, statistics.median(values)) for name, values in per_round.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per client per round")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds")
    args = parser.parse_args()
    results = run(args.calls, args.rounds)
    baseline = dict(results)["requests.Session.get"]
    print(
        f"Per-call latency, GET on loopback keep-alive; {args.rounds} rounds x {args.calls} calls; "
        f"median of round means; {platform.python_implementation()} {platform.python_version()}, "
        f"{date.today().isoformat()}"
    )
    print()
    print("| client | µs per call | vs requests.Session |")
    print("|---|---:|---:|")
    for name, micros in results:
        print(f"| {name} | {micros:.1f} | {micros / baseline:.2f}x |")


if __name__ == "__main__":
    main()
