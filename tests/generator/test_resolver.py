"""resolve: local refs kept and checked, relative files bundled, everything else refused."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from forgegen.diagnostics import SpecError
from forgegen.loader import load_document
from forgegen.resolver import Bundle, resolve


def write(directory: Path, files: dict[str, Any]) -> None:
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")


def spec(paths: dict[str, Any] | None = None, **components: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": paths or {},
    }
    if components:
        document["components"] = components
    return document


def get_op(response_schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A path item whose GET returns ``response_schema`` as JSON."""
    operation = {
        "responses": {
            "200": {
                "description": "ok",
                "content": {"application/json": {"schema": response_schema}},
            }
        },
        **extra,
    }
    return {"get": operation}


def bundle_of(directory: Path, main: str = "openapi.yaml", **options: Any) -> Bundle:
    return resolve(load_document(directory / main), **options)


def schema_ref(bundle: Bundle, path: str = "/pets") -> str:
    get = bundle.document["paths"][path]["get"]
    ref: str = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return ref


# -- local refs ------------------------------------------------------------------------


def test_local_refs_stay_and_recursive_schemas_are_kept(tmp_path: Path) -> None:
    node = {
        "type": "object",
        "properties": {
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
        },
    }
    write(
        tmp_path,
        {
            "openapi.yaml": spec(
                {"/pets": get_op({"$ref": "#/components/schemas/Node"})}, schemas={"Node": node}
            )
        },
    )
    bundle = bundle_of(tmp_path)
    assert schema_ref(bundle) == "#/components/schemas/Node"
    schemas = bundle.document["components"]["schemas"]
    assert schemas["Node"]["properties"]["children"]["items"] == {
        "$ref": "#/components/schemas/Node"
    }
    assert list(schemas) == ["Node"]


def test_local_refs_are_written_in_canonical_form(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec(
                {"/pets": get_op({"$ref": "#/components/schemas/My%20Pet"})},
                schemas={"My Pet": {"type": "string"}},
            )
        },
    )
    assert schema_ref(bundle_of(tmp_path)) == "#/components/schemas/My Pet"


def test_missing_local_target_names_file_line_pointer_and_target(tmp_path: Path) -> None:
    text = """\
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /pets:
    get:
      responses:
        '200':
          $ref: '#/components/responses/Pett'
"""
    write(tmp_path, {"openapi.yaml": text})
    with pytest.raises(SpecError) as caught:
        bundle_of(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'openapi.yaml'}:7 #/paths/~1pets/get/responses/200: "
        "$ref '#/components/responses/Pett' not found"
    )


def test_non_string_ref_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {"openapi.yaml": spec({"/pets": get_op({"$ref": 42})})})
    with pytest.raises(SpecError, match="must be a string, not int"):
        bundle_of(tmp_path)


def test_pointer_tokens_that_only_look_numeric_are_not_indexes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec(
                {"/pets": get_op({"$ref": "#/components/schemas/L/allOf/²"})},
                schemas={"L": {"allOf": [{"type": "string"}]}},
            )
        },
    )
    with pytest.raises(SpecError, match="not found"):
        bundle_of(tmp_path)


def test_plain_name_fragment_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {"openapi.yaml": spec({"/pets": get_op({"$ref": "#Pet"})})})
    with pytest.raises(SpecError, match="only JSON-pointer fragments"):
        bundle_of(tmp_path)


def test_data_that_looks_like_a_ref_is_not_a_ref(tmp_path: Path) -> None:
    # GitHub's spec has a property named "$ref" and example payloads with remote "$ref" URLs.
    member = {"type": "object", "properties": {"$ref": {"type": "string"}}}
    example = {"value": {"$ref": "https://api.example.com/users/1"}}
    write(
        tmp_path,
        {
            "openapi.yaml": spec(
                {"/pets": get_op(member)},
                schemas={"Member": member},
                examples={"member": example},
            )
        },
    )
    bundle = bundle_of(tmp_path)
    assert bundle.document["components"]["examples"]["member"] == example
    assert bundle.document["components"]["schemas"]["Member"] == member


# -- relative files --------------------------------------------------------------------


