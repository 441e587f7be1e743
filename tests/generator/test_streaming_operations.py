"""Operations whose success response offers ``text/event-stream``: ``.stream(...)``.

A chat-completion-like operation declares JSON and an event stream for its
200; the generated client keeps the plain JSON call and adds ``stream()`` /
``astream()`` (bound as ``client.chat.create_chat_completion.stream(...)``)
that ask for ``text/event-stream``, set the body's ``stream`` flag, validate
each event's data as the declared model and stop at ``[DONE]``.  Everything
runs against the raw-socket streaming server over loopback, so what is
checked is what went over the wire.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from forgegen.diagnostics import Diagnostics
from forgegen.lower import lower
from forgegen.parse import parse_spec
from forgegen.pipeline import generate

from tests.runtime.stream_support import Seen, StreamServer, Wire

PACKAGE = "chatstream"

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Chat", "version": "1"},
    "paths": {
        "/chat/completions": {
            "post": {
                "operationId": "createChatCompletion",
                "tags": ["chat"],
                # a token is sent when given; anonymous calls are allowed too
                "security": [{"bearer": []}, {}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ChatRequest"}}
                    },
                },
                "responses": {
                    "200": {
                        "description": "the completion, or its chunks as events",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ChatCompletion"}
                            },
                            "text/event-stream": {
                                "schema": {"$ref": "#/components/schemas/ChatChunk"}
                            },
                        },
                    },
                    "429": {
                        "description": "slow down",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                },
            }
        },
        "/audio/transcriptions": {
            "post": {
                "operationId": "createTranscription",
                "tags": ["audio"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "stream": {"type": "boolean"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "the transcript as text deltas",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/events": {
            "get": {
                "operationId": "watchEvents",
                "tags": ["chat"],
                "deprecated": True,
                "responses": {
                    "200": {
                        "description": "events only, 3.2 style",
                        "content": {
                            "text/event-stream": {
                                "itemSchema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/Started"},
                                        {"$ref": "#/components/schemas/Finished"},
                                    ]
                                }
                            }
                        },
                    }
                },
            }
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "ChatRequest": {
                "type": "object",
                "required": ["model"],
                "properties": {"model": {"type": "string"}, "stream": {"type": "boolean"}},
            },
            "ChatCompletion": {
                "type": "object",
                "required": ["id", "text"],
                "properties": {"id": {"type": "string"}, "text": {"type": "string"}},
            },
            "ChatChunk": {
                "type": "object",
                "required": ["id", "delta"],
                "properties": {
                    "id": {"type": "string"},
                    "delta": {"type": "string"},
                    "index": {"type": "integer"},
                },
            },
            "Error": {
                "type": "object",
                "required": ["message"],
                "properties": {"message": {"type": "string"}},
            },
            "Started": {
                "type": "object",
                "required": ["kind", "at"],
                "properties": {"kind": {"const": "started"}, "at": {"type": "integer"}},
            },
            "Finished": {
                "type": "object",
                "required": ["kind", "tokens"],
                "properties": {"kind": {"const": "finished"}, "tokens": {"type": "integer"}},
            },
        },
    },
}

CHUNKS = [
    b'data: {"id": "c1", "delta": "Hel", "index": 0}\n\n',
    b'data: {"id": "c1", "delta": "lo"}\n\n',
    b"data: [DONE]\n\n",
    # after the sentinel: never read as an event
    b'data: {"id": "late", "delta": "!"}\n\n',
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("streaming")
    spec_path = where / "chat.json"
    spec_path.write_text(json.dumps(SPEC), encoding="utf-8")
    result = generate(spec_path, where / PACKAGE, quiet=True, use_cache=False)
    assert result.warnings == []
    return where


@pytest.fixture(scope="module")
def chat(generated: Path) -> Iterator[ModuleType]:
    sys.path.insert(0, str(generated))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(generated))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def server() -> Iterator[StreamServer]:
    with StreamServer() as running:
        yield running


def test_the_readme_says_what_stream_does_and_that_it_sets_the_flag(generated: Path) -> None:
    """A user reads there that ``.stream`` exists, what it yields and that it sends the flag."""
    readme = (generated / PACKAGE / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Streaming", 1)[1].split("\n## ", 1)[0]
    assert "`client.chat.create_chat_completion.stream(body=...)` yields `ChatChunk`" in section
    assert 'sets `"stream": true`' in section
    assert "`client.chat.watch_events.stream()` yields `Started | Finished`\n" in section
    assert "`[DONE]`" in section


def _chat_route(server: StreamServer) -> None:
    """JSON for a plain request, events for one that asks for them (as OpenAI answers)."""

    def answer(wire: Wire, seen: Seen) -> None:
        if json.loads(seen.body).get("stream"):
            wire.sse(CHUNKS)
        else:
            body = json.dumps({"id": "c1", "text": "Hello"}).encode()
            wire.reply(200, body, {"Content-Type": "application/json"})

    server.route("/chat/completions", answer)


def test_the_plain_call_still_parses_json_and_leaves_the_flag_alone(
    chat: ModuleType, server: StreamServer
) -> None:
    """Adding the stream must not change the JSON call: its Accept, its body, its result."""
    from chatstream.models import ChatCompletion, ChatRequest

    _chat_route(server)
    with chat.Client(base_url=server.url) as client:
        completion = client.chat.create_chat_completion(body=ChatRequest(model="m"))
    assert isinstance(completion, ChatCompletion)
    assert completion.text == "Hello"
    seen = server.requests[0]
    assert seen.headers["accept"] == "application/json"
    assert json.loads(seen.body) == {"model": "m"}


def test_stream_yields_typed_chunks_until_done(chat: ModuleType, server: StreamServer) -> None:
    """``.stream`` asks for events, sets ``stream: true`` and stops at ``[DONE]``."""
    from chatstream.models import ChatChunk, ChatRequest

    _chat_route(server)
    client = chat.Client(base_url=server.url)
    with (
        client,
        client.chat.create_chat_completion.stream(
            body=ChatRequest(model="m", stream=False)
        ) as events,
    ):
        chunks = list(events)
    assert all(isinstance(chunk, ChatChunk) for chunk in chunks)
    assert [(c.id, c.delta, c.index) for c in chunks] == [("c1", "Hel", 0), ("c1", "lo", None)]
    seen = server.requests[0]
    assert seen.headers["accept"] == "text/event-stream"
    # the caller's stream=False is overridden: a streamed call must ask for a stream
    assert json.loads(seen.body) == {"model": "m", "stream": True}
    assert "authorization" not in seen.headers


def test_stream_sends_the_credentials_the_operation_selects(
    chat: ModuleType, server: StreamServer
) -> None:
    """The stream goes through the client's per-operation auth, as the plain call does."""
    from chatstream.models import ChatRequest

    _chat_route(server)
    client = chat.Client(base_url=server.url, token="secret-token")
    with client, client.chat.create_chat_completion.stream(body=ChatRequest(model="m")) as events:
        assert len(list(events)) == 2
    assert server.requests[0].headers["authorization"] == "Bearer secret-token"


