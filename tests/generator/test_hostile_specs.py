"""Hostile specs end to end: spec text that tries to break out of every position.

Each spec here is written to attack the generator: quotes, triple quotes,
backslashes, CR/LF, control characters, ``#``, f-string braces, Python
keywords, leading digits, ``../`` and absolute paths, very long names, RTL and
zero-width marks, lone surrogates (JSON allows ``\\ud800``), and a payload
``__import__('os').system('touch PWNED')`` in every text position.  They go
through the real command line; then we check what issue 7 promises: every
file lands inside the output directory, the package compiles and passes
``mypy --strict`` (one run for all packages, it is the slow part), importing
every module in a fresh interpreter has no side effects, calling an operation
against a loopback server has none either, and the values the client sends
are exactly the spec's text.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from forgegen.cli import main

from tests.support.server import LoopbackServer, Reply

PWN = "__import__('os').system('touch PWNED')"
HOSTILE = (
    'q"uote \'s """tri""" \'\'\' \\back\\ \r\nCRLF\x01\x07\x1bctl # hash {x} {{y}} '
    f'f"{{{PWN}}}" \u202eRTL\u200bZW \u2028sep ' + PWN
)
#: Header values cannot carry CR/LF (that would be header injection, refused by
#: the HTTP layer), so the header default is hostile in every other way.
HEADER_DEFAULT = "v\"a\\l'u{e} # " + PWN
HEADER_NAME = "X-It's#{x}|~"  # every character a legal HTTP token character
KEY_HEADER = "X-K'ey#"
SCHEME = "k\"ey'\\#{}"
QUERY_DEFAULT = 'a"b\\c\r\n{x}#'
ENUM = ['a"b', "c'd", "e\\f", "g\r\nh", PWN, "{x}", "class", "1x", "", "\u202e"]
PATH = '/items/{item-id}/"q"#;/{x}'


def _hostile_spec(version: str = "3.0.3") -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": HOSTILE, "version": HOSTILE, "description": HOSTILE},
        "servers": [{"url": "http://example.invalid/a\"b'c\\d#{e}", "description": HOSTILE}],
        "tags": [{"name": "class", "description": HOSTILE}],
        "paths": {
            PATH: {
                "get": {
                    "operationId": "import",
                    "tags": ["class"],
                    "summary": HOSTILE,
                    "description": HOSTILE,
                    "parameters": [
                        {
                            "name": "item-id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": HOSTILE,
                        },
                        {"name": "x", "in": "path", "required": True, "schema": {"type": "string"}},
                        {
                            "name": HEADER_NAME,
                            "in": "header",
                            "schema": {"type": "string", "default": HEADER_DEFAULT},
                        },
                        {
                            "name": "def",
                            "in": "query",
                            "schema": {"$ref": "#/components/schemas/Mood"},
                        },
                        {
                            "name": "1st",
                            "in": "query",
                            "schema": {"type": "string", "default": QUERY_DEFAULT},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": HOSTILE,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"}
                                }
                            },
                        }
                    },
                }
            },
            "/../../etc/passwd": {
                "post": {
                    "operationId": "../../escape",
                    "tags": ["../../../tmp/evil", "/abs/olute"],
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        }
                    },
                    "responses": {"204": {"description": "x"}},
                }
            },
            "/long": {
                "get": {
                    "operationId": "x" * 300,
                    "tags": ["9lives", "/etc/passwd", "\u200b"],
                    "responses": {"204": {"description": "y" * 5000}},
                }
            },
        },
        "components": {
            "securitySchemes": {
                SCHEME: {
                    "type": "apiKey",
                    "in": "header",
                    "name": KEY_HEADER,
                    "description": HOSTILE,
                }
            },
            "schemas": {
                "Mood": {"type": "string", "description": HOSTILE, "enum": ENUM},
                "Thing": {
                    "type": "object",
                    "title": HOSTILE,
                    "description": HOSTILE,
                    "properties": {
                        "class": {"type": "string", "description": HOSTILE, "default": HOSTILE},
                        "1st": {"type": "integer", "default": 1},
                        'a"b': {"type": "string", "description": PWN},
                        "__init__": {"type": "string"},
                        "": {"type": "string"},
                        "mood": {"$ref": "#/components/schemas/Mood"},
                    },
                },
                "../../../etc/shadow": {"type": "object", "properties": {"x": {"type": "string"}}},
                "/abs": {"type": "string", "enum": ["x"]},
                "import": {"type": "string", "enum": [HOSTILE]},
            },
        },
        "security": [{SCHEME: []}],
    }


def _surrogate_spec() -> dict[str, Any]:
    """3.1 flavour with lone surrogates in descriptions, a title and a tag."""
    spec = _hostile_spec("3.1.0")
    spec["info"]["description"] = "lone \ud800 surrogate \udfff"
    spec["components"]["schemas"]["Thing"]["title"] = "\udc00" + HOSTILE
    spec["components"]["schemas"]["Mood"]["description"] = "\ud83d"
    spec["paths"]["/long"]["get"]["tags"] = ["\ud800"]
    return spec


SPECS = {"hostile_a": _hostile_spec, "hostile_b": _surrogate_spec}


def _tree(root: Path) -> set[Path]:
    return set(root.rglob("*"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All hostile packages, generated by the CLI into one ``out`` directory."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "specs").mkdir()
    out = root / "out"
    out.mkdir()
    for name, make in SPECS.items():
        spec = root / "specs" / f"{name}.json"
        # ensure_ascii keeps lone surrogates as \\uXXXX escapes, as JSON allows
        spec.write_text(json.dumps(make(), indent=1), encoding="utf-8")
        before = _tree(root)
        result = CliRunner().invoke(
            main, [str(spec), "-o", str(out / name), "--cache-dir", str(root / "cache"), "-q"]
        )
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        created = _tree(root) - before
        outside = [
            p
            for p in created
            if not p.is_relative_to(out / name) and not p.is_relative_to(root / "cache")
        ]
        assert outside == [], f"{name} wrote outside its output directory: {outside}"
    return out


def test_every_written_file_is_inside_the_output_directory(generated: Path) -> None:
    for name in SPECS:
        package = generated / name
        for path in package.rglob("*"):
            assert path.resolve().is_relative_to(package.resolve()), path
            assert not path.is_symlink(), path
        names = {p.name for p in package.rglob("*")}
        assert "passwd" not in names
        assert "shadow" not in names
    assert sorted(p.name for p in generated.iterdir()) == sorted(SPECS)


def test_compiles_and_passes_mypy_strict(generated: Path) -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    compiled = subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *SPECS],
        cwd=generated,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            *SPECS,
        ],
        cwd=generated,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


_IMPORT_ALL = """
import importlib, pkgutil, sys, warnings
warnings.simplefilter("error")
for name in sys.argv[1:]:
    package = importlib.import_module(name)
    for module in pkgutil.walk_packages(package.__path__, name + "."):
        importlib.import_module(module.name)
