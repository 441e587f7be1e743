"""Webhooks, typed: the generated ``webhooks`` module parses and verifies real deliveries.

A receiver gets raw bytes and headers on its own HTTP endpoint.  The tests
generate a package from small 3.1 and 3.0 specs, then:

* parse each event into its payload model, dispatched on the property the
  spec fixes per event (``type: {const: ...}``), and refuse an unknown event
  or a payload that does not fit;
* deliver Standard Webhooks-signed events over a real loopback socket to an
  ``http.server`` endpoint that calls ``unwrap`` with the request's own header
  object, and check that a tampered body, a wrong secret and an old timestamp
  are refused with the typed error;
* type-check the package and a receiver written against it with ``mypy --strict``.
"""

from __future__ import annotations

import base64
import importlib
import json
import subprocess
import sys
import textwrap
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from forgegen.pipeline import generate
from pydantic import ValidationError
from standardwebhooks import Webhook

SIGNED = """
openapi: 3.1.0
info: {title: Billing, version: "1"}
webhooks:
  invoice.paid:
    post:
      summary: An invoice was paid.
      parameters:
        - {name: webhook-id, in: header, required: true, schema: {type: string}}
        - {name: webhook-timestamp, in: header, required: true, schema: {type: string}}
        - {name: webhook-signature, in: header, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/InvoicePaid"}
      responses: {"200": {description: received}}
  invoice.voided:
    post:
      summary: An invoice was voided.
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [type, id]
              properties:
                type: {type: string, enum: [invoice.voided]}
                id: {type: string}
                reason: {type: string}
      responses: {"200": {description: received}}
components:
  schemas:
    InvoicePaid:
      type: object
      required: [type, data]
      properties:
        type: {type: string, const: invoice.paid}
        data:
          type: object
          required: [amount]
          properties:
            amount: {type: integer}
            currency: {type: string, default: usd}
"""

CALLBACKS = """
openapi: 3.0.3
info: {title: Subscriptions, version: "1"}
paths:
  /subscriptions:
    post:
      operationId: subscribe
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties: {callbackUrl: {type: string}}
      callbacks:
        onData:
          "{$request.body#/callbackUrl}":
            post:
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      required: [timestamp]
                      properties:
                        timestamp: {type: string, format: date-time}
                        userData: {type: string}
              responses: {"202": {description: accepted}}
      responses: {"201": {description: subscribed}}
"""

UNTAGGED = """
openapi: 3.1.0
info: {title: Untagged, version: "1"}
x-forgegen-webhooks: {signatures: standard-webhooks}
webhooks:
  ping:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [zen]
              properties: {zen: {type: string}}
              additionalProperties: false
      responses: {"200": {description: ok}}
  push:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [ref, commits]
              properties:
                ref: {type: string}
                commits: {type: array, items: {type: string}}
      responses: {"200": {description: ok}}
"""

SECRET = "whsec_" + base64.b64encode(b"a secret of thirty-two bytes....").decode()


def _package(tmp_path: Path, spec: str, name: str) -> ModuleType:
    source = tmp_path / "spec" / f"{name}.yaml"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(textwrap.dedent(spec), encoding="utf-8")
    generate(source, tmp_path / "out" / name, quiet=True, use_cache=False)
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        return importlib.import_module(f"{name}.webhooks")
    finally:
        sys.path.remove(str(tmp_path / "out"))


@pytest.fixture
def billing(tmp_path: Path) -> Iterator[ModuleType]:
    yield _package(tmp_path, SIGNED, "billing")
    for module in [m for m in sys.modules if m == "billing" or m.startswith("billing.")]:
        del sys.modules[module]


def _signed(body: bytes, *, secret: str = SECRET, at: datetime | None = None) -> dict[str, str]:
    moment = at if at is not None else datetime.now(timezone.utc)
    signature = Webhook(secret).sign("msg_1", moment, body)
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }


def test_each_event_parses_into_its_payload_type(billing: ModuleType) -> None:
    paid = billing.parse(b'{"type": "invoice.paid", "data": {"amount": 500}}')
    assert type(paid).__name__ == "InvoicePaid"
    assert paid.data.amount == 500
    assert paid.data.currency == "usd"
    voided = billing.parse('{"type": "invoice.voided", "id": "in_1", "reason": "dup"}')
    assert type(voided).__name__ == "InvoiceVoidedEvent"
    assert (voided.id, voided.reason) == ("in_1", "dup")
    assert sorted(billing.__all__) == sorted(
        [
            "UnknownWebhookEventError",
            "WebhookEvent",
            "WebhookSignatureError",
            "parse",
            "unwrap",
            "verify",
        ]
    )
    assert "- ``invoice.paid``: An invoice was paid." in (billing.__doc__ or "")


