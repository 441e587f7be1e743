"""The README's main job must keep working: run it as a user would."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_runtime_demo_runs_and_reports_single_flight_tokens() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "samples" / "runtime_demo.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "orders fetched:           200/200 (results in request order: True)" in result.stdout
    retried = re.search(r"503s served and retried:\s+(\d+)", result.stdout)
    assert retried is not None
    assert int(retried.group(1)) > 0
    fetches = re.search(r"token fetches:\s+(\d+)", result.stdout)
    # ~3 s of traffic with 2 s tokens renewed 0.5 s early: a handful of fetches, not one per thread.
    assert fetches is not None
    assert 1 <= int(fetches.group(1)) <= 4


def test_committed_samples_are_byte_identical_to_a_fresh_generation(tmp_path: Path) -> None:
    """Regenerating with an empty format cache writes exactly the committed bytes."""
    from forgegen.pipeline import generate

    sys.path.insert(0, str(ROOT / "samples"))
    try:
        from regenerate import SAMPLE_SPECS
    finally:
        sys.path.remove(str(ROOT / "samples"))
    for package, spec in SAMPLE_SPECS.items():
        result = generate(
            ROOT / "samples" / spec,
            ROOT / "samples" / package,
            check=True,
            quiet=True,
            cache_dir=tmp_path / "cache",
        )
        assert not result.stale, f"samples/{package} is stale: {result.changes.lines()}"
