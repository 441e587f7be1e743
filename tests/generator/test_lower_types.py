"""Schemas -> types: each JSON Schema feature on a small 3.1 document."""

from __future__ import annotations

import ast
from typing import Any

import pytest
from forgegen.diagnostics import Diagnostics, SpecError
from forgegen.ir import Api, EnumType, Import, Model, ModelField, TypeAlias
from forgegen.lower import lower
from forgegen.lower import types as t
from openapi_pydantic.v3.v3_1 import OpenAPI


def lower_doc(
    schemas: dict[str, Any] | None = None, paths: dict[str, Any] | None = None
) -> tuple[Api, Diagnostics]:
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": paths or {},
        "components": {"schemas": schemas or {}},
    }
    diagnostics = Diagnostics()
    api = lower(OpenAPI.model_validate(doc), doc, package_name="client", diagnostics=diagnostics)
    return api, diagnostics


def model(api: Api, name: str) -> Model:
    return next(m for m in api.models if m.name == name)


def enum(api: Api, name: str) -> EnumType:
    return next(e for e in api.enums if e.name == name)


def alias(api: Api, name: str) -> TypeAlias:
    return next(a for a in api.aliases if a.name == name)


def field(item: Model, wire: str) -> ModelField:
    return next(f for f in item.fields if f.wire_name == wire)


def prop_type(schema: dict[str, Any], *, required: bool = True) -> str:
    api, _ = lower_doc(
        {
            "M": {
                "type": "object",
                "properties": {"p": schema},
                "required": ["p"] if required else [],
            }
        }
    )
    return field(model(api, "M"), "p").type.annotation


@pytest.mark.parametrize(
    ("schema", "annotation"),
    [
        ({"type": "string"}, "str"),
        ({"type": "integer", "format": "int64"}, "int"),
        ({"type": "integer", "format": "int32"}, "int"),
        ({"type": "number", "format": "double"}, "float"),
        ({"type": "number", "format": "float"}, "float"),
        ({"type": "boolean"}, "bool"),
        ({"type": "null"}, "None"),
        ({"type": "string", "format": "date-time"}, "datetime"),
        ({"type": "string", "format": "date"}, "date"),
        ({"type": "string", "format": "time"}, "time"),
        ({"type": "string", "format": "uuid"}, "UUID"),
        ({"type": "string", "format": "binary"}, "bytes"),
        ({"type": "string", "format": "byte"}, "str"),
        ({"type": "string", "format": "email"}, "str"),
        ({"type": "string", "format": "uri"}, "str"),
        ({"type": "array", "items": {"type": "integer"}}, "list[int]"),
        ({"type": "array"}, "list[Any]"),
        ({"type": "object"}, "dict[str, Any]"),
        ({"type": "object", "additionalProperties": {"type": "string"}}, "dict[str, str]"),
        ({"type": "object", "additionalProperties": False}, "dict[str, Any]"),
        ({}, "Any"),
        ({"type": ["string", "null"]}, "str | None"),
        ({"type": ["string", "integer"]}, "str | int"),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, "str | None"),
        ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, "str | int"),
        ({"const": "fixed"}, 'Literal["fixed"]'),
        ({"const": 3}, "Literal[3]"),
        ({"enum": ["only"]}, 'Literal["only"]'),
        ({"enum": [True, False]}, "Literal[True, False]"),
        ({"allOf": [{"type": "string", "format": "date"}]}, "date"),
    ],
)
def test_primitive_and_container_types(schema: dict[str, Any], annotation: str) -> None:
    assert prop_type(schema) == annotation


def test_imports_follow_the_annotation() -> None:
    api, _ = lower_doc(
        {
            "M": {
                "type": "object",
                "required": ["when", "id", "c"],
                "properties": {
                    "when": {"type": "string", "format": "date-time"},
                    "id": {"type": "string", "format": "uuid"},
                    "c": {"$ref": "#/components/schemas/Child"},
                },
            },
            "Child": {"type": "object", "properties": {"x": {"type": "string"}}},
        }
    )
    m = model(api, "M")
    assert field(m, "when").type.imports == {Import("datetime", "datetime", external=True)}
    assert field(m, "id").type.imports == {Import("uuid", "UUID", external=True)}
    assert field(m, "c").type.imports == {Import("models.child", "Child")}
    assert field(m, "c").type.models == {"Child"}