def test_an_unknown_event_and_a_bad_payload_are_refused(billing: ModuleType) -> None:
    with pytest.raises(billing.UnknownWebhookEventError) as unknown:
        billing.parse(b'{"type": "invoice.created", "id": "in_2"}')
    assert unknown.value.event == "invoice.created"
    with pytest.raises(billing.UnknownWebhookEventError):
        billing.parse(b"[1, 2]")
    with pytest.raises(ValidationError):
        billing.parse(b'{"type": "invoice.paid", "data": {"amount": "lots"}}')


class _Receiver(BaseHTTPRequestHandler):
    """A webhook endpoint, as a user writes one: ``unwrap`` the delivery or answer 400."""

    webhooks: ModuleType
    received: list[Any]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            event = self.webhooks.unwrap(body, self.headers, SECRET)
        except self.webhooks.WebhookSignatureError as error:
            self.received.append(error)
            self.send_response(400)
        else:
            self.received.append(event)
            self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads what arrived, not a log."""


@pytest.fixture
def endpoint(billing: ModuleType) -> Iterator[tuple[str, list[Any]]]:
    received: list[Any] = []
    handler = type("Receiver", (_Receiver,), {"webhooks": billing, "received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks", received
    finally:
        server.shutdown()
        server.server_close()


def _deliver(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_signed_deliveries_over_a_socket_are_verified_and_typed(
    billing: ModuleType, endpoint: tuple[str, list[Any]]
) -> None:
    url, received = endpoint
    body = json.dumps({"type": "invoice.paid", "data": {"amount": 42}}).encode()

    assert _deliver(url, body, _signed(body)) == 204
    assert type(received[-1]).__name__ == "InvoicePaid"
    assert received[-1].data.amount == 42

    tampered = body.replace(b"42", b"43")
    assert _deliver(url, tampered, _signed(body)) == 400
    assert isinstance(received[-1], billing.WebhookSignatureError)

    other = "whsec_" + base64.b64encode(b"someone else's secret, 32 bytes.").decode()
    assert _deliver(url, body, _signed(body, secret=other)) == 400
    old = datetime.now(timezone.utc) - timedelta(minutes=10)
    assert _deliver(url, body, _signed(body, at=old)) == 400
    assert _deliver(url, body, {"Content-Type": "application/json"}) == 400
    assert len(received) == 5


def test_callbacks_of_a_3_0_document_are_events_too(tmp_path: Path) -> None:
    webhooks = _package(tmp_path, CALLBACKS, "subscriptions")
    event = webhooks.parse(b'{"timestamp": "2026-01-02T03:04:05Z", "userData": "u"}')
    assert type(event).__name__ == "OnDataRequestBodyCallbackUrlEvent"
    assert event.timestamp == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert "verify" not in webhooks.__all__
    assert "``onData {$request.body#/callbackUrl}``" in (webhooks.__doc__ or "")


def test_events_with_nothing_to_tell_them_apart_are_tried_as_a_union(tmp_path: Path) -> None:
    webhooks = _package(tmp_path, UNTAGGED, "untagged")
    assert type(webhooks.parse(b'{"zen": "Keep it simple."}')).__name__ == "PingEvent"
    push = webhooks.parse(b'{"ref": "main", "commits": ["a1"]}')
    assert type(push).__name__ == "PushEvent"
    with pytest.raises(ValidationError):
        webhooks.parse(b'{"neither": true}')
    body = b'{"zen": "z"}'
    assert type(webhooks.unwrap(body, _signed(body), SECRET)).__name__ == "PingEvent"
    with pytest.raises(webhooks.WebhookSignatureError):
        webhooks.verify(body + b" ", _signed(body), SECRET)


RECEIVER = """
from billing.models import InvoicePaid
from billing.webhooks import WebhookEvent, parse, unwrap


def amount_paid(body: bytes, headers: dict[str, str], secret: str) -> int | None:
    event: WebhookEvent = unwrap(body, headers, secret)
    match event:
        case InvoicePaid():
            return event.data.amount
    return None


def first(body: bytes) -> str:
    return type(parse(body)).__name__
"""


def test_the_package_and_a_receiver_type_check(tmp_path: Path) -> None:
    _package(tmp_path, SIGNED, "billing")
    (tmp_path / "out" / "receiver.py").write_text(RECEIVER, encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "billing", "receiver.py"],
        cwd=tmp_path / "out",
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout[-3000:]
