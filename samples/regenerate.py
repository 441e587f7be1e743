"""Regenerate (or, with --check, verify) the committed sample clients.

    .venv/bin/python samples/regenerate.py          # rewrite samples/<name>/
    .venv/bin/python samples/regenerate.py --check  # exit 1 if any sample is stale

Each sample is generated from a spec copied into ``samples/specs/`` (the
corpus originals stay untouched in ``tests/corpus``).  The committed output
is what a team would vendor; a test checks it is byte-for-byte what the
generator writes today.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from forgegen.diagnostics import SpecError
from forgegen.pipeline import generate

SAMPLES = Path(__file__).resolve().parent

#: output package directory -> spec it is generated from
SAMPLE_SPECS: dict[str, str] = {
    "petstore": "specs/petstore.yaml",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; fail if stale")
    args = parser.parse_args()
    stale = 0
    for package, spec in SAMPLE_SPECS.items():
        try:
            result = generate(SAMPLES / spec, SAMPLES / package, check=args.check, quiet=True)
        except SpecError as error:
            print(f"{package}: {error}", file=sys.stderr)
            return 1
        if args.check and result.stale:
            stale += 1
            print(f"{package}: stale", file=sys.stderr)
            for line in result.changes.lines():
                print(f"  {line}", file=sys.stderr)
        else:
            print(f"{package}: {'up to date' if args.check else 'written'}")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
