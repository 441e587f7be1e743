"""Operations, parameters, bodies, responses, security and ordering on small specs."""

from __future__ import annotations

from typing import Any

import pytest
from forgegen.diagnostics import Diagnostics
from forgegen.ir import Api, Operation, Parameter, SecurityScheme
from forgegen.lower import lower
from openapi_pydantic.v3.v3_1 import OpenAPI

OK = {"200": {"description": "ok"}}


def lower_doc(paths: dict[str, Any], **extra: Any) -> tuple[Api, Diagnostics]:
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": paths,
        **extra,
    }
    diagnostics = Diagnostics()
    api = lower(OpenAPI.model_validate(doc), doc, package_name="client", diagnostics=diagnostics)
    return api, diagnostics


def operations(api: Api) -> list[Operation]:
    return [op for tag in api.tags for op in tag.operations]


def only(api: Api) -> Operation:
    (operation,) = operations(api)
    return operation


def param(operation: Operation, wire: str, location: str = "query") -> Parameter:
    return next(p for p in operation.parameters if p.wire_name == wire and p.location == location)


def test_names_from_operation_id_or_method_and_path() -> None:
    api, _ = lower_doc(
        {
            "/pet/{petId}": {
                "get": {"operationId": "getPetById", "responses": OK},
                "delete": {"responses": OK},
            }
        }
    )
    get, delete = operations(api)
    assert (get.python_name, get.module, get.method) == (
        "get_pet_by_id",
        "api.default.get_pet_by_id",
        "GET",
    )
    assert get.operation_id == "getPetById"
    assert delete.python_name == "delete_pet_pet_id"
    assert delete.operation_id is None


def test_operation_order_and_collisions_within_a_tag() -> None:
    api, _ = lower_doc(
        {
            "/b": {
                "post": {"operationId": "do", "tags": ["x"], "responses": OK},
                "get": {"operationId": "do", "tags": ["x"], "responses": OK},
            },
            "/a": {"patch": {"operationId": "do", "tags": ["x"], "responses": OK}},
            "/c": {"get": {"operationId": "do", "tags": ["y"], "responses": OK}},
        }
    )
    x, y = api.tags
    assert [(op.method, op.path, op.python_name) for op in x.operations] == [
        ("GET", "/b", "do"),
        ("POST", "/b", "do_2"),
        ("PATCH", "/a", "do_3"),
    ]
    assert [op.python_name for op in y.operations] == ["do"]


def test_tags_in_declared_order_then_first_use_and_default() -> None:
    api, _ = lower_doc(
        {
            "/a": {"get": {"tags": ["zeta", "alpha"], "responses": OK}},
            "/b": {"get": {"responses": OK}},
            "/c": {"get": {"tags": ["Pet Store"], "responses": OK}},
            "/d": {"get": {"tags": ["client"], "responses": OK}},
        },
        tags=[{"name": "Pet Store", "description": "Pets."}, {"name": "unused"}],
    )
    assert [(t.name, t.python_name, t.class_name) for t in api.tags] == [
        ("Pet Store", "pet_store", "PetStoreApi"),
        ("zeta", "zeta", "ZetaApi"),
        ("default", "default", "DefaultApi"),
        ("client", "client", "ClientApi"),
    ]
    assert api.tags[0].description == "Pets."
    assert api.tags[1].operations[0].tag == "zeta"


def test_path_level_parameters_merged_and_overridden_in_place() -> None:
    api, _ = lower_doc(
        {
            "/pets/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                ],
                "get": {
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        },
                        {"name": "id", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": OK,
                },
            }
        }
    )
    op = only(api)
    assert [(p.python_name, p.location, p.type.annotation) for p in op.parameters] == [
        ("id", "path", "int"),
        ("verbose", "query", "bool | None"),
        ("limit", "query", "int | None"),
        ("id_query", "query", "str | None"),
    ]
    assert op.located("path") == (param(op, "id", "path"),)


