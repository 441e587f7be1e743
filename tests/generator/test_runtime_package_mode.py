"""``--runtime package``: the client imports the installed ``requestforge`` instead of a copy.

mypy cannot follow the import hook of an editable install (``runtime/`` is
mapped to ``requestforge``), so the type check points ``MYPYPATH`` at a
directory where ``requestforge`` is a link to ``runtime/`` -- what a regular
install looks like to mypy.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from forgegen.pipeline import generate

from tests.support.server import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "samples" / "specs" / "petstore.yaml"

CALL = """
import sys
from petstore_pkg import Client
from petstore_pkg.models import Pet
import requestforge
client = Client(base_url=sys.argv[1], auth=requestforge.BearerTokenAuthHook("t"))
pet = client.pet.get_pet_by_id(pet_id=1)
assert isinstance(pet, Pet), type(pet)
assert "petstore_pkg._runtime" not in sys.modules
print(pet.name)
"""


def test_package_mode_imports_requestforge_type_checks_and_calls(
    tmp_path: Path, server: LoopbackServer
) -> None:
    result = generate(SPEC, tmp_path / "petstore_pkg", runtime="package", quiet=True)
    assert not any(path.startswith("_runtime/") for path in result.files)
    operation = (tmp_path / "petstore_pkg" / "api" / "pet" / "get_pet_by_id.py").read_text()
    assert "from requestforge import" in operation

    stubs = tmp_path / "site"
    stubs.mkdir()
    (stubs / "requestforge").symlink_to(ROOT / "runtime", target_is_directory=True)
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "petstore_pkg"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPYPATH": str(stubs)},
    )
    assert checked.returncode == 0, checked.stdout[-3000:]

    server.route("GET", "/pet/1", Reply.json({"id": 1, "name": "rex", "photoUrls": []}))
    called = subprocess.run(
        [sys.executable, "-c", CALL, server.url],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert called.returncode == 0, called.stderr[-3000:]
    assert called.stdout.strip() == "rex"
    assert server.requests[0].header("Authorization") == "Bearer t"


def test_both_runtime_modes_write_imports_in_isort_order(tmp_path: Path) -> None:
    """Importing ``requestforge`` makes it a third-party section of its own, also under
    ``if TYPE_CHECKING:``; the vendored copy is a local import beside the package's."""
    for mode in ("package", "vendored"):
        out = tmp_path / mode / "petstore_pkg"
        generate(SPEC, out, runtime=mode, quiet=True, cache_dir=tmp_path / "cache")
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                "check",
                "--config",
                str(ROOT / "pyproject.toml"),
                "--select",
                "I",
                "--exclude",
                "_runtime",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"{mode}: {result.stdout}"
