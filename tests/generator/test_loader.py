"""load_document: YAML and JSON by content, safe tags only, located errors, lazy line maps."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml
from forgegen import loader
from forgegen.diagnostics import SpecError
from forgegen.loader import load_document
from forgegen.pipeline import generate


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_yaml_and_json_load_to_the_same_data(tmp_path: Path) -> None:
    data = {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}
    from_yaml = load_document(write(tmp_path, "a.yaml", yaml.safe_dump(data)))
    from_json = load_document(write(tmp_path, "a.json", json.dumps(data, indent=2)))
    assert from_yaml.data == from_json.data == data
    assert (from_yaml.format, from_json.format) == ("yaml", "json")


def test_format_is_chosen_by_content_not_extension(tmp_path: Path) -> None:
    json_in_yaml = load_document(write(tmp_path, "spec.yaml", '{"openapi": "3.1.0"}'))
    yaml_in_json = load_document(write(tmp_path, "spec.json", "openapi: 3.1.0\n"))
    assert json_in_yaml.format == "json"
    assert yaml_in_json.format == "yaml"
    assert json_in_yaml.data == yaml_in_json.data == {"openapi": "3.1.0"}


def test_json_looking_yaml_falls_back_to_yaml(tmp_path: Path) -> None:
    # Flow-style YAML with a comment is not JSON, but it is a valid spec file.
    doc = load_document(write(tmp_path, "s.yaml", '{"a": 1}  # a comment\n'))
    assert doc.data == {"a": 1}
    assert doc.format == "yaml"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "s.json", b'\xef\xbb\xbf{"a": "\xc3\xa9"}'))
    assert doc.data == {"a": "é"}


def test_sha256_is_of_the_original_bytes(tmp_path: Path) -> None:
    raw = b"openapi: 3.0.0\n# comment\n"
    doc = load_document(write(tmp_path, "s.yaml", raw))
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SpecError) as caught:
        load_document(missing)
    assert str(caught.value) == f"{missing}: file not found"


def test_directory_is_not_a_spec(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="is a directory"):
        load_document(tmp_path)


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "openapi: 3.0.0\ninfo:\n  title: [unclosed\n  version: 1\n")
    with pytest.raises(SpecError) as caught:
        load_document(path)
    diagnostic = caught.value.diagnostic
    assert diagnostic.file == str(path)
    assert diagnostic.line == 4
    assert "invalid YAML" in diagnostic.message


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '{\n  "openapi": "3.0.0",\n  "info": {,}\n}\n')
    with pytest.raises(SpecError) as caught:
        load_document(path)
    assert caught.value.diagnostic.line == 3
    assert str(caught.value).startswith(f"{path}:3:12: invalid JSON: ")


@pytest.mark.parametrize("name", ["huge.json", "huge.yaml"])
def test_an_integer_past_the_digit_limit_is_a_spec_error(tmp_path: Path, name: str) -> None:
    digits = "9" * 5000
    text = f'{{"a": {digits}}}' if name.endswith(".json") else f"a: {digits}\n"
    with pytest.raises(SpecError, match=r"invalid (JSON|YAML): Exceeds the limit"):
        load_document(write(tmp_path, name, text))


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.yaml", b"a: 1\nb: caf\xe9\n")
    with pytest.raises(SpecError) as caught:
        load_document(path)
    assert (caught.value.diagnostic.line, caught.value.diagnostic.message) == (2, "not UTF-8 text")


def test_python_tags_are_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = write(
        tmp_path,
        "evil.yaml",
        "openapi: 3.0.0\n"
        "info:\n"
        f"  title: !!python/object/apply:os.system ['touch {marker}']\n",
    )
    with pytest.raises(SpecError) as caught:
        load_document(path)
    assert not marker.exists()
    diagnostic = caught.value.diagnostic
    assert diagnostic.line == 3
    assert "'!!python/object/apply:os.system' is not allowed" in diagnostic.message


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!python/name:os.system\n", "!!python/name:os.system"),
        ("a: !Ref Thing\n", "!Ref"),
        ("a: !!binary aGVsbG8=\n", "!!binary"),
        ("a: !!set {x: null}\n", "!!set"),
    ],
)
def test_tags_outside_the_json_model_are_refused(tmp_path: Path, text: str, tag: str) -> None:
    with pytest.raises(SpecError, match=f"YAML tag '{tag}' is not allowed") as caught:
        load_document(write(tmp_path, "t.yaml", text))
    assert caught.value.diagnostic.line == 1


def test_full_loader_is_never_used() -> None:
    # libyaml's safe loader when present (about 4x faster), else the pure-Python safe loader.
    safe = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    assert issubclass(loader._SpecLoader, safe)
    assert not issubclass(loader._SpecLoader, (yaml.FullLoader, yaml.UnsafeLoader))


def test_timestamps_stay_strings_and_int_keys_stay_ints(tmp_path: Path) -> None:
    doc = load_document(
        write(tmp_path, "s.yaml", "example: 2020-01-01\nat: 2020-01-01T10:00:00Z\nr:\n  200: ok\n")
    )
    assert doc.data == {"example": "2020-01-01", "at": "2020-01-01T10:00:00Z", "r": {200: "ok"}}


def test_aliases_are_allowed(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "s.yaml", "a: &x {type: string}\nb: *x\n"))
    assert doc.data == {"a": {"type": "string"}, "b": {"type": "string"}}


def test_alias_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 10):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    with pytest.raises(SpecError, match="expands to more than 300,000 nodes through YAML aliases"):
        load_document(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))


def test_self_containing_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="contain itself"):
        load_document(write(tmp_path, "loop.yaml", "a: &a\n  b: *a\n"))


def test_empty_yaml_loads_as_none(tmp_path: Path) -> None:
    assert load_document(write(tmp_path, "empty.yaml", "")).data is None


def test_line_map_is_built_only_when_asked(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "s.yaml", "a:\n  b: 1\n"))
    assert doc.lines._lines is None
    assert doc.line_of("#/a/b") == 2
    assert doc.lines._lines is not None


YAML_SPEC = """\
openapi: 3.0.0
info:
  title: T
  version: '1'
