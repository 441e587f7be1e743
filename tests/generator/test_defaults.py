"""Schema defaults reach generated models as typed values, or are warned about and dropped.

pydantic does not validate defaults, so whatever lower writes is what every
instance gets: these tests generate one package from a spec full of defaults
(typed formats, coercible values, arrays of models, enum components, invalid
ones), import it, and check the values an empty instance holds, what it dumps
back to, the warnings, and that the package passes ``mypy --strict``.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from forgegen.diagnostics import Diagnostic
from forgegen.pipeline import generate
from pydantic import ValidationError

PACKAGE = "defaults_client"
SCHEMAS = "#/components/schemas"

PET = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "born": {"type": "string", "format": "date"}},
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"{SCHEMAS}/{name}"}


VALID = {
    "born": {"type": "string", "format": "date", "default": "2024-01-02"},
    "at": {"type": "string", "format": "date-time", "default": "2024-01-02T03:04:05Z"},
    "local": {"type": "string", "format": "date-time", "default": "2024-01-02T03:04:05.250"},
    "alarm": {"type": "string", "format": "time", "default": "07:30:00"},
    "id": {"type": "string", "format": "uuid", "default": "1B4E28BA-2FA1-11D2-883F-0016785CBABE"},
    "flag": {"type": "boolean", "default": "true"},
    "off": {"type": "boolean", "default": "false"},
    "count": {"type": "integer", "default": "4"},
    "ratio": {"type": "number", "default": 2},
    "label": {"type": "string", "default": 6},
    "pets": {"type": "array", "items": _ref("Pet"), "default": []},
    "seeded": {
        "type": "array",
        "items": _ref("Pet"),
        "default": [{"name": "Rex", "born": "2020-05-01"}],
    },
    "tags": {"type": "array", "items": {"type": "string"}, "default": []},
    "owner": {**_ref("Pet"), "default": {"name": "Ann"}},
    "colors": {"type": "array", "items": _ref("Color"), "default": ["red"]},
    "color": _ref("Color"),
    "ownColor": {**_ref("Color"), "default": "red"},
    "nullableColor": {"anyOf": [_ref("Color"), {"type": "null"}]},
    "stamp": {**_ref("Stamp"), "default": "2024-01-02T00:00:00+01:00"},
    "limits": {
        "type": "object",
        "additionalProperties": {"type": "integer"},
        "default": {"a": "1"},
    },
    "either": {
        "anyOf": [{"type": "integer"}, {"type": "string", "format": "date"}],
        "default": "2024-01-02",
    },
    "exact": {"anyOf": [{"type": "integer"}, {"type": "string"}], "default": "7"},
    "coerced": {"anyOf": [{"type": "integer"}, {"type": "boolean"}], "default": "true"},
}

INVALID = {
    "badBool": {"type": "boolean", "default": "not a boolean"},
    "badInt": {"type": "integer", "default": "four"},
    "badNumber": {"type": "number", "default": "many"},
    "badDate": {"type": "string", "format": "date", "default": "yesterday"},
    "badUuid": {"type": "string", "format": "uuid", "default": "nope"},
    "badUnion": {"anyOf": [{"type": "integer"}, {"type": "boolean"}], "default": "x"},
    "badEnum": {"enum": ["A"], "default": "B"},
    "badConst": {"const": "A", "default": "B"},
    "badModel": {**_ref("Pet"), "default": {}},
    "badItem": {"type": "array", "items": {"type": "integer"}, "default": [1, "two"]},
    "badComponentEnum": {**_ref("Color"), "default": "blue"},
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Defaults", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "operationId": "listThings",
                "parameters": [
                    {"name": "color", "in": "query", "schema": _ref("Color")},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "default": "4"}},
                    {
                        "name": "since",
                        "in": "query",
                        "schema": {"type": "string", "format": "date", "default": "2024-01-02"},
                    },
                    {"name": "strict", "in": "query", "schema": {"type": "boolean", "default": 3}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": _ref("Defaults")}},
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Color": {"type": "string", "enum": ["red", "green"], "default": "green"},
            "Stamp": {"type": "string", "format": "date-time"},
            "Pet": PET,
            "Nothing": {"enum": [None]},
            "NullType": {"type": "null"},
            "Nulls": {
                "type": "object",
                "properties": {
                    "nothing": _ref("Nothing"),
                    "nullType": _ref("NullType"),
                    "either": {"anyOf": [_ref("Nothing"), {"type": "string"}]},
                    "required": _ref("Nothing"),
                },
                "required": ["required"],
            },
            "Defaults": {"type": "object", "properties": {**VALID, **INVALID}},
        }
    },
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Diagnostic]]]:
    root = tmp_path_factory.mktemp("defaults")
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


def test_an_empty_instance_holds_typed_defaults(models: ModuleType) -> None:
    value = models.Defaults()
    assert value.born == datetime.date(2024, 1, 2)
    assert value.at == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert value.local == datetime.datetime(2024, 1, 2, 3, 4, 5, 250000)
    assert value.alarm == datetime.time(7, 30)
    assert value.id == uuid.UUID("1b4e28ba-2fa1-11d2-883f-0016785cbabe")
    assert (value.flag, value.off, value.count, value.label) == (True, False, 4, "6")
    assert type(value.ratio) is float
    assert value.ratio == 2.0
    assert value.pets == []
    assert value.tags == []
    assert [(pet.name, pet.born) for pet in value.seeded] == [("Rex", datetime.date(2020, 5, 1))]
    assert isinstance(value.owner, models.Pet)
    assert value.owner.name == "Ann"
    assert value.colors == [models.Color.RED]
    assert value.limits == {"a": 1}
    # union members are tried as they are first (a string stays one), then with coercions
    assert value.either == datetime.date(2024, 1, 2)
    assert value.exact == "7"
    assert value.coerced is True
    stamp = datetime.timezone(datetime.timedelta(hours=1))
    assert value.stamp == datetime.datetime(2024, 1, 2, tzinfo=stamp)
    for name in ("born", "at", "local", "alarm", "id", "stamp"):
        assert not isinstance(getattr(value, name), str), name


def test_an_enum_component_gives_its_default_to_the_fields_that_refer_to_it(
    models: ModuleType,
) -> None:
    value = models.Defaults()
    assert value.color is models.Color.GREEN
    assert value.nullable_color is models.Color.GREEN
    assert value.own_color is models.Color.RED  # the property's own default wins


def test_mutable_defaults_are_fresh_for_every_instance(models: ModuleType) -> None:
    first, second = models.Defaults(), models.Defaults()
    first.pets.append(models.Pet(name="Tom"))
    first.seeded[0].name = "Changed"
    first.owner.name = "Changed"
    first.limits["b"] = 2
    assert second.pets == []
    assert second.seeded[0].name == "Rex"
    assert second.owner.name == "Ann"
    assert second.limits == {"a": 1}


def test_defaults_dump_back_to_their_json_without_warnings(models: ModuleType) -> None:
    dumped = models.Defaults().model_dump(mode="json", by_alias=True, warnings="error")
    assert {key: dumped[key] for key in VALID} == {
        "born": "2024-01-02",
        "at": "2024-01-02T03:04:05Z",
        "local": "2024-01-02T03:04:05.250000",
        "alarm": "07:30:00",
        "id": "1b4e28ba-2fa1-11d2-883f-0016785cbabe",
        "flag": True,
        "off": False,
        "count": 4,
        "ratio": 2.0,
        "label": "6",
        "pets": [],
        "seeded": [{"name": "Rex", "born": "2020-05-01"}],
        "tags": [],
        "owner": {"name": "Ann", "born": None},
        "colors": ["red"],
        "color": "green",
        "ownColor": "red",
        "nullableColor": "green",
        "stamp": "2024-01-02T00:00:00+01:00",
        "limits": {"a": 1},
        "either": "2024-01-02",
        "exact": "7",
        "coerced": True,
    }


def test_the_generated_literals_are_the_typed_values(
    generated: tuple[Path, list[Diagnostic]],
) -> None:
    source = (generated[0] / PACKAGE / "models" / "defaults.py").read_text()
    for line in (
        "born: date | None = date(2024, 1, 2)",
        'at: datetime | None = datetime.fromisoformat("2024-01-02T03:04:05+00:00")',
        'id: UUID | None = UUID("1b4e28ba-2fa1-11d2-883f-0016785cbabe")',
        "pets: list[Pet] | None = Field(default_factory=list)",
        'color: Color | Literal["red", "green"] | None = Color.GREEN',
        "flag: bool | None = True",
        "count: int | None = 4",
    ):
        assert f"    {line}\n" in source, line


def test_invalid_defaults_are_warned_about_with_their_pointer_and_dropped(
    generated: tuple[Path, list[Diagnostic]], models: ModuleType
) -> None:
    warned = {
        warning.pointer: warning.message
        for warning in generated[1]
        if warning.message.startswith("default ")
    }
    expected = {f"{SCHEMAS}/Defaults/properties/{name}/default" for name in INVALID}
    expected.add("#/paths/~1things/get/parameters/3/schema/default")
    assert set(warned) == expected, warned
    assert all(message.endswith("; dropped") for message in warned.values())
    assert (
        "'blue' is not one of the enum values"
        in warned[f"{SCHEMAS}/Defaults/properties/badComponentEnum/default"]
    )
    assert "required property 'name'" in warned[f"{SCHEMAS}/Defaults/properties/badModel/default"]
    value = models.Defaults()
    python_names = {"badComponentEnum": "bad_component_enum"}
    for name in INVALID:
        python = python_names.get(name, "bad_" + name[3:].lower())
        assert getattr(value, python) is None, name


def test_parameter_defaults_are_typed_or_left_to_the_server(
    generated: tuple[Path, list[Diagnostic]], models: ModuleType
) -> None:
    operation = importlib.import_module(f"{PACKAGE}.api.default.list_things")
    parameters = inspect.signature(operation.sync).parameters
    assert parameters["color"].default is models.Color.GREEN
    assert parameters["limit"].default == 4
    assert parameters["since"].default is None  # a date needs a constructor: the server's
    assert parameters["strict"].default is None  # invalid: warned and dropped


def test_null_only_schemas_are_the_type_none(models: ModuleType) -> None:
    value = models.Nulls.model_validate(
        {"nothing": None, "nullType": None, "either": None, "required": None}
    )
    assert (value.nothing, value.null_type, value.either, value.required) == (None,) * 4
    assert models.Nulls.model_validate({"either": "x", "required": None}).either == "x"
    with pytest.raises(ValidationError):
        models.Nulls.model_validate({"nothing": 1, "required": None})
    assert models.Nothing is None
    assert models.NullType is None


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


def test_defaults_under_nested_and_self_containing_unions_are_checked_in_bounded_time(
    tmp_path: Path,
) -> None:
    nested: dict[str, Any] = {"type": "integer"}
    for _ in range(40):  # tried member by member, 2**40 tries if each were not answered once
        nested = {"anyOf": [nested, {"type": "boolean"}]}
    loop = {"anyOf": [_ref("Loop"), _ref("Loop"), {"type": "integer"}]}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Unions", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "Loop": loop,
                "M": {
                    "type": "object",
                    "properties": {
                        "nested": {**nested, "default": "x"},
                        "loop": {**_ref("Loop"), "default": "x"},
                        "fine": {**nested, "default": "true"},
                    },
                },
            }
        },
    }
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document))
    program = (
        "import sys\nfrom forgegen.pipeline import generate\n"
        "result = generate(sys.argv[1], sys.argv[2], quiet=True, use_cache=False)\n"
        "print('\\n'.join(f'{w.pointer} {w.message}' for w in result.warnings))\n"
        "sys.path.insert(0, sys.argv[3])\nfrom unions.models import M\nprint(repr(M().fine))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(spec), str(tmp_path / "unions"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    properties = f"{SCHEMAS}/M/properties"
    assert (
        f"{properties}/nested/default default 'x' matches no member of the anyOf; dropped" in lines
    )
    assert f"{properties}/loop/default default 'x' matches no member of the anyOf; dropped" in lines
    assert lines[-1] == "True"
