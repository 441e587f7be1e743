"""parse_spec: the whole front end, on small specs and on every real-world corpus document."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from forgegen.diagnostics import Diagnostics, SpecError
from forgegen.parse import ParsedSpec, parse_spec
from openapi_pydantic.v3.v3_1 import OpenAPI

from tests.support.corpus import CORPUS

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

PETSTORE_30 = """\
openapi: 3.0.3
info:
  title: Pets
  version: 1.0.0
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - name: petId
          in: path
          required: true
          schema: {type: integer, format: int64}
      responses:
        200:
          description: a pet
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet:
      type: object
      required: [id]
      properties:
        id: {type: integer}
        tag: {type: string, nullable: true}
        parent: {$ref: '#/components/schemas/Pet'}
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, **options: Any) -> SpecError:
    with pytest.raises(SpecError) as caught:
        parse_spec(path, **options)
    # No pydantic or YAML exception is chained for a traceback to show.
    assert caught.value.__cause__ is None
    return caught.value


def test_a_3_0_spec_parses_into_the_3_1_model(tmp_path: Path) -> None:
    path = write(tmp_path, "petstore.yaml", PETSTORE_30)
    diagnostics = Diagnostics()
    parsed = parse_spec(path, diagnostics=diagnostics)
    assert isinstance(parsed, ParsedSpec)
    assert isinstance(parsed.openapi, OpenAPI)
    assert parsed.original_version == "3.0.3"
    assert parsed.openapi.openapi == parsed.document["openapi"] == "3.1.0"
    assert parsed.source_path == path.resolve()
    assert parsed.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert parsed.files == (str(path.resolve()),)
    pet = parsed.document["components"]["schemas"]["Pet"]
    assert pet["properties"]["tag"] == {"type": ["string", "null"]}
    assert pet["properties"]["parent"] == {"$ref": "#/components/schemas/Pet"}
    assert parsed.openapi.paths is not None
    responses = parsed.openapi.paths["/pets/{petId}"].get.responses  # type: ignore[union-attr]
    assert list(responses or {}) == ["200"]
    assert [(w.pointer, w.file) for w in diagnostics.warnings] == [
        ("#/paths/~1pets~1{petId}/get/responses/200", str(path))
    ]
    assert parsed.diagnostics is diagnostics
    assert parsed.locate("#/components/schemas/Pet/properties/tag") == (str(path), 27)


def test_a_3_1_spec_parses(tmp_path: Path) -> None:
    text = PETSTORE_30.replace("3.0.3", "3.1.0").replace(
        "{type: string, nullable: true}", "{type: [string, 'null']}"
    )
    parsed = parse_spec(write(tmp_path, "s.yaml", text))
    assert parsed.original_version == "3.1.0"
    tag = parsed.document["components"]["schemas"]["Pet"]["properties"]["tag"]
    assert tag == {"type": ["string", "null"]}


def test_multi_file_spec_parses_with_only_local_refs(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.yaml",
        PETSTORE_30.replace("'#/components/schemas/Pet'}", "'schemas/pet.yaml'}", 1),
    )
    write(tmp_path, "schemas/pet.yaml", "type: object\nproperties:\n  id: {type: integer}\n")
    parsed = parse_spec(tmp_path / "main.yaml")
    assert set(parsed.document["components"]["schemas"]) == {"Pet", "pet"}
    assert len(parsed.files) == 2
    refs = re.findall(r"'\$ref': '([^']*)'", repr(parsed.document))
    assert refs
    assert all(ref.startswith("#/components/") for ref in refs)


def test_warnings_in_a_referenced_file_name_that_file_and_its_pointer(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.yaml",
        PETSTORE_30.replace("'#/components/schemas/Pet'}", "'defs.yaml#/Pet'}", 1),
    )
    write(tmp_path, "defs.yaml", "Pet:\n  type: string\n  enum: []\n")
    diagnostics = Diagnostics()
    parse_spec(tmp_path / "main.yaml", diagnostics=diagnostics)
    assert [(w.file, w.pointer, w.message) for w in diagnostics.warnings][-1] == (
        str(tmp_path / "defs.yaml"),
        "#/Pet",
        "empty enum (no value could match); ignored",
    )


def test_yaml_keys_reached_from_a_json_spec_are_still_made_strings(tmp_path: Path) -> None:
    """JSON keys are always strings, so an all-JSON spec skips the re-keying walk; one
    YAML file reached through ``$ref`` brings it back for the whole bundle."""
    main = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Codes": {"$ref": "codes.yaml"}}},
    }
    write(tmp_path, "main.json", json.dumps(main))
    write(tmp_path, "codes.yaml", "type: object\nproperties:\n  200: {type: string}\n")
    diagnostics = Diagnostics()
    parsed = parse_spec(tmp_path / "main.json", diagnostics=diagnostics)
    assert list(parsed.document["components"]["schemas"]["codes"]["properties"]) == ["200"]
    assert [(w.file, w.pointer, w.message) for w in diagnostics.warnings] == [
        (
            str(tmp_path / "codes.yaml"),
            "#/properties/200",
            "key 200 is not a string (unquoted in YAML?); read as '200'",
        )
    ]


