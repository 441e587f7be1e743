"""``forgegen --check --diff``: a stale output explains itself in the CI log."""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import CliRunner
from forgegen.cli import main
from forgegen.pipeline import generate
from forgegen.stale_diff import stale_diff

SPEC = """
openapi: 3.0.3
info: {title: Shop, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      summary: List the items.
      responses: {"204": {description: none}}
"""


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec" / "shop.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_check_with_diff_prints_how_each_stale_file_changes(tmp_path: Path) -> None:
    spec = _spec(tmp_path, SPEC)
    out = tmp_path / "out" / "shop"
    generate(spec, out, quiet=True, use_cache=False)
    (out / "notes.txt").write_text("not ours\n", encoding="utf-8")
    _spec(tmp_path, SPEC.replace("List the items.", "List every item."))
    arguments = [str(spec), "-o", str(out), "--check", "--no-cache", "-q"]

    quiet = CliRunner().invoke(main, arguments)
    assert quiet.exit_code == 1
    assert quiet.stdout == ""

    shown = CliRunner().invoke(main, [*arguments, "--diff"])
    assert shown.exit_code == 1
    lines = shown.stdout.splitlines()
    assert "--- a/README.md" in lines
    assert "+++ b/README.md" in lines
    assert any(line.startswith("-") and "List the items." in line for line in lines)
    assert any(line.startswith("+") and "List every item." in line for line in lines)
    assert "~ README.md" in shown.stderr
    # A file forgegen did not write goes when the package is replaced: shown removed.
    assert lines[lines.index("--- a/notes.txt") + 1] == "+++ /dev/null"


def test_the_diff_is_capped_with_a_count(tmp_path: Path) -> None:
    spec = _spec(tmp_path, SPEC)
    out = tmp_path / "out" / "shop"
    result = generate(spec, out, quiet=True, use_cache=False)
    (out / "README.md").write_text("replaced\n" * 50, encoding="utf-8")
    (out / "py.typed").unlink()
    (out / "old_module.py").write_text("x = 1\n", encoding="utf-8")
    checked = generate(spec, out, quiet=True, use_cache=False, check=True)
    assert checked.changes.added == ["py.typed"]
    assert checked.changes.removed == ["old_module.py"]
    full = list(stale_diff(out, result.files, checked.changes, limit=10_000))
    assert "-x = 1" in full
    assert sum(line == "-replaced" for line in full) == 50
    capped = list(stale_diff(out, result.files, checked.changes, limit=5))
    assert capped[:5] == full[:5]
    assert capped[5] == f"... {len(full) - 5} more diff lines not shown"
    assert len(capped) == 6
