"""Pointer -> line for JSON: the walk down one path agrees with the full map."""

from __future__ import annotations

import json

import pytest
from forgegen.positions import LineMap, _json_lines, _json_walk, parent_pointer

from tests.support.corpus import CORPUS

DOCUMENT = {
    "openapi": "3.1.0",
    "paths": {
        "/a/{id}": {"get": {"responses": {"200": {"description": "ok"}}}},
        "/b~c": {"post": {"parameters": [{"name": "x"}, {"name": "y", "in": "query"}]}},
    },
    "components": {
        "schemas": {
            "caf\u00e9": {"type": "object", "properties": {'q"uote': {"type": "string"}}},
            "esc\\aped": {"enum": [1, [2, 3], {"k": "v"}]},
        }
    },
}


def _expected(lines: dict[str, int], pointer: str) -> int | None:
    current: str | None = pointer
    while current is not None:
        if current in lines:
            return lines[current]
        current = parent_pointer(current)
    return None


@pytest.mark.parametrize("indent", [None, 2])
def test_walk_agrees_with_the_full_map(indent: int | None) -> None:
    text = json.dumps(DOCUMENT, indent=indent, ensure_ascii=indent is None)
    lines = _json_lines(text)
    extra = [
        "#/paths/~1a~1{id}/get/responses/404",
        "#/paths/~1b~0c/post/parameters/7",
        "#/components/schemas/esc\\aped/enum/1/0",
        "#/components/schemas/esc\\aped/enum/2/k",
        "#/nothing/here",
    ]
    for pointer in [*lines, *extra]:
        assert _json_walk(text, pointer) == _expected(lines, pointer), pointer


def test_line_map_walks_first_then_builds_the_map() -> None:
    text = json.dumps(DOCUMENT, indent=2)
    line_map = LineMap(text, is_json=True)
    pointers = list(_json_lines(text))
    answers = [line_map.line_of(pointer) for pointer in pointers]
    assert answers == [_json_lines(text)[pointer] for pointer in pointers]
    assert len(pointers) > LineMap.WALKS  # both ways were used


def test_walk_on_github_agrees_with_the_full_map() -> None:
    spec = CORPUS / "github-api.github.com.3.0.json"
    text = spec.read_text(encoding="utf-8")
    lines = _json_lines(text)
    for pointer in list(lines)[::997]:
        assert _json_walk(text, pointer) == lines[pointer], pointer