paths:
  /pets/{id}:
    get:
      parameters:
        - name: id
          in: path
        - name: q
          in: query
      responses:
        200:
          description: ok
"""


@pytest.mark.parametrize(
    ("pointer", "line"),
    [
        ("#", 1),
        ("#/info/version", 4),
        ("#/paths/~1pets~1{id}", 6),
        ("#/paths/~1pets~1{id}/get/parameters/1", 11),
        ("#/paths/~1pets~1{id}/get/parameters/1/in", 12),
        ("#/paths/~1pets~1{id}/get/responses/200/description", 15),
        # Not in the source: the nearest ancestor that is.
        ("#/paths/~1pets~1{id}/get/responses/200/content/x", 14),
    ],
)
def test_yaml_line_of(tmp_path: Path, pointer: str, line: int) -> None:
    doc = load_document(write(tmp_path, "s.yaml", YAML_SPEC))
    assert doc.line_of(pointer) == line


@pytest.mark.parametrize(
    ("pointer", "line"),
    [
        ("#/openapi", 2),
        ("#/paths/~1a~1b", 4),
        ("#/paths/~1a~1b/get/parameters/0", 7),
        ("#/paths/~1a~1b/get/parameters/1/name", 10),
        ('#/paths/~1a~1b/get/x-quote"d', 12),
        ("#/paths/~1a~1b/get/responses", 13),
        ("#/tags/0", 15),
        ("#/tags/1", 16),
    ],
)
def test_json_line_of(tmp_path: Path, pointer: str, line: int) -> None:
    text = (
        "{\n"
        '  "openapi": "3.0.0",\n'
        '  "paths": {\n'
        '    "/a/b": {\n'
        '      "get": {\n'
        '        "parameters": [\n'
        '          {"name": "x", "in": "query", "extra": [1, {"y": "}"}]},\n'
        "          {\n"
        '            "in": "query",\n'
        '            "name": "z\\"]"\n'
        "          }],\n"
        '        "x-quote\\"d": true,\n'
        '        "responses": {}\n'
        "      }}},\n"
        '  "tags": [{"name": "a"},\n    {"name": "b"}]\n'
        "}\n"
    )
    doc = load_document(write(tmp_path, "s.json", text))
    assert doc.line_of(pointer) == line


def test_only_yaml_1_2_booleans_are_booleans(tmp_path: Path) -> None:
    # PyYAML reads YAML 1.1, where yes/no/on/off are booleans: an enum
    # [new, active, off] then held False and its client rejected "off".
    path = tmp_path / "s.yaml"
    path.write_text("e: [new, off, On, yes, NO, y, true, False, TRUE]\non: 1\n", encoding="utf-8")
    data = load_document(path).data
    assert data == {"e": ["new", "off", "On", "yes", "NO", "y", True, False, True], "on": 1}


def test_an_enum_with_off_generates_the_string(tmp_path: Path) -> None:
    spec = tmp_path / "droplets.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: d, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        "    Status: {type: string, enum: [new, active, off, archive]}\n",
        encoding="utf-8",
    )
    result = generate(spec, tmp_path / "out" / "droplets", quiet=True, use_cache=False)
    assert not [w for w in result.warnings if "mixed" in w.message]
    module = (tmp_path / "out" / "droplets" / "models" / "status.py").read_text(encoding="utf-8")
    assert 'OFF = "off"' in module
