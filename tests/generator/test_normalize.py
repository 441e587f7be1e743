"""normalize: 3.0 -> 3.1 shape, and real-world deviations repaired with a warning per pointer."""

from __future__ import annotations

from typing import Any

import pytest
from forgegen.diagnostics import Diagnostics, SpecError
from forgegen.normalize import normalize

SCHEMA_POINTER = "#/components/schemas/S"


def run(schema: Any, *, version: str = "3.0") -> tuple[Any, Diagnostics]:
    """Normalise a document holding ``schema`` as component ``S``; the result and warnings."""
    document = {
        "openapi": "3.0.3" if version == "3.0" else "3.1.0",
        "info": {"title": "T", "version": "1"},
        "components": {"schemas": {"S": schema}},
    }
    diagnostics = Diagnostics()
    normalize(document, version=version, diagnostics=diagnostics)
    assert document["openapi"] == "3.1.0"
    return document["components"]["schemas"]["S"], diagnostics


def messages(diagnostics: Diagnostics) -> list[tuple[str, str]]:
    return [(warning.pointer, warning.message) for warning in diagnostics.warnings]


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string", "nullable": True}, {"type": ["string", "null"]}),
        (
            {"type": "array", "items": {"type": "integer"}, "nullable": True},
            {"type": ["array", "null"], "items": {"type": "integer"}},
        ),
        (
            {"type": "string", "enum": ["a", "b"], "nullable": True},
            {"type": ["string", "null"], "enum": ["a", "b", None]},
        ),
        ({"type": "string", "nullable": False}, {"type": "string"}),
        ({"description": "anything", "nullable": True}, {"description": "anything"}),
    ],
)
def test_nullable_with_a_type_becomes_a_type_array(schema: Any, expected: Any) -> None:
    result, diagnostics = run(schema)
    assert result == expected
    assert len(diagnostics) == 0


def test_nullable_ref_is_wrapped_keeping_annotations_outside() -> None:
    result, _ = run(
        {"$ref": "#/components/schemas/Pet", "nullable": True, "description": "the pet"}
    )
    assert result == {
        "anyOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "null"}],
        "description": "the pet",
    }


@pytest.mark.parametrize("keyword", ["allOf", "oneOf"])
def test_nullable_composition_is_wrapped(keyword: str) -> None:
    parts = [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]
    result, _ = run({keyword: parts, "nullable": True, "title": "T", "x-extra": 1})
    assert result == {"anyOf": [{keyword: parts}, {"type": "null"}], "title": "T", "x-extra": 1}


def test_nullable_plain_any_of_gets_null_appended() -> None:
    # Stripe's shape: anyOf with one or more refs, nullable beside it.
    result, _ = run({"anyOf": [{"$ref": "#/components/schemas/A"}], "nullable": True})
    assert result == {"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]}


def test_nullable_typed_object_with_any_of_constraints_is_wrapped() -> None:
    # GitHub's shape: an object whose anyOf lists alternative required sets.
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "anyOf": [{"required": ["a"]}, {"required": ["b"]}],
        "nullable": True,
        "description": "d",
    }
    result, _ = run(schema)
    assert result == {
        "anyOf": [
            {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "anyOf": [{"required": ["a"]}, {"required": ["b"]}],
            },
            {"type": "null"},
        ],
        "description": "d",
    }


def test_nested_schemas_are_normalised() -> None:
    result, _ = run(
        {
            "type": "object",
            "properties": {
                "a": {"type": "array", "items": {"type": "integer", "nullable": True}},
                "b": {"additionalProperties": {"type": "string", "nullable": True}},
            },
        }
    )
    assert result["properties"]["a"]["items"] == {"type": ["integer", "null"]}
    assert result["properties"]["b"]["additionalProperties"] == {"type": ["string", "null"]}


def test_nullable_in_a_3_1_document_is_converted_with_a_warning() -> None:
    result, diagnostics = run({"type": "string", "nullable": True}, version="3.1")
    assert result == {"type": ["string", "null"]}
    assert messages(diagnostics) == [
        (SCHEMA_POINTER, "'nullable' is not an OpenAPI 3.1 keyword; read as allowing null")
    ]


def test_non_boolean_nullable_is_ignored_with_a_warning() -> None:
    result, diagnostics = run({"type": "string", "nullable": "yes"})
    assert result == {"type": "string"}
    assert messages(diagnostics) == [
        (SCHEMA_POINTER, "nullable must be true or false, not 'yes'; ignored")
    ]


def test_boolean_exclusive_bounds_become_numeric() -> None:
    result, diagnostics = run(
        {
            "type": "number",
            "minimum": 0,
            "exclusiveMinimum": True,
            "maximum": 10,
            "exclusiveMaximum": False,
        }
    )
    assert result == {"type": "number", "exclusiveMinimum": 0, "maximum": 10}
    assert len(diagnostics) == 0


