"""A success body that drifts from its schema still answers the call, typed where it can be.

A client is generated from a small spec, imported, and called over loopback
against a server that answers what real servers do: ``null`` in a required
string, a string where an integer is declared, fields the spec never named, a
list with one bad item, drift inside a nested model.  By default the call
returns the typed model (what validates is converted, what does not keeps its
JSON value), logs one warning per operation and field, and records the
deviations on the raw response; ``strict_responses`` (or the environment)
raises pydantic's ``ValidationError`` as before.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tests.support.real_servers import GeneratedClient, generate_client
from tests.support.server import LoopbackServer, RecordedRequest, Reply

CONTENTS = {
    "type": "object",
    "required": ["name", "path", "size", "created"],
    "properties": {
        "name": {"type": "string"},
        "path": {"type": "string"},
        "size": {"type": "integer"},
        "created": {"type": "string", "format": "date"},
        "owner": {"$ref": "#/components/schemas/Owner"},
        "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
    },
}


def _get(operation_id: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "tags": ["contents"],
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}
            },
        }
    }


ONE = {"$ref": "#/components/schemas/Contents"}
SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Drift", "version": "1"},
    "paths": {
        "/contents": _get("get_contents", ONE),
        "/logged": _get("get_logged", ONE),
        "/listing": _get("list_contents", {"type": "array", "items": ONE}),
        "/pages": {
            "get": {
                "operationId": "page_contents",
                "tags": ["contents"],
                "responses": {
                    "200": {
                        "description": "one page; the next is in the Link header",
                        "headers": {"Link": {"schema": {"type": "string"}}},
                        "content": {
                            "application/json": {"schema": {"type": "array", "items": ONE}}
                        },
                    }
                },
            }
        },
        "/upload": {
            "put": {
                "operationId": "put_contents",
                "tags": ["contents"],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ONE}},
                },
                "responses": {"204": {"description": "stored"}},
            }
        },
    },
    "components": {
        "schemas": {
            "Contents": CONTENTS,
            "Owner": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
            },
            "Tag": {
                "type": "object",
                "required": ["label"],
                "properties": {"label": {"type": "string"}},
            },
        }
    },
}


def conforming(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "a.txt",
        "path": "dir/a.txt",
        "size": 3,
        "created": "2024-01-02",
        "owner": {"name": "ann", "age": 41},
        "tags": [{"label": "x"}, {"label": "y"}],
    }
    body.update(changes)
    return body


#: Every kind of drift at once: what the typed result and the deviations must show.
DRIFTING = conforming(
    name=None,  # null in a required string
    size="three",  # a string where an integer is declared
    surplus={"not": "declared"},  # a field the spec never named
    owner={"name": 7, "age": 41},  # drift inside a nested model
    tags=[{"label": "x"}, {"label": None}],  # a list with one bad item
)
DRIFTED_AT = ["/name", "/size", "/owner/name", "/tags/1/label"]


@pytest.fixture(scope="module")
def drift(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GeneratedClient]:
    generated = generate_client(
        json.dumps(SPEC).encode(), "drift.json", tmp_path_factory.mktemp("drift"), "drift_client"
    )
    try:
        yield generated
    finally:
        generated.unload()


@pytest.fixture(autouse=True)
def tolerant_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the environment running the tests says, each test starts from the default."""
    monkeypatch.delenv("REQUESTFORGE_STRICT_RESPONSES", raising=False)