def test_a_json_spec_normalises_like_the_same_spec_in_yaml(tmp_path: Path) -> None:
    """The all-JSON shortcut changes nothing but speed: GitHub's document, written
    once as JSON and once as YAML, normalises to the same document."""
    source = CORPUS / "github-api.github.com.3.0.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    write(tmp_path, "spec.yaml", yaml.safe_dump(data, sort_keys=False))
    from_json = parse_spec(source, validate="background")
    from_yaml = parse_spec(tmp_path / "spec.yaml", validate="background")
    assert from_json.document == from_yaml.document
    assert len(from_json.diagnostics) == len(from_yaml.diagnostics)


def test_swagger_2_is_converted_and_keeps_its_version(tmp_path: Path) -> None:
    path = write(
        tmp_path, "s.json", '{\n  "swagger": "2.0",\n  "info": {"title": "T", "version": "1"}\n}\n'
    )
    parsed = parse_spec(path)
    assert parsed.original_version == "2.0"
    assert parsed.document["openapi"] == "3.1.0"
    assert parsed.document["paths"] == {}


@pytest.mark.parametrize("version", ["'1.2'", "'3.0'", "2", "true"])
def test_other_swagger_versions_are_refused_at_their_line(tmp_path: Path, version: str) -> None:
    path = write(tmp_path, "s.yaml", f"info: {{}}\nswagger: {version}\n")
    error = error_of(path)
    assert (error.pointer, error.diagnostic.file, error.diagnostic.line) == (
        "#/swagger",
        str(path),
        2,
    )
    assert "unsupported Swagger version" in error.diagnostic.message
    assert "forgegen reads Swagger 2.0 and OpenAPI 3.0.x and 3.1.x" in error.diagnostic.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not an OpenAPI document: the file is empty"),
        ("- a\n- b\n", "not an OpenAPI document: the file is a list"),
        ("just text\n", "not an OpenAPI document: the file is a str"),
        ("info: {title: T}\n", "not an OpenAPI document: no 'openapi' version field"),
    ],
)
def test_not_an_openapi_document(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "s.yaml", text)
    error = error_of(path)
    assert error.diagnostic.file == str(path)
    assert error.diagnostic.message.startswith(message)


@pytest.mark.parametrize("version", ["2.5", "3.2.0", "4.0.0", "true"])
def test_unsupported_versions(tmp_path: Path, version: str) -> None:
    path = write(tmp_path, "s.yaml", f"info: {{}}\nopenapi: {version}\n")
    error = error_of(path)
    assert (error.pointer, error.diagnostic.line) == ("#/openapi", 2)
    assert "unsupported OpenAPI version" in error.diagnostic.message
    assert "forgegen reads 3.0.x and 3.1.x" in error.diagnostic.message


def test_version_without_patch_is_accepted_with_a_warning(tmp_path: Path) -> None:
    text = "openapi: 3.0\ninfo: {title: T, version: '1'}\npaths: {}\n"
    diagnostics = Diagnostics()
    parsed = parse_spec(write(tmp_path, "s.yaml", text), diagnostics=diagnostics)
    assert parsed.original_version == "3.0"
    assert [w.pointer for w in diagnostics.warnings] == ["#/openapi"]


