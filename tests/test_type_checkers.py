"""Every type checker users run: pyright strict (VS Code's Pylance) beside mypy --strict.

Most IDE users see a generated client through pyright, which reads Unknown
where mypy reads Any: a client that mypy accepts can still light up red in
an editor.  pyright is pinned in tests/typecheck/package.json; locally
without ``npm ci --prefix tests/typecheck`` this test is skipped, under
``CI=true`` a missing pyright is a failure (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parent.parent
TYPECHECK = ROOT / "tests" / "typecheck"
PYRIGHT = TYPECHECK / "node_modules" / ".bin" / "pyright"
USAGE = TYPECHECK / "usage_petstore.py"


def _pyright() -> Path:
    if not PYRIGHT.exists():
        if IN_CI:
            pytest.fail(f"CI=true but {PYRIGHT} is missing (npm ci --prefix tests/typecheck)")
        pytest.skip("pyright not installed (npm ci --prefix tests/typecheck)")
    return PYRIGHT


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_pyright_strict_reports_no_errors() -> None:
    """pyright strict over what tests/typecheck/pyrightconfig.json includes finds 0 errors."""
    result = subprocess.run(
        [str(_pyright()), "--outputjson", "-p", str(TYPECHECK / "pyrightconfig.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=280,
    )
    report = json.loads(result.stdout)
    checked = report["summary"]["filesAnalyzed"]
    errors = [
        f"{item['file']}:{item['range']['start']['line'] + 1}: {item['message']}"
        for item in report["generalDiagnostics"]
        if item["severity"] == "error"
    ]
    # A config whose include went wrong would "pass" over no files at all.
    assert checked > 50, report["summary"]
    assert errors == [], "\n".join(errors)
    assert result.returncode == 0, result.stderr


def test_mypy_strict_accepts_the_usage_file() -> None:
    """mypy --strict reads the petstore usage file with the precise types it asserts."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(USAGE)],
        cwd=ROOT,
        env={"MYPYPATH": str(ROOT / "samples"), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