@pytest.mark.parametrize(
    ("location", "extra", "style"),
    [
        ("path", {}, "simple"),
        ("path", {"style": "label"}, "label"),
        ("path", {"style": "matrix", "explode": True}, "matrix"),
        ("query", {}, "form_explode"),
        ("query", {"explode": False}, "form"),
        ("query", {"style": "form", "explode": True}, "form_explode"),
        ("query", {"style": "spaceDelimited", "explode": False}, "space_delimited"),
        ("query", {"style": "pipeDelimited", "explode": False}, "pipe_delimited"),
        ("query", {"style": "deepObject", "explode": True}, "deep_object"),
        ("header", {}, "simple"),
        ("cookie", {}, "form"),
    ],
)
def test_parameter_styles(location: str, extra: dict[str, Any], style: str) -> None:
    name = "p"
    path = "/x/{p}" if location == "path" else "/x"
    parameter = {"name": name, "in": location, "schema": {"type": "array", "items": {}}, **extra}
    if location == "path":
        parameter["required"] = True
    api, _ = lower_doc({path: {"get": {"parameters": [parameter], "responses": OK}}})
    assert param(only(api), name, location).style == style


def test_content_parameter_is_json_and_bad_style_warns() -> None:
    api, diagnostics = lower_doc(
        {
            "/x": {
                "get": {
                    "parameters": [
                        {
                            "name": "filter",
                            "in": "query",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"a": {"type": "string"}},
                                    }
                                }
                            },
                        },
                        {
                            "name": "h",
                            "in": "header",
                            "style": "form",
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": OK,
                }
            }
        }
    )
    op = only(api)
    assert param(op, "filter").style == "json"
    assert param(op, "filter").python_name == "filter"
    assert param(op, "filter").type.annotation == "GetXFilter | None"
    assert param(op, "h", "header").style == "simple"
    assert any("not allowed in header" in w.message for w in diagnostics.warnings)


def test_reserved_and_hostile_parameter_names() -> None:
    names = ["headers", "timeout", "body", "client", "type", "id", "X-Rate-Limit", "1x", "", "é"]
    parameters = [{"name": n, "in": "query", "schema": {"type": "string"}} for n in names]
    parameters.append({"name": "Accept", "in": "header", "schema": {"type": "string"}})
    api, diagnostics = lower_doc({"/x": {"get": {"parameters": parameters, "responses": OK}}})
    python = [p.python_name for p in only(api).parameters]
    assert python == [
        "headers_",
        "timeout_",
        "body_",
        "client_",
        "type",
        "id",
        "x_rate_limit",
        "param_1x",
        "param",
        "e",
    ]
    assert any("'Accept' is ignored" in w.message for w in diagnostics.warnings)


def test_parameter_enum_default_and_shared_component_parameter() -> None:
    shared = {
        "name": "order",
        "in": "query",
        "schema": {"type": "string", "enum": ["asc", "desc"], "default": "desc"},
    }
    ref = {"$ref": "#/components/parameters/SortOrder"}
    api, _ = lower_doc(
        {
            "/a": {"get": {"parameters": [ref], "responses": OK}},
            "/b": {"get": {"parameters": [ref], "responses": OK}},
        },
        components={"parameters": {"SortOrder": shared}},
    )
    a, b = operations(api)
    assert param(a, "order").type.annotation == 'SortOrder | Literal["asc", "desc"] | None'
    assert param(a, "order").default == "SortOrder.DESC"
    assert param(b, "order").type == param(a, "order").type
    assert [e.name for e in api.enums] == ["SortOrder"]


