"""The petstore sample is typed all the way down, judged by mypy --strict on user code.

Correct user code must type-check, and each mistake a typed client exists to
catch (wrong return type, unknown or missing keyword, wrong argument type, a
misspelt resource) must be reported -- through the ``Endpoint`` descriptor and
``with_raw_response`` too.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

GOOD = """
from petstore import Client
from petstore.models import Pet
from petstore.api.pet.get_pet_by_id import GetPetByIdNotFoundError

client = Client(base_url="http://127.0.0.1:1")
try:
    pet: Pet = client.pet.get_pet_by_id(pet_id=1)
except GetPetByIdNotFoundError as error:
    status: int = error.status_code
pets: list[Pet] = client.pet.find_pets_by_tags(tags=["a"])
inventory: dict[str, int] = client.store.get_inventory()
raw_name: str = client.pet.get_pet_by_id.with_raw_response(pet_id=1).parsed.name
keyed = Client(api_key="k", token="t", refresh_token="r", token_url="https://a/token")
from_env: Client = Client.from_env(api_key="k")
"""

MISTAKES = {
    "wrong return type": "name: int = client.pet.get_pet_by_id(pet_id=1).name",
    "unknown keyword": "client.pet.get_pet_by_id(pet_idd=1)",
    "missing required keyword": "client.pet.get_pet_by_id()",
    "wrong argument type": 'client.pet.get_pet_by_id(pet_id="1")',
    "misspelt resource": "client.pets.get_pet_by_id(pet_id=1)",
    "unknown credential keyword": 'Client(client_secret="s")',
    "wrong credential type": "Client(api_key=123)",
    "raw response parsed type": (
        "x: int = client.pet.get_pet_by_id.with_raw_response(pet_id=1).parsed"
    ),
}


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "user_code.py"
    script.write_text(textwrap.dedent(source))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(SAMPLES.parent / ".mypy_cache"),
            str(script),
        ],
        cwd=SAMPLES,
        capture_output=True,
        text=True,
        check=False,
        env={"MYPYPATH": str(SAMPLES), "PATH": "/usr/bin:/bin"},
    )


def test_correct_user_code_type_checks(tmp_path: Path) -> None:
    result = _mypy(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_mistakes_are_reported(tmp_path: Path, mistake: str) -> None:
    source = 'from petstore import Client\nclient = Client(base_url="http://x")\n'
    result = _mypy(tmp_path, source + MISTAKES[mistake] + "\n")
    assert result.returncode == 1, f"mypy accepted: {MISTAKES[mistake]}\n{result.stdout}"
    assert "user_code.py:3: error" in result.stdout, result.stdout