def test_an_error_status_before_the_stream_raises_the_declared_error(
    chat: ModuleType, server: StreamServer
) -> None:
    """A 429 answered instead of events is the operation's own error class, body parsed."""
    from chatstream.api.chat.create_chat_completion import CreateChatCompletionTooManyRequestsError
    from chatstream.models import ChatRequest, Error

    body = json.dumps({"message": "slow down"}).encode()
    server.route(
        "/chat/completions",
        lambda wire, seen: wire.reply(429, body, {"Content-Type": "application/json"}),
    )
    client = chat.Client(base_url=server.url)
    with client, pytest.raises(CreateChatCompletionTooManyRequestsError) as caught:
        client.chat.create_chat_completion.stream(body=ChatRequest(model="m"))
    assert caught.value.status_code == 429
    assert isinstance(caught.value.parsed, Error)
    assert caught.value.parsed.message == "slow down"
    assert isinstance(caught.value, chat.RateLimitError)


def test_an_item_schema_union_is_validated_per_event(
    chat: ModuleType, server: StreamServer
) -> None:
    """An events-only operation with a 3.2 ``itemSchema`` union yields each event's member."""
    from chatstream.models import Finished, Started

    server.route(
        "/events",
        lambda wire, seen: wire.sse(
            [
                b'data: {"kind": "started", "at": 5}\n\n',
                b'data: {"kind": "finished", "tokens": 9}\n\n',
            ]
        ),
    )
    client = chat.Client(base_url=server.url)
    # deprecated, as the plain call says too
    with pytest.warns(DeprecationWarning, match="watch_events is deprecated"):
        events = client.chat.watch_events.stream()
    with client, events:
        received = list(events)
    assert isinstance(received[0], Started)
    assert received[0].at == 5
    assert isinstance(received[1], Finished)
    assert received[1].tokens == 9
    assert server.requests[0].headers["accept"] == "text/event-stream"


