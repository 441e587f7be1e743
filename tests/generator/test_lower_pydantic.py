"""The IR's type decisions hold up in pydantic: every model builds and validates.

Renaming fields away from pydantic's attributes, ``Literal`` discriminator
fields, cycle-sharing modules, enum-member defaults: lower decides all of
these so that the printed code works.  This test prints the models the
plainest possible way (one namespace per IR module, filled in import order
with ``exec``; no templates) and makes pydantic build every class with
warnings as errors.  It checks lower's decisions, not the renderer.
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings
from collections import defaultdict
from typing import Any

import pytest
from forgegen.diagnostics import Diagnostics
from forgegen.ir import RUNTIME_MODULE, Api, Import
from forgegen.lower import lower
from forgegen.lower.modules import strongly_connected
from forgegen.parse import parse_spec
from openapi_pydantic.v3.v3_1 import OpenAPI
from pydantic import BaseModel, TypeAdapter

from tests.support.corpus import CORPUS

HEADER = (
    "from enum import Enum\n"
    "from typing import Any\n"
    "from pydantic import BaseModel, ConfigDict, Field\n"
)


def _module_sources(api: Api) -> dict[str, tuple[set[Import], list[str]]]:
    modules: dict[str, tuple[set[Import], list[str]]] = defaultdict(lambda: (set(), []))
    for enum in api.enums:
        lines = [f"class {enum.name}({enum.value_type}, Enum):"]
        lines += [f"    {member.name} = {member.value}" for member in enum.members]
        modules[enum.module][1].append("\n".join(lines))
    for model in api.models:
        imports, chunks = modules[model.module]
        extra = "allow" if model.extra is not None else "ignore"
        lines = [
            f"class {model.name}(BaseModel):",
            f'    model_config = ConfigDict(populate_by_name=True, extra="{extra}")',
        ]
        for item in model.fields:
            imports.update(item.type.imports)
            args = [] if item.required else [f"default={item.default or 'None'}"]
            args.append(f"alias={item.wire_name!r}")
            lines.append(
                f"    {item.python_name}: {item.type.annotation!r} = Field({', '.join(args)})"
            )
        if model.extra is not None:
            imports.update(model.extra.imports)
        chunks.append("\n".join(lines))
    for alias in api.aliases:
        modules[alias.module][0].update(alias.target.imports)
        modules[alias.module][1].append(f"{alias.name} = {alias.target.annotation}")
    return modules


def build(api: Api, package: str) -> dict[str, Any]:
    """Every generated class by name, built by pydantic in modules under ``package``."""
    sources = _module_sources(api)
    graph = {
        name: {i.module for i in imports if not i.external and i.module != name}
        for name, (imports, _) in sources.items()
    }
    namespaces: dict[str, dict[str, Any]] = {}
    # strongly_connected returns dependencies first; import cycles would be one group
    for group in strongly_connected(graph):
        assert len(group) == 1, f"import cycle between modules {group}"
        name = group[0]
        imports, chunks = sources[name]
        # a real module, so pydantic finds the globals of the classes defined in it
        module = types.ModuleType(f"{package}.{name}")
        sys.modules[module.__name__] = module
        namespace = module.__dict__
        exec(HEADER, namespace)
        for item in imports:
            if item.external:
                namespace[item.name] = getattr(importlib.import_module(item.module), item.name)
            elif item.module == RUNTIME_MODULE:
                namespace[item.name] = getattr(importlib.import_module("requestforge"), item.name)
            elif item.module != name:
                namespace[item.name] = namespaces[item.module][item.name]
        # enums, then models, then aliases (which evaluate their annotation at once)
        exec("\n\n".join(chunks), namespace)
        namespaces[name] = namespace
    classes = {key: value for ns in namespaces.values() for key, value in ns.items()}
    for model in api.models:
        classes[model.name].model_rebuild()
    for alias in api.aliases:
        TypeAdapter(classes[alias.name])
    return classes


def lower_schemas(schemas: dict[str, Any]) -> Api:
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }
    return lower(OpenAPI.model_validate(doc), doc, package_name="c", diagnostics=Diagnostics())


def test_hostile_fields_discriminators_recursion_and_defaults_work_in_pydantic() -> None:
    api = lower_schemas(
        {
            "Cat": {
                "type": "object",
                "required": ["petType"],
                "properties": {
                    "petType": {"type": "string"},
                    "json": {"type": "string"},
                    "model_dump": {"type": "integer"},
                },
            },
            "Dog": {
                "type": "object",
                "required": ["petType"],
                "properties": {"petType": {"type": "string"}, "model_config": {"type": "integer"}},
            },
            "Pet": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Cat"},
                    {"$ref": "#/components/schemas/Dog"},
                ],
                "discriminator": {
                    "propertyName": "petType",
                    "mapping": {"cat": "Cat", "dog": "Dog"},
                },
            },
            "Owner": {
                "type": "object",
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "int": {"type": "integer"},
                    "pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
                    "best": {"$ref": "#/components/schemas/Owner"},
                    "mode": {"enum": ["a b", "c"], "default": "c"},
                    "note": {"type": "string", "default": 'it\'s "quoted"\n\\'},
                },
            },
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        classes = build(api, "lowered_hostile")
    owner = classes["Owner"].model_validate(
        {
            "date": "2024-01-02",
            "int": 3,
            "pets": [
                {"petType": "dog", "model_config": 1},
                {"petType": "cat", "json": "x", "model_dump": 7},
            ],
            "best": {"int": 4},
        }
    )
    assert [type(pet).__name__ for pet in owner.pets] == ["Dog", "Cat"]
    assert owner.pets[0].model_config_ == 1
    assert owner.pets[1].json_ == "x"
    assert owner.pets[1].field_model_dump == 7
    assert str(owner.date_) == "2024-01-02"
    assert owner.best.int_ == 4
    assert owner.mode == classes["OwnerMode"].C
    assert owner.note == 'it\'s "quoted"\n\\'
    assert isinstance(owner, BaseModel)


@pytest.mark.parametrize(
    "name",
    [
        "openapi-python-client-baseline_openapi_3.1.yaml",
        "spotify-web-api-fixed-3.0.yaml",
        "swagger-petstore3-openapi.yaml",
        "wso2-apim-service-catalog-api-3.0.yaml",
    ],
)
def test_corpus_models_build_in_pydantic(name: str) -> None:
    spec = parse_spec(CORPUS / name)
    api = lower(spec.openapi, spec.document, package_name="c", diagnostics=Diagnostics())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        classes = build(api, "lowered_" + name.split("-", maxsplit=1)[0].replace(".", "_"))
    assert all(issubclass(classes[m.name], BaseModel) for m in api.models)
