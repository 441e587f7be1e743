"""Integrations cost nothing until imported, and import only their own framework."""

from __future__ import annotations

import subprocess
import sys

import pytest

FRAMEWORKS = ("django", "flask", "starlette", "fastapi", "werkzeug")


def _imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return set(output.split())


def test_the_runtime_imports_no_integration_and_no_framework() -> None:
    modules = _imported_after("import requestforge, requestforge.integrations")
    assert not {m for m in modules if m.startswith("requestforge.integrations.")}
    assert not {m for m in modules if m.split(".")[0] in FRAMEWORKS}


@pytest.mark.parametrize(
    ("integration", "allowed"),
    [("django", set()), ("asgi", set()), ("flask", {"flask", "werkzeug"})],
)
def test_each_integration_imports_only_its_framework(integration: str, allowed: set[str]) -> None:
    modules = _imported_after(f"import requestforge.integrations.{integration}")
    assert {m.split(".")[0] for m in modules} & set(FRAMEWORKS) <= allowed