def test_a_conforming_body_parses_exactly_as_strict_validation_would(
    drift: GeneratedClient, server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.route("GET", "/contents", Reply.json(conforming()))
    with drift.Client(base_url=server.url) as client:
        detailed = client.contents.get_contents.with_raw_response()
    expected = drift.models.Contents.model_validate_json(json.dumps(conforming()))
    assert detailed.parsed == expected
    assert detailed.parsed.created == date(2024, 1, 2)
    assert detailed.deviations == ()
    assert detailed.raw.deviations == ()
    assert not [r for r in caplog.records if r.name == "requestforge.responses"]


def test_a_drifting_body_is_typed_where_it_validates_and_raw_where_it_does_not(
    drift: GeneratedClient, server: LoopbackServer
) -> None:
    server.route("GET", "/contents", Reply.json(DRIFTING))
    models = drift.models
    with drift.Client(base_url=server.url) as client:
        detailed = client.contents.get_contents.with_raw_response()
    contents = detailed.parsed
    assert isinstance(contents, models.Contents)
    assert contents.path == "dir/a.txt"
    assert contents.created == date(2024, 1, 2)  # still converted
    assert contents.name is None  # the raw JSON values
    assert contents.size == "three"
    assert isinstance(contents.owner, models.Owner)
    assert contents.owner.name == 7
    assert contents.owner.age == 41
    assert [type(tag) for tag in contents.tags] == [models.Tag, models.Tag]
    assert contents.tags[0].label == "x"
    assert contents.tags[1].label is None
    assert not hasattr(contents, "surplus")  # an extra field is ignored, as it always was
    # where it drifted, on the raw response (and through the ApiResponse)
    assert [d.pointer for d in detailed.raw.deviations] == DRIFTED_AT
    assert detailed.deviations is detailed.raw.deviations
    assert "valid string" in detailed.raw.deviations[0].message
    assert "valid integer" in detailed.raw.deviations[1].message
    # dumped back, the drift included (pydantic warns of the values it did not type)
    assert contents.model_dump(mode="json", warnings=False)["size"] == "three"


def test_each_operation_and_field_warns_once_however_often_it_drifts(
    drift: GeneratedClient, server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="requestforge.responses")
    server.route("GET", "/logged", Reply.json(DRIFTING))
    server.route("GET", "/listing", Reply.json([DRIFTING, conforming(name=None)]))

    async def twice_async() -> None:
        async with drift.package.AsyncClient(base_url=server.url) as client:
            for _ in range(2):
                assert (await client.contents.get_logged()).size == "three"

    with drift.Client(base_url=server.url) as client:
        for _ in range(3):
            assert client.contents.get_logged().size == "three"
        asyncio.run(twice_async())
        operation = "drift_client.api.contents.get_logged"
        messages = [r.getMessage() for r in caplog.records if r.name == "requestforge.responses"]
        assert messages == [
            f"{operation}: the response does not match its schema at {field} "
            f"({reason}); kept the raw value"
            for field, reason in [
                ("/name", "Input should be a valid string"),
                ("/size", "Input should be a valid integer, unable to parse string as an integer"),
                ("/owner/name", "Input should be a valid string"),
                ("/tags/*/label", "Input should be a valid string"),
            ]
        ]
        assert "three" not in " ".join(messages)  # never the value: it may be personal data
        caplog.clear()
        # another operation is another set of warnings; list indexes fold into one field
        for _ in range(2):
            listing = client.contents.list_contents.with_raw_response()
    assert [type(item) for item in listing.parsed] == [drift.models.Contents] * 2
    assert listing.parsed[1].name is None
    assert listing.parsed[1].size == 3
    assert [d.pointer for d in listing.deviations] == [
        *(f"/0{pointer}" for pointer in DRIFTED_AT),
        "/1/name",
    ]
    fields = [r.getMessage().split(" at ")[1].split(" (")[0] for r in caplog.records]
    assert fields == ["/*/name", "/*/size", "/*/owner/name", "/*/tags/*/label"]


def test_a_list_with_one_bad_item_keeps_the_good_items_typed(
    drift: GeneratedClient, server: LoopbackServer
) -> None:
    server.route("GET", "/listing", Reply.json([conforming(), conforming(size=None), conforming()]))
    with drift.Client(base_url=server.url) as client:
        detailed = client.contents.list_contents.with_raw_response()
    assert [item.size for item in detailed.parsed] == [3, None, 3]
    assert all(isinstance(item, drift.models.Contents) for item in detailed.parsed)
    assert [d.pointer for d in detailed.deviations] == ["/1/size"]


def test_iterating_pages_salvages_each_page_unless_the_client_is_strict(
    drift: GeneratedClient, server: LoopbackServer
) -> None:
    def page(request: RecordedRequest) -> Reply:
        if request.query.get("page") == ["2"]:
            return Reply.json([conforming(path="p2")])
        link = f'<{server.url}/pages?page=2>; rel="next"'
        return Reply.json([conforming(path="p1", size="big")], headers={"Link": link})

    server.route("GET", "/pages", page)
    with drift.Client(base_url=server.url) as client:
        items = list(client.contents.page_contents.iterate())
    assert [(item.path, item.size) for item in items] == [("p1", "big"), ("p2", 3)]
    assert all(isinstance(item, drift.models.Contents) for item in items)
    with drift.Client(base_url=server.url, strict_responses=True) as strict:
        pages = strict.contents.page_contents.iterate()
        with pytest.raises(ValidationError):
            next(pages)


def test_strict_responses_raises_as_before(
    drift: GeneratedClient, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("GET", "/contents", Reply.json(DRIFTING))
    with (
        drift.Client(base_url=server.url, strict_responses=True) as client,
        pytest.raises(ValidationError),
    ):
        client.contents.get_contents()

    async def strict_async() -> None:
        async with drift.package.AsyncClient(base_url=server.url, strict_responses=True) as client:
            with pytest.raises(ValidationError):
                await client.contents.get_contents()

    asyncio.run(strict_async())
    # the environment sets the default; an explicit keyword still wins
    monkeypatch.setenv("REQUESTFORGE_STRICT_RESPONSES", "1")
    with drift.Client(base_url=server.url) as client:
        assert client.strict_responses is True
        with pytest.raises(ValidationError):
            client.contents.get_contents()
    with drift.Client(base_url=server.url, strict_responses=False) as client:
        assert client.contents.get_contents().size == "three"


def test_a_body_with_nothing_typed_to_give_still_raises(
    drift: GeneratedClient, server: LoopbackServer
) -> None:
    with drift.Client(base_url=server.url) as client:
        for body in (b'"just text"', b"<html>oops</html>", b"[1, 2]"):
            server.route("GET", "/contents", Reply(body=body))
            with pytest.raises(ValidationError):
                client.contents.get_contents()


def test_requests_are_still_validated_strictly(
    drift: GeneratedClient, server: LoopbackServer
) -> None:
    server.route("PUT", "/upload", Reply(status=204))
    with pytest.raises(ValidationError):
        drift.models.Contents.model_validate(DRIFTING)
    with drift.Client(base_url=server.url) as client:
        body = drift.models.Contents.model_validate(conforming())
        assert client.contents.put_contents(body=body) is None
    assert server.requests[0].json() == conforming()


def test_the_parser_alone_reads_the_environment(
    drift: GeneratedClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``parse_response`` called without a client: tolerant unless the environment says not."""
    operation = drift.operation("contents", "get_contents")
    response = drift.runtime().HttpResponse(200, None, json.dumps(DRIFTING).encode())
    assert operation.parse_response(response).size == "three"
    assert [d.pointer for d in response.deviations] == DRIFTED_AT
    monkeypatch.setenv("REQUESTFORGE_STRICT_RESPONSES", "true")
    with pytest.raises(ValidationError):
        operation.parse_response(drift.runtime().HttpResponse(200, None, response.content))
    assert operation.parse_response(response, strict=False).size == "three"
