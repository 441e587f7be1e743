"""Syntax errors in the file's own format, and warnings for odd but readable documents.

Through the real CLI: a broken file exits 1 with ``file:line:column`` and the
parser's words for the format the file is (its extension, else its content),
never a traceback; a document with nothing to generate, or with both
``swagger`` and ``openapi``, generates with a warning naming the pointer.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from forgegen.cli import main

from tests.support.server import LoopbackServer, Reply

#: name -> (file name, text, the "file:line:column: message" suffix expected)
BROKEN: dict[str, tuple[str, str, str]] = {
    "garbage named .json": (
        "spec.json",
        "this is not json at all\n",
        "spec.json:1:1: invalid JSON: Expecting value",
    ),
    "truncated .json": (
        "spec.json",
        '{"openapi": "3.0.3",\n  "info": ',
        "spec.json:2:11: invalid JSON: Expecting value",
    ),
    "unquoted key in .json": (
        "api.JSON",
        '{\n  "openapi": "3.0.3",\n  info: [\n',
        "api.JSON:3:3: invalid JSON: Expecting property name enclosed in double quotes",
    ),
    "flow-style .yaml": (
        "spec.yaml",
        '{openapi: 3.0.3, info: {title: x, version: "1"}\n',
        "spec.yaml:2:1: invalid YAML: did not find expected ',' or '}' "
        "(while parsing a flow mapping)",
    ),
    "block .yml": (
        "spec.yml",
        "openapi: 3.0.3\ninfo:\n  title: x\n version: 1\n",
        "spec.yml:4:2: invalid YAML: did not find expected key (while parsing a block mapping)",
    ),
    "no extension, JSON content": (
        "spec",
        '{"openapi": "3.0.3",\n "info": {"title": "x",',
        "spec:2:24: invalid JSON: Expecting property name enclosed in double quotes",
    ),
    "no extension, YAML content": (
        "spec.txt",
        "openapi: 3.0.3\ninfo: {title: x\n",
        "spec.txt:3:1: invalid YAML: did not find expected ',' or '}' "
        "(while parsing a flow mapping)",
    ),
}


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output}")
    return result.exit_code, result.output


@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_syntax_error_is_reported_in_the_files_own_format(kind: str, tmp_path: Path) -> None:
    name, text, expected = BROKEN[kind]
    spec = tmp_path / name
    spec.write_text(text, encoding="utf-8")
    code, output = _run(str(spec), "-o", str(tmp_path / "out"), "--no-cache")
    assert code == 1, output
    assert "Traceback" not in output
    assert output == f"forgegen: error: {tmp_path}/{expected}\n"
    assert not (tmp_path / "out").exists()


def test_a_yaml_spec_saved_as_json_is_still_read(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text('openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\n', encoding="utf-8")
    code, output = _run(str(spec), "-o", str(tmp_path / "out"), "--no-cache")
    assert code == 0, output
    assert (tmp_path / "out" / "__init__.py").is_file()


@pytest.fixture
def importable(tmp_path: Path) -> Iterator[Path]:
    """``tmp_path/clients`` on ``sys.path`` for the test, and its packages unloaded after."""
    root = tmp_path / "clients"
    root.mkdir()
    sys.path.insert(0, str(root))
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        for package in ("models_only_client", "both_client"):
            for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
                del sys.modules[name]


def test_a_document_without_operations_warns_and_still_generates_its_models(
    tmp_path: Path, importable: Path
) -> None:
    spec = tmp_path / "models_only.yaml"
    spec.write_text(
        "openapi: 3.0.3\n"
        'info: {title: Only models, version: "1"}\n'
        "paths: {}\n"
        "components:\n"
        "  schemas:\n"
        "    Thing: {type: object, properties: {name: {type: string}}}\n",
        encoding="utf-8",
    )
    out = importable / "models_only_client"
    code, output = _run(str(spec), "-o", str(out), "--no-cache")
    assert code == 0, output
    assert (
        f"forgegen: warning: {spec}:3 #/paths: the document has no operations: "
        "nothing to generate but models (if any)\n"
    ) in output
    importlib.invalidate_caches()
    models = importlib.import_module("models_only_client.models")
    assert models.Thing.model_validate({"name": "n"}).name == "n"


def test_both_swagger_and_openapi_warns_which_one_is_read(
    tmp_path: Path, importable: Path, server: LoopbackServer
) -> None:
    spec = tmp_path / "both.yaml"
    spec.write_text(
        "swagger: '2.0'\n"
        "openapi: 3.0.3\n"
        'info: {title: Both, version: "1"}\n'
        "paths:\n"
        "  /ping:\n"
        "    get:\n"
        "      operationId: ping\n"
        "      responses:\n"
        "        '200':\n"
        "          description: ok\n"
        "          content:\n"
        "            application/json:\n"
        "              schema: {type: object, properties: {ok: {type: boolean}}}\n",
        encoding="utf-8",
    )
    out = importable / "both_client"
    code, output = _run(str(spec), "-o", str(out), "--no-cache")
    assert code == 0, output
    assert (
        f"forgegen: warning: {spec}:1 #/swagger: the document has both 'openapi' and "
        "'swagger': read as OpenAPI 3.0.3, 'swagger' is ignored\n"
    ) in output
    assert "no operations" not in output
    importlib.invalidate_caches()
    package = importlib.import_module("both_client")
    server.route("GET", "/ping", Reply.json({"ok": True}))
    with package.Client(base_url=server.url) as client:
        assert client.default.ping().ok is True
