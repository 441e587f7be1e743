"""Where the real specs the tests run on live: ``tests/corpus`` (see its README for sources)."""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
CORPUS = REPOSITORY / "tests" / "corpus"
