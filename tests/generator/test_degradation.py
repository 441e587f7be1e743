"""The degradation policy: each class of defect costs its construct, with a located warning.

One minimal spec per class.  Each must generate (exit 0 through the API), warn
with the JSON pointer of the defect and what was done, and give a package whose
every module imports with warnings as errors; where the degraded construct is
still visible (a field typed ``Any``, a parameter gone), the generated code is
checked for it.  Document-level breakage stays an error
(``tests/generator/test_bad_input.py``), and ``--strict`` makes every one of
these an error (last test).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from forgegen.diagnostics import SpecError
from forgegen.pipeline import StrictModeError, generate

OK = {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/c/M"}}}}
BASE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Degraded", "version": "1"},
    "paths": {
        "/things/{id}": {
            "get": {
                "operationId": "getThing",
                "tags": ["things"],
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "size": {"type": "integer"}},
            }
        }
    },
}

GET = ("paths", "/things/{id}", "get")
THING = ("components", "schemas", "Thing")


def _at(document: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = document
    for key in path:
        node = node[key]
    return node


def _set(path: tuple[str, ...], key: str, value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        _at(document, path)[key] = value

    return change


def _add_param(parameter: dict[str, Any]) -> Any:
    def change(document: dict[str, Any]) -> None:
        _at(document, GET)["parameters"].append(parameter)

    return change


def _discriminated(document: dict[str, Any]) -> None:
    schemas = _at(document, ("components", "schemas"))
    schemas["Cat"] = {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string"}},
    }
    schemas["Pet"] = {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
        },
    }
    _at(document, THING)["properties"]["pet"] = {"$ref": "#/components/schemas/Pet"}


def _shared_bad_parameter(document: dict[str, Any]) -> None:
    document["components"]["parameters"] = {"Page": {"name": "page", "schema": {"type": "integer"}}}
    _at(document, GET)["parameters"].append({"$ref": "#/components/parameters/Page"})


def _missing_path_item(document: dict[str, Any]) -> None:
    document["openapi"] = "3.1.0"
    document["paths"]["/gone"] = {"$ref": "#/components/pathItems/Gone"}


# id -> (change, pointer of the warning, what the warning says was done, a check of the code)
CASES: dict[str, tuple[Any, str, str, tuple[str, str] | None]] = {
    "schema $ref names nothing": (
        _set((*THING, "properties"), "extra", {"$ref": "#/components/schemas/Nope"}),
        "#/components/schemas/Thing/properties/extra",
        "the schema is typed as Any",
        ("models/thing.py", "extra: Any"),
    ),
    "discriminator mapping names nothing": (
        _discriminated,
        "#/components/schemas/Pet/discriminator/mapping/dog",
        "the entry is dropped",
        None,
    ),
    "parameter $ref names nothing": (
        _add_param({"$ref": "#/components/parameters/Nope"}),
        "#/paths/~1things~1{id}/get/parameters/2",
        "the parameter is ignored",
        ("api/things/get_thing.py", "q: str | None"),
    ),
    "response $ref names nothing": (
        _set((*GET, "responses"), "404", {"$ref": "#/components/responses/Nope"}),
        "#/paths/~1things~1{id}/get/responses/404",
        "the response is ignored",
        None,
    ),
    "path item $ref names nothing": (
        _missing_path_item,
        "#/paths/~1gone",
        "the path is ignored",
        None,
    ),
    "description is a $ref object": (
        _set(GET, "description", {"$ref": "#/components/schemas/Thing"}),
        "#/paths/~1things~1{id}/get/description",
        "the text 'description' is ignored",
        None,
    ),
    "schema description is a number": (
        _set(THING, "description", 5),
        "#/components/schemas/Thing/description",
        "the schema's 'description' is ignored",
        None,
    ),
    "unknown schema type": (
        _set((*THING, "properties", "size"), "type", "int"),
        "#/components/schemas/Thing/properties/size/type",
        "the schema's 'type' is ignored",
        ("models/thing.py", "size: Any"),
    ),
    "required is a string": (
        _set(THING, "required", "id"),
        "#/components/schemas/Thing/required",
        "the schema's 'required' is ignored",
        ("models/thing.py", "id: str | None = None"),
    ),
    "enum is a string": (
        _set((*THING, "properties", "id"), "enum", "a"),
        "#/components/schemas/Thing/properties/id/enum",
        "the schema's 'enum' is ignored",
        ("models/thing.py", "id: str"),
    ),
    "items is a list in 3.0": (
        _set((*THING, "properties"), "tags", {"type": "array", "items": [{"type": "string"}]}),
        "#/components/schemas/Thing/properties/tags/items",
        "the schema's 'items' is ignored",
        ("models/thing.py", "tags: list[Any] | None"),
    ),
    "parameter in an unknown location": (
        _add_param({"name": "b", "in": "body", "schema": {"type": "string"}}),
        "#/paths/~1things~1{id}/get/parameters/2/in",
        "the parameter is ignored",
        None,
    ),
    "parameter without in": (
        _add_param({"name": "b", "schema": {"type": "string"}}),
        "#/paths/~1things~1{id}/get/parameters/2",
        "the parameter is ignored",
        None,
    ),
    "a $ref to an ignored parameter": (
        _shared_bad_parameter,
        "#/paths/~1things~1{id}/get/parameters/2",
        "names what was ignored; the parameter is ignored",
        None,
    ),
    "operation is not a mapping": (
        _set(("paths", "/things/{id}"), "post", "nope"),
        "#/paths/~1things~1{id}/post",
        "the operation is ignored",
        None,
    ),
    "tags is a string": (
        _set(GET, "tags", "things"),
        "#/paths/~1things~1{id}/get/tags",
        "the field 'tags' is ignored",
        None,
    ),
    "operationId is a number": (
        _set(GET, "operationId", 7),
        "#/paths/~1things~1{id}/get/operationId",
        "the field 'operationId' is ignored",
        None,
    ),
    "examples is a list in 3.0": (
        _set((*GET, "responses", "200", "content", "application/json"), "examples", [1]),
        "#/paths/~1things~1{id}/get/responses/200/content/application~1json/examples",
        "the field 'examples' is ignored",
        None,
    ),
    "server url is a number": (
        lambda document: document.__setitem__("servers", [{"url": 5}, {"url": "https://x"}]),
        "#/servers/0/url",
        "the servers entry is ignored",
        ("_client.py", '"https://x"'),
    ),
    "info description is a list": (
        _set(("info",), "description", ["x"]),
        "#/info/description",
        "info's description is ignored",
        None,
    ),
}


def _spec(tmp_path: Path, change: Any) -> Path:
    document = copy.deepcopy(BASE)
    change(document)
    path = tmp_path / "spec" / "degraded.json"
    path.parent.mkdir()
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


IMPORT_ALL = (
    "import importlib, pkgutil, sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "package = importlib.import_module('degraded')\n"
    "for module in pkgutil.walk_packages(package.__path__, 'degraded.'):\n"
    "    importlib.import_module(module.name)\n"
)


@pytest.mark.parametrize("case", list(CASES))
def test_each_defect_degrades_its_construct_with_a_located_warning(
    case: str, tmp_path: Path
) -> None:
    change, pointer, done, check = CASES[case]
    spec = _spec(tmp_path, change)
    out = tmp_path / "out" / "degraded"
    result = generate(spec, out, quiet=True, use_cache=False)
    matching = [w for w in result.warnings if w.pointer == pointer and done in w.message]
    assert matching, [str(w) for w in result.warnings]
    assert matching[0].file is not None
    assert matching[0].file.endswith("degraded.json")
    assert matching[0].line is not None
    operations = [path for path in (out / "api").rglob("*.py") if not path.name.startswith("_")]
    assert len(operations) == 1, operations  # the operation survived
    if check is not None:
        module, expected = check
        assert expected in (out / module).read_text(encoding="utf-8")
    subprocess.run(
        [sys.executable, "-W", "error", "-c", IMPORT_ALL, str(out.parent)],
        check=True,
        capture_output=True,
    )


def test_an_ignored_parameter_is_absent_from_the_signature(tmp_path: Path) -> None:
    spec = _spec(tmp_path, _add_param({"name": "b", "in": "body", "schema": {"type": "string"}}))
    out = tmp_path / "out" / "degraded"
    generate(spec, out, quiet=True, use_cache=False)
    program = (
        "import inspect, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from degraded.api.things import get_thing\n"
        "print(sorted(inspect.signature(get_thing.sync).parameters))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(out.parent)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "['client', 'headers', 'id', 'q', 'timeout']"


def test_strict_refuses_what_the_policy_would_degrade(tmp_path: Path) -> None:
    change, pointer, _, _ = CASES["description is a $ref object"]
    spec = _spec(tmp_path, change)
    with pytest.raises(StrictModeError) as caught:
        generate(spec, tmp_path / "out" / "degraded", quiet=True, use_cache=False, strict=True)
    assert [w.pointer for w in caught.value.warnings] == [pointer]
    assert not (tmp_path / "out").exists()


def test_the_document_itself_is_still_an_error(tmp_path: Path) -> None:
    spec = _spec(tmp_path, lambda document: document.__setitem__("paths", ["x"]))
    with pytest.raises(SpecError) as caught:
        generate(spec, tmp_path / "out" / "degraded", quiet=True, use_cache=False)
    assert caught.value.diagnostic.pointer == "#/paths"
