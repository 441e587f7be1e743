"""Options are trusted only from the user: never from a pyproject.toml shipped beside a spec.

A spec bundle (a vendor's repository, a submodule, a tarball) may carry a
``pyproject.toml`` with ``[tool.forgegen]``.  If forgegen obeyed it, the bundle
could switch on remote refs (requests into the user's network) or point the
cache at files it ships.  These tests run the real CLI in a subprocess from a
"user project" directory and put the hostile bundle somewhere else.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from forgegen.config import find_project_config, ignored_spec_config

from tests.support.server import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parents[2]
PETSTORE = ROOT / "samples" / "specs" / "petstore.yaml"

REMOTE_SPEC = """
openapi: 3.0.3
info: {{title: Bundle, version: "1"}}
paths:
  /pet:
    get:
      operationId: getPet
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{$ref: "{url}/internal/pet.yaml#/Pet"}}
"""


def _forgegen(cwd: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cwd / "xdg-cache")}
    return subprocess.run(
        [sys.executable, "-m", "forgegen.cli", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The user's own checkout: a repository root without any forgegen config."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    return root


def _bundle(tmp_path: Path, spec_text: str, config: str) -> Path:
    bundle = tmp_path / "vendor-bundle"
    bundle.mkdir()
    (bundle / "pyproject.toml").write_text(config, encoding="utf-8")
    spec = bundle / "api.yaml"
    spec.write_text(spec_text, encoding="utf-8")
    return spec


def test_a_bundle_cannot_switch_on_remote_refs(
    tmp_path: Path, project: Path, server: LoopbackServer
) -> None:
    server.route("GET", "/internal/pet.yaml", Reply(body=b"Pet: {type: object}\n"))
    spec = _bundle(
        tmp_path,
        REMOTE_SPEC.format(url=server.url),
        "[tool.forgegen]\nallow-remote-refs = true\n",
    )
    result = _forgegen(project, spec, "-o", project / "client", "-q")
    assert result.returncode == 1, result.stderr
    assert "remote $ref" in result.stderr
    assert f"ignoring [tool.forgegen] in {spec.parent / 'pyproject.toml'}" in result.stderr
    assert "Traceback" not in result.stderr
    assert server.requests == []  # the spec's URL was never fetched
    assert not (project / "client").exists()


def test_a_bundle_cannot_choose_the_cache_or_the_output(tmp_path: Path, project: Path) -> None:
    spec = _bundle(
        tmp_path,
        PETSTORE.read_text(encoding="utf-8"),
        '[tool.forgegen]\ncache-dir = "shipped-cache"\noutput = "../project/src/x"\n'
        'runtime = "package"\n',
    )
    result = _forgegen(project, spec, "-o", project / "client", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("ignoring [tool.forgegen]") == 1
    assert not (spec.parent / "shipped-cache").exists()
    assert not (project / "src").exists()
    assert (project / "client" / "_runtime").is_dir()  # runtime = "package" was not applied
    assert (project / "xdg-cache" / "forgegen").is_dir()  # the user's own cache was used
    # without an -o the bundle's output does not count either
    result = _forgegen(project, spec, "-q")
    assert result.returncode == 2
    assert "missing -o/--output" in result.stderr


def test_the_project_config_is_read_from_the_working_directory_upward(
    tmp_path: Path, project: Path
) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.forgegen]\noutput = "gen/store"\nruntime = "package"\n', encoding="utf-8"
    )
    spec = _bundle(tmp_path, PETSTORE.read_text(encoding="utf-8"), "[tool.forgegen]\n")
    work = project / "src" / "deeper"
    work.mkdir(parents=True)
    result = _forgegen(work, spec, "-q", "--cache-dir", tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    client = project / "gen" / "store"  # relative to the config file, not to the cwd
    assert (client / "__init__.py").is_file()
    assert not (client / "_runtime").exists()
    assert "ignoring [tool.forgegen]" in result.stderr
    # the command line still wins over the project's file
    result = _forgegen(work, spec, "-q", "--runtime", "vendored", "--cache-dir", tmp_path / "c")
    assert result.returncode == 0, result.stderr
    assert (client / "_runtime").is_dir()


def test_a_spec_inside_the_project_uses_the_project_config_without_a_note(
    project: Path,
) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.forgegen]\noutput = "gen/petstore"\n', encoding="utf-8"
    )
    spec = project / "petstore.yaml"
    spec.write_text(PETSTORE.read_text(encoding="utf-8"), encoding="utf-8")
    result = _forgegen(project, spec, "-q")
    assert result.returncode == 0, result.stderr
    assert "ignoring" not in result.stderr
    assert (project / "gen" / "petstore" / "__init__.py").is_file()


def test_the_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.forgegen]\nallow-remote-refs = true\n")
    repository = tmp_path / "checkout"
    (repository / ".git").mkdir(parents=True)
    inner = repository / "a" / "b"
    inner.mkdir(parents=True)
    assert find_project_config(inner) is None
    (repository / "a" / "pyproject.toml").write_text("[tool.black]\n")
    assert find_project_config(inner) == (repository / "a" / "pyproject.toml").resolve()
    # a git worktree or submodule marks its root with a .git file
    submodule = repository / "vendor" / "sdk"
    submodule.mkdir(parents=True)
    (submodule / ".git").write_text("gitdir: ../../.git/modules/sdk\n")
    assert find_project_config(submodule) is None


def test_only_a_forgegen_table_beside_the_spec_is_reported(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text("openapi: 3.0.3\n")
    assert ignored_spec_config(spec, None) is None
    beside = tmp_path / "pyproject.toml"
    beside.write_text("[tool.black]\nline-length = 40\n")
    assert ignored_spec_config(spec, None) is None
    beside.write_text("[tool.forgegen]\ncache-dir = '/tmp'\n")
    assert ignored_spec_config(spec, None) == beside
    assert ignored_spec_config(spec, beside) is None  # it is the project's own file
    beside.write_text("[tool.forgegen\n")  # unparsable: ignored, nothing to say
    assert ignored_spec_config(spec, None) is None


def test_an_explicit_config_is_the_users_choice(tmp_path: Path, project: Path) -> None:
    spec = _bundle(
        tmp_path,
        PETSTORE.read_text(encoding="utf-8"),
        textwrap.dedent("""
            [tool.forgegen]
            package-name = "store"
            """),
    )
    result = _forgegen(
        project, spec, "-o", project / "client", "-q", "--config", spec.parent / "pyproject.toml"
    )
    assert result.returncode == 0, result.stderr
    assert "ignoring" not in result.stderr
    assert '"package_name": "store"' in (project / "client" / ".forgegen.json").read_text()