print("imported")
"""


def _fresh_python(code: str, *args: str, cwd: Path, generated: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(generated), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("HOSTILE_A_BASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_importing_every_module_has_no_side_effects(generated: Path, tmp_path: Path) -> None:
    packages_before = {p: p.stat().st_mtime_ns for p in generated.rglob("*")}
    output = _fresh_python(_IMPORT_ALL, *SPECS, cwd=tmp_path, generated=generated)
    assert output.strip() == "imported"
    assert list(tmp_path.iterdir()) == []  # no PWNED, nothing at all
    assert not (generated / "PWNED").exists()
    assert {p: p.stat().st_mtime_ns for p in generated.rglob("*")} == packages_before


_CALL = """
import json, sys
from hostile_a import Client
from hostile_a.models.mood import Mood
mood = next(m for m in Mood if m.value == sys.argv[3])
with Client(sys.argv[1], api_key="s3cret") as client:
    thing = client.class_.import_(item_id=sys.argv[2], x="{x}", def_=mood)
print(json.dumps({"class": thing.class_, "mood": thing.mood.value if thing.mood else None}))
"""


def test_calling_an_operation_sends_the_spec_text_and_has_no_side_effects(
    generated: Path, tmp_path: Path, server: LoopbackServer
) -> None:
    item = 'i"d\\ #?&{x}/' + PWN
    server.route("GET", "/items/*", Reply.json({"class": HOSTILE, "mood": PWN, "1st": 2}))
    output = _fresh_python(_CALL, server.url, item, PWN, cwd=tmp_path, generated=generated)
    assert json.loads(output) == {"class": HOSTILE, "mood": PWN}
    assert list(tmp_path.iterdir()) == []
    [request] = server.requests
    assert request.method == "GET"
    expected_path = PATH.replace("{item-id}", item).replace("{x}", "{x}")
    assert unquote(request.path) == expected_path
    assert request.query["def"] == [PWN]
    assert request.query["1st"] == [QUERY_DEFAULT]
    assert request.header(HEADER_NAME) == HEADER_DEFAULT
    assert request.header(KEY_HEADER) == "s3cret"


def test_hostile_text_survives_in_docstrings_and_literals(generated: Path, tmp_path: Path) -> None:
    code = """
import sys, hostile_a, hostile_b
from hostile_a.models.thing import Thing
from hostile_a.models.mood import Mood
from hostile_b.models.mood import Mood as MoodB
values = (hostile_a.__version__, Thing().class_, [m.value for m in Mood], [m.value for m in MoodB])
print(repr(values))
"""
    version, default, enum_a, enum_b = ast.literal_eval(
        _fresh_python(code, cwd=tmp_path, generated=generated)
    )
    assert version == HOSTILE
    assert default == HOSTILE
    assert enum_a == ENUM
    assert enum_b == ENUM


def test_a_lone_surrogate_enum_value_stops_generation_with_its_place(tmp_path: Path) -> None:
    """It can never be sent as UTF-8 and pydantic cannot validate it."""
    spec = _hostile_spec()
    spec["components"]["schemas"]["Mood"]["enum"] = ["ok", "\udc00"]
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    out = tmp_path / "out" / "client"
    result = CliRunner().invoke(
        main, [str(path), "-o", str(out), "--cache-dir", str(tmp_path / "c")]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "spec.json" in result.output
    assert "#/components/schemas/Mood/enum/1" in result.output
    assert "lone surrogate" in result.output
    assert not out.exists()
