"""Size of the generated code for GitHub and Stripe: forgegen against its peers, one run.

    .venv/bin/python -m benchmarks.code_size [--specs github stripe]

What a team vendors, reviews in diffs and ships is the generated package, so
its size is part of a generator's cost.  Each generator writes its client of
each document into a temporary directory, with the same command lines as
``benchmarks/generation.py`` (peers from the peers venv described there).  Only
the importable package's ``.py`` files are counted: forgegen's without its
vendored ``_runtime/`` (a fixed copy of Request Forge, the same for every API,
which the peers get from pip as httpx/attrs or urllib3/pydantic instead) -- that
is a row of its own so the comparison stays honest; OpenAPI Generator's
``openapi_client/`` without the ``test/`` stubs and ``setup.py`` it writes next
to it (counted in a note).  Lines are physical lines; non-blank lines drop the
whitespace-only ones.  Targets are read off the table, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from benchmarks._common import GENERATORS, generate, machine, nonzero_exits
from benchmarks.generation import SPECS

RUNTIME_DIR = "_runtime"
OAG = "OpenAPI Generator (python)"

Size = tuple[int, int, int, int]  # (.py files, lines, non-blank lines, bytes)
Row = tuple[str, str, Size | None]  # (document, generator, size; None when it failed)
notes: list[str] = []  # what was left out of the count, and why


def measure(files: Iterable[Path]) -> Size:
    """(.py files, lines, non-blank lines, bytes) of ``files``."""
    count = lines = non_blank = size = 0
    for path in files:
        data = path.read_bytes()
        text = data.decode("utf-8", errors="replace")
        count += 1
        size += len(data)
        lines += len(text.splitlines())
        non_blank += sum(1 for line in text.splitlines() if line.strip())
    return count, lines, non_blank, size


def _py_files(root: Path, exclude: str | None = None) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*.py")
        if exclude is None or exclude not in path.relative_to(root).parts
    )


def sizes(spec_name: str, name: str, work: Path) -> list[Row]:
    """The rows of one generator on one document (forgegen's runtime as a row of its own)."""
    try:
        root, package = generate(name, SPECS[spec_name], work)
    except RuntimeError as error:
        print(f"  {error}", file=sys.stderr)
        return [(spec_name, name, None)]
    if name == "forgegen":
        return [
            (spec_name, name, measure(_py_files(package, exclude=RUNTIME_DIR))),
            (spec_name, "forgegen runtime (vendored)", measure(_py_files(package / RUNTIME_DIR))),
        ]
    if name == OAG:
        extra = [path for path in _py_files(root) if package not in path.parents]
        files, lines, _, _ = measure(extra)
        notes.append(
            f"{OAG} on {spec_name} also wrote {files:,} .py files ({lines:,} lines) outside "
            f"`{package.name}/` (test stubs, setup.py), not counted."
        )
    return [(spec_name, name, measure(_py_files(package)))]


def run(specs: list[str]) -> list[Row]:
    rows: list[Row] = []
    for spec_name in specs:
        for name in GENERATORS:
            print(f"  {spec_name}: {name} ...", file=sys.stderr)
            with tempfile.TemporaryDirectory(prefix="bench-size-") as tmp:
                rows.extend(sizes(spec_name, name, Path(tmp)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", nargs="+", choices=sorted(SPECS), default=["github", "stripe"])
    args = parser.parse_args()
    rows = run(args.specs)
    print(
        f"Generated code size: the .py files of the importable package, one generation per "
        f"generator and document; {machine()}"
    )
    print()
    print("| document | generator | .py files | lines | non-blank lines | KiB |")
    print("|---|---|---:|---:|---:|---:|")
    for spec, name, size in rows:
        if size is None:
            print(f"| {spec} | {name} | failed | | | |")
            continue
        files, lines, non_blank, size_bytes = size
        kib = size_bytes / 1024
        print(f"| {spec} | {name} | {files:,} | {lines:,} | {non_blank:,} | {kib:,.0f} |")
    for note in notes:
        print(f"\nNote: {note}")
    for note in dict.fromkeys(nonzero_exits):
        print(f"\nNote: {note} (its ruff post-hook failed on a generated module).")


if __name__ == "__main__":
    main()
