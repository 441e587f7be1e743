"""The code-quality gate, enforced in the test run: mypy --strict, ruff, black.

These run the same tools a developer runs by hand, over the same trees, so a
red CI names the exact command to reproduce it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TYPED_TREES = ["runtime", "generator"]
LINTED_TREES = ["runtime", "generator", "tests", "benchmarks", "samples", "scripts"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("tree", TYPED_TREES)
def test_mypy_strict(tree: str) -> None:
    result = _run("mypy", "--strict", tree)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_clean() -> None:
    result = _run("ruff", "check", *LINTED_TREES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_black_clean() -> None:
    result = _run("black", "--check", "--quiet", *LINTED_TREES)
    assert result.returncode == 0, result.stdout + result.stderr
