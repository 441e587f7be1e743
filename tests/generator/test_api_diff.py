"""``forgegen diff``: each kind of change to the generated API, classified and located.

The pair OLD/NEW below makes one edit of every kind the report knows; the
tests read the report through the command line in each format and check each
line: the kind, breaking or not, the Python symbol and the pointers.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from forgegen.api_diff import compare_apis, semver_bump
from forgegen.cli import main
from forgegen.pipeline import lower_spec

OLD = """
openapi: 3.0.3
info: {title: Pets, version: "1"}
security: [{key: []}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
  schemas:
    Pet:
      type: object
      required: [id, nickname]
      properties:
        id: {type: integer}
        name: {type: string}
        nickname: {type: string, nullable: true}
        tag: {type: string}
    Status: {type: string, enum: [available, sold, pending]}
    Gone: {type: object, properties: {x: {type: string}}}
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: status, in: query, schema: {$ref: "#/components/schemas/Status"}}
        - {name: page-size, in: query, schema: {type: integer}}
        - {name: owner, in: query, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
        "404":
          description: missing
          content: {application/json: {schema: {type: object}}}
  /pets/{id}:
    delete:
      operationId: deletePet
      tags: [pets]
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses: {"204": {description: gone}}
  /stores:
    get:
      operationId: listStores
      tags: [stores]
      responses: {"204": {description: none}}
"""

EDITS = [
    (
        "- {name: limit, in: query, schema: {type: integer}}",
        "- {name: limit, in: query, required: true, schema: {type: integer}}\n"
        "        - {name: offset, in: query, schema: {type: integer}}",
    ),
    (
        "- {name: owner, in: query, schema: {type: string}}",
        "- {name: owner, in: query, schema: {type: integer}}",
    ),
    ("enum: [available, sold, pending]", "enum: [available, pending, adopted]"),
    ("        nickname: {type: string, nullable: true}", "        nickname: {type: string}"),
    ("        tag: {type: string}", "        age: {type: integer}"),
    ("required: [id, nickname]", "required: [id, name, nickname]"),
    (
        '        "404":\n          description: missing\n'
        "          content: {application/json: {schema: {type: object}}}\n",
        "",
    ),
    ("    Gone: {type: object, properties: {x: {type: string}}}\n", ""),
    (
        "      operationId: deletePet\n      tags: [pets]",
        "      operationId: deletePet\n      tags: [admin]",
    ),
    (
        "  /stores:\n    get:\n      operationId: listStores\n      tags: [stores]\n"
        '      responses: {"204": {description: none}}\n',
        "",
    ),
    ("name: X-Key}", "name: X-Key}\n    bearer: {type: http, scheme: bearer}"),
    ("security: [{key: []}]", "security: [{bearer: []}]"),
]


def _new() -> str:
    text = textwrap.dedent(OLD)
    for old, new in EDITS:
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(textwrap.dedent(OLD), encoding="utf-8")
    new.write_text(_new(), encoding="utf-8")
    return old, new


EXPECTED = {
    # (breaking, kind, symbol)
    (True, "parameter became required", "client.pets.list_pets(limit=...)"),
    (False, "optional parameter added", "client.pets.list_pets(offset=...)"),
    (True, "parameter type changed", "client.pets.list_pets(owner=...)"),
    # status takes the enum or its values as literals: a removed value narrows it
    (True, "parameter type changed", "client.pets.list_pets(status=...)"),
    (True, "enum member removed", "models.Status.SOLD"),
    (False, "enum member added", "models.Status.ADOPTED"),
    (True, "field no longer nullable", "models.Pet.nickname"),
    (True, "field removed", "models.Pet.tag"),
    (False, "optional field added", "models.Pet.age"),
    (True, "field became required", "models.Pet.name"),
    (True, "error class removed", "api.pets.list_pets.ListPetsNotFoundError"),
    (True, "model removed", "models.Gone"),
    (True, "operation moved", "client.pets.delete_pet()"),
    (True, "tag attribute removed", "client.stores"),
    (False, "tag attribute added", "client.admin"),
    (False, "credential keyword added", "Client(token=...)"),
    (False, "credential keyword added", "Client(token_manager=...)"),
    (True, "new credential required", "client.pets.list_pets()"),
}


def test_every_kind_of_change_is_found_and_classified(pair: tuple[Path, Path]) -> None:
    old, _ = lower_spec(pair[0])
    new, _ = lower_spec(pair[1])
    changes = compare_apis(old, new)
    found = {(c.breaking, c.kind, c.symbol) for c in changes}
    assert found == EXPECTED
    assert semver_bump(changes) == "major"
    assert [c.breaking for c in changes] == sorted((c.breaking for c in changes), reverse=True)
    by_symbol = {c.symbol: c for c in changes}
    moved = by_symbol["client.pets.delete_pet()"]
    assert moved.detail == "now client.admin.delete_pet()"
    assert (moved.old_pointer, moved.new_pointer) == ("#/paths/~1pets~1{id}/delete",) * 2
    removed = by_symbol["models.Pet.tag"]
    assert (removed.old_pointer, removed.new_pointer) == (
        "#/components/schemas/Pet/properties/tag",
        None,
    )
    assert by_symbol["client.pets.list_pets(owner=...)"].detail == "str | None -> int | None"


def test_the_same_spec_has_no_changes_and_additions_are_minor(pair: tuple[Path, Path]) -> None:
    old, _ = lower_spec(pair[0])
    assert compare_apis(old, old) == []
    assert semver_bump([]) == "patch"
    grown = (
        pair[0]
        .read_text()
        .replace(
            "  /stores:",
            "  /toys:\n    get:\n      operationId: listToys\n"
            '      responses: {"204": {description: none}}\n  /stores:',
        )
    )
    pair[1].write_text(grown, encoding="utf-8")
    new, _ = lower_spec(pair[1])
    changes = compare_apis(old, new)
    assert [(c.breaking, c.kind, c.symbol) for c in changes] == [
        (False, "tag attribute added", "client.default"),
        (False, "operation added", "client.default.list_toys()"),
    ]
    assert semver_bump(changes) == "minor"


def test_the_command_prints_text_markdown_and_json(pair: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = (str(path) for path in pair)
    code, report = _stdout(tmp_path, "diff", old, new)
    assert code == 0
    lines = report.splitlines()
    assert lines[0].endswith("12 breaking, 6 compatible changes; suggested version bump: major")
    assert (
        "breaking   field removed: models.Pet.tag (#/components/schemas/Pet/properties/tag)"
        in lines
    )

    code, markdown = _stdout(tmp_path, "diff", old, new, "--format", "markdown")
    assert "#### Breaking" in markdown
    assert (
        "| field removed | `models.Pet.tag` |  | #/components/schemas/Pet/properties/tag |  |"
        in markdown
    )

    code, text = _stdout(tmp_path, "diff", old, new, "--format", "json")
    document = json.loads(text)
    assert document["semver"] == "major"
    assert len(document["breaking"]) == 12
    assert {"breaking", "kind", "symbol", "detail", "old_pointer", "new_pointer"} == set(
        document["compatible"][0]
    )


def test_exit_codes(pair: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = (str(path) for path in pair)
    assert _stdout(tmp_path, "diff", old, new, "--fail-on-breaking")[0] == 1
    assert _stdout(tmp_path, "diff", old, old, "--fail-on-breaking")[0] == 0
    code, _ = _stdout(tmp_path, "diff", old, str(tmp_path / "missing.yaml"))
    assert code == 2
    code, _ = _stdout(tmp_path, "diff", old)
    assert code == 2


def _stdout(cwd: Path, *arguments: str) -> tuple[int, str]:
    """``forgegen ARGUMENTS`` in-process: its exit code and what it printed on stdout."""
    result = CliRunner().invoke(main, list(arguments))
    return result.exit_code, result.stdout