def test_required_optional_and_nullable_fields() -> None:
    api, _ = lower_doc(
        {
            "Pet": {
                "type": "object",
                "required": ["name", "tag"],
                "properties": {
                    "name": {"type": "string"},
                    "tag": {"type": ["string", "null"]},
                    "age": {"type": "integer"},
                    "status": {"type": "string", "default": 'it\'s "new"\n'},
                    "photoUrls": {"type": "array", "items": {"type": "string"}},
                },
            }
        }
    )
    pet = model(api, "Pet")
    assert [f.python_name for f in pet.fields] == ["name", "tag", "age", "status", "photo_urls"]
    assert (field(pet, "name").type.annotation, field(pet, "name").required) == ("str", True)
    assert (field(pet, "tag").type.annotation, field(pet, "tag").required) == ("str | None", True)
    assert field(pet, "tag").default is None
    assert (field(pet, "age").type.annotation, field(pet, "age").required) == ("int | None", False)
    status_default = field(pet, "status").default
    assert status_default is not None
    assert ast.literal_eval(status_default) == 'it\'s "new"\n'
    assert field(pet, "photoUrls").python_name == "photo_urls"


def test_inline_objects_and_enums_are_named_from_context() -> None:
    api, _ = lower_doc(
        {
            "Pet": {
                "type": "object",
                "properties": {
                    "category": {"type": "object", "properties": {"id": {"type": "integer"}}},
                    "status": {"type": "string", "enum": ["available", "sold"], "default": "sold"},
                    "tags": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"n": {"type": "string"}}},
                    },
                },
            }
        }
    )
    pet = model(api, "Pet")
    assert field(pet, "category").type.annotation == "PetCategory | None"
    assert field(pet, "status").type.annotation == 'PetStatus | Literal["available", "sold"] | None'
    assert field(pet, "status").default == "PetStatus.SOLD"
    assert field(pet, "tags").type.annotation == "list[PetTagsItem] | None"
    assert {m.name for m in api.models} == {"Pet", "PetCategory", "PetTagsItem"}
    status = enum(api, "PetStatus")
    assert status.value_type == "str"
    assert [(m.name, m.value) for m in status.members] == [
        ("AVAILABLE", '"available"'),
        ("SOLD", '"sold"'),
    ]


def test_inline_name_collides_with_component_name() -> None:
    api, _ = lower_doc(
        {
            "Pet": {
                "type": "object",
                "properties": {"category": {"type": "object", "properties": {"a": {}}}},
            },
            "PetCategory": {"type": "object", "properties": {"b": {}}},
        }
    )
    # components are named first, so the component keeps the plain name
    assert field(model(api, "PetCategory"), "b").wire_name == "b"
    assert field(model(api, "Pet"), "category").type.annotation == "PetCategory2 | None"


@pytest.mark.parametrize(
    ("values", "value_type", "members"),
    [
        (["a-b", "A B", "", "1x"], "str", ["A_B", "A_B_2", "EMPTY", "VALUE_1X"]),
        ([1, -2, 3], "int", ["VALUE_1", "VALUE_MINUS_2", "VALUE_3"]),
        ([1, 2.5], "float", ["VALUE_1", "VALUE_2_5"]),
    ],
)
def test_enum_shapes(values: list[Any], value_type: str, members: list[str]) -> None:
    api, _ = lower_doc({"E": {"enum": values}})
    e = enum(api, "E")
    assert e.value_type == value_type
    assert [m.name for m in e.members] == members
    assert [ast.literal_eval(m.value) for m in e.members] == [
        float(v) if value_type == "float" else v for v in values
    ]