def test_exclusive_bound_without_a_limit_is_dropped_with_a_warning() -> None:
    result, diagnostics = run({"type": "number", "exclusiveMaximum": True})
    assert result == {"type": "number"}
    assert messages(diagnostics) == [
        (SCHEMA_POINTER, "exclusiveMaximum: true without a numeric maximum; ignored")
    ]


def test_numeric_exclusive_bounds_in_3_1_are_left_alone() -> None:
    schema = {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 100}
    result, diagnostics = run(dict(schema), version="3.1")
    assert result == schema
    assert len(diagnostics) == 0


def test_empty_enum_is_dropped_with_a_warning() -> None:
    result, diagnostics = run(
        {"type": "object", "properties": {"s": {"type": "string", "enum": []}}}
    )
    assert result["properties"]["s"] == {"type": "string"}
    assert messages(diagnostics) == [
        (f"{SCHEMA_POINTER}/properties/s", "empty enum (no value could match); ignored")
    ]


def test_ref_siblings_in_3_0_keep_annotations_and_drop_the_rest() -> None:
    result, diagnostics = run(
        {
            "$ref": "#/components/schemas/Body",
            "title": "Body",
            "description": "d",
            "required": ["a"],
            "properties": {"a": {}},
            "x-note": 1,
        }
    )
    assert result == {
        "$ref": "#/components/schemas/Body",
        "title": "Body",
        "description": "d",
        "x-note": 1,
    }
    assert messages(diagnostics) == [
        (
            SCHEMA_POINTER,
            "keywords beside $ref ignored, as OpenAPI 3.0 ignores them: required, properties",
        )
    ]


def test_ref_siblings_in_3_1_are_kept() -> None:
    schema = {"$ref": "#/components/schemas/Body", "required": ["a"]}
    result, diagnostics = run(dict(schema), version="3.1")
    assert result == schema
    assert len(diagnostics) == 0


def test_non_string_keys_become_strings_with_a_warning() -> None:
    document: dict[str, Any] = {
        "openapi": "3.0.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/p": {"get": {"responses": {200: {"description": "ok"}, "404": {"$ref": "#/r"}}}}
        },
        "components": {"schemas": {"S": {"properties": {True: {"type": "string"}}}}},
    }
    diagnostics = Diagnostics()
    normalize(
        document,
        version="3.0",
        diagnostics=diagnostics,
        source=lambda pointer: ("spec.yaml", pointer),
    )
    assert list(document["paths"]["/p"]["get"]["responses"]) == ["200", "404"]
    assert list(document["components"]["schemas"]["S"]["properties"]) == ["true"]
    assert messages(diagnostics) == [
        (
            "#/paths/~1p/get/responses/200",
            "key 200 is not a string (unquoted in YAML?); read as '200'",
        ),
        (
            "#/components/schemas/S/properties/true",
            "key True is not a string (unquoted in YAML?); read as 'true'",
        ),
    ]
    assert {warning.file for warning in diagnostics.warnings} == {"spec.yaml"}


def test_a_key_written_quoted_and_unquoted_is_an_error() -> None:
    document: dict[str, Any] = {"paths": {"/p": {"get": {"responses": {200: {}, "200": {}}}}}}
    with pytest.raises(SpecError, match="duplicate key '200'") as caught:
        normalize(document, version="3.0", diagnostics=Diagnostics())
    assert caught.value.pointer == "#/paths/~1p/get/responses/200"


def test_non_string_info_version_becomes_a_string() -> None:
    document: dict[str, Any] = {"openapi": "3.0.0", "info": {"title": "T", "version": 1.0}}
    diagnostics = Diagnostics()
    normalize(document, version="3.0", diagnostics=diagnostics)
    assert document["info"]["version"] == "1.0"
    assert messages(diagnostics) == [
        ("#/info/version", "info.version 1.0 is not a string; read as '1.0'")
    ]


def test_examples_and_extensions_are_not_rewritten() -> None:
    payload = {"type": "string", "nullable": True, "enum": []}
    media = {
        "schema": {"type": "string"},
        "example": payload,
        "examples": {"e": {"value": payload}},
        "x-meta": payload,
    }
    document: dict[str, Any] = {
        "openapi": "3.0.0",
        "paths": {"/p": {"get": {"responses": {"200": {"content": {"application/json": media}}}}}},
    }
    normalize(document, version="3.0", diagnostics=Diagnostics())
    assert payload == {"type": "string", "nullable": True, "enum": []}
    assert media["schema"] == {"type": "string"}


