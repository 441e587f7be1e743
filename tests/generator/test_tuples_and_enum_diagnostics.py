"""``prefixItems`` arrays become tuples that accept what the schema accepts; and the
diagnostics for arrays without ``items`` (3.0) and enums that repeat a value.

One 3.1 package is generated from a small spec and imported; payloads go
through ``model_validate`` and ``model_dump(mode="json")`` as responses and
request bodies do, and the package passes ``mypy --strict``.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from forgegen.diagnostics import Diagnostic
from forgegen.pipeline import generate
from pydantic import ValidationError

PACKAGE = "tuples_client"
SCHEMAS = "#/components/schemas"
PET_REF = {"$ref": f"{SCHEMAS}/Pet"}

TUPLES: dict[str, Any] = {
    "open": {
        "type": "array",
        "prefixItems": [PET_REF, {"type": "string"}],
        "items": {"type": "string"},
    },
    "fixed": {"type": "array", "prefixItems": [PET_REF, {"type": "string"}], "items": False},
    "short": {
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"type": "string"}],
        "items": False,
        "minItems": 1,
    },
    "bounded": {"prefixItems": [{"type": "integer"}, {"type": "integer"}], "maxItems": 2},
    "anyRest": {"type": "array", "prefixItems": [{"type": "integer"}]},
    "empty": {"type": "array", "items": False},
    "seeded": {
        "type": "array",
        "prefixItems": [PET_REF, {"type": "string"}],
        "items": False,
        "default": [{"name": "Rex"}, "x"],
    },
    "tooLong": {
        "type": "array",
        "prefixItems": [{"type": "integer"}],
        "items": False,
        "default": [1, 2],
    },
}


def _document(version: str, schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": "Tuples", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


DOCUMENT = _document(
    "3.1.0",
    {
        "Pet": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
        "Tuples": {"type": "object", "properties": TUPLES},
        "Untyped": {"type": "array"},
        "Repeats": {"type": "string", "enum": ["a", "b", "a", "b"]},
        "NullFirst": {"enum": [None, "x", "x"]},
    },
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Diagnostic]]]:
    root = tmp_path_factory.mktemp("tuples")
    spec = root / "spec.json"
    spec.write_text(json.dumps(DOCUMENT))
    result = generate(spec, root / PACKAGE, quiet=True, use_cache=False)
    sys.path.insert(0, str(root))
    try:
        yield root, result.warnings
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def models(generated: tuple[Path, list[Diagnostic]]) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.models")


def _round_trip(models: ModuleType, name: str, value: list[Any]) -> Any:
    parsed = models.Tuples.model_validate({name: value})
    dumped = parsed.model_dump(mode="json", by_alias=True, exclude_unset=True, warnings="error")
    assert dumped == {name: value}
    return getattr(parsed, {"anyRest": "any_rest"}.get(name, name))


def _rejects(models: ModuleType, name: str, value: list[Any]) -> None:
    with pytest.raises(ValidationError):
        models.Tuples.model_validate({name: value})


def test_a_prefix_with_a_typed_rest_accepts_the_prefix_and_any_number_of_rest_items(
    models: ModuleType,
) -> None:
    head = _round_trip(models, "open", [{"name": "Rex"}, "x"])
    assert isinstance(head[0], models.Pet)
    assert head[1] == "x"
    assert _round_trip(models, "open", [{"name": "Rex"}, "x", "y", "z"])[3] == "z"
    _rejects(models, "open", [{"name": "Rex"}, "x", 5])
    assert _round_trip(models, "anyRest", [1, "x", {"y": None}]) == (1, "x", {"y": None})


def test_items_false_closes_the_tuple(models: ModuleType) -> None:
    pet, text = _round_trip(models, "fixed", [{"name": "Rex"}, "x"])
    assert isinstance(pet, models.Pet)
    assert text == "x"
    _rejects(models, "fixed", [{"name": "Rex"}, "x", "y"])
    _rejects(models, "fixed", ["x", {"name": "Rex"}])
    assert _round_trip(models, "bounded", [1, 2]) == (1, 2)
    _rejects(models, "bounded", [1, 2, 3])
    assert _round_trip(models, "empty", []) == ()
    _rejects(models, "empty", [1])


def test_min_items_below_the_prefix_accepts_the_shorter_tuples(models: ModuleType) -> None:
    assert _round_trip(models, "short", [1]) == (1,)
    assert _round_trip(models, "short", [1, "a"]) == (1, "a")
    _rejects(models, "short", [])


def test_tuple_annotations(generated: tuple[Path, list[Diagnostic]]) -> None:
    source = (generated[0] / PACKAGE / "models" / "tuples.py").read_text()
    for line in (
        "open: tuple[Pet | str, ...] | None = None",
        "fixed: tuple[Pet, str] | None = None",
        "short: tuple[int, str] | tuple[int] | None = None",
        "bounded: tuple[int, int] | None = None",
        'any_rest: tuple[Any, ...] | None = Field(default=None, alias="anyRest")',
        "empty: tuple[()] | None = None",
    ):
        assert f"    {line}\n" in source, line


def test_tuple_defaults_are_tuples_and_checked_against_the_length(
    generated: tuple[Path, list[Diagnostic]], models: ModuleType
) -> None:
    first, second = models.Tuples(), models.Tuples()
    assert isinstance(first.seeded, tuple)
    assert isinstance(first.seeded[0], models.Pet)
    assert first.seeded[0] is not second.seeded[0]  # a model inside: built for each instance
    assert first.too_long is None
    warned = [
        w for w in generated[1] if w.pointer == f"{SCHEMAS}/Tuples/properties/tooLong/default"
    ]
    assert [w.message for w in warned] == ["default [1, 2] has 2 items; the tuple takes 1; dropped"]


def test_repeated_enum_values_are_warned_about_at_their_index(
    generated: tuple[Path, list[Diagnostic]], models: ModuleType
) -> None:
    repeated = {w.pointer: w.message for w in generated[1] if "is listed again" in w.message}
    again = "is listed again (first at index"
    assert repeated == {
        f"{SCHEMAS}/Repeats/enum/2": f"enum value 'a' {again} 0); kept once",
        f"{SCHEMAS}/Repeats/enum/3": f"enum value 'b' {again} 1); kept once",
        f"{SCHEMAS}/NullFirst/enum/2": f"enum value 'x' {again} 1); kept once",
    }
    assert [member.value for member in models.Repeats] == ["a", "b"]


def _warnings(tmp_path: Path, document: dict[str, Any]) -> list[Diagnostic]:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document))
    return generate(spec, tmp_path / "client", quiet=True, use_cache=False).warnings


def test_an_array_without_items_is_warned_about_in_a_3_0_document_only(
    tmp_path: Path, generated: tuple[Path, list[Diagnostic]]
) -> None:
    schemas = {"Untyped": {"type": "array"}, "Typed": {"type": "array", "items": {}}}
    found = [w for w in _warnings(tmp_path, _document("3.0.3", schemas)) if "items" in w.message]
    assert [(w.pointer, w.message) for w in found] == [
        (
            f"{SCHEMAS}/Untyped",
            "array without 'items' (required in OpenAPI 3.0); items typed as Any",
        )
    ]
    assert not [w for w in generated[1] if "without 'items'" in w.message]


def test_the_package_passes_mypy_strict(generated: tuple[Path, list[Diagnostic]]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", PACKAGE],
        cwd=generated[0],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
