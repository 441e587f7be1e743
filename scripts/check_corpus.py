"""Generate a client for every document in tests/corpus and judge it.

    .venv/bin/python scripts/check_corpus.py [--only NAME] [--out DIR]

For each document: generation (time, files, lines, warnings), importing every
generated module in a fresh interpreter with warnings as errors, and
``mypy --strict`` on the package.  GitHub and Stripe take minutes of mypy,
which is why the test suite runs the small and medium documents only and this
script covers all of them.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from forgegen.diagnostics import SpecError
from forgegen.pipeline import generate

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
IMPORT_EVERYTHING = (
    "import importlib, pkgutil, sys, warnings\n"
    "warnings.simplefilter('error')\n"
    "package = importlib.import_module(sys.argv[1])\n"
    "names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + '.')]\n"
    "for name in names: importlib.import_module(name)\n"
    "print(len(names))\n"
)


def _package_name(document: Path) -> str:
    return "client_" + "".join(ch if ch.isalnum() else "_" for ch in document.stem).lower()


def _judge(document: Path, out: Path) -> str:
    name = _package_name(document)
    started = time.perf_counter()
    try:
        result = generate(document, out / name, quiet=True, force=True)
    except SpecError as error:
        return f"| {document.name} | spec error: {error.diagnostic.message} | | | | |"
    seconds = time.perf_counter() - started
    lines = sum(text.count("\n") for text in result.files.values())
    imported = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING, name],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    imports = imported.stdout.strip() if imported.returncode == 0 else "FAILED"
    started = time.perf_counter()
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", name],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    verdict = "clean" if mypy.returncode == 0 else mypy.stdout.strip().splitlines()[-1]
    return (
        f"| {document.name} | {seconds:.1f} s | {len(result.files)} files, {lines} lines | "
        f"{len(result.warnings)} | {imports} | {verdict} ({time.perf_counter() - started:.0f} s) |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="substring of the document names to check")
    parser.add_argument("--out", type=Path, help="where to generate (default: a temp dir)")
    args = parser.parse_args()
    documents = sorted(p for p in CORPUS.iterdir() if p.suffix in (".json", ".yaml"))
    if args.only:
        documents = [d for d in documents if args.only in d.name]
    out = args.out or Path(tempfile.mkdtemp(prefix="forgegen-corpus-"))
    print("| document | generation | output | warnings | modules imported | mypy --strict |")
    print("|---|---:|---|---:|---:|---|")
    for document in documents:
        print(_judge(document, out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
