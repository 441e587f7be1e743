"""Request Forge at work: threads, retries and OAuth2 tokens against a local server.

    .venv/bin/python samples/runtime_demo.py

Starts a small HTTP server on 127.0.0.1 that plays an OAuth2 token endpoint
(client credentials, tokens that live 2 seconds) and an orders API that wants a
bearer token and fails the first attempt at every seventh order with a 503.  Eight threads share
one ``HttpClient`` and fetch 200 orders.  The summary shows what the runtime
did: every call succeeded, the 503s were retried, and the token was fetched
once per expiry -- not once per thread.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from requestforge import (
    ClientCredentialsTokenProvider,
    CorrelationIdHook,
    HttpClient,
    HttpClientConfigBuilder,
    HttpMethod,
    HttpRequest,
    TokenManager,
)

TOKEN_LIFETIME = 2  # seconds: short, so that the demo sees the token renewed


class DemoApi:
    """The server's state: issued tokens and counters, behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tokens: dict[str, float] = {}
        self.failed_orders: set[str] = set()
        self.token_fetches = 0
        self.api_requests = 0
        self.failures_served = 0

    def issue_token(self) -> dict[str, Any]:
        with self.lock:
            self.token_fetches += 1
            token = f"token-{self.token_fetches}"
            self.tokens[token] = time.monotonic() + TOKEN_LIFETIME
        return {"access_token": token, "token_type": "bearer", "expires_in": TOKEN_LIFETIME}

    def order(self, authorization: str, order_id: str) -> tuple[int, dict[str, Any]]:
        token = authorization.removeprefix("Bearer ")
        with self.lock:
            self.api_requests += 1
            if self.tokens.get(token, 0.0) < time.monotonic():
                return 401, {"error": "invalid_token"}
            # Fail the first attempt at every seventh order: deterministic per
            # order, so a retry always succeeds however the threads interleave.
            if int(order_id) % 7 == 0 and order_id not in self.failed_orders:
                self.failed_orders.add(order_id)
                self.failures_served += 1
                return 503, {"error": "try again"}
        return 200, {"id": int(order_id), "status": "shipped"}


def make_handler(api: DemoApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/oauth/token":
                self._reply(200, api.issue_token())
            else:
                self._reply(404, {"error": "not found"})

        def do_GET(self) -> None:
            if self.path.startswith("/orders/"):
                status, payload = api.order(
                    self.headers.get("Authorization", ""), self.path.rsplit("/", 1)[1]
                )
                self._reply(status, payload)
            else:
                self._reply(404, {"error": "not found"})

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


def main() -> None:
    api = DemoApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(api))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"

    tokens = TokenManager(
        ClientCredentialsTokenProvider(
            f"{base_url}/oauth/token",
            client_id="demo",
            client_secret="demo-secret",  # noqa: S106 -- a demo credential
        ),
        leeway=0.5,
    )
    config = (
        HttpClientConfigBuilder()
        .with_base_url(base_url)
        .with_timeout(5.0)
        .with_retry(max_retries=3, base_delay=0.01, max_delay=0.1)
        .with_token_auth(tokens)
        .with_request_hook(CorrelationIdHook())
        .build()
    )
    started = time.perf_counter()
    with HttpClient(config) as client:
        orders = [HttpRequest(HttpMethod.GET, f"/orders/{n}") for n in range(200)]
        responses = []
        for batch_start in range(0, len(orders), 50):  # four batches, spread over ~3 s
            responses += client.execute_many(orders[batch_start : batch_start + 50], max_workers=8)
            time.sleep(0.8)
    elapsed = time.perf_counter() - started
    server.shutdown()

    ok = sum(1 for response in responses if response.status_code == 200)
    in_order = all(response.json()["id"] == n for n, response in enumerate(responses))
    print(f"orders fetched:           {ok}/{len(orders)} (results in request order: {in_order})")
    print(f"503s served and retried:  {api.failures_served}")
    print(f"token fetches:            {api.token_fetches} (tokens live {TOKEN_LIFETIME}s)")
    print(f"wall time:                {elapsed:.2f}s with 8 threads")
    if ok != len(orders) or not in_order:
        raise SystemExit("demo failed: not every order came back")


if __name__ == "__main__":
    main()
