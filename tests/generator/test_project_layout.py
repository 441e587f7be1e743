"""``--layout project``: a client a team builds into a wheel instead of vendoring.

The project is built with ``python -m build`` and the wheel installed into a
directory of its own; the installed client is imported from there and called
against a loopback server, and its metadata must name exactly what its code
imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from forgegen.cli import main
from forgegen.codegen import RenderError
from forgegen.project_layout import dependencies_of

from tests.support.server import LoopbackServer, Reply

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PETSTORE = ROOT / "samples" / "specs" / "petstore.yaml"


def _generate(out: Path, *options: str) -> tuple[int, str]:
    arguments = [str(PETSTORE), "-o", str(out), "--layout", "project", "-q", "--no-cache"]
    result = CliRunner().invoke(main, [*arguments, *options])
    return result.exit_code, result.stderr


def test_the_project_declares_what_its_code_imports(tmp_path: Path) -> None:
    out = tmp_path / "petstore-client"
    code, stderr = _generate(out, "--project-version", "1.0.27")
    assert code == 0, stderr
    assert sorted(path.name for path in out.iterdir()) == [
        ".forgegen.json",
        "README.md",
        "pyproject.toml",
        "src",
    ]
    package = out / "src" / "petstore_client"
    assert (package / "py.typed").is_file()
    assert (package / "_client.py").is_file()
    project = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert (project["name"], project["version"]) == ("petstore-client", "1.0.27")
    assert project["dependencies"] == [
        "pydantic>=2.6,<3",
        "requests>=2.31,<3",
        "typing-extensions>=4.6",
        "urllib3>=2,<3",
    ]
    assert "httpx>=0.27,<1" in project["optional-dependencies"]["async"]
    assert project["optional-dependencies"]["flask"] == ["Flask>=3.0"]
    recorded = json.loads((out / ".forgegen.json").read_text(encoding="utf-8"))
    assert recorded["options"]["package_name"] == "petstore_client"

    code, stderr = _generate(out, "--project-version", "1.0.27", "--check")
    assert code == 0, stderr


def test_a_version_pep_440_refuses_is_a_usage_error_with_a_suggestion(tmp_path: Path) -> None:
    code, stderr = _generate(tmp_path / "petstore-client")
    assert code == 2
    assert "'1.0.27-SNAPSHOT' is not a PEP 440 version; pass --project-version 1.0.27" in stderr
    assert not (tmp_path / "petstore-client").exists()


def test_an_import_no_known_distribution_provides_is_refused() -> None:
    with pytest.raises(RenderError, match="imports 'leftpad'"):
        dependencies_of({"_runtime/x.py": "import leftpad\n"})
    required, extras = dependencies_of(
        {
            "a.py": "import json\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    import httpx\nimport pydantic\n",
            "b.py": "def verify():\n    import standardwebhooks\n",
        }
    )
    assert required == ["pydantic>=2.6,<3"]
    assert extras == {"webhooks": ["standardwebhooks>=1.1,<2"]}


def test_the_built_wheel_installs_and_calls_the_api(tmp_path: Path, server: LoopbackServer) -> None:
    out = tmp_path / "petstore-client"
    assert _generate(out, "--project-version", "1.0.27")[0] == 0
    dist = tmp_path / "dist"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheel = next(dist.glob("petstore_client-1.0.27-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read("petstore_client-1.0.27.dist-info/METADATA").decode()
    assert "petstore_client/py.typed" in names
    assert "Requires-Dist: pydantic<3,>=2.6" in metadata
    assert 'Requires-Dist: httpx<1,>=0.27; extra == "async"' in metadata

    target = tmp_path / "installed"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    server.route(
        "GET",
        "/pet/7",
        Reply(
            status=200,
            body=b'{"id": 7, "name": "Rex", "photoUrls": []}',
            headers={"Content-Type": "application/json"},
        ),
    )
    program = (
        "import sys\n"
        f"sys.path.insert(0, {str(target)!r})\n"
        "import importlib.metadata, petstore_client\n"
        f"assert petstore_client.__file__.startswith({str(target)!r})\n"
        "client = petstore_client.Client(base_url=sys.argv[1], api_key='k')\n"
        "pet = client.pet.get_pet_by_id(pet_id=7)\n"
        "print(pet.name, importlib.metadata.version('petstore-client'))\n"
    )
    called = subprocess.run(
        [sys.executable, "-c", program, server.url], capture_output=True, text=True, check=False
    )
    assert called.returncode == 0, called.stderr[-2000:]
    assert called.stdout.strip() == "Rex 1.0.27"
