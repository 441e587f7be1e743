"""The command line: real specs through the whole pipeline, exit codes, config files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from forgegen import __version__
from forgegen.cli import main

from tests.support.corpus import CORPUS

PETSTORE = CORPUS / "swagger-petstore3-openapi.yaml"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs without --cache-dir use $XDG_CACHE_HOME: keep them out of the real home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    target = tmp_path / "spec" / "petstore.yaml"
    target.parent.mkdir()
    shutil.copy(PETSTORE, target)
    return target


def _run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    return result.exit_code, result.output


def test_version_and_help() -> None:
    code, output = _run("--version")
    assert code == 0
    assert __version__ in output
    code, output = _run("--help")
    assert code == 0
    assert "forgegen petstore.yaml -o src/petstore" in output
    assert "[tool.forgegen]" in output
    for option in (
        "--package-name",
        "--check",
        "--runtime",
        "--force",
        "--config",
        "--no-cache",
        "-q",
    ):
        assert option in output


def test_generate_then_check_fresh_then_stale(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "petstore"
    cache = tmp_path / "cache"
    code, output = _run(spec, "-o", out, "--cache-dir", cache)
    assert code == 0, output
    for stage in ("parse", "lower", "render", "format", "write"):
        assert f"forgegen: {stage}" in output
    assert (out / "api" / "pet" / "get_pet_by_id.py").is_file()
    assert (out / "_runtime" / "api.py").is_file()

    code, output = _run(spec, "-o", out, "--check", "-q", "--cache-dir", cache)
    assert code == 0, output
    assert output == ""

    (out / "api" / "pet" / "get_pet_by_id.py").write_text("# edited\n")
    (out / "extra.py").write_text("")
    code, output = _run(spec, "-o", out, "--check", "--cache-dir", cache)
    assert code == 1
    assert "~ api/pet/get_pet_by_id.py" in output
    assert "- extra.py" in output
    assert (out / "api" / "pet" / "get_pet_by_id.py").read_text() == "# edited\n"

    code, output = _run(spec, "-o", out, "-q", "--cache-dir", cache)
    assert code == 0, output
    code, _ = _run(spec, "-o", out, "--check", "-q", "--cache-dir", cache)
    assert code == 0


def test_output_is_byte_identical_across_runs_and_cache_states(spec: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "petstore", tmp_path / "b" / "petstore"
    assert _run(spec, "-o", first, "-q", "--cache-dir", tmp_path / "c1")[0] == 0
    assert _run(spec, "-o", second, "-q", "--cache-dir", tmp_path / "c1")[0] == 0  # cached
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_no_cache_reads_and_writes_no_cache(spec: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "out" / "petstore", tmp_path / "cache"
    code, output = _run(spec, "-o", out, "--cache-dir", cache)
    assert code == 0, output
    assert "(lowered)" in output
    assert (cache / "incremental").is_dir()
    code, output = _run(spec, "-o", out, "--cache-dir", cache)
    assert "(reused, 0 prose change(s))" in output
    assert " 0 formatted" in output
    entries = sorted(cache.rglob("*"))
    code, output = _run(spec, "-o", out, "--cache-dir", cache, "--no-cache")
    assert code == 0, output
    assert "(lowered)" in output
    assert " 0 formatted" not in output
    assert sorted(cache.rglob("*")) == entries


def test_usage_errors_exit_2(spec: Path, tmp_path: Path) -> None:
    code, output = _run(spec, "-o", tmp_path / "not-an-identifier")
    assert code == 2
    assert "--package-name" in output
    code, output = _run(spec, "-o", tmp_path / "x", "--runtime", "neither")
    assert code == 2
    code, output = _run(spec)
    assert code == 2
    assert "--output" in output
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    code, output = _run(spec, "-o", foreign, "-q")
    assert code == 2
    assert "--force" in output
    assert (foreign / "notes.txt").read_text() == "mine"
    code, output = _run(spec, "-o", foreign, "-q", "--force", "--package-name", "petstore")
    assert code == 0, output
    assert not (foreign / "notes.txt").exists()


def test_spec_error_exits_1_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {$ref: 'nope.yaml#/Nope'}\n"
    )
    code, output = _run(bad, "-o", tmp_path / "client", "-q")
    assert code == 1
    assert "Traceback" not in output
    assert "nope.yaml" in output
    assert not (tmp_path / "client").exists()
    swagger = tmp_path / "swagger.json"
    swagger.write_text('{"swagger": "1.2", "info": {"title": "t", "version": "1"}, "paths": {}}')
    code, output = _run(swagger, "-o", tmp_path / "client", "-q")
    assert code == 1
    assert "unsupported Swagger version '1.2'" in output


def test_options_from_the_project_pyproject_and_cli_wins(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(spec.parent)  # the user's project is where forgegen runs
    (spec.parent / "pyproject.toml").write_text(
        '[tool.forgegen]\noutput = "gen/store-client"\npackage-name = "store"\n'
        'runtime = "package"\n'
    )
    code, output = _run(spec, "-q", "--cache-dir", tmp_path / "c")
    assert code == 0, output
    out = spec.parent / "gen" / "store-client"
    assert not (out / "_runtime").exists()
    assert '"package_name": "store"' in (out / ".forgegen.json").read_text()
    code, output = _run(spec, "-q", "--runtime", "vendored", "--cache-dir", tmp_path / "c")
    assert code == 0, output
    assert (out / "_runtime").is_dir()

    config = tmp_path / "other.toml"
    config.write_text("[tool.forgegen]\nunknown-key = 1\n")
    code, output = _run(spec, "-o", tmp_path / "x", "--config", config)
    assert code == 2
    assert "unknown-key" in output
    code, output = _run(spec, "-o", tmp_path / "x", "--config", tmp_path / "nope.toml")
    assert code == 2


def test_console_script_runs(spec: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "forgegen.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout


def test_pyproject_ships_every_subpackage_and_the_templates() -> None:
    import tomllib

    root = Path(__file__).resolve().parents[2]
    setuptools = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = set(setuptools["packages"])
    for init in (root / "generator").rglob("__init__.py"):
        relative = init.parent.relative_to(root / "generator")
        name = ".".join(("forgegen", *relative.parts))
        assert name in packages, f"{name} would be missing from the wheel"
    assert setuptools["package-dir"]["forgegen.templates"] == "templates"
    assert "*.jinja" in setuptools["package-data"]["forgegen.templates"]
    assert any((root / "templates").glob("*.jinja"))


def test_missing_spec_is_a_spec_error_exit_1(tmp_path: Path) -> None:
    code, output = _run("nope/missing.yaml", "-o", tmp_path / "out")
    assert code == 1
    assert "missing.yaml" in output
    assert "not found" in output
    assert "Traceback" not in output


def test_output_enclosing_the_spec_or_cwd_is_refused(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sorted(p.name for p in spec.parent.iterdir())
    code, output = _run(spec, "-o", spec.parent)
    assert code == 2
    assert "contains" in output
    monkeypatch.chdir(tmp_path)
    assert _run(spec, "-o", ".")[0] == 2
    assert sorted(p.name for p in spec.parent.iterdir()) == before


_PAGED_SPEC = """\
openapi: 3.0.3
info: {title: Paged, version: "1"}
paths:
  /customers:
    get:
      operationId: list_customers
      parameters:
        - {name: starting_after, in: query, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {$ref: "#/components/schemas/Customer"}}
                  has_more: {type: boolean}
  /customers/{id}:
    get:
      operationId: get_customer
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Customer"}
components:
  schemas:
    Customer:
      type: object
      properties: {id: {type: string}}