def test_schemas_in_every_place_are_reached() -> None:
    nullable = {"type": "string", "nullable": True}
    operation = {
        "parameters": [{"name": "p", "in": "query", "schema": dict(nullable)}],
        "requestBody": {"content": {"application/json": {"schema": dict(nullable)}}},
        "responses": {
            "200": {
                "headers": {"X": {"schema": dict(nullable)}},
                "content": {"application/json": {"schema": dict(nullable)}},
            }
        },
        "callbacks": {
            "cb": {
                "{$url}": {
                    "post": {"requestBody": {"content": {"a/b": {"schema": dict(nullable)}}}}
                }
            }
        },
    }
    document: dict[str, Any] = {
        "openapi": "3.0.0",
        "paths": {"/p": {"post": operation}},
        "components": {"parameters": {"q": {"schema": dict(nullable)}}},
    }
    normalize(document, version="3.0", diagnostics=Diagnostics())
    found = [
        operation["parameters"][0]["schema"],
        operation["requestBody"]["content"]["application/json"]["schema"],
        operation["responses"]["200"]["headers"]["X"]["schema"],
        operation["responses"]["200"]["content"]["application/json"]["schema"],
        operation["callbacks"]["cb"]["{$url}"]["post"]["requestBody"]["content"]["a/b"]["schema"],
        document["components"]["parameters"]["q"]["schema"],
    ]
    assert found == [{"type": ["string", "null"]}] * 6


def test_a_shared_node_is_converted_once() -> None:
    shared = {"type": "string", "nullable": True}
    result, _ = run({"properties": {"a": shared, "b": shared}})
    assert result["properties"]["a"] is result["properties"]["b"]
    assert shared == {"type": ["string", "null"]}


def test_missing_info_version_and_response_description_become_empty() -> None:
    document: dict[str, Any] = {
        "openapi": "3.0.0",
        "info": {"title": "T"},
        "paths": {"/p": {"get": {"responses": {"204": {}, "404": {"$ref": "#/x"}}}}},
    }
    diagnostics = Diagnostics()
    normalize(document, version="3.0", diagnostics=diagnostics)
    assert document["info"]["version"] == ""
    assert document["paths"]["/p"]["get"]["responses"] == {
        "204": {"description": ""},
        "404": {"$ref": "#/x"},
    }
    assert messages(diagnostics) == [
        ("#/info", "info.version is missing; read as ''"),
        ("#/paths/~1p/get/responses/204", "response has no description (required); read as ''"),
    ]


def test_boolean_required_on_properties_moves_to_the_parent() -> None:
    result, diagnostics = run(
        {
            "type": "object",
            "required": ["a"],
            "properties": {
                "a": {"type": "string", "required": True},
                "b": {"type": "string", "required": True},
                "c": {"type": "string", "required": False},
                "d": {"type": "object", "required": ["x"]},
            },
        }
    )
    assert result["required"] == ["a", "b"]
    assert result["properties"] == {
        "a": {"type": "string"},
        "b": {"type": "string"},
        "c": {"type": "string"},
        "d": {"type": "object", "required": ["x"]},
    }
    assert [pointer for pointer, _ in messages(diagnostics)] == [
        f"{SCHEMA_POINTER}/properties/{name}" for name in ("a", "b", "c")
    ]


def test_type_file_becomes_binary_string() -> None:
    result, diagnostics = run({"type": "file", "description": "upload"})
    assert result == {"type": "string", "format": "binary", "description": "upload"}
    assert messages(diagnostics) == [
        (SCHEMA_POINTER, "type 'file' is Swagger 2.0; read as string/binary")
    ]


def test_boolean_schemas_become_objects() -> None:
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/p": {
                "get": {
                    "parameters": [{"name": "q", "in": "query", "schema": True}],
                    "responses": {
                        "200": {"description": "", "content": {"a/b": {"schema": False}}}
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Any": True,
                "S": {
                    "items": True,
                    "allOf": [False, {"type": "string"}],
                    "properties": {"a": True, "b": False},
                    "additionalProperties": False,
                },
            }
        },
    }
    diagnostics = Diagnostics()
    normalize(document, version="3.1", diagnostics=diagnostics)
    get = document["paths"]["/p"]["get"]
    assert get["parameters"][0]["schema"] == {}
    assert get["responses"]["200"]["content"]["a/b"]["schema"] == {"not": {}}
    assert document["components"]["schemas"] == {
        "Any": {},
        "S": {
            "items": {},
            "allOf": [{"not": {}}, {"type": "string"}],
            "properties": {"a": {}, "b": {"not": {}}},
            "additionalProperties": False,
        },
    }
    assert len(diagnostics) == 0
