"""``--check --diff``: why the output is stale, as a unified diff a CI log can show.

A failed check in CI says which files would change; a reviewer then needs to
know how without regenerating locally.  The diff is of what is on disk against
what this run would write, capped (a regenerated vendor SDK can differ by
thousands of lines) with a count of what was left out.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from pathlib import Path

from .writer import Changes

__all__ = ["MAX_DIFF_LINES", "stale_diff"]

#: Lines of diff printed at most; the rest is counted.
MAX_DIFF_LINES = 400


def stale_diff(
    out_dir: Path, files: Mapping[str, str], changes: Changes, limit: int = MAX_DIFF_LINES
) -> Iterator[str]:
    """The unified diff from ``out_dir`` on disk to ``files`` (lines without endings), capped."""
    shown = 0
    left_out = 0
    for path in sorted([*changes.added, *changes.removed, *changes.modified]):
        old = _read(out_dir / path) if path not in changes.added else []
        new = files[path].splitlines() if path in files else []
        before = "/dev/null" if path in changes.added else f"a/{path}"
        after = "/dev/null" if path in changes.removed else f"b/{path}"
        for line in difflib.unified_diff(old, new, before, after, lineterm=""):
            if shown < limit:
                shown += 1
                yield line
            else:
                left_out += 1
    if left_out:
        yield f"... {left_out} more diff lines not shown"


def _read(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ["<not readable as UTF-8 text>"]
