"""Run every benchmark and rewrite ``benchmarks/RESULTS.md`` with their tables.

    .venv/bin/python -m benchmarks.run_all [--only generation ...] [--openapi-generator]

Each benchmark runs as its own process (``python -m benchmarks.<name>``), one
after the other so that they do not compete for the CPUs; its printed Markdown
goes into RESULTS.md under its own heading, together with the machine and date.
The generation, import_cost, call_latency and code_size benchmarks need the
peers venv described in ``benchmarks/generation.py``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"

# name -> heading; run in this order.
BENCHMARKS = {
    "generation": "Generation time and memory (GitHub, Stripe)",
    "import_cost": "Import cost of the generated GitHub client",
    "http_client_latency": "Per-call latency of the HTTP runtime",
    "call_latency": "Per-call latency of a generated petstore call",
    "throughput": "Throughput under 16 threads, and the token cache under contention",
    "code_size": "Size of the generated code (GitHub, Stripe)",
}


def available() -> list[str]:
    return [name for name in BENCHMARKS if (ROOT / "benchmarks" / f"{name}.py").is_file()]


def previous_sections() -> dict[str, str]:
    """The sections already in RESULTS.md by benchmark, so ``--only`` replaces just its own."""
    if not RESULTS.is_file():
        return {}
    found: dict[str, str] = {}
    for chunk in RESULTS.read_text().split("\n## ")[1:]:
        for name, heading in BENCHMARKS.items():
            if chunk.startswith(heading + "\n"):
                found[name] = "## " + chunk.strip()
    return found


def run(name: str, extra: list[str]) -> str:
    print(f"running benchmarks.{name} ...", file=sys.stderr)
    result = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", *extra],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        return f"Failed (exit {result.returncode}); see stderr of `python -m benchmarks.{name}`."
    return result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=available(), default=available())
    parser.add_argument(
        "--openapi-generator", action="store_true", help="include OpenAPI Generator (slow)"
    )
    args = parser.parse_args()
    sections = previous_sections()
    for name in args.only:
        extra = ["--openapi-generator"] if name == "generation" and args.openapi_generator else []
        sections[name] = (
            f"## {BENCHMARKS[name]}\n\n`python -m benchmarks.{name}`\n\n{run(name, extra)}"
        )
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        "# Benchmark results\n\n"
        "Rewritten by `.venv/bin/python -m benchmarks.run_all`; do not edit by hand.\n\n"
        f"- Date: {now}\n"
        f"- Machine: {os.cpu_count()} CPUs (`nproc`), {platform.machine()}, {platform.system()}\n"
        f"- Python: {platform.python_implementation()} {platform.python_version()}\n"
    )
    ordered = [sections[name] for name in BENCHMARKS if name in sections]
    RESULTS.write_text(header + "\n" + "\n\n".join(ordered) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