def test_nullable_enum_component_reference_is_optional() -> None:
    api, _ = lower_doc(
        {
            "E": {"type": ["string", "null"], "enum": ["a", "b", None]},
            "M": {
                "type": "object",
                "required": ["e"],
                "properties": {"e": {"$ref": "#/components/schemas/E"}},
            },
        }
    )
    assert [m.name for m in enum(api, "E").members] == ["A", "B"]
    assert field(model(api, "M"), "e").type.annotation == 'E | Literal["a", "b"] | None'


def test_weird_enums_degrade_with_warnings() -> None:
    api, diagnostics = lower_doc(
        {
            "Mixed": {"enum": ["a", 1]},
            "Objects": {"type": "object", "enum": [{"a": 1}]},
        }
    )
    assert alias(api, "Mixed").target.annotation == 'Literal["a", 1]'
    assert alias(api, "Objects").target.annotation == "dict[str, Any]"
    messages = [w.message for w in diagnostics.warnings]
    assert any("mixed value types" in m for m in messages)
    assert any("structured types ignored" in m for m in messages)


def test_unions_named_and_inline() -> None:
    api, _ = lower_doc(
        {
            "Cat": {"type": "object", "properties": {"meow": {"type": "boolean"}}},
            "Dog": {"type": "object", "properties": {"bark": {"type": "boolean"}}},
            "Pet": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Cat"},
                    {"$ref": "#/components/schemas/Dog"},
                    {"type": "object", "properties": {"x": {"type": "string"}}},
                ]
            },
            "Owner": {
                "type": "object",
                "properties": {
                    "pet": {
                        "anyOf": [
                            {"$ref": "#/components/schemas/Cat"},
                            {"type": "string"},
                            {"type": "null"},
                        ]
                    }
                },
            },
        }
    )
    pet = alias(api, "Pet")
    assert pet.target.annotation == "Cat | Dog | PetVariant3"
    assert pet.target.models == {"Cat", "Dog", "PetVariant3"}
    assert field(model(api, "Owner"), "pet").type.annotation == "Cat | str | None"


def test_constraint_only_one_of_is_not_a_union() -> None:
    api, _ = lower_doc(
        {
            "M": {
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
            }
        }
    )
    assert [f.wire_name for f in model(api, "M").fields] == ["a", "b"]


DISCRIMINATED = {
    "Cat": {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string"}, "meow": {"type": "boolean"}},
    },
    "Dog": {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string"}, "bark": {"type": "boolean"}},
    },
}


def test_discriminated_union_with_mapping() -> None:
    api, _ = lower_doc(
        {
            **DISCRIMINATED,
            "Pet": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Cat"},
                    {"$ref": "#/components/schemas/Dog"},
                ],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {"cat": "#/components/schemas/Cat", "dog": "Dog"},
                },
            },
        }
    )
    target = alias(api, "Pet").target
    assert target.annotation == 'Annotated[Cat | Dog, Field(discriminator="kind")]'
    assert Import("typing", "Annotated", external=True) in target.imports
    assert Import("pydantic", "Field", external=True) in target.imports
    assert field(model(api, "Cat"), "kind").type.annotation == 'Literal["cat"]'
    assert field(model(api, "Dog"), "kind").type.annotation == 'Literal["dog"]'


def test_discriminator_uses_declared_const_then_schema_name() -> None:
    schemas: dict[str, Any] = {
        **DISCRIMINATED,
        "Pet": {
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "kind"},
        },
    }
    schemas["Cat"] = {**schemas["Cat"], "properties": {"kind": {"const": "feline"}}}
    api, _ = lower_doc(schemas)
    assert field(model(api, "Cat"), "kind").type.annotation == 'Literal["feline"]'
    assert field(model(api, "Dog"), "kind").type.annotation == 'Literal["Dog"]'


def test_discriminator_without_model_members_is_a_plain_union() -> None:
    api, diagnostics = lower_doc(
        {
            "Cat": DISCRIMINATED["Cat"],
            "Pet": {
                "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"type": "string"}],
                "discriminator": {"propertyName": "kind"},
            },
        }
    )
    assert alias(api, "Pet").target.annotation == "Cat | str"
    assert field(model(api, "Cat"), "kind").type.annotation == "str"
    assert any("plain union" in w.message for w in diagnostics.warnings)


