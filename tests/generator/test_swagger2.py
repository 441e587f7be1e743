"""Swagger 2.0 input: each conversion rule, located errors, and a 2.0 client end to end."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from forgegen.diagnostics import Diagnostics, SpecError
from forgegen.parse import parse_spec
from forgegen.pipeline import generate
from forgegen.swagger2 import convert_swagger2

from tests.support.server import LoopbackServer, RecordedRequest, Reply

FIXTURE = Path(__file__).parent / "specs" / "swagger2"
STORE = FIXTURE / "store.yaml"

BASE: dict[str, Any] = {"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {}}


def convert(**fields: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The converted document and its warnings as ``(pointer, message)``."""
    diagnostics = Diagnostics()
    document = copy.deepcopy({**BASE, **fields})
    out = convert_swagger2(document, diagnostics=diagnostics)
    return out, [(w.pointer, w.message) for w in diagnostics.warnings]


def operation(*parameters: Any, **fields: Any) -> dict[str, Any]:
    """A one-operation ``paths`` (``POST /x``) with these parameters."""
    node = {"parameters": list(parameters), "responses": {"204": {"description": "ok"}}, **fields}
    return {"/x": {"post": node}}


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(path: Path) -> SpecError:
    with pytest.raises(SpecError) as caught:
        parse_spec(path)
    return caught.value


# -- servers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "urls"),
    [
        (
            {"host": "h.io", "basePath": "/v1", "schemes": ["http", "https"]},
            ["http://h.io/v1", "https://h.io/v1"],
        ),
        ({"host": "h.io:8443", "basePath": "/v1/"}, ["https://h.io:8443/v1"]),
        ({"host": "h.io", "basePath": "/"}, ["https://h.io"]),
        ({"host": "h.io"}, ["https://h.io"]),
        ({"basePath": "/api"}, ["/api"]),
        ({}, None),
    ],
)
def test_host_base_path_and_schemes_become_servers(fields: dict[str, Any], urls: Any) -> None:
    out, warnings = convert(**fields)
    assert warnings == []
    assert out["openapi"] == "3.0.3"
    assert [s["url"] for s in out["servers"]] == urls if urls else "servers" not in out


def test_a_host_with_a_scheme_or_a_relative_base_path_is_read_with_a_warning() -> None:
    out, warnings = convert(host="https://h.io/ignored", basePath="v1")
    assert out["servers"] == [{"url": "https://h.io/v1"}]
    assert warnings == [
        ("#/basePath", "basePath 'v1' should start with '/'; read as '/v1'"),
        ("#/host", "host 'https://h.io/ignored' should be a name and port only; read as 'h.io'"),
    ]


def test_a_websocket_scheme_is_dropped_with_a_warning() -> None:
    out, warnings = convert(host="h.io", schemes=["wss", "https"])
    assert out["servers"] == [{"url": "https://h.io"}]
    assert warnings == [("#/schemes", "scheme 'wss' is not HTTP; no server for it")]


# -- components ------------------------------------------------------------------------


def test_definitions_become_schemas_and_every_ref_follows() -> None:
    definitions = {
        "Pet": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "parent": {"$ref": "#/definitions/Pet"},
                "same_id": {"$ref": "#/definitions/Pet/properties/id"},
                "tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}},
                "extra": {"additionalProperties": {"$ref": "#/definitions/Tag"}},
            },
        },
        "Tag": {"allOf": [{"$ref": "#/definitions/Pet"}], "x-kind": "tag"},
    }
    out, warnings = convert(definitions=definitions)
    assert warnings == []
    schemas = out["components"]["schemas"]
    pet = schemas["Pet"]["properties"]
    assert pet["parent"] == {"$ref": "#/components/schemas/Pet"}
    assert pet["same_id"] == {"$ref": "#/components/schemas/Pet/properties/id"}
    assert pet["tags"]["items"] == {"$ref": "#/components/schemas/Tag"}
    assert pet["extra"]["additionalProperties"] == {"$ref": "#/components/schemas/Tag"}
    assert schemas["Tag"] == {"allOf": [{"$ref": "#/components/schemas/Pet"}], "x-kind": "tag"}


