"""Constructs published vendor specs use that OpenAPI does not allow, each in a minimal spec.

Each test is the smallest document with the shape a real spec has (named in the
test), and asserts what forgegen makes of it: the construct is read the way the
vendor's own tooling reads it, or degraded with a warning naming its JSON
pointer, and the rest of the document generates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from forgegen.diagnostics import Diagnostics, SpecError
from forgegen.lower import lower
from forgegen.parse import parse_spec


def write(directory: Path, files: dict[str, Any]) -> Path:
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return directory / next(iter(files))


def document(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": paths, **extra}


def ok(schema: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": "ok"}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return {"200": response}


# -- DigitalOcean's split spec (laid out for Redocly) -------------------------------------


def test_an_operation_written_as_a_ref_to_its_own_file_is_read_from_there(
    tmp_path: Path,
) -> None:
    # get: {$ref: resources/droplets/droplets_list.yml}, whose refs are relative to it
    spec = write(
        tmp_path,
        {
            "openapi.yaml": document(
                {"/v2/droplets": {"get": {"$ref": "resources/droplets/list.yml"}}}
            ),
            "resources/droplets/list.yml": {
                "operationId": "droplets_list",
                "tags": ["Droplets"],
                "parameters": [{"$ref": "parameters.yml#/per_page"}],
                "responses": ok({"$ref": "models/droplet.yml"}),
            },
            "resources/droplets/parameters.yml": {
                "per_page": {"name": "per_page", "in": "query", "schema": {"type": "integer"}}
            },
            "resources/droplets/models/droplet.yml": {
                "type": "object",
                "properties": {"id": {"type": "integer"}},
            },
        },
    )
    parsed = parse_spec(spec)
    diagnostics = Diagnostics()
    api = lower(parsed.openapi, parsed.document, package_name="c", diagnostics=diagnostics)
    (operation,) = [op for tag in api.tags for op in tag.operations]
    assert operation.python_name == "droplets_list"
    assert [p.python_name for p in operation.parameters] == ["per_page"]
    assert operation.success_type.annotation == "Droplet"
    assert not diagnostics.warnings
    # a warning inside it would name the operation's own file
    file, line = parsed.locate("#/paths/~1v2~1droplets/get/responses")
    assert file is not None
    assert file.endswith("list.yml")
    assert line == 6


def test_an_operation_written_as_a_local_ref_is_inlined(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        {
            "openapi.yaml": document(
                {"/a": {"get": {"$ref": "#/x-operations/getA"}}},
                **{"x-operations": {"getA": {"operationId": "get_a", "responses": ok()}}},
            )
        },
    )
    parsed = parse_spec(spec)
    api = lower(parsed.openapi, parsed.document, package_name="c", diagnostics=Diagnostics())
    assert [op.python_name for tag in api.tags for op in tag.operations] == ["get_a"]


def test_an_operation_ref_to_a_list_is_an_error_naming_it(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        {
            "openapi.yaml": document({"/a": {"get": {"$ref": "op.yml"}}}),
            "op.yml": ["not", "an", "operation"],
        },
    )
    with pytest.raises(SpecError, match="the operation must be a mapping"):
        parse_spec(spec)


def test_properties_written_as_one_ref_to_a_mapping_of_properties(tmp_path: Path) -> None:
    # requestBody schema: {properties: {$ref: models/attributes.yml#/droplet_ids}}
    spec = write(
        tmp_path,
        {
            "openapi.yaml": document(
                {
                    "/lb": {
                        "post": {
                            "operationId": "add",
                            "requestBody": {
                                "content": {
                                    "application/json": {
                                        "schema": {
                                            "properties": {
                                                "$ref": "models/attributes.yml#/droplet_ids"
                                            },
                                            "required": ["droplet_ids"],
                                        }
                                    }
                                }
                            },
                            "responses": ok(),
                        }
                    }
                }
            ),
            "models/attributes.yml": {
                "droplet_ids": {
                    "droplet_ids": {"type": "array", "items": {"$ref": "id.yml"}},
                }
            },
            "models/id.yml": {"type": "integer"},
        },
    )
    parsed = parse_spec(spec)
    diagnostics = Diagnostics()
    api = lower(parsed.openapi, parsed.document, package_name="c", diagnostics=diagnostics)
    (operation,) = [op for tag in api.tags for op in tag.operations]
    assert operation.body is not None
    (model,) = [m for m in api.models if m.name in operation.body.type.models]
    (field,) = model.fields
    # id.yml is found beside attributes.yml, not beside the operation's file
    assert (field.python_name, field.type.annotation, field.required) == (
        "droplet_ids",
        "list[Id]",
        True,
    )
    assert [(a.name, a.target.annotation) for a in api.aliases] == [("Id", "int")]
    assert not diagnostics.warnings


def test_a_property_named_dollar_ref_is_still_a_property(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"$ref": {"type": "string"}}}
    spec = write(tmp_path, {"openapi.yaml": document({"/a": {"get": {"responses": ok(schema)}}})})
    parsed = parse_spec(spec)
    properties = parsed.document["paths"]["/a"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]["properties"]
    assert properties == {"$ref": {"type": "string"}}


def test_a_tag_description_written_as_a_ref_is_dropped_with_a_warning(tmp_path: Path) -> None:
    # tags: [{name: Introduction, description: {$ref: description.yml#/introduction}}]
    spec = write(
        tmp_path,
        {
            "openapi.yaml": document(
                {"/a": {"get": {"operationId": "a", "tags": ["Intro"], "responses": ok()}}},
                tags=[
                    {"name": "Intro", "description": {"$ref": "description.yml#/introduction"}},
                    {"name": "Other", "description": "plain text stays"},
                ],
            )
        },
    )
    parsed = parse_spec(spec)
    (warning,) = parsed.diagnostics.warnings
    assert warning.pointer == "#/tags/0/description"
    assert "description.yml#/introduction" in warning.message
    assert parsed.document["tags"] == [
        {"name": "Intro"},
        {"name": "Other", "description": "plain text stays"},
    ]
    api = lower(parsed.openapi, parsed.document, package_name="c", diagnostics=Diagnostics())
    assert [tag.python_name for tag in api.tags] == ["intro"]


# -- Kubernetes (Swagger 2.0) -------------------------------------------------------------


def _patch(consumes: list[str], body: dict[str, Any]) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "K", "version": "unversioned"},
        "paths": {
            "/api/v1/namespaces/{namespace}/pods/{name}": {
                "patch": {
                    "operationId": "patchCoreV1NamespacedPod",
                    "consumes": consumes,
                    "parameters": [
                        {"name": "namespace", "in": "path", "required": True, "type": "string"},
                        {"name": "name", "in": "path", "required": True, "type": "string"},
                        {"name": "body", "in": "body", "required": True, "schema": body},
                    ],
                    "responses": {"200": {"description": "OK", "schema": {"type": "object"}}},
                }
            }
        },
    }


@pytest.mark.parametrize(
    ("consumes", "expected"),
    [
        # every PATCH of Kubernetes' swagger.json, over the object schema meta.v1.Patch
        (
            [
                "application/json-patch+json",
                "application/merge-patch+json",
                "application/strategic-merge-patch+json",
                "application/apply-patch+yaml",
            ],
            "application/merge-patch+json",
        ),
        # a JSON Patch is still sent as one when nothing else is offered
        (["application/json-patch+json"], "application/json-patch+json"),
        # and the spec's first JSON type still wins among the others
        (
            ["application/strategic-merge-patch+json", "application/merge-patch+json"],
            "application/strategic-merge-patch+json",
        ),
    ],
)
def test_a_json_patch_media_type_is_not_chosen_over_another_json_type(
    tmp_path: Path, consumes: list[str], expected: str
) -> None:
    spec = write(tmp_path, {"swagger.yaml": _patch(consumes, {"type": "object"})})
    parsed = parse_spec(spec)
    api = lower(parsed.openapi, parsed.document, package_name="k", diagnostics=Diagnostics())
    (operation,) = [op for tag in api.tags for op in tag.operations]
    assert operation.body is not None
    assert operation.body.content_type == expected


def test_kubernetes_int_or_string_accepts_both(tmp_path: Path) -> None:
    # definitions: io.k8s.apimachinery.pkg.util.intstr.IntOrString, used by targetPort,
    # maxSurge, maxUnavailable ...: a string schema with format int-or-string
    intstr = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
    spec = write(
        tmp_path,
        {
            "swagger.yaml": {
                "swagger": "2.0",
                "info": {"title": "K", "version": "unversioned"},
                "paths": {
                    "/ports": {
                        "get": {
                            "operationId": "listPorts",
                            "produces": ["application/json"],
                            "responses": {
                                "200": {
                                    "description": "OK",
                                    "schema": {"$ref": "#/definitions/ServicePort"},
                                }
                            },
                        }
                    }
                },
                "definitions": {
                    intstr: {"type": "string", "format": "int-or-string"},
                    "ServicePort": {
                        "type": "object",
                        "properties": {
                            "targetPort": {"$ref": f"#/definitions/{intstr}"},
                            "name": {"type": "string"},
                        },
                    },
                },
            }
        },
    )
    parsed = parse_spec(spec)
    diagnostics = Diagnostics()
    api = lower(parsed.openapi, parsed.document, package_name="k", diagnostics=diagnostics)
    assert [a.target.annotation for a in api.aliases] == ["int | str"]
    assert not [w for w in diagnostics.warnings if "int-or-string" in w.message]


def test_properties_written_as_a_ref_to_nothing_degrade_that_schema(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"$ref": "attributes.yml#/gone"},
        "additionalProperties": False,
    }
    spec = write(
        tmp_path,
        {
            "openapi.yaml": document(
                {"/a": {"get": {"operationId": "a", "responses": ok(schema)}}}
            ),
            "attributes.yml": {"droplet_ids": {"droplet_ids": {"type": "array"}}},
        },
    )
    parsed = parse_spec(spec)
    (warning,) = parsed.diagnostics.warnings
    assert warning.pointer.endswith("/schema/properties")
    assert "gone" in warning.message
    assert "read without properties" in warning.message
    media = parsed.document["paths"]["/a"]["get"]["responses"]["200"]["content"]
    assert media["application/json"]["schema"] == {"type": "object", "additionalProperties": False}