def test_all_of_merges_properties_and_required_in_order() -> None:
    api, _ = lower_doc(
        {
            "Base": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "integer"}, "note": {"type": "string"}},
            },
            "Named": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": {"type": "string"}, "note": {"type": "integer"}},
                    },
                ],
                "description": "A named thing.",
            },
            "JustBase": {"allOf": [{"$ref": "#/components/schemas/Base"}]},
        }
    )
    named = model(api, "Named")
    assert [(f.wire_name, f.type.annotation, f.required) for f in named.fields] == [
        ("id", "int", True),
        ("note", "int | None", False),
        ("name", "str", True),
    ]
    assert named.description == "A named thing."
    assert alias(api, "JustBase").target.annotation == "Base"


def test_all_of_inherited_inline_enum_is_one_class() -> None:
    api, _ = lower_doc(
        {
            "Base": {"type": "object", "properties": {"state": {"enum": ["on", "off"]}}},
            "A": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"a": {}}}]},
            "B": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"b": {}}}]},
        }
    )
    assert [e.name for e in api.enums] == ["BaseState"]
    state = field(model(api, "A"), "state")
    assert state.type.annotation == 'BaseState | Literal["on", "off"] | None'


def test_additional_properties_on_models() -> None:
    api, _ = lower_doc(
        {
            "Typed": {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "additionalProperties": {"type": "integer"},
            },
            "Open": {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "additionalProperties": True,
            },
            "Closed": {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "additionalProperties": False,
            },
            "Map": {
                "type": "object",
                "additionalProperties": {"$ref": "#/components/schemas/Open"},
            },
        }
    )
    typed_extra = model(api, "Typed").extra
    open_extra = model(api, "Open").extra
    assert typed_extra is not None
    assert typed_extra.annotation == "int"
    assert open_extra is not None
    assert open_extra.annotation == "Any"
    assert model(api, "Closed").extra is None
    assert alias(api, "Map").target.annotation == "dict[str, Open]"


def test_read_only_write_only_deprecated_flags() -> None:
    api, _ = lower_doc(
        {
            "M": {
                "type": "object",
                "deprecated": True,
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "secret": {"type": "string", "writeOnly": True},
                    "old": {"type": "string", "deprecated": True, "description": "gone"},
                },
            }
        }
    )
    m = model(api, "M")
    assert m.deprecated
    assert field(m, "id").read_only
    assert not field(m, "id").write_only
    assert field(m, "secret").write_only
    assert field(m, "old").deprecated
    assert field(m, "old").description == "gone"


def test_hostile_property_names_become_unique_valid_fields() -> None:
    names = ["class", "Class", "model_config", "json", "1st", "", "a b", "a-b", "名前", "date"]
    api, _ = lower_doc(
        {"M": {"type": "object", "properties": {n: {"type": "string"} for n in names}}}
    )
    fields = model(api, "M").fields
    python = [f.python_name for f in fields]
    assert [f.wire_name for f in fields] == names
    assert python == [
        "class_",
        "class__2",
        "model_config_",
        "json_",
        "field_1st",
        "field",
        "a_b",
        "a_b_2",
        "field_2",
        "date_",
    ]
    assert all(p.isidentifier() for p in python)


def test_hostile_schema_names_become_unique_classes() -> None:
    keys = ["pet", "Pet", "PET", "Client", "None", "1pet", "../x", "a\nb", "", "BaseModel"]
    api, _ = lower_doc({k: {"type": "object", "properties": {"p": {}}} for k in keys})
    names = {m.name for m in api.models}
    assert len(names) == len(keys)
    assert {"Pet", "Pet2", "Pet3", "ClientModel", "NoneModel", "BaseModelModel"} <= names
    assert all(n.isidentifier() and n[0].isupper() for n in names)
    assert len({m.module for m in api.models}) == len(keys)