def test_schema_keywords_of_2_0() -> None:
    definitions = {
        "Animal": {
            "type": "object",
            "discriminator": "kind",
            "required": ["kind"],
            "properties": {
                "kind": {"type": "string"},
                "name": {"type": "string", "x-nullable": True},
                "age": {"type": "integer", "x-nullable": False},
                "owner": {"$ref": "#/definitions/Animal", "x-nullable": True},
                "photo": {"type": "file"},
            },
        }
    }
    out, warnings = convert(definitions=definitions)
    assert warnings == []
    animal = out["components"]["schemas"]["Animal"]
    assert animal["discriminator"] == {"propertyName": "kind"}
    assert animal["properties"]["name"] == {"type": "string", "nullable": True}
    assert animal["properties"]["age"] == {"type": "integer"}
    assert animal["properties"]["owner"] == {
        "$ref": "#/components/schemas/Animal",
        "nullable": True,
    }
    assert animal["properties"]["photo"] == {"type": "string", "format": "binary"}


def test_shared_parameters_split_into_parameters_and_request_bodies() -> None:
    parameters = {
        "limit": {"name": "limit", "in": "query", "type": "integer", "minimum": 1, "x-a": 1},
        "pet": {
            "name": "pet",
            "in": "body",
            "required": True,
            "description": "the pet",
            "schema": {"$ref": "#/definitions/Pet"},
        },
        "field": {"name": "field", "in": "formData", "type": "string"},
    }
    out, warnings = convert(
        parameters=parameters,
        definitions={"Pet": {"type": "object"}},
        consumes=["application/json", "application/xml"],
    )
    assert warnings == []
    components = out["components"]
    assert components["parameters"] == {
        "limit": {
            "name": "limit",
            "in": "query",
            "x-a": 1,
            "schema": {"type": "integer", "minimum": 1},
        }
    }
    pet_schema = {"$ref": "#/components/schemas/Pet"}
    assert components["requestBodies"] == {
        "pet": {
            "description": "the pet",
            "content": {
                "application/json": {"schema": pet_schema},
                "application/xml": {"schema": pet_schema},
            },
            "required": True,
            "x-codegen-request-body-name": "pet",
        }
    }


def test_operations_use_shared_parameters_by_reference_or_merge_them() -> None:
    parameters = {
        "limit": {"name": "limit", "in": "query", "type": "integer"},
        "pet": {"name": "pet", "in": "body", "schema": {"type": "object"}},
        "field": {"name": "field", "in": "formData", "type": "string", "required": True},
    }
    paths = {
        "/a": {
            "post": {
                "parameters": [{"$ref": "#/parameters/limit"}, {"$ref": "#/parameters/pet"}],
                "responses": {},
            }
        },
        "/b": {"post": {"parameters": [{"$ref": "#/parameters/field"}], "responses": {}}},
        "/c": {
            "post": {
                "consumes": ["text/plain"],
                "parameters": [{"$ref": "#/parameters/pet"}],
                "responses": {},
            }
        },
    }
    out, warnings = convert(parameters=parameters, paths=paths)
    assert warnings == []
    a = out["paths"]["/a"]["post"]
    assert a["parameters"] == [{"$ref": "#/components/parameters/limit"}]
    assert a["requestBody"] == {"$ref": "#/components/requestBodies/pet"}
    b = out["paths"]["/b"]["post"]["requestBody"]
    assert b == {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"field": {"type": "string"}},
                    "required": ["field"],
                }
            }
        },
        "required": True,
    }
    # consumes differs from the document's: the shared body is inlined with the operation's types
    c = out["paths"]["/c"]["post"]["requestBody"]
    assert list(c["content"]) == ["text/plain"]
    assert c["required"] is False


def test_shared_responses_and_the_operations_produces() -> None:
    responses = {"NotFound": {"description": "missing", "schema": {"$ref": "#/definitions/E"}}}
    paths = {
        "/a": {"get": {"responses": {"404": {"$ref": "#/responses/NotFound"}}}},
        "/b": {
            "get": {
                "produces": ["application/xml"],
                "responses": {"404": {"$ref": "#/responses/NotFound"}},
            }
        },
    }
    out, warnings = convert(responses=responses, paths=paths, definitions={"E": {"type": "object"}})
    assert warnings == []
    e = {"$ref": "#/components/schemas/E"}
    assert out["components"]["responses"] == {
        "NotFound": {"description": "missing", "content": {"application/json": {"schema": e}}}
    }
    assert out["paths"]["/a"]["get"]["responses"]["404"] == {
        "$ref": "#/components/responses/NotFound"
    }
    assert out["paths"]["/b"]["get"]["responses"]["404"] == {
        "description": "missing",
        "content": {"application/xml": {"schema": e}},
    }