def test_whole_file_ref_is_bundled_into_schemas(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec({"/pets": get_op({"$ref": "pet.yaml"})}),
            "pet.yaml": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
    )
    bundle = bundle_of(tmp_path)
    assert schema_ref(bundle) == "#/components/schemas/pet"
    assert bundle.document["components"]["schemas"]["pet"]["properties"] == {
        "name": {"type": "string"}
    }


def test_fragment_ref_nested_dirs_and_refs_relative_to_their_own_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec({"/pets": get_op({"$ref": "schemas/pets.yaml#/Pet"})}),
            "schemas/pets.yaml": {
                "Pet": {
                    "type": "object",
                    "properties": {
                        "tag": {"$ref": "./tags/tag.json"},
                        "error": {"$ref": "../common/errors.yaml#/definitions/Error"},
                        "owner": {"$ref": "#/Owner"},
                    },
                },
                "Owner": {"type": "string"},
            },
            "schemas/tags/tag.json": '{"type": "string", "enum": ["a", "b"]}',
            "common/errors.yaml": {"definitions": {"Error": {"type": "object"}}},
        },
    )
    bundle = bundle_of(tmp_path)
    schemas = bundle.document["components"]["schemas"]
    assert schema_ref(bundle) == "#/components/schemas/Pet"
    assert schemas["Pet"]["properties"] == {
        "tag": {"$ref": "#/components/schemas/tag"},
        "error": {"$ref": "#/components/schemas/Error"},
        "owner": {"$ref": "#/components/schemas/Owner"},
    }
    assert schemas["tag"] == {"type": "string", "enum": ["a", "b"]}
    assert schemas["Owner"] == {"type": "string"}
    assert list(schemas) == ["Pet", "tag", "Error", "Owner"]


def test_collisions_get_stable_suffixes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec(
                {
                    "/a": get_op({"$ref": "a.yaml#/Pet"}),
                    "/b": get_op({"$ref": "b.yaml#/Pet"}),
                    "/c": get_op({"$ref": "a.yaml#/Pet"}),
                },
                schemas={"Pet": {"type": "string"}},
            ),
            "a.yaml": {"Pet": {"type": "integer"}},
            "b.yaml": {"Pet": {"type": "boolean"}},
        },
    )
    bundle = bundle_of(tmp_path)
    schemas = bundle.document["components"]["schemas"]
    assert schemas == {
        "Pet": {"type": "string"},
        "Pet_2": {"type": "integer"},
        "Pet_3": {"type": "boolean"},
    }
    assert [schema_ref(bundle, path) for path in ("/a", "/b", "/c")] == [
        "#/components/schemas/Pet_2",
        "#/components/schemas/Pet_3",
        "#/components/schemas/Pet_2",
    ]


def test_names_without_letters_take_the_file_stem(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec(
                {"/pets": {"get": {"responses": {"404": {"$ref": "errors.yaml#/404"}}}}}
            ),
            "errors.yaml": {"404": {"description": "not found"}},
        },
    )
    bundle = bundle_of(tmp_path)
    assert bundle.document["paths"]["/pets"]["get"]["responses"]["404"] == {
        "$ref": "#/components/responses/errors_404"
    }


def test_cycles_across_files_terminate(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec({"/pets": get_op({"$ref": "a.yaml"})}),
            "a.yaml": {"type": "object", "properties": {"b": {"$ref": "b.yaml"}}},
            "b.yaml": {"type": "object", "properties": {"a": {"$ref": "a.yaml"}}},
        },
    )
    schemas = bundle_of(tmp_path).document["components"]["schemas"]
    assert schemas["a"]["properties"]["b"] == {"$ref": "#/components/schemas/b"}
    assert schemas["b"]["properties"]["a"] == {"$ref": "#/components/schemas/a"}


def test_ref_back_into_the_main_file_becomes_local(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec(
                {"/pets": get_op({"$ref": "pet.yaml"})}, schemas={"Error": {"type": "object"}}
            ),
            "pet.yaml": {"properties": {"e": {"$ref": "openapi.yaml#/components/schemas/Error"}}},
        },
    )
    schemas = bundle_of(tmp_path).document["components"]["schemas"]
    assert schemas["pet"]["properties"]["e"] == {"$ref": "#/components/schemas/Error"}