@pytest.mark.parametrize(
    ("content", "encoding", "annotation", "content_type"),
    [
        (
            {
                "application/xml": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "integer"}},
            },
            "json",
            "int",
            "application/json",
        ),
        (
            {
                "multipart/form-data": {"schema": {"type": "object"}},
                "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
            },
            "form",
            "dict[str, Any]",
            "application/x-www-form-urlencoded",
        ),
        (
            {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
            "multipart",
            "PostXBody",
            "multipart/form-data",
        ),
        ({"application/octet-stream": {}}, "binary", "bytes", "application/octet-stream"),
        ({"image/png": {}}, "binary", "bytes", "image/png"),
        ({"text/plain": {"schema": {"type": "string"}}}, "text", "str", "text/plain"),
        ({"application/vnd.api+json": {"schema": {"type": "string"}}}, "json", "str", None),
    ],
)
def test_request_body_choice(
    content: dict[str, Any], encoding: str, annotation: str, content_type: str | None
) -> None:
    api, _ = lower_doc(
        {"/x": {"post": {"requestBody": {"required": True, "content": content}, "responses": OK}}}
    )
    body = only(api).body
    assert body is not None
    assert (body.encoding, body.type.annotation, body.python_name) == (encoding, annotation, "body")
    assert body.content_type == (content_type or next(iter(content)))


def test_optional_body_and_unknown_content_type_warns() -> None:
    api, diagnostics = lower_doc(
        {"/x": {"put": {"requestBody": {"content": {"application/xml": {}}}, "responses": OK}}}
    )
    body = only(api).body
    assert body is not None
    assert (body.encoding, body.type.annotation, body.required) == ("binary", "bytes | None", False)
    assert any("'application/xml' is not supported" in w.message for w in diagnostics.warnings)


def test_responses_parse_kinds_errors_and_success_type() -> None:
    pet = {"type": "object", "properties": {"id": {"type": "integer"}}}
    api, _ = lower_doc(
        {
            "/pet/{petId}": {
                "get": {
                    "operationId": "getPetById",
                    "parameters": [
                        {
                            "name": "petId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                            },
                        },
                        "201": {
                            "description": "list",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Pet"},
                                    }
                                }
                            },
                        },
                        "202": {"description": "raw", "content": {"application/json": {}}},
                        "203": {"description": "png", "content": {"image/png": {}}},
                        "204": {"description": "empty"},
                        "206": {"description": "text", "content": {"text/plain": {}}},
                        "2XX": {
                            "description": "inline",
                            "content": {"application/json": {"schema": pet}},
                        },
                        "304": {"description": "not modified"},
                        "404": {
                            "description": "missing",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                            },
                        },
                        "4XX": {"description": "client"},
                        "500": {"description": "boom"},
                        "default": {"description": "other"},
                    },
                }
            }
        },
        components={"schemas": {"Pet": pet}},
    )
    op = only(api)
    assert [
        (r.status, r.parse, r.type and r.type.annotation, r.error_class) for r in op.responses
    ] == [
        ("200", "model", "Pet", None),
        ("201", "adapter", "list[Pet]", None),
        ("202", "json", "Any", None),
        ("203", "bytes", "bytes", None),
        ("204", "none", None, None),
        ("206", "text", "str", None),
        ("2XX", "model", "GetPetByIdResponse2XX", None),
        ("304", "none", None, "GetPetByIdNotModifiedError"),
        ("404", "model", "Pet", "GetPetByIdNotFoundError"),
        ("4XX", "none", None, "GetPetByIdClientError"),
        ("500", "none", None, "GetPetByIdInternalServerError"),
        ("default", "none", None, "GetPetByIdDefaultError"),
    ]
    assert op.success_type.is_any  # the untyped JSON 202 makes the union Any


def test_success_type_union_and_none() -> None:
    def json(schema: dict[str, Any]) -> dict[str, Any]:
        return {"description": "d", "content": {"application/json": {"schema": schema}}}

    api, _ = lower_doc(
        {
            "/a": {
                "get": {
                    "responses": {"200": json({"type": "string"}), "201": json({"type": "integer"})}
                }
            },
            "/b": {"get": {"responses": {"204": {"description": "none"}, "400": json({})}}},
            "/c": {
                "get": {"responses": {"200": json({"type": "string"}), "204": {"description": "x"}}}
            },
        }
    )
    a, b, c = operations(api)
    assert a.success_type.annotation == "str | int"
    assert b.success_type.annotation == "None"
    assert c.success_type.annotation == "str | None"