def test_a_multipart_body_with_its_file_is_streamed(chat: ModuleType, server: StreamServer) -> None:
    """The upload's file part reaches the server, with the ``stream`` form field set.

    A string event schema yields each event's text as sent.
    """
    from chatstream.models import CreateTranscriptionBody

    server.route("/audio/transcriptions", lambda wire, seen: wire.sse([b"data: hel\n\n"]))
    client = chat.Client(base_url=server.url)
    body = CreateTranscriptionBody(file=b"RIFF-audio")  # the caller leaves stream unset
    with client, client.audio.create_transcription.stream(body=body) as events:
        assert list(events) == ["hel"]
    seen = server.requests[0]
    assert seen.headers["content-type"].startswith("multipart/form-data")
    assert b"RIFF-audio" in seen.body
    field = seen.body.split(b'name="stream"', 1)[1].split(b"\r\n--", 1)[0]
    assert field.strip() == b"true"


def test_a_stream_refused_until_the_retries_run_out_raises_the_status_error(
    chat: ModuleType, server: StreamServer
) -> None:
    """Retries exhausted on a 503: the operation's error for that status, as ``sync()`` gives.

    Not the runtime's ``MaxRetryException``: a caller catching the client's
    errors must not need to know the call was streamed.
    """
    from chatstream._runtime import HttpClient, HttpClientConfigBuilder  # the vendored copy

    server.route("/events", lambda wire, seen: wire.reply(503, b"busy"))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_retry(1, base_delay=0.0, jitter=False)
        .build()
    )
    client = chat.Client(http_client=HttpClient(config))
    deprecated = pytest.warns(DeprecationWarning, match="deprecated")
    with client, pytest.raises(chat.ServerError) as caught, deprecated:
        client.chat.watch_events.stream()
    assert caught.value.status_code == 503
    assert caught.value.content == b"busy"
    assert len(server.requests) == 2


def test_astream_yields_the_same_typed_chunks_and_errors(
    chat: ModuleType, server: StreamServer
) -> None:
    """The async twin: ``await ....stream(...)``, ``async for``, the same error class."""
    from chatstream.api.chat.create_chat_completion import CreateChatCompletionTooManyRequestsError
    from chatstream.models import ChatChunk, ChatRequest

    async def run() -> list[ChatChunk]:
        async with chat.AsyncClient(base_url=server.url) as client:
            events = await client.chat.create_chat_completion.stream(body=ChatRequest(model="m"))
            async with events:
                chunks = [chunk async for chunk in events]
            with pytest.raises(CreateChatCompletionTooManyRequestsError):
                await client.chat.create_chat_completion.stream(body=ChatRequest(model="m"))
        return chunks

    body = json.dumps({"message": "slow down"}).encode()
    server.route(
        "/chat/completions",
        lambda wire, seen: wire.sse(CHUNKS),
        lambda wire, seen: wire.reply(429, body, {"Content-Type": "application/json"}),
    )
    chunks = asyncio.run(run())
    assert [(c.id, c.delta) for c in chunks] == [("c1", "Hel"), ("c1", "lo")]
    assert all(isinstance(chunk, ChatChunk) for chunk in chunks)
    assert server.requests[0].headers["accept"] == "text/event-stream"
    assert json.loads(server.requests[0].body) == {"model": "m", "stream": True}


USER_CODE = """\
from chatstream import AsyncClient, Client
from chatstream.models import ChatChunk, ChatRequest


def collect(client: Client) -> str:
    text = ""
    with client.chat.create_chat_completion.stream(body=ChatRequest(model="m")) as events:
        for chunk in events:
            text += chunk.delta
            index: int | None = chunk.index
    return text


async def acollect(client: AsyncClient) -> list[ChatChunk]:
    events = await client.chat.create_chat_completion.stream(body=ChatRequest(model="m"))
    return [chunk async for chunk in events]


def mistakes(client: Client) -> None:
    for chunk in client.chat.create_chat_completion.stream(body=ChatRequest(model="m")):
        chunk.text  # MISTAKE
    client.chat.create_chat_completion.stream(body=ChatRequest(model="m"), nope=1)  # MISTAKE
"""


def test_the_stream_type_checks_under_mypy_strict(generated: Path, tmp_path: Path) -> None:
    """Events are typed as the event model: its attributes check, a wrong one does not.

    Errors are expected exactly on the lines marked MISTAKE; mypy follows the
    imports, so the generated modules are held to ``--strict`` too (the
    vendored runtime is judged by its own checks and left out).
    """
    source = textwrap.dedent(USER_CODE)
    script = generated / "use_stream.py"
    script.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "mypy"),
            str(script),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=generated,
    )
    expected = {
        number for number, line in enumerate(source.splitlines(), start=1) if "# MISTAKE" in line
    }
    errors = [
        line
        for line in result.stdout.splitlines()
        if ": error:" in line and not line.startswith(f"{PACKAGE}/_runtime/")
    ]
    assert all(line.startswith("use_stream.py:") for line in errors), result.stdout
    reported = {int(line.split(":")[1]) for line in errors}
    assert reported == expected, result.stdout + result.stderr
    assert len(expected) == 2


