"""Specs nested deeper than anything real: each makes a package that imports, or names the place.

A hostile spec need not be deep JSON to be deep for the generator: a chain of
small components, each holding the next, is a chain of model modules that
Python imports by recursion.  These build each shape 200 levels deep (Python
gave up near 150 before the bounds) and check the user's view: generation ends
with a warning or error naming the pointer, and the generated package imports
in a fresh interpreter and validates a nested value.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from forgegen.diagnostics import SpecError
from forgegen.lower.import_depth import MAX_IMPORT_DEPTH
from forgegen.lower.nesting import MAX_ALL_OF_NESTING, MAX_SCHEMA_NESTING
from forgegen.pipeline import GenerationResult, generate

DEPTH = 200
STRING = {"type": "string"}


def _document(schemas: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ok = {"description": "ok", "content": {"application/json": {"schema": root}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "deep", "version": "1"},
        "paths": {"/x": {"get": {"operationId": "getX", "responses": {"200": ok}}}},
        "components": {"schemas": schemas},
    }


def _chain(link: str) -> dict[str, Any]:
    """``S0`` .. ``S199``, each holding the next through ``link``; ``S200`` is a plain model."""
    schemas: dict[str, Any] = {}
    for index in range(DEPTH):
        following = {"$ref": f"#/components/schemas/S{index + 1}"}
        if link == "property":
            schemas[f"S{index}"] = {
                "type": "object",
                "properties": {"next": following, "name": {"type": "string"}},
            }
        elif link == "items":
            schemas[f"S{index}"] = {"type": "array", "items": following}
        elif link == "map":
            schemas[f"S{index}"] = {"type": "object", "additionalProperties": following}
        else:
            schemas[f"S{index}"] = following
    schemas[f"S{DEPTH}"] = {"type": "object", "properties": {"end": {"type": "string"}}}
    return _document(schemas, {"$ref": "#/components/schemas/S0"})


def _generate(tmp_path: Path, document: dict[str, Any]) -> GenerationResult:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document))
    return generate(spec, tmp_path / "deep", quiet=True, use_cache=False)


def _imports(tmp_path: Path, code: str, module: str = "deep.models.s0") -> str:
    """Run ``code`` after ``import module as target``, in a fresh interpreter.

    ``deep.models.s0`` holds the head of every chain: importing it imports the whole chain.
    """
    program = f"import deep.api\nimport {module} as target\n" + code
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", program],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize("link", ["property", "items", "map"])
def test_a_long_chain_of_components_imports_and_is_cut_with_a_warning(
    tmp_path: Path, link: str
) -> None:
    result = _generate(tmp_path, _chain(link))
    cut = [w for w in result.warnings if "model modules deep" in w.message]
    assert cut, [w.message for w in result.warnings]
    assert all(w.pointer.startswith("#/components/schemas/S") for w in cut)
    # Every chain of imports left is at most the bound: one cut per bound's length.
    assert len(cut) == DEPTH // MAX_IMPORT_DEPTH
    _imports(tmp_path, "print(target.S0.__name__)")


def test_the_cut_chain_still_validates_nested_values(tmp_path: Path) -> None:
    _generate(tmp_path, _chain("property"))
    value = current = {}  # type: dict[str, Any]
    for index in range(DEPTH):
        current["name"] = f"n{index}"
        current["next"] = {}
        current = current["next"]
    code = (
        "import json, sys\n"
        f"value = target.S0.model_validate(json.loads({json.dumps(value)!r}))\n"
        "depth = 0\n"
        "node = value\n"
        "while hasattr(node, 'next') and node.next is not None:\n"
        "    node = node.next\n"
        "    depth += 1\n"
        "print(depth, value.name, type(node).__name__)\n"
    )
    depth, name, below_cut = _imports(tmp_path, code).split()
    assert name == "n0"
    # The chain is cut from its end, every MAX_IMPORT_DEPTH modules: typed
    # models down to the first cut, and below it the value stays plain JSON.
    assert int(depth) == DEPTH % MAX_IMPORT_DEPTH + 1
    assert below_cut == "dict"


def test_a_chain_of_plain_refs_resolves_to_its_end_without_a_cut(tmp_path: Path) -> None:
    result = _generate(tmp_path, _chain("ref"))
    assert not [w for w in result.warnings if "model modules deep" in w.message]
    source = (tmp_path / "deep" / "models" / "s0.py").read_text()
    assert f"S{DEPTH}" in source  # the alias names the chain's end directly
    _imports(tmp_path, "print(target.S0)")


def test_an_inline_schema_nested_past_the_bound_degrades_to_any(tmp_path: Path) -> None:
    inner: dict[str, Any] = {"type": "string"}
    for _ in range(DEPTH):
        inner = {"type": "object", "properties": {"child": inner}}
    result = _generate(tmp_path, _document({"Root": inner}, {"$ref": "#/components/schemas/Root"}))
    deep = [w for w in result.warnings if "nested deeper" in w.message]
    assert len(deep) == 1
    # The response's ``$ref`` to Root is the first of the levels counted.
    assert deep[0].pointer.count("/properties/child") == MAX_SCHEMA_NESTING + 1
    _imports(tmp_path, "print(target.Root)", "deep.models.root")


def test_inline_nesting_within_the_bound_keeps_every_type(tmp_path: Path) -> None:
    inner: dict[str, Any] = {"type": "string"}
    for _ in range(MAX_SCHEMA_NESTING - 2):
        inner = {"type": "object", "properties": {"child": inner}}
    result = _generate(tmp_path, _document({"Root": inner}, {"$ref": "#/components/schemas/Root"}))
    assert not [w for w in result.warnings if "nested deeper" in w.message]


def test_allof_inheritance_past_the_bound_is_an_error_naming_the_member(tmp_path: Path) -> None:
    schemas: dict[str, Any] = {}
    for index in range(DEPTH):
        schemas[f"S{index}"] = {
            "allOf": [
                {"$ref": f"#/components/schemas/S{index + 1}"},
                {"type": "object", "properties": {f"p{index}": {"type": "string"}}},
            ]
        }
    schemas[f"S{DEPTH}"] = {"type": "object", "properties": {"end": {"type": "string"}}}
    with pytest.raises(SpecError) as raised:
        _generate(tmp_path, _document(schemas, {"$ref": "#/components/schemas/S0"}))
    assert f"allOf nested deeper than {MAX_ALL_OF_NESTING} levels" in str(raised.value)
    assert raised.value.pointer is not None
    assert raised.value.pointer.endswith("/allOf/0")
    assert not (tmp_path / "deep").exists()


def test_a_diamond_of_allof_parents_merges_each_parent_once(tmp_path: Path) -> None:
    # Each level inherits the next level twice (through two parents): without
    # the shared merge cache the work doubles per level, 2**30 merges here.
    schemas: dict[str, Any] = {}
    levels = 30
    for index in range(levels):
        following = f"#/components/schemas/L{index + 1}"
        schemas[f"L{index}"] = {
            "allOf": [{"$ref": f"#/components/schemas/{side}{index}"} for side in "AB"]
        }
        for side in "AB":
            schemas[f"{side}{index}"] = {
                "allOf": [
                    {"$ref": following},
                    {"type": "object", "properties": {f"{side.lower()}{index}": STRING}},
                ]
            }
    schemas[f"L{levels}"] = {"type": "object", "properties": {"end": {"type": "string"}}}
    result = _generate(tmp_path, _document(schemas, {"$ref": "#/components/schemas/L0"}))
    source = (tmp_path / "deep" / "models" / "l0.py").read_text()
    for inherited in ("end", "a0", f"b{levels - 1}"):
        assert f"{inherited}:" in source
    assert result.files


def test_a_float_enum_with_an_integer_past_float_range_is_dropped_with_a_warning(
    tmp_path: Path,
) -> None:
    schema = {"type": "number", "enum": [1.5, 10**400]}
    document = _document({"Big": schema}, {"$ref": "#/components/schemas/Big"})
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document))
    result = generate(spec, tmp_path / "deep", quiet=True, use_cache=False)
    [warning] = [w for w in result.warnings if "too large for a float" in w.message]
    assert warning.pointer == "#/components/schemas/Big/enum/1"
    _imports(tmp_path, "print(target.Big)", "deep.models.big")


@pytest.mark.parametrize("status", ["²⁰⁰", "٢٠٠", "20", "2000", "ok"])
def test_a_response_key_that_is_not_a_status_is_ignored_with_a_warning(
    tmp_path: Path, status: str
) -> None:
    document = _document({}, {"type": "string"})
    responses = document["paths"]["/x"]["get"]["responses"]
    responses[status] = {"description": "odd"}
    result = _generate(tmp_path, document)
    [warning] = [w for w in result.warnings if "is not an HTTP status code" in w.message]
    assert warning.pointer.endswith("/responses/" + status)
    _imports(tmp_path, "print(target.Client().default.get_x)", "deep")