def test_security_definitions_become_security_schemes() -> None:
    definitions = {
        "basic": {"type": "basic", "description": "user:password"},
        "key": {"type": "apiKey", "name": "X-Key", "in": "header", "x-vendor": True},
        "implicit": {
            "type": "oauth2",
            "flow": "implicit",
            "authorizationUrl": "https://a/auth",
            "scopes": {"read": "r"},
        },
        "password": {"type": "oauth2", "flow": "password", "tokenUrl": "https://a/token"},
        "application": {
            "type": "oauth2",
            "flow": "application",
            "tokenUrl": "https://a/token",
            "scopes": {"admin": "a"},
        },
        "accessCode": {
            "type": "oauth2",
            "flow": "accessCode",
            "authorizationUrl": "https://a/auth",
            "tokenUrl": "https://a/token",
            "scopes": {},
        },
        "odd": {"type": "oauth2", "flow": "device"},
    }
    out, warnings = convert(securityDefinitions=definitions, security=[{"key": []}])
    assert out["security"] == [{"key": []}]
    assert out["components"]["securitySchemes"] == {
        "basic": {"type": "http", "scheme": "basic", "description": "user:password"},
        "key": {"type": "apiKey", "name": "X-Key", "in": "header", "x-vendor": True},
        "implicit": {
            "type": "oauth2",
            "flows": {"implicit": {"authorizationUrl": "https://a/auth", "scopes": {"read": "r"}}},
        },
        "password": {
            "type": "oauth2",
            "flows": {"password": {"tokenUrl": "https://a/token", "scopes": {}}},
        },
        "application": {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {"tokenUrl": "https://a/token", "scopes": {"admin": "a"}}
            },
        },
        "accessCode": {
            "type": "oauth2",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": "https://a/auth",
                    "tokenUrl": "https://a/token",
                    "scopes": {},
                }
            },
        },
    }
    assert warnings == [
        (
            "#/securityDefinitions/odd",
            "oauth2 flow 'device' is not a Swagger 2.0 flow; scheme ignored",
        )
    ]


# -- operations ------------------------------------------------------------------------


def test_body_parameter_becomes_the_request_body_per_consumed_type() -> None:
    body = {
        "name": "b",
        "in": "body",
        "required": True,
        "description": "d",
        "schema": {"type": "object"},
        "x-z": 1,
    }
    out, warnings = convert(
        consumes=["application/xml"],
        paths=operation(body, consumes=["application/json", "text/plain"]),
    )
    assert warnings == []
    post = out["paths"]["/x"]["post"]
    assert "parameters" not in post
    assert post["requestBody"] == {
        "description": "d",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/plain": {"schema": {"type": "object"}},
        },
        "required": True,
        "x-codegen-request-body-name": "b",
        "x-z": 1,
    }
    assert list(post) == ["requestBody", "responses"]


def test_consumes_default_to_json() -> None:
    body = {"name": "b", "in": "body", "schema": {"type": "string"}}
    out, _ = convert(paths=operation(body))
    request = out["paths"]["/x"]["post"]["requestBody"]
    assert list(request["content"]) == ["application/json"]
    assert request["required"] is False


def test_form_data_becomes_an_urlencoded_object_with_encodings() -> None:
    fields = [
        {"name": "name", "in": "formData", "type": "string", "required": True, "description": "n"},
        {"name": "tags", "in": "formData", "type": "array", "items": {"type": "string"}},
        {
            "name": "ids",
            "in": "formData",
            "type": "array",
            "items": {"type": "integer"},
            "collectionFormat": "multi",
        },
        {"name": "id", "in": "path", "type": "integer", "required": True},
    ]
    out, warnings = convert(paths=operation(*fields))
    assert warnings == []
    post = out["paths"]["/x"]["post"]
    assert post["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ]
    assert post["requestBody"] == {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "n"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "ids": {"type": "array", "items": {"type": "integer"}},
                    },
                    "required": ["name"],
                },
                "encoding": {
                    "tags": {"style": "form", "explode": False},
                    "ids": {"style": "form", "explode": True},
                },
            }
        },
        "required": True,
    }