def test_error_class_names_unique_even_against_models() -> None:
    api, _ = lower_doc(
        {"/x": {"get": {"operationId": "getX", "responses": {"404": {"description": "a"}}}}},
        components={"schemas": {"GetXNotFoundError": {"type": "object", "properties": {"a": {}}}}},
    )
    assert only(api).responses[0].error_class == "GetXNotFoundError2"


def test_security_requirements_and_schemes() -> None:
    schemes = {
        "api_key": {"type": "apiKey", "name": "X-API-Key", "in": "header"},
        "admin_key": {"type": "apiKey", "name": "admin", "in": "query"},
        "basic": {"type": "http", "scheme": "Basic"},
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "oauth": {
            "type": "oauth2",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": "https://a/auth",
                    "tokenUrl": "https://a/token",
                    "refreshUrl": "https://a/refresh",
                    "scopes": {"read": "r", "write": "w"},
                },
                "clientCredentials": {
                    "tokenUrl": "https://a/cc",
                    "scopes": {"admin": "a", "read": "r"},
                },
            },
        },
        "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://a/.well-known"},
        "mtls": {"type": "mutualTLS"},
        "digest": {"type": "http", "scheme": "digest"},
    }
    api, diagnostics = lower_doc(
        {
            "/a": {"get": {"responses": OK}},
            "/b": {"get": {"security": [], "responses": OK}},
            "/c": {"get": {"security": [{}, {"basic": [], "oauth": ["read"]}], "responses": OK}},
            "/d": {"get": {"security": [{"nope": []}, {"digest": []}], "responses": OK}},
        },
        components={"securitySchemes": schemes},
        security=[{"api_key": []}, {"bearer": []}],
    )
    a, b, c, d = operations(api)
    assert a.security == (("api_key",), ("bearer",))
    assert b.security == ()
    assert c.security == ((), ("basic", "oauth"))
    assert d.security == (("nope",), ("digest",))
    assert any("'nope' is not defined" in w.message for w in diagnostics.warnings)
    assert not any("'digest' is not defined" in w.message for w in diagnostics.warnings)
    by_name = {s.name: s for s in api.security_schemes}
    assert list(by_name) == ["api_key", "admin_key", "basic", "bearer", "oauth", "oidc", "mtls"]
    assert by_name["api_key"] == SecurityScheme(
        name="api_key",
        python_prefix="api_key",
        kind="apiKey",
        location="header",
        parameter_name="X-API-Key",
        parameters=(("api_key", "api_key_api_key"),),
    )
    assert by_name["admin_key"].python_prefix == "admin_key"
    # bearer, oauth (authorizationCode) and oidc all want ``token``: all prefixed;
    # basic's username/password collide with nothing
    assert dict(by_name["bearer"].parameters)["token"] == "bearer_token"
    assert dict(by_name["oauth"].parameters) == {
        "client_id": "oauth_client_id",
        "client_secret": "oauth_client_secret",
        "scopes": "oauth_scopes",
        "token": "oauth_token",
        "refresh_token": "oauth_refresh_token",
        "token_url": "oauth_token_url",
    }
    assert by_name["oauth"].flow_token_urls == (
        ("authorizationCode", "https://a/token"),
        ("clientCredentials", "https://a/cc"),
    )
    assert dict(by_name["oidc"].parameters)["client_id"] == "oidc_client_id"
    assert dict(by_name["basic"].parameters) == {"username": "username", "password": "password"}
    assert dict(by_name["mtls"].parameters) == {"client_cert": "client_cert"}
    assert by_name["admin_key"].location == "query"
    assert (by_name["basic"].kind, by_name["basic"].python_prefix) == ("http_basic", "")
    assert by_name["bearer"].kind == "http_bearer"
    oauth = by_name["oauth"]
    assert oauth.flows == ("authorizationCode", "clientCredentials")
    assert (oauth.authorization_url, oauth.token_url, oauth.refresh_url) == (
        "https://a/auth",
        "https://a/token",
        "https://a/refresh",
    )
    assert oauth.scopes == ("read", "write", "admin")
    assert by_name["oidc"].openid_connect_url == "https://a/.well-known"
    assert by_name["mtls"].kind == "mutualTLS"
    assert any("'digest' is not supported" in w.message for w in diagnostics.warnings)


