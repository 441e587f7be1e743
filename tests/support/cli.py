"""Running the ``forgegen`` command in-process, as a user would from a project directory.

Options come from the current directory's project (``[tool.forgegen]``), so a
run changes into ``cwd`` for its duration; caches are off so every run does
the whole work.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from click.testing import CliRunner
from forgegen.cli import main

__all__ = ["run_forgegen", "tree_digests"]


def run_forgegen(cwd: Path, *arguments: str) -> tuple[int, str]:
    """``forgegen ARGUMENTS --no-cache -q`` run from ``cwd``: its exit code and stderr."""
    previous = Path.cwd()
    try:
        os.chdir(cwd)
        result = CliRunner().invoke(main, [*arguments, "--no-cache", "-q"], catch_exceptions=False)
    finally:
        os.chdir(previous)
    return result.exit_code, result.stderr


def tree_digests(directory: Path) -> dict[str, str]:
    """Every file under ``directory`` by relative path, as its sha256: what "unchanged" means."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }
