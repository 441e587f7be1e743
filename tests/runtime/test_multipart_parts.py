"""Every multipart file part arrives with a Content-Type (RFC 7578), over a real socket."""

from __future__ import annotations

import io
from email import message_from_bytes
from email.message import Message

from requestforge import HttpClient, HttpClientConfigBuilder, HttpMethod, HttpRequest
from requestforge.encoding import multipart_body

from tests.support.server import LoopbackServer, Reply


def _parts(content_type: str, body: bytes) -> dict[str, Message]:
    message = message_from_bytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    parts: dict[str, Message] = {}
    for part in message.get_payload():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        assert isinstance(name, str)
        parts[name] = part
    return parts


def test_file_parts_are_labelled_and_text_parts_are_not(server: LoopbackServer) -> None:
    server.route("POST", "/upload", Reply.json({}))
    photo = io.BytesIO(b"\x89PNG")
    photo.name = "/tmp/holiday.png"
    data, files = multipart_body(
        {
            "raw": b"\x00\x01",
            "named": ("notes.txt", b"hello"),
            "explicit": ("data.bin", b"x", "application/x-custom"),
            "photo": photo,
            "title": "summer",
        }
    )
    config = HttpClientConfigBuilder().with_base_url(server.url).with_no_retry().build()
    with HttpClient(config) as client:
        client.execute(HttpRequest(HttpMethod.POST, "/upload", data=data, files=files))
    request = server.requests[0]
    parts = _parts(request.header("Content-Type") or "", request.body)
    assert parts["raw"].get_content_type() == "application/octet-stream"
    assert parts["raw"].get_filename() == "raw"
    assert parts["named"].get_content_type() == "text/plain"
    assert parts["explicit"].get_content_type() == "application/x-custom"
    assert parts["photo"].get_content_type() == "image/png"
    assert parts["photo"].get_filename() == "holiday.png"
    assert parts["title"].get("Content-Type") is None
    assert parts["title"].get_payload() == "summer"
