"""Golden files: a few generated modules of the tiny API, byte for byte.

A template change shows up here as a readable diff.  After an intended change,
regenerate with ``FORGEGEN_UPDATE_GOLDEN=1 pytest tests/generator/test_golden.py``
and review the diff of ``tests/generator/golden/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from forgegen.formatting import format_sources
from forgegen.render import render

from tests.generator.tiny_api import tiny_api

GOLDEN = Path(__file__).resolve().parent / "golden"
MODULES = [
    "__init__.py",
    "_async_client.py",
    "_client.py",
    "api/pets/__init__.py",
    "api/pets/_async_resource.py",
    "api/pets/_resource.py",
    "api/pets/get_pet.py",
    "api/pets/list_pets.py",
    "api/files/upload_photo.py",
    "models/__init__.py",
    "models/pet.py",
    "models/pet_status.py",
    "models/pet_list.py",
    "README.md",
]


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    files = render(tiny_api(), runtime="vendored", spec_sha256="0" * 64)
    return format_sources({path: files[path] for path in MODULES}, use_cache=False)


def test_templates_emit_black_layout(generated: dict[str, str]) -> None:
    """The statement-level formatting gives what black gives on the whole files."""
    python = {path: text for path, text in generated.items() if path.endswith(".py")}
    assert format_sources(python, use_cache=False, exact=True) == python


@pytest.mark.parametrize("path", MODULES)
def test_golden(generated: dict[str, str], path: str) -> None:
    golden = GOLDEN / (path.replace("/", "__") + ".golden")
    if os.environ.get("FORGEGEN_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(generated[path].encode("utf-8"))
    assert generated[path].encode("utf-8") == golden.read_bytes()