def test_docs_deprecation_servers_and_info() -> None:
    api, _ = lower_doc(
        {
            "/x": {
                "get": {
                    "summary": "Sum 'q'",
                    "description": 'Line\n"two"',
                    "deprecated": True,
                    "responses": OK,
                }
            }
        },
        servers=[
            {
                "url": "https://{region}.example.com/v1",
                "description": "main",
                "variables": {"region": {"default": "eu", "enum": ["eu", "us"]}},
            }
        ],
    )
    op = only(api)
    assert (op.summary, op.description, op.deprecated) == ("Sum 'q'", 'Line\n"two"', True)
    assert op.pointer == "#/paths/~1x/get"
    assert [(s.url, s.description) for s in api.servers] == [("https://eu.example.com/v1", "main")]
    assert (api.title, api.version, api.package_name) == ("T", "1", "client")


def test_an_empty_callback_keeps_the_operation_and_makes_no_event() -> None:
    api, diagnostics = lower_doc({"/x": {"post": {"callbacks": {"cb": {}}, "responses": OK}}})
    assert len(operations(api)) == 1
    assert api.webhooks is None
    assert diagnostics.warnings == []


def test_lowering_twice_gives_equal_api() -> None:
    paths = {
        "/p/{id}": {
            "get": {
                "tags": ["b"],
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "x": {"enum": ["a", "b"]},
                                        "y": {"type": "object", "properties": {"z": {}}},
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
        "/q": {"post": {"tags": ["a"], "responses": OK}},
    }
    first, _ = lower_doc(paths)
    second, _ = lower_doc(paths)
    assert first == second
    assert {m.name for m in first.models} == {"GetPIdResponse200", "GetPIdResponse200Y"}


def test_a_webhook_without_a_payload_schema_is_left_out_with_a_warning() -> None:
    hook = {"post": {"requestBody": {"content": {"application/json": {}}}, "responses": OK}}
    api, diagnostics = lower_doc({}, webhooks={"newPet": hook})
    assert api.tags == ()
    assert api.webhooks is None
    assert [w.pointer for w in diagnostics.warnings] == ["#/webhooks/newPet/post"]
    assert "no JSON payload" in diagnostics.warnings[0].message


def test_very_long_names_give_bounded_module_names() -> None:
    long_id = "get" + "VeryLong" * 30
    schema = {"type": "object", "properties": {"a": {}}}
    api, _ = lower_doc(
        {
            "/x": {
                "get": {
                    "operationId": long_id,
                    "tags": ["t" * 300],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": schema}},
                        }
                    },
                }
            }
        }
    )
    op = only(api)
    assert all(len(part) <= 100 for part in op.module.split("."))
    assert all(len(part) <= 100 for model in api.models for part in model.module.split("."))
    assert op.python_name.isidentifier()


def test_shared_component_response_is_one_class_named_by_its_key() -> None:
    inline = {"type": "object", "properties": {"message": {"type": "string"}}}
    missing = {"description": "gone", "content": {"application/json": {"schema": inline}}}
    ref = {"$ref": "#/components/responses/not_found"}
    api, _ = lower_doc(
        {
            "/a": {"get": {"responses": {"404": ref}}},
            "/b": {"get": {"responses": {"404": ref}}},
        },
        components={"responses": {"not_found": missing}},
    )
    a, b = operations(api)
    assert [m.name for m in api.models] == ["NotFoundResponse"]
    assert a.responses[0].type == b.responses[0].type
    assert (a.responses[0].error_class, b.responses[0].error_class) == (
        "GetANotFoundError",
        "GetBNotFoundError",
    )
    assert a.responses[0].description == "gone"
