"""``_pool_exchange._Response`` reads a response head exactly as ``http.client`` does.

It skips the email parser for plain header blocks, so this compares it with
``http.client.HTTPResponse`` on the same bytes: hand-picked cases for every
rule of the email parser it must not get wrong (folding, ``From `` lines, stray
CR, empty names, multipart bodies) and a few thousand seeded random heads.
Pure parsing, no network: the bytes come from a fake socket's ``makefile``.
"""

from __future__ import annotations

import http.client
import io
import random
from typing import Any

import pytest
from requestforge._pool_exchange import _Response
from urllib3.connection import _normalize_header_values


class _FakeSocket:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def makefile(self, mode: str) -> io.BufferedReader:
        assert mode == "rb"
        return io.BufferedReader(io.BytesIO(self._data))  # type: ignore[arg-type]


def _state(cls: type[http.client.HTTPResponse], data: bytes, method: str) -> dict[str, Any]:
    response = cls(_FakeSocket(data), method=method)  # type: ignore[arg-type]
    try:
        response.begin()
    except http.client.HTTPException as error:
        return {"error": (type(error).__name__, str(error))}
    message = response.msg
    assert response.fp is not None
    items = (
        list(response.plain_items)
        if isinstance(response, _Response) and response.plain_items is not None
        else _normalize_header_values(message)
    )
    return {
        "status": response.status,
        "reason": response.reason,
        "version": response.version,
        "chunked": response.chunked,
        "chunk_left": getattr(response, "chunk_left", "unset"),
        "length": response.length,
        "will_close": response.will_close,
        "headers": list(message._headers),  # type: ignore[attr-defined]
        "items": items,
        "payload": _payload(message.get_payload()),
        "defects": [type(defect).__name__ for defect in message.defects],
        "unixfrom": message.get_unixfrom(),
        "set_cookie": message.get_all("Set-Cookie"),
        "rest": response.fp.read(),
    }


def _payload(payload: Any) -> Any:
    """A payload comparable across messages (``message/*`` bodies are lists of messages)."""
    if isinstance(payload, list):
        return [
            (type(part).__name__, part.items(), _payload(part.get_payload())) for part in payload
        ]
    return payload


def _assert_same(data: bytes, method: str = "GET") -> None:
    assert _state(_Response, data, method) == _state(http.client.HTTPResponse, data, method)


_HEADS = {
    "plain": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
    "repeated": (
        b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 0\r\n\r\n"
    ),
    "folded": b"HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\n\tc\r\nContent-Length: 0\r\n\r\n",
    "first-line-folded": b"HTTP/1.1 200 OK\r\n  x\r\nA: b\r\n\r\n",
    "from-line": b"HTTP/1.1 200 OK\r\nFrom nobody\r\nA: b\r\n\r\n",
    "from-header": b"HTTP/1.1 200 OK\r\nFrom: someone\r\nContent-Length: 0\r\n\r\n",
    "stray-cr": b"HTTP/1.1 200 OK\r\nA: b\rC: d\r\nContent-Length: 0\r\n\r\n",
    "lf-only": b"HTTP/1.1 200 OK\nA: b\nContent-Length: 3\n\nabc",
    "no-colon": b"HTTP/1.1 200 OK\r\nA: b\r\nnot a header\r\nC: d\r\n\r\n",
    "empty-name": b"HTTP/1.1 200 OK\r\n: b\r\nC: d\r\n\r\n",
    "space-in-name": b"HTTP/1.1 200 OK\r\nBad Name: b\r\nC: d\r\n\r\n",
    "blank-values": b"HTTP/1.1 200 OK\r\nA:\r\nB:   \t \r\nC:x  \r\n\r\n",
    "latin-1": b"HTTP/1.1 200 OK\r\nX-Name: caf\xe9 \x85 \x0b\x0c\r\n\r\n",
    "multipart": b"HTTP/1.1 200 OK\r\nContent-Type: multipart/mixed\r\nContent-Length: 0\r\n\r\n",
    "message": b"HTTP/1.1 200 OK\r\nContent-Type: message/delivery-status\r\n\r\n",
    "chunked": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"
    ),
    "negative-length": b"HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n",
    "bad-length": b"HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n",
    "close": b"HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 1\r\n\r\nx",
    "http10-keepalive": b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
    "http10-keep-alive-header": b"HTTP/1.0 200 OK\r\nKeep-Alive: timeout=5\r\n\r\n",
    "http10-proxy": b"HTTP/1.0 200 OK\r\nProxy-Connection: Keep-Alive\r\n\r\n",
    "http10-plain": b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
    "continue": b"HTTP/1.1 100 Continue\r\nX: y\r\n\r\nHTTP/1.1 204 No Content\r\nA: b\r\n\r\n",
    "not-modified": b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
    "eof-in-headers": b"HTTP/1.1 200 OK\r\nA: b\r\n",
    "bad-version": b"HTTP/2.0 200 OK\r\nA: b\r\n\r\n",
    "bad-status": b"HTTP/1.1 2x0 OK\r\n\r\n",
    "reason-spaces": b"HTTP/1.1 404    Not   Found   \r\nContent-Length: 0\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(_HEADS))
def test_each_rule_of_the_email_parser_is_kept(name: str) -> None:
    _assert_same(_HEADS[name])
    _assert_same(_HEADS[name], method="HEAD")


def test_a_plain_head_skips_the_email_parser() -> None:
    response = _Response(_FakeSocket(_HEADS["repeated"]), method="GET")  # type: ignore[arg-type]
    response.begin()
    assert response.plain_items == [
        ("Set-Cookie", "a=1"),
        ("set-cookie", "b=2"),
        ("Content-Length", "0"),
    ]
    folded = _Response(_FakeSocket(_HEADS["folded"]), method="GET")  # type: ignore[arg-type]
    folded.begin()
    assert folded.plain_items is None


_PIECES = [
    b"Content-Type: application/json",
    b"Content-Type: multipart/form-data; boundary=x",
    b"Content-Length: 3",
    b"Content-Length: -1",
    b"Transfer-Encoding: chunked",
    b"Connection: close",
    b"Connection: keep-alive",
    b"Keep-Alive: 5",
    b"Set-Cookie: a=b; Path=/",
    b"X-Weird: \xff\x85\x0c",
    b"X-Trailing:  x \t",
    b"X-Empty:",
    b"From here",
    b"From: there",
    b" continued",
    b"\tcontinued",
    b"no colon here",
    b": no name",
    b"X-CR: a\rb",
    b"Name With Space: v",
    b"x!#$%&'*+-.^_`|~9: v",
]


def test_random_heads_agree_with_http_client() -> None:
    rng = random.Random(20261122)
    for _ in range(3000):
        version = rng.choice([b"HTTP/1.1", b"HTTP/1.0"])
        status = rng.choice([b"200 OK", b"204 No Content", b"404 Not Found", b"301 Moved"])
        end = rng.choice([b"\r\n", b"\n"])
        lines = [rng.choice(_PIECES) for _ in range(rng.randint(0, 6))]
        data = version + b" " + status + b"\r\n" + b"".join(line + end for line in lines)
        data += rng.choice([b"\r\n", b"\n", b""]) + rng.choice([b"", b"abc", b"0\r\n\r\n"])
        _assert_same(data, method=rng.choice(["GET", "HEAD"]))
