"""``Args:`` of a generated method falls back to the schema's description, then its title."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.real_servers import GeneratedClient, generate_client
from tests.support.server import LoopbackServer, Reply

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Docs", "version": "1"},
    "paths": {
        "/items/{itemId}": {
            "put": {
                "operationId": "putItem",
                "tags": ["items"],
                "summary": "Replace an item",
                "parameters": [
                    {
                        "name": "itemId",
                        "in": "path",
                        "required": True,
                        "description": "Own words win",
                        "schema": {"type": "string", "description": "not this"},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "description": "At most   this many"},
                    },
                    {
                        "name": "mode",
                        "in": "query",
                        "description": "  ",
                        "schema": {"$ref": "#/components/schemas/Mode"},
                    },
                    {
                        "name": "trace",
                        "in": "header",
                        "schema": {"type": "string", "title": "", "description": ""},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                    },
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    }
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Mode": {"type": "string", "enum": ["fast", "slow"], "title": "Processing mode"},
            "Item": {
                "type": "object",
                "description": "An item of the\ncatalogue",
                "properties": {"name": {"type": "string"}},
            },
        }
    },
}


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GeneratedClient]:
    workdir: Path = tmp_path_factory.mktemp("docstrings")
    generated = generate_client(json.dumps(SPEC).encode(), "docs.json", workdir, "docs_fallback")
    try:
        yield generated
    finally:
        generated.unload()


EXPECTED_ARGS = """Args:
    item_id: Own words win
    limit: At most this many
    mode: Processing mode
    body: An item of the catalogue"""


def test_args_fall_back_to_the_schema_description_then_title(docs: GeneratedClient) -> None:
    operation = docs.operation("items", "put_item")
    for function in (operation.sync, operation.sync_detailed, operation.asyncio):
        doc = function.__doc__
        assert doc is not None
        assert doc.replace("\n    ", "\n").strip().endswith(EXPECTED_ARGS)
        assert "trace" not in doc  # nothing to say: no line at all
        assert "not this" not in doc


def test_the_documented_method_still_calls_the_server(
    docs: GeneratedClient, server: LoopbackServer
) -> None:
    server.route("PUT", "/items/a", Reply.json({"name": "b"}))
    with docs.Client(base_url=server.url) as client:
        bound = client.items.put_item
        assert bound.__doc__ is not None
        assert "mode: Processing mode" in bound.__doc__
        item = bound(item_id="a", mode=docs.models.Mode.FAST, body=docs.models.Item(name="b"))
    assert item.name == "b"
    assert server.requests[0].query == {"mode": ["fast"]}