@pytest.mark.parametrize(
    ("consumes", "warning"),
    [
        (None, None),
        (["multipart/form-data"], None),
        (["multipart/form-data", "application/x-www-form-urlencoded"], None),
        (
            ["application/x-www-form-urlencoded"],
            "a file field needs multipart/form-data, which consumes does not list; sent as it",
        ),
    ],
)
def test_a_file_field_makes_the_form_multipart(consumes: Any, warning: str | None) -> None:
    fields = [
        {"name": "file", "in": "formData", "type": "file", "required": True},
        {"name": "note", "in": "formData", "type": "string"},
    ]
    extra = {"consumes": consumes} if consumes else {}
    out, warnings = convert(paths=operation(*fields, **extra))
    content = out["paths"]["/x"]["post"]["requestBody"]["content"]
    assert content == {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "note": {"type": "string"},
                },
                "required": ["file"],
            }
        }
    }
    assert warnings == ([("#/paths/~1x/post", warning)] if warning else [])


def test_consumes_multipart_without_a_file() -> None:
    field = {"name": "note", "in": "formData", "type": "string"}
    out, _ = convert(paths=operation(field), consumes=["multipart/form-data"])
    assert list(out["paths"]["/x"]["post"]["requestBody"]["content"]) == ["multipart/form-data"]


@pytest.mark.parametrize(
    ("location", "fmt", "style", "warning"),
    [
        ("query", None, {"style": "form", "explode": False}, None),
        ("query", "csv", {"style": "form", "explode": False}, None),
        ("query", "ssv", {"style": "spaceDelimited", "explode": False}, None),
        ("query", "pipes", {"style": "pipeDelimited", "explode": False}, None),
        ("query", "multi", {"style": "form", "explode": True}, None),
        (
            "query",
            "tsv",
            {"style": "form", "explode": False},
            "collectionFormat 'tsv' has no OpenAPI 3 style; read as csv",
        ),
        ("path", "csv", {"style": "simple", "explode": False}, None),
        ("header", None, {"style": "simple", "explode": False}, None),
        (
            "header",
            "multi",
            {"style": "simple", "explode": False},
            "collectionFormat 'multi' is not possible in header; read as csv",
        ),
    ],
)
def test_collection_formats_become_styles(
    location: str, fmt: str | None, style: dict[str, Any], warning: str | None
) -> None:
    parameter: dict[str, Any] = {
        "name": "p",
        "in": location,
        "required": True,
        "type": "array",
        "items": {"type": "integer", "format": "int32", "enum": [1, 2]},
        "default": [1],
        "maxItems": 3,
    }
    if fmt:
        parameter["collectionFormat"] = fmt
    out, warnings = convert(paths=operation(parameter))
    (converted,) = out["paths"]["/x"]["post"]["parameters"]
    assert converted == {
        "name": "p",
        "in": location,
        "required": True,
        "schema": {
            "type": "array",
            "items": {"type": "integer", "format": "int32", "enum": [1, 2]},
            "default": [1],
            "maxItems": 3,
        },
        **style,
    }
    assert warnings == ([("#/paths/~1x/post/parameters/0", warning)] if warning else [])