"""

_RULE = """\
[tool.forgegen.pagination]
style = "cursor"
cursor_param = "starting_after"
cursor_item_field = "id"
has_more = "/has_more"
items = "/data"
"""


def test_a_pagination_rule_in_the_config_pages_a_spec_without_the_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "paged.yaml"
    spec.write_text(_PAGED_SPEC, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(_RULE, encoding="utf-8")
    code, output = _run(spec, "-o", tmp_path / "paged", "-q")
    assert code == 0, output
    listing = (tmp_path / "paged" / "api" / "default" / "list_customers.py").read_text()
    assert "PAGINATION = CursorPagination(" in listing
    assert 'cursor_item_field="id"' in listing
    assert "def iterate(" in listing
    # the operation that does not fit the rule is left alone
    single = (tmp_path / "paged" / "api" / "default" / "get_customer.py").read_text()
    assert "PAGINATION" not in single
    assert '"pagination"' in (tmp_path / "paged" / ".forgegen.json").read_text()


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('style = "sideways"\n', "style must be one of"),
        ('style = "cursor"\ncursor = "x"\n', "unknown key(s) cursor"),
        ('style = "offset"\noffset_param = 3\n', "offset_param must be a string"),
    ],
)
def test_a_bad_pagination_rule_is_a_usage_error(
    tmp_path: Path, rule: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "paged.yaml"
    spec.write_text(_PAGED_SPEC, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.forgegen.pagination]\n" + rule, encoding="utf-8"
    )
    code, output = _run(spec, "-o", tmp_path / "paged", "-q")
    assert code == 2
    assert message in output
    assert not (tmp_path / "paged").exists()