def test_self_and_mutual_recursion_share_modules_by_scc() -> None:
    api, _ = lower_doc(
        {
            "Node": {
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
                },
            },
            "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
            "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
            "User": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
        }
    )
    modules = {m.name: m.module for m in api.models}
    assert modules == {
        "Node": "models.node",
        "A": "models.a",
        "B": "models.a",
        "User": "models.user",
    }
    assert field(model(api, "Node"), "children").type.annotation == "list[Node] | None"
    assert Import("models.a", "A") in field(model(api, "User"), "a").type.imports
    assert Import("models.a", "B") in field(model(api, "A"), "b").type.imports


def test_recursive_map_becomes_model_and_list_cycle_degrades() -> None:
    api, diagnostics = lower_doc(
        {
            "Tree": {
                "type": "object",
                "additionalProperties": {"$ref": "#/components/schemas/Tree"},
            },
            "Loop": {"type": "array", "items": {"$ref": "#/components/schemas/Loop"}},
            "Rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/components/schemas/Rows"},
                },
            },
            "Ref1": {"$ref": "#/components/schemas/Ref2"},
            "Ref2": {"$ref": "#/components/schemas/Ref1"},
        }
    )
    tree = model(api, "Tree")
    assert tree.fields == ()
    assert tree.extra is not None
    assert tree.extra.annotation == "Tree"
    assert alias(api, "Loop").target.annotation == "Any"
    # list[dict[str, Rows]] loops through aliases only: its map becomes a model
    assert alias(api, "Rows").target.annotation == "list[RowsItem]"
    rows_extra = model(api, "RowsItem").extra
    assert rows_extra is not None
    assert rows_extra.annotation == "Rows"
    assert alias(api, "Ref1").target.annotation == "Any"
    degraded = [w for w in diagnostics.warnings if "as Any" in w.message]
    assert {w.pointer for w in degraded} >= {
        "#/components/schemas/Loop",
        "#/components/schemas/Ref1",
    }


def test_untypeable_schema_degrades_to_any_with_pointer() -> None:
    api, diagnostics = lower_doc(
        {"M": {"type": "object", "properties": {"f": {"not": {"type": "string"}}}}}
    )
    assert field(model(api, "M"), "f").type.annotation == "Any"
    assert [str(w) for w in diagnostics.warnings] == [
        "#/paths: the document has no operations: nothing to generate but models (if any)",
        "#/components/schemas/M/properties/f: 'not' cannot be expressed as a Python type; "
        "typed as Any",
    ]


def test_models_enums_aliases_sorted_by_name() -> None:
    api, _ = lower_doc(
        {
            "Zebra": {"type": "object", "properties": {"a": {}}},
            "Apple": {"type": "object", "properties": {"a": {}}},
            "Zed": {"enum": ["x", "y"]},
            "Abc": {"enum": ["x", "y"]},
            "Zz": {"type": "string"},
            "Aa": {"type": "string"},
        }
    )
    assert [m.name for m in api.models] == ["Apple", "Zebra"]
    assert [e.name for e in api.enums] == ["Abc", "Zed"]
    assert [a.name for a in api.aliases] == ["Aa", "Zz"]


def test_single_member_all_of_with_own_required_is_a_merged_model() -> None:
    api, _ = lower_doc(
        {
            "Base": {"type": "object", "properties": {"id": {"type": "integer"}}},
            "Strict": {"allOf": [{"$ref": "#/components/schemas/Base"}], "required": ["id"]},
        }
    )
    assert field(model(api, "Strict"), "id").required


def test_missing_reference_is_a_spec_error_with_pointer() -> None:
    with pytest.raises(SpecError) as caught:
        lower_doc(
            {"M": {"type": "object", "properties": {"p": {"$ref": "#/components/schemas/Nope"}}}}
        )
    assert caught.value.pointer == "#/components/schemas/M/properties/p"
    assert "not found" in str(caught.value)