def test_path_level_body_and_form_parameters_are_merged_into_each_operation() -> None:
    paths = {
        "/x": {
            "parameters": [
                {"name": "id", "in": "path", "type": "string", "required": True},
                {"name": "a", "in": "formData", "type": "string"},
                {"name": "b", "in": "formData", "type": "string"},
            ],
            "post": {
                "parameters": [{"name": "b", "in": "formData", "type": "integer"}],
                "responses": {},
            },
            "put": {"responses": {}},
        }
    }
    out, _ = convert(paths=paths)
    item = out["paths"]["/x"]
    assert item["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    form = "application/x-www-form-urlencoded"
    post = item["post"]["requestBody"]["content"][form]["schema"]["properties"]
    assert post == {"b": {"type": "integer"}, "a": {"type": "string"}}
    put = item["put"]["requestBody"]["content"][form]["schema"]["properties"]
    assert put == {"a": {"type": "string"}, "b": {"type": "string"}}


def test_responses_headers_examples_and_files() -> None:
    responses = {
        "200": {
            "description": "ok",
            "schema": {"type": "object"},
            "headers": {
                "X-Rate": {"type": "integer", "description": "left"},
                "X-List": {
                    "type": "array",
                    "items": {"type": "string"},
                    "collectionFormat": "pipes",
                },
            },
            "examples": {"application/json": {"a": 1}, "text/csv": "a"},
            "x-r": True,
        },
        "201": {"description": "file", "schema": {"type": "file"}},
        "204": {"description": "nothing"},
    }
    paths = {
        "/x": {
            "get": {"produces": ["application/json", "application/xml"], "responses": responses},
            "put": {
                "produces": ["image/png"],
                "responses": {"200": {"description": "png", "schema": {"type": "file"}}},
            },
            "post": {"responses": {"200": {"description": "?", "schema": {"type": "file"}}}},
        }
    }
    out, warnings = convert(paths=paths)
    got = out["paths"]["/x"]["get"]["responses"]
    assert got["200"] == {
        "description": "ok",
        "headers": {
            "X-Rate": {"description": "left", "schema": {"type": "integer"}},
            "X-List": {"schema": {"type": "array", "items": {"type": "string"}}},
        },
        "content": {
            "application/json": {"schema": {"type": "object"}, "example": {"a": 1}},
            "application/xml": {"schema": {"type": "object"}},
        },
        "x-r": True,
    }
    assert got["201"] == {
        "description": "file",
        "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
    }
    assert got["204"] == {"description": "nothing"}
    put = out["paths"]["/x"]["put"]["responses"]["200"]["content"]
    assert put == {"image/png": {"schema": {"type": "string", "format": "binary"}}}
    post = out["paths"]["/x"]["post"]["responses"]["200"]["content"]
    assert post == {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    base = "#/paths/~1x/get/responses"
    assert warnings == [
        (
            f"{base}/200/headers/X-List",
            "collectionFormat 'pipes' is not possible in header; read as csv",
        ),
        (f"{base}/200/examples", "example for 'text/csv', which is not produced here; dropped"),
        (
            f"{base}/201",
            "a file response is not JSON; listed as application/xml",
        ),
        (
            "#/paths/~1x/post/responses/200",
            "a file response, but produces lists only JSON; read as application/octet-stream",
        ),
    ]


def test_operation_schemes_become_operation_servers() -> None:
    paths = {
        "/x": {
            "get": {"schemes": ["http"], "responses": {}},
            "put": {"schemes": ["https"], "responses": {}},
        }
    }
    out, _ = convert(paths=paths, host="h.io", basePath="/v1", schemes=["https"])
    assert out["paths"]["/x"]["get"]["servers"] == [{"url": "http://h.io/v1"}]
    assert "servers" not in out["paths"]["/x"]["put"]


def test_what_does_not_convert_is_a_warning_naming_its_pointer() -> None:
    paths = operation(
        {
            "name": "q",
            "in": "query",
            "type": "string",
            "allowEmptyValue": True,
            "collectionFormat": "csv",
        },
        {"name": "h", "in": "header", "type": "string", "allowEmptyValue": True},
        {"name": "b", "in": "body", "schema": {"type": "object"}},
        {"name": "c", "in": "body", "schema": {"type": "object"}},
        {"name": "f", "in": "formData", "type": "string"},
        bogus=1,
    )
    out, warnings = convert(paths=paths, components={}, **{"x-top": {"kept": True}})
    assert out["x-top"] == {"kept": True}
    assert "components" not in out or "x" not in out["components"]
    assert out["paths"]["/x"]["post"]["parameters"][0]["allowEmptyValue"] is True
    base = "#/paths/~1x/post"
    assert warnings == [
        ("#/components", "'components' is not a Swagger 2.0 field; ignored"),
        (f"{base}/parameters/1", "allowEmptyValue is for query parameters; ignored"),
        (base, "'bogus' is not a Swagger 2.0 operation field; ignored"),
        (f"{base}/parameters/3", "more than one body parameter; the first is used"),
        (f"{base}/parameters/4", "body and formData parameters together; formData ignored"),
    ]


# -- through parse_spec: bundling, locations, errors ----------------------------------


def test_the_fixture_bundles_and_converts_with_its_files_and_lines() -> None:
    diagnostics = Diagnostics()
    parsed = parse_spec(STORE, diagnostics=diagnostics)
    assert diagnostics.warnings == []
    assert parsed.original_version == "2.0"
    assert parsed.files == tuple(
        str(p) for p in (STORE, FIXTURE / "paths" / "photo.yaml", FIXTURE / "definitions.yaml")
    )
    document = parsed.document
    components = document["components"]
    assert list(components["schemas"]) == ["Pet", "NewPet", "Error", "Owner", "Shape"]
    assert components["schemas"]["Shape"]["discriminator"] == {"propertyName": "kind"}
    assert components["schemas"]["Owner"]["properties"]["nickname"] == {"type": ["string", "null"]}
    refs = re.findall(r'"\$ref": "([^"]*)"', json.dumps(document))
    assert len(refs) > 10
    assert all(ref.startswith("#/components/") for ref in refs)
    photo = document["paths"]["/pets/{petId}/photo"]
    assert photo["post"]["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}
    assert photo["post"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Owner"
    }
    assert [s["url"] for s in document["servers"]] == [
        "https://store.example.com/v2",
        "http://store.example.com/v2",
    ]
    # converted pointers lead back to the 2.0 files and lines they came from
    assert parsed.locate("#/components/schemas/NewPet/properties/tag") == (str(STORE), 140)
    assert parsed.locate("#/components/schemas/Owner/properties/nickname") == (
        str(FIXTURE / "definitions.yaml"),
        7,
    )
    assert parsed.locate(
        "#/paths/~1pets~1{petId}~1photo/post/requestBody/content/multipart~1form-data/schema/properties/file"
    ) == (str(FIXTURE / "paths" / "photo.yaml"), 10)
    assert parsed.locate("#/paths/~1pets/get/parameters/1/schema/items") == (str(STORE), 59)
    assert parsed.locate("#/paths/~1pets/post/requestBody") == (str(STORE), 80)


def test_2_0_objects_in_other_files_are_converted_like_local_ones(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.yaml",
        """\
        swagger: "2.0"
        info: {title: T, version: "1"}
        paths:
          /x: {$ref: 'paths/x.yaml'}
        definitions:
          E: {type: object, properties: {main: {type: boolean}}}
        """,
    )
    write(
        tmp_path,
        "paths/x.yaml",
        """\
        post:
          parameters:
            - $ref: '../common.yaml#/parameters/pet'
            - $ref: '../common.yaml#/parameters/ids'
          responses:
            '400': {$ref: '../common.yaml#/responses/Bad'}
            '500': {description: main's, schema: {$ref: '../main.yaml#/definitions/E'}}
        """,
    )
    write(
        tmp_path,
        "common.yaml",
        """\
        parameters:
          pet: {name: pet, in: body, required: true, schema: {$ref: '#/definitions/E'}}
          ids: {name: ids, in: query, type: array, items: {type: integer}}
        responses:
          Bad: {description: bad, schema: {$ref: '#/definitions/E'}}
        definitions:
          E: {type: object, x-nullable: true}
        """,
    )
    parsed = parse_spec(tmp_path / "main.yaml")
    document = parsed.document
    components = document["components"]
    assert set(components["schemas"]) == {"E", "E_2"}
    assert components["schemas"]["E_2"] == {"type": ["object", "null"]}
    post = document["paths"]["/x"]["post"]
    assert post["requestBody"] == {"$ref": "#/components/requestBodies/pet"}
    body = components["requestBodies"]["pet"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/E_2"}
    assert post["parameters"] == [{"$ref": "#/components/parameters/ids"}]
    assert components["parameters"]["ids"]["style"] == "form"
    assert components["parameters"]["ids"]["explode"] is False
    assert post["responses"]["400"] == {"$ref": "#/components/responses/Bad"}
    schema_500 = post["responses"]["500"]["content"]["application/json"]["schema"]
    assert schema_500 == {"$ref": "#/components/schemas/E"}
    assert parsed.locate("#/components/requestBodies/pet") == (str(tmp_path / "common.yaml"), 2)
    assert parsed.locate("#/components/schemas/E_2") == (str(tmp_path / "common.yaml"), 7)


def test_warnings_in_a_2_0_document_name_the_original_place(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.yaml",
        """\
        swagger: "2.0"
        info: {title: T, version: "1"}
        paths:
          /x:
            get:
              parameters:
                - {name: q, in: query, type: array, items: {type: string}, collectionFormat: tsv}
              responses:
                '200': {description: ok, schema: {$ref: 'defs.yaml#/Thing'}}
        """,
    )
    write(tmp_path, "defs.yaml", "Thing:\n  type: object\n  enum: []\n")
    diagnostics = Diagnostics()
    parse_spec(tmp_path / "main.yaml", diagnostics=diagnostics)
    assert [(w.file, w.pointer, w.message) for w in diagnostics.warnings] == [
        (
            str(tmp_path / "main.yaml"),
            "#/paths/~1x/get/parameters/0",
            "collectionFormat 'tsv' has no OpenAPI 3 style; read as csv",
        ),
        (str(tmp_path / "defs.yaml"), "#/Thing", "empty enum (no value could match); ignored"),
    ]


def test_a_body_parameter_without_schema_is_a_located_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """\
        swagger: "2.0"
        info: {title: T, version: "1"}
        paths:
          /x:
            post:
              parameters:
                - name: pet
                  in: body
              responses: {}
        """,
    )
    error = error_of(path)
    assert error.diagnostic.message == "a body parameter needs a 'schema'"
    assert (error.pointer, error.diagnostic.file, error.diagnostic.line) == (
        "#/paths/~1x/post/parameters/0",
        str(path),
        7,
    )


def test_a_broken_ref_is_a_located_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """\
        swagger: "2.0"
        info: {title: T, version: "1"}
        paths:
          /x:
            get:
              responses:
                '200':
                  description: ok
                  schema: {$ref: '#/definitions/Pett'}
        definitions:
          Pet: {type: object}
        """,
    )
    error = error_of(path)
    assert error.diagnostic.message == "$ref '#/definitions/Pett' not found"
    assert (error.pointer, error.diagnostic.line) == ("#/paths/~1x/get/responses/200/schema", 9)


def test_a_broken_ref_in_another_file_is_located_in_that_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.yaml",
        """\
        swagger: "2.0"
        info: {title: T, version: "1"}
        paths:
          /x: {$ref: 'paths/x.yaml'}
        """,
    )
    write(
        tmp_path,
        "paths/x.yaml",
        """\
        get:
          parameters:
            - $ref: '../params.yaml#/limit'
          responses: {}
        """,
    )
    write(
        tmp_path, "params.yaml", "limit:\n  name: limit\n  in: query\n  schema: {$ref: '#/Nope'}\n"
    )
    error = error_of(tmp_path / "main.yaml")
    assert error.diagnostic.message == "$ref '#/Nope' not found"
    assert (error.diagnostic.file, error.pointer, error.diagnostic.line) == (
        str(tmp_path / "params.yaml"),
        "#/limit/schema",
        4,
    )


def test_an_invalid_value_is_reported_at_its_2_0_pointer(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """\
        swagger: "2.0"
        info: {title: T, version: "1"}
        paths:
          /x:
            get:
              parameters:
                - name: q
                  in: query
                  type: 12
              responses: {}
        """,
    )
    error = error_of(path)
    assert (error.pointer, error.diagnostic.line) == ("#/paths/~1x/get/parameters/0/type", 9)
    assert error.diagnostic.message.startswith("invalid OpenAPI document:")


@pytest.mark.parametrize("version", ["'1.2'", "'3.0'"])
def test_other_swagger_versions_are_refused(tmp_path: Path, version: str) -> None:
    path = write(tmp_path, "s.yaml", f"info: {{}}\nswagger: {version}\n")
    error = error_of(path)
    assert (error.pointer, error.diagnostic.line) == ("#/swagger", 2)
    assert error.diagnostic.message.startswith(f"unsupported Swagger version {version}")


# -- end to end: generate, type-check, call a loopback server -------------------------


@pytest.fixture(scope="module")
def store_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("swagger2") / "store"
    result = generate(STORE, out, quiet=True, cache_dir=tmp_path_factory.mktemp("cache"))
    assert result.warnings == []
    return out


def test_the_2_0_client_passes_mypy_strict(store_client: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "store"],
        cwd=store_client.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]