def test_invalid_parameter_location_is_a_located_error(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", PETSTORE_30.replace("in: path", "in: body"))
    error = error_of(path)
    assert error.pointer == "#/paths/~1pets~1{petId}/get/parameters/0/in"
    assert (error.diagnostic.file, error.diagnostic.line) == (str(path), 11)
    assert "'query', 'header', 'path' or 'cookie'" in error.diagnostic.message
    assert "found 'body'" in error.diagnostic.message
    assert "Reference" not in str(error)


def test_missing_required_field_points_at_its_parent(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "openapi: 3.1.0\npaths: {}\n")
    error = error_of(path)
    assert error.pointer == "#"
    assert error.diagnostic.message == "invalid OpenAPI document: required field 'info' is missing"


def test_schema_error_in_a_referenced_file_is_located_there(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.yaml",
        PETSTORE_30.replace("'#/components/schemas/Pet'}", "'defs/pet.yaml'}", 1),
    )
    write(tmp_path, "defs/pet.yaml", "type: object\nproperties:\n  id:\n    type: strin\n")
    error = error_of(tmp_path / "main.yaml")
    assert error.diagnostic.file == str(tmp_path / "defs" / "pet.yaml")
    assert (error.pointer, error.diagnostic.line) == ("#/properties/id/type", 4)
    assert "found 'strin'" in error.diagnostic.message


def test_several_errors_are_summarised_in_one_message(tmp_path: Path) -> None:
    text = PETSTORE_30.replace("in: path", "in: body").replace("version: 1.0.0", "version: [1]")
    error = error_of(write(tmp_path, "s.yaml", text))
    assert error.pointer == "#/info/version"
    assert "(also #/paths/~1pets~1{petId}/get/parameters/0/in:" in error.diagnostic.message


def test_deeply_nested_document_is_an_error_not_a_crash(tmp_path: Path) -> None:
    depth = 5000
    nested = "{" * 0 + "[" * depth + "]" * depth
    text = '{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "x": ' + nested + "}"
    path = write(tmp_path, "deep.json", text)
    with pytest.raises(SpecError, match="nested too deeply"):
        parse_spec(path)


# -- the real-world corpus -------------------------------------------------------------


def corpus_table() -> dict[str, tuple[int, int, int]]:
    """README rows: file -> (paths, operations, schemas)."""
    table: dict[str, tuple[int, int, int]] = {}
    for line in (CORPUS / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and re.fullmatch(r"\d+ / \d+ / \d+", cells[3]):
            paths, operations, schemas = (int(n) for n in cells[3].split(" / "))
            table[cells[0]] = (paths, operations, schemas)
    return table


CORPUS_TABLE = corpus_table()


def test_the_corpus_table_lists_every_document() -> None:
    files = {path.name for path in CORPUS.iterdir() if path.suffix in (".json", ".yaml")}
    assert set(CORPUS_TABLE) == files
    assert CORPUS_TABLE["github-api.github.com.3.0.json"][1] == 771


@pytest.mark.parametrize("name", sorted(CORPUS_TABLE))
def test_every_corpus_document_parses(name: str) -> None:
    path = CORPUS / name
    parsed = parse_spec(path)
    paths = parsed.openapi.paths or {}
    operations = sum(
        1 for item in paths.values() for method in METHODS if getattr(item, method) is not None
    )
    components = parsed.openapi.components
    schemas = len(components.schemas or {}) if components is not None else 0
    assert (len(paths), operations, schemas) == CORPUS_TABLE[name]


def test_corpus_normalisations_are_the_measured_ones() -> None:
    diagnostics = Diagnostics()
    parse_spec(CORPUS / "wso2-apim-service-catalog-api-3.0.yaml", diagnostics=diagnostics)
    assert [w.pointer for w in diagnostics.warnings] == [
        "#/paths/~1services/get/responses/200",
        "#/paths/~1services/post/responses/201",
        "#/paths/~1services/post/responses/400",
        "#/paths/~1services/post/responses/415",
    ]
    stripe = parse_spec(CORPUS / "stripe-spec3.json")
    assert "nullable" not in repr(stripe.document["components"]["schemas"])


MULTIFILE = Path(__file__).parent / "specs" / "frontend" / "multifile" / "openapi.yaml"


def test_the_multi_file_fixture_bundles_into_one_local_document() -> None:
    parsed = parse_spec(MULTIFILE)
    document = parsed.document
    assert len(parsed.files) == 6
    components = document["components"]
    assert list(components["schemas"]) == ["Error", "pet", "tag"]
    assert components["parameters"] == {
        "PetId": {
            "name": "petId",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "format": "int64"},
        }
    }
    assert components["responses"]["NotFound"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    pet = components["schemas"]["pet"]
    assert pet["properties"]["tag"] == {
        "anyOf": [{"$ref": "#/components/schemas/tag"}, {"type": "null"}]
    }
    assert pet["properties"]["parent"] == {"$ref": "#/components/schemas/pet"}
    assert pet["properties"]["error"] == {"$ref": "#/components/schemas/Error"}
    list_pets = document["paths"]["/pets"]["get"]
    assert list_pets["parameters"][0]["schema"] == {"type": "integer", "minimum": 1}
    items = list_pets["responses"]["200"]["content"]["application/json"]["schema"]["items"]
    assert items == {"$ref": "#/components/schemas/pet"}
    # Pointers of the bundled document lead back to the file and line they came from.
    fixture = MULTIFILE.parent
    assert parsed.locate("#/components/schemas/pet/properties/tag") == (
        str(fixture / "schemas" / "pet.yaml"),
        6,
    )
    assert parsed.locate("#/paths/~1pets/get/parameters/0") == (
        str(fixture / "paths" / "pets.yaml"),
        4,
    )
    assert parsed.locate("#/paths/~1pets~1{petId}/get") == (str(MULTIFILE), 9)