def test_discriminator_values_shared_by_two_members_give_a_plain_union() -> None:
    cat = {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"const": "pet"}},
    }
    api, diagnostics = lower_doc(
        {
            "Cat": cat,
            "Dog": cat,
            "Pet": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Cat"},
                    {"$ref": "#/components/schemas/Dog"},
                ],
                "discriminator": {"propertyName": "kind"},
            },
        }
    )
    assert alias(api, "Pet").target.annotation == "Cat | Dog"
    assert any("conflict; plain union" in w.message for w in diagnostics.warnings)


def test_union_members_that_only_narrow_properties_are_not_warned_about() -> None:
    narrowing = {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "status": {"type": "string"}},
        "oneOf": [
            {"properties": {"status": {"enum": ["done"]}}, "required": ["status"]},
            {"type": "object", "maxProperties": 0},
        ],
    }
    mixed = {**narrowing, "oneOf": [{"$ref": "#/components/schemas/Narrowing"}]}
    api, diagnostics = lower_doc({"Narrowing": narrowing, "Mixed": mixed})
    assert [f.wire_name for f in model(api, "Narrowing").fields] == ["name", "status"]
    assert [w.pointer for w in diagnostics.warnings] == ["#/paths", "#/components/schemas/Mixed"]


def test_enum_vendor_extensions_name_and_describe_members() -> None:
    api, _ = lower_doc(
        {
            "Level": {
                "type": "integer",
                "enum": [1, 2],
                "x-enum-varnames": ["low", "High Level"],
                "x-enum-descriptions": ["Low.", "High."],
            },
            "Partial": {"type": "integer", "enum": [1, 2], "x-enum-varnames": ["only_one"]},
        }
    )
    level = enum(api, "Level")
    assert [(m.name, m.value, m.description) for m in level.members] == [
        ("LOW", "1", "Low."),
        ("HIGH_LEVEL", "2", "High."),
    ]
    assert [m.name for m in enum(api, "Partial").members] == ["VALUE_1", "VALUE_2"]


def test_component_names_do_not_depend_on_document_order() -> None:
    schemas = {
        "pet": {"type": "object", "properties": {"a": {"enum": ["x", "y"]}}},
        "Pet": {"type": "object", "properties": {"b": {}}},
        "PET": {"type": "object", "properties": {"c": {}}},
    }
    forward, _ = lower_doc(schemas)
    backward, _ = lower_doc(dict(reversed(schemas.items())))
    assert forward == backward
    assert {m.pointer: m.name for m in forward.models} == {
        "#/components/schemas/PET": "Pet",
        "#/components/schemas/Pet": "Pet2",
        "#/components/schemas/pet": "Pet3",
    }


def test_discriminated_union_of_a_nullable_model_keeps_null_outside() -> None:
    schemas: dict[str, Any] = {
        **DISCRIMINATED,
        "Pet": {
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "kind"},
        },
    }
    schemas["Cat"] = {**schemas["Cat"], "type": ["object", "null"]}
    api, _ = lower_doc(schemas)
    assert alias(api, "Pet").target.annotation == (
        'Annotated[Cat | Dog, Field(discriminator="kind")] | None'
    )


def test_union_dedupes_without_splitting_inside_literal_strings() -> None:
    choice = t.literal(["a | b", 'c"|" d'])
    combined = t.union([choice, t.NONE, t.external("int"), choice, t.optional(t.external("int"))])
    assert combined.annotation == 'Literal["a | b", "c\\"|\\" d"] | int | None'
    assert t.union([choice, t.ANY]).is_any


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [
        # One type each: no splitting at all.
        (["int", "str", "int"], "int | str"),
        # Plain alternatives (no brackets or quotes): split on " | ".
        (["int | None", "str | int", "None"], "int | str | None"),
        # Brackets and quotes: only top-level bars split.
        (
            ["dict[str, int | str] | None", "list[int | None]", "dict[str, int | str]"],
            "dict[str, int | str] | list[int | None] | None",
        ),
        (['Literal["x | y"] | int', "int | bytes"], 'Literal["x | y"] | int | bytes'),
    ],
)
def test_union_splits_only_top_level_alternatives(annotations: list[str], expected: str) -> None:
    members = [t.TypeRef(annotation) for annotation in annotations]
    assert t.union(members).annotation == expected