CALLS = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from store import Client
    from store.models import NewPet, UpdatePetWithFormBody, UploadPhotoBody, ListPetsStatusItem

    assert Client.default_base_url == "https://store.example.com/v2", Client.default_base_url
    client = Client(base_url=sys.argv[2])
    out = {}
    statuses = [ListPetsStatusItem("available"), ListPetsStatusItem("sold")]
    pets = client.pets.list_pets(
        limit=5, tags=["a", "b"], status=statuses, ids=[1, 2], x_trace_id="t-1"
    )
    out["pets"] = [[p.id, p.name, p.tag] for p in pets]
    created = client.pets.create_pet(body=NewPet(name="Rex", tag=None))
    out["created"] = created.id
    form = UpdatePetWithFormBody(name="Max", nicknames=["m", "x"])
    client.pets.update_pet_with_form(pet_id=7, body=form)
    owner = client.photos.upload_photo(
        pet_id=7, body=UploadPhotoBody(caption="hi", file=b"\\x89PNG-bytes")
    )
    out["owner"] = [owner.name, owner.nickname]
    out["photo"] = client.photos.get_photo(pet_id=7).hex()
    shapes = client.shapes.list_shapes()
    out["shapes"] = [[s.kind, s.area] for s in shapes]
    print(json.dumps(out))
    """)


def test_the_2_0_client_calls_a_server_as_2_0_expects(
    store_client: Path, server: LoopbackServer
) -> None:
    server.route("GET", "/v2/pets", Reply.json([{"id": 1, "name": "Rex", "tag": None}]))
    server.route("POST", "/v2/pets", Reply.json({"id": 2, "name": "Rex"}, status=201))
    server.route("POST", "/v2/pets/7/form", Reply(status=204))
    server.route("POST", "/v2/pets/7/photo", Reply.json({"name": "Ann", "nickname": None}))
    server.route(
        "GET", "/v2/pets/7/photo", Reply(body=b"\x89PNG", headers={"Content-Type": "image/png"})
    )
    server.route("GET", "/v2/shapes", Reply.json([{"kind": "circle", "area": None}]))
    result = subprocess.run(
        [sys.executable, "-c", CALLS, str(store_client.parent), server.url + "/v2"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert json.loads(result.stdout) == {
        "pets": [[1, "Rex", None]],
        "created": 2,
        "owner": ["Ann", None],
        "photo": "89504e47",
        "shapes": [["circle", None]],
    }
    requests: dict[tuple[str, str], RecordedRequest] = {
        (r.method, r.path): r for r in server.requests
    }
    listed = requests[("GET", "/v2/pets")]
    # csv is one comma-joined value, multi repeats the name, pipes joins with '|'
    assert listed.query == {
        "limit": ["5"],
        "tags": ["a,b"],
        "status": ["available", "sold"],
        "ids": ["1|2"],
    }
    assert listed.header("X-Trace-Id") == "t-1"
    created = requests[("POST", "/v2/pets")]
    assert created.header("Content-Type") == "application/json"
    assert json.loads(created.body) == {"name": "Rex", "tag": None}
    form = requests[("POST", "/v2/pets/7/form")]
    assert form.header("Content-Type") == "application/x-www-form-urlencoded"
    assert form.body == b"name=Max&nicknames=m&nicknames=x"
    upload = requests[("POST", "/v2/pets/7/photo")]
    content_type = upload.header("Content-Type") or ""
    assert content_type.startswith("multipart/form-data; boundary=")
    body = upload.body
    assert b'Content-Disposition: form-data; name="caption"\r\n\r\nhi\r\n' in body
    assert b'Content-Disposition: form-data; name="file"; filename="file"' in body
    assert b"\r\n\r\n\x89PNG-bytes\r\n" in body