def _warnings(tmp_path: Path, document: dict[str, Any]) -> list[str]:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    parsed = parse_spec(path)
    diagnostics = Diagnostics()
    lower(parsed.openapi, parsed.document, package_name="t", diagnostics=diagnostics)
    return [f"{w.pointer}: {w.message}" for w in diagnostics.warnings]


def _one_response(content: dict[str, Any], status: str = "200") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {"/x": {"get": {"responses": {status: {"description": "d", "content": content}}}}},
    }


def test_an_unsupported_media_type_warns_with_its_pointer(tmp_path: Path) -> None:
    """``application/xml`` alone is returned as bytes, and the warning names where it is."""
    document = _one_response({"application/xml": {"schema": {"type": "string"}}})
    assert _warnings(tmp_path, document) == [
        "#/paths/~1x/get/responses/200/content/application~1xml: response content type "
        "'application/xml' is not supported; returned as bytes"
    ]


def test_an_alternative_with_another_schema_is_named_not_dropped(tmp_path: Path) -> None:
    """A media type the client never asks for, carrying different data, is a warning.

    The same schema in another encoding (XML beside JSON, as the petstore
    declares) loses nothing and stays quiet; an event stream on an error
    response cannot be streamed and is named.
    """
    same = {"$ref": "#/components/schemas/T"}
    document = _one_response(
        {
            "application/json": {"schema": same},
            "application/xml": {"schema": same},
            "text/csv": {"schema": {"type": "string"}},
        }
    )
    document["components"] = {"schemas": {"T": {"type": "object"}}}
    document["paths"]["/x"]["get"]["responses"]["500"] = {
        "description": "e",
        "content": {"application/json": {}, "text/event-stream": {}},
    }
    assert _warnings(tmp_path, document) == [
        "#/paths/~1x/get/responses/200/content/text~1csv: response content type 'text/csv' "
        "is not used: the client asks for 'application/json' only",
        "#/paths/~1x/get/responses/500/content/text~1event-stream: response content type "
        "'text/event-stream' is not used: only a success response streams; the client asks "
        "for 'application/json' only",
    ]


def _lowered_operation(tmp_path: Path, document: dict[str, Any]) -> Any:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    parsed = parse_spec(path)
    diagnostics = Diagnostics()
    api = lower(parsed.openapi, parsed.document, package_name="t", diagnostics=diagnostics)
    assert diagnostics.warnings == []
    return api.tags[0].operations[0]


@pytest.mark.parametrize(
    ("media", "annotation", "parse"),
    [
        ({}, "str", "text"),  # no schema: the data as sent
        ({"schema": {"type": "string"}}, "str", "text"),
        ({"schema": {"type": "array", "items": {"type": "integer"}}}, "list[int]", "adapter"),
        (
            {"schema": {"type": "object", "properties": {"n": {"type": "integer"}}}},
            "GetXResponse200Event",
            "model",
        ),
    ],
)
def test_the_event_type_follows_the_event_stream_schema(
    tmp_path: Path, media: dict[str, Any], annotation: str, parse: str
) -> None:
    """A string (or no) schema yields the text; others are validated, inline objects named."""
    operation = _lowered_operation(tmp_path, _one_response({"text/event-stream": media}))
    (stream,) = operation.event_streams
    assert (stream.type.annotation, stream.parse) == (annotation, parse)
    # alone, the event stream is also the plain call's text
    assert (operation.responses[0].parse, operation.responses[0].content_type) == (
        "text",
        "text/event-stream",
    )


def test_the_stream_flag_is_found_through_refs_and_all_of(tmp_path: Path) -> None:
    """``stream: boolean`` inherited from an ``allOf`` part still switches streaming on."""
    document = _one_response({"application/json": {}, "text/event-stream": {}})
    operation_node = document["paths"]["/x"].pop("get")
    operation_node["requestBody"] = {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}
    }
    document["paths"]["/x"]["post"] = operation_node
    document["components"] = {
        "schemas": {
            "Req": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object"}]},
            "Base": {"type": "object", "properties": {"stream": {"type": ["boolean", "null"]}}},
        }
    }
    assert _lowered_operation(tmp_path, document).stream_flag == "stream"
    base = document["components"]["schemas"]["Base"]
    base["properties"]["stream"] = {"type": "string"}  # not a switch: left alone
    assert _lowered_operation(tmp_path, document).stream_flag is None