def test_section_follows_the_referencing_place(tmp_path: Path) -> None:
    operation = {
        "parameters": [{"$ref": "parts.yaml#/limit"}],
        "requestBody": {"$ref": "parts.yaml#/body"},
        "responses": {"200": {"$ref": "parts.yaml#/ok"}},
    }
    write(
        tmp_path,
        {
            "openapi.yaml": spec({"/pets": {"post": operation}}),
            "parts.yaml": {
                "limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                "body": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "ok": {
                    "description": "ok",
                    "headers": {"X-Rate": {"$ref": "#/rate"}},
                    "links": {"next": {"$ref": "#/next"}},
                },
                "rate": {"schema": {"type": "integer"}},
                "next": {"operationId": "listPets"},
            },
        },
    )
    document = bundle_of(tmp_path).document
    post = document["paths"]["/pets"]["post"]
    assert post["parameters"] == [{"$ref": "#/components/parameters/limit"}]
    assert post["requestBody"] == {"$ref": "#/components/requestBodies/body"}
    assert post["responses"]["200"] == {"$ref": "#/components/responses/ok"}
    components = document["components"]
    assert components["responses"]["ok"]["headers"] == {
        "X-Rate": {"$ref": "#/components/headers/rate"}
    }
    assert components["responses"]["ok"]["links"] == {"next": {"$ref": "#/components/links/next"}}
    assert set(components) == {"parameters", "requestBodies", "responses", "headers", "links"}


def test_path_item_refs_are_inlined_and_resolved_relative_to_their_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec({"/pets": {"$ref": "paths/pets.yaml"}}),
            "paths/pets.yaml": get_op({"$ref": "../schemas/pet.yaml"}),
            "schemas/pet.yaml": {"type": "object"},
        },
    )
    bundle = bundle_of(tmp_path)
    assert schema_ref(bundle) == "#/components/schemas/pet"
    assert "$ref" not in bundle.document["paths"]["/pets"]
    file, line = bundle.locate("#/paths/~1pets/get/responses/200")
    assert (file, line) == (os.path.join(str(tmp_path), "paths", "pets.yaml"), 3)


def test_self_containing_path_item_is_an_error(tmp_path: Path) -> None:
    loop = {"get": {"callbacks": {"cb": {"{$request.body#/url}": {"$ref": "loop.yaml"}}}}}
    write(
        tmp_path,
        {"openapi.yaml": spec({"/pets": {"$ref": "loop.yaml"}}), "loop.yaml": loop},
    )
    with pytest.raises(SpecError, match="path item contains itself"):
        bundle_of(tmp_path)


def test_discriminator_mapping_to_a_file_is_bundled(tmp_path: Path) -> None:
    pet = {
        "oneOf": [{"$ref": "dog.yaml"}],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"dog": "dog.yaml", "cat": "#/components/schemas/Cat", "bird": "Bird"},
        },
    }
    write(
        tmp_path,
        {
            "openapi.yaml": spec({"/pets": get_op(pet)}, schemas={"Cat": {"type": "object"}}),
            "dog.yaml": {"type": "object"},
        },
    )
    bundle = bundle_of(tmp_path)
    get = bundle.document["paths"]["/pets"]["get"]
    schema = get["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["oneOf"] == [{"$ref": "#/components/schemas/dog"}]
    assert schema["discriminator"]["mapping"] == {
        "dog": "#/components/schemas/dog",
        "cat": "#/components/schemas/Cat",
        "bird": "Bird",
    }


def test_locate_maps_bundled_pointers_back_to_their_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec({"/pets": get_op({"$ref": "defs.yaml#/definitions/Pet"})}),
            "defs.yaml": "definitions:\n  Pet:\n    type: object\n    properties:\n"
            "      name:\n        type: string\n",
        },
    )
    bundle = bundle_of(tmp_path)
    assert bundle.locate("#/components/schemas/Pet/properties/name") == (
        os.path.join(str(tmp_path), "defs.yaml"),
        5,
    )
    assert bundle.origin_of("#/components/schemas/Pet/properties")[1] == (
        "#/definitions/Pet/properties"
    )
    assert bundle.locate("#/info")[0] == str(tmp_path / "openapi.yaml")


# -- errors ----------------------------------------------------------------------------


