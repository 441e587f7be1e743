"""A name ``required`` lists without a schema in ``properties`` is a field that takes any value.

JSON Schema says such a key must be present and may hold anything.  Real
specs do this (GitHub's content-tree requires ``content``, Spotify's
PagingObject ``items``); a model made from ``properties`` alone dropped the
key as an extra one and accepted objects without it.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest
from forgegen.pipeline import generate
from pydantic import ValidationError

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            "Page": {
                "type": "object",
                "required": ["total", "items"],
                "properties": {"total": {"type": "integer"}},
            }
        }
    },
}


def test_the_required_name_is_a_required_field_of_any_value(tmp_path: Path) -> None:
    spec = tmp_path / "page.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    result = generate(spec, tmp_path / "out" / "paged", quiet=True, use_cache=False)
    assert [(w.pointer, w.message) for w in result.warnings if "required" in w.message] == [
        (
            "#/components/schemas/Page/required",
            "required property 'items' has no schema in 'properties'; any value is accepted",
        )
    ]
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        page_class = importlib.import_module("paged.models").Page
    finally:
        sys.path.remove(str(tmp_path / "out"))
    page = page_class.model_validate({"total": 2, "items": [{"id": 1}, None]})
    assert page.model_dump(mode="json", by_alias=True, exclude_unset=True) == {
        "total": 2,
        "items": [{"id": 1}, None],
    }
    assert page_class.model_validate_json('{"total": 0, "items": null}').items is None
    with pytest.raises(ValidationError, match="items"):
        page_class.model_validate({"total": 2})
