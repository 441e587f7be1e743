"""Which operations page: Link headers, the extension on an operation or the document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from forgegen.diagnostics import Diagnostics
from forgegen.ir import Operation
from forgegen.lower import lower
from forgegen.parse import parse_spec


def _spec(extension: Any = None, *, root: Any = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": "list_things",
        "parameters": [{"name": "after", "in": "query", "schema": {"type": "string"}}],
        "responses": {
            "200": {
                "description": "ok",
                "headers": {"Link": {"schema": {"type": "string"}}},
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Things"}}
                },
            }
        },
    }
    if extension is not None:
        operation["x-forgegen-pagination"] = extension
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {"/things": {"get": operation}},
        "components": {
            "schemas": {
                "Thing": {"type": "object", "properties": {"id": {"type": "string"}}},
                # a named array: the operation's type is the alias, not list[...]
                "Things": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
            }
        },
    }
    if root is not None:
        document["x-forgegen-pagination"] = root
    return document


def _lowered(tmp_path: Path, document: dict[str, Any]) -> tuple[Operation, list[str]]:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    parsed = parse_spec(path)
    diagnostics = Diagnostics()
    api = lower(parsed.openapi, parsed.document, package_name="t", diagnostics=diagnostics)
    return api.tags[0].operations[0], [str(w) for w in diagnostics.warnings]


def test_a_link_header_on_a_named_array_response_pages(tmp_path: Path) -> None:
    operation, _ = _lowered(tmp_path, _spec())
    assert operation.pagination is not None
    assert operation.pagination.style == "link"
    assert operation.pagination.item_type.annotation == "Thing"


@pytest.mark.parametrize(
    ("extension", "message"),
    [
        ("cursor", "must be a mapping"),
        ({"style": "sideways"}, "style must be one of link, cursor, offset, page"),
        ({"style": "cursor", "cursor_param": 7}, "cursor_param must be a string"),
        ({"style": "cursor", "cursor_param": "nope", "next_cursor": "/n"}, "'nope' is not a"),
        ({"style": "cursor", "cursor_param": "after"}, "needs next_cursor or cursor_item_field"),
    ],
)
def test_a_malformed_operation_extension_is_a_located_warning_and_no_paging(
    tmp_path: Path, extension: Any, message: str
) -> None:
    operation, warnings = _lowered(tmp_path, _spec(extension))
    assert operation.pagination is None  # the operation's own word wins over the Link header
    found = [w for w in warnings if "x-forgegen-pagination" in w]
    assert len(found) == 1
    assert message in found[0]
    assert "#/paths/~1things/get/x-forgegen-pagination" in found[0]


def test_a_document_rule_that_does_not_fit_is_silent_and_the_link_header_still_counts(
    tmp_path: Path,
) -> None:
    rule = {"style": "offset", "offset_param": "offset"}  # no such parameter here
    operation, warnings = _lowered(tmp_path, _spec(root=rule))
    assert not [w for w in warnings if "x-forgegen-pagination" in w]
    assert operation.pagination is not None
    assert operation.pagination.style == "link"