def test_missing_file_names_the_referencing_place(tmp_path: Path) -> None:
    text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /pets:\n    $ref: gone.yaml\n"
    write(tmp_path, {"openapi.yaml": text})
    with pytest.raises(SpecError) as caught:
        bundle_of(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'openapi.yaml'}:4 #/paths/~1pets: "
        f"$ref 'gone.yaml': file {str(tmp_path / 'gone.yaml')!r} not found"
    )


def test_missing_target_inside_another_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec({"/pets": get_op({"$ref": "defs.yaml"})}),
            "defs.yaml": "type: object\nproperties:\n  owner:\n    $ref: '#/Owner'\n",
        },
    )
    with pytest.raises(SpecError) as caught:
        bundle_of(tmp_path)
    diagnostic = caught.value.diagnostic
    assert diagnostic.file == os.path.join(str(tmp_path), "defs.yaml")
    assert (diagnostic.line, diagnostic.pointer) == (3, "#/properties/owner")
    assert diagnostic.message == "$ref '#/Owner' not found"


def test_missing_fragment_in_referenced_file_names_that_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec({"/pets": get_op({"$ref": "defs.yaml#/Pett"})}),
            "defs.yaml": {"Pet": {}},
        },
    )
    with pytest.raises(SpecError) as caught:
        bundle_of(tmp_path)
    assert caught.value.diagnostic.message == (
        f"$ref 'defs.yaml#/Pett' not found in {os.path.join(str(tmp_path), 'defs.yaml')}"
    )
    assert (
        caught.value.pointer == "#/paths/~1pets/get/responses/200/content/application~1json/schema"
    )


def test_unparsable_referenced_file_names_its_own_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "openapi.yaml": spec({"/pets": get_op({"$ref": "bad.yaml"})}),
            "bad.yaml": "type: object\nproperties: [\n",
        },
    )
    with pytest.raises(SpecError) as caught:
        bundle_of(tmp_path)
    assert caught.value.diagnostic.file == os.path.join(str(tmp_path), "bad.yaml")
    assert caught.value.diagnostic.line == 3


@pytest.mark.parametrize(
    "ref", ["https://example.com/pet.yaml", "http://example.com/s.json#/Pet", "//example.com/x"]
)
def test_remote_refs_are_refused(tmp_path: Path, ref: str) -> None:
    write(tmp_path, {"openapi.yaml": spec({"/pets": get_op({"$ref": ref})})})
    with pytest.raises(SpecError, match=r"remote \$ref .* refused"):
        bundle_of(tmp_path)


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("/etc/passwd", "absolute paths are refused"),
        ("file:///etc/passwd", "file: URIs are refused"),
        ("../outside.yaml", "points outside the spec's directory"),
        ("sub/../../outside.yaml", "points outside the spec's directory"),
        ("%2e%2e/outside.yaml", "points outside the spec's directory"),
        ("pet%00.yaml", "cannot contain NUL"),
        ("C:/Windows/win.ini", "c: URIs are refused"),
    ],
)
def test_files_outside_the_tree_are_refused(tmp_path: Path, ref: str, message: str) -> None:
    root = tmp_path / "api"
    write(
        tmp_path,
        {
            "api/openapi.yaml": spec({"/pets": get_op({"$ref": ref})}),
            "outside.yaml": {"type": "string"},
        },
    )
    with pytest.raises(SpecError, match=message):
        bundle_of(root)


def test_symlink_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"api/openapi.yaml": spec({"/pets": get_op({"$ref": "link.yaml"})}), "secret.yaml": "a: 1"},
    )
    (tmp_path / "api" / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    with pytest.raises(SpecError, match="points outside the spec's directory"):
        bundle_of(tmp_path / "api")


def test_dotdot_inside_the_tree_and_a_wider_ref_root(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "api/openapi.yaml": spec({"/pets": get_op({"$ref": "schemas/pet.yaml"})}),
            "api/schemas/pet.yaml": {"properties": {"e": {"$ref": "../errors.yaml"}}},
            "api/errors.yaml": {"properties": {"common": {"$ref": "../common.yaml"}}},
            "common.yaml": {"type": "string"},
        },
    )
    with pytest.raises(SpecError, match="points outside"):
        bundle_of(tmp_path / "api")
    schemas = bundle_of(tmp_path / "api", ref_root=tmp_path).document["components"]["schemas"]
    assert schemas["errors"]["properties"]["common"] == {"$ref": "#/components/schemas/common"}
