"""Generation wall time and peak memory: forgegen against its peers, one run.

    .venv/bin/python -m benchmarks.generation [--specs github stripe] [--openapi-generator]

Peers come from a separate venv, ``benchmarks/.peers-venv`` (never ``.venv``):

    python3 -m venv benchmarks/.peers-venv
    benchmarks/.peers-venv/bin/pip install openapi-python-client==0.29.1 openapi-generator-cli

Each generator runs per document in a fresh temporary directory: once *cold*
(empty output, empty forgegen ``--cache-dir``), then ``--warm-runs`` times
*warm* (regenerate into the same output after one operation's summary changed
again in the temporary copy of the document; the median is reported: a warm
run of forgegen is about a second, where one-off machine noise is 20 %).
Every run is a child of a small wrapper process, so ``ru_maxrss`` of
``RUSAGE_CHILDREN`` is the peak resident set of the largest single process the
generator started (black's workers and the JVM included, not summed).  The table
reports the ratio to openapi-python-client in the same run.  Targets are read off
the table, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
SPECS = {
    "github": CORPUS / "github-api.github.com.3.0.json",
    "stripe": CORPUS / "stripe-spec3.json",
}
FORGEGEN = ROOT / ".venv" / "bin" / "forgegen"
PEERS_BIN = ROOT / "benchmarks" / ".peers-venv" / "bin"
OPC_CONFIG = "literal_enums: true\n"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# Runs argv, then prints "<wall seconds> <peak RSS of the largest child in KiB> <exit code>".
_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"
    ".returncode\n"
    "wall = time.perf_counter() - t\n"
    "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)\n"
)


def measure(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak MiB, exit code) of one generator run."""
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *argv],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2])


def touch_one_summary(spec: Path) -> None:
    """Change the summary of the first operation (the 'one edit' of a warm run)."""
    document = json.loads(spec.read_text())
    for item in document["paths"].values():
        for method in METHODS:
            if method in item:
                item[method]["summary"] = item[method].get("summary", "") + " (edited)"
                spec.write_text(json.dumps(document))
                return
    raise ValueError(f"{spec} has no operation")


def _forgegen(work: Path, spec: Path) -> list[str]:
    out, cache = work / "forgegen_out" / "client", work / "forgegen_cache"
    return [str(FORGEGEN), str(spec), "-o", str(out), "--cache-dir", str(cache), "-q"]


def _opc(work: Path, spec: Path) -> list[str]:
    config = work / "opc.yaml"
    config.write_text(OPC_CONFIG)
    return [
        str(PEERS_BIN / "openapi-python-client"),
        "generate",
        "--path",
        str(spec),
        "--config",
        str(config),
        "--output-path",
        str(work / "opc_out"),
        "--overwrite",
    ]


def _openapi_generator(work: Path, spec: Path) -> list[str]:
    return [
        str(PEERS_BIN / "openapi-generator-cli"),
        "generate",
        "-i",
        str(spec),
        "-g",
        "python",
        "-o",
        str(work / "oag_out"),
        "--skip-validate-spec",
    ]


Generator = Callable[[Path, Path], list[str]]
Sample = tuple[float, float]  # (wall seconds, peak MiB)
Result = tuple[Sample, Sample] | None  # (cold, warm); None when the generator failed
Row = tuple[str, str, Result]  # (document, generator, result)
notes: list[str] = []  # generators that exited non-zero after writing their package


def run_one(name: str, generator: Generator, source: Path, warm_runs: int = 3) -> Result:
    """((cold s, MiB), (median warm s, largest warm MiB)) for one generator on one document."""
    env = dict(os.environ, PATH=f"{PEERS_BIN}{os.pathsep}{os.environ['PATH']}")
    # As in import_cost: an installed generator runs from bytecode; with this
    # variable set, every run would compile forgegen's modules again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory(prefix=f"bench-gen-{name}-") as tmp:
        work = Path(tmp)
        spec = work / source.name
        shutil.copyfile(source, spec)
        samples = []
        for run_index in range(1 + warm_runs):
            if run_index:
                touch_one_summary(spec)
            argv = generator(work, spec)
            wall, mib, rc = measure(argv, env)
            if rc != 0:
                # openapi-python-client exits 1 on GitHub because its ruff post-hooks
                # cannot parse one module it generated; the package is written and both
                # hooks still run over the rest, so the time is complete.  Anything
                # else that exits non-zero without a package counts as failed.
                if not any(work.glob("*_out/*/__init__.py")):
                    print(f"  {name} failed (exit {rc}): {' '.join(argv)}", file=sys.stderr)
                    return None
                print(f"  {name}: exit {rc} but the package was written", file=sys.stderr)
                notes.append(f"{name} exited {rc} on {source.name} but wrote its package")
            samples.append((wall, mib))
    warm = samples[1:]
    return samples[0], (statistics.median(w for w, _ in warm), max(m for _, m in warm))


def run(specs: list[str], with_oag: bool, warm_runs: int = 3) -> list[Row]:
    generators: list[tuple[str, Generator]] = [
        ("forgegen", _forgegen),
        ("openapi-python-client", _opc),
    ]
    if with_oag:
        generators.append(("OpenAPI Generator (python)", _openapi_generator))
    rows: list[Row] = []
    for spec_name in specs:
        for name, generator in generators:
            print(f"  {spec_name}: {name} ...", file=sys.stderr)
            rows.append((spec_name, name, run_one(name, generator, SPECS[spec_name], warm_runs)))
    return rows


def _fmt(value: float, base: float | None) -> str:
    return f"{value / base:.2f}x" if base else "n/a"


def table(rows: list[Row]) -> str:
    peer = {spec: r for spec, name, r in rows if name == "openapi-python-client" and r}
    lines = [
        "| document | generator | cold s | cold vs opc | cold peak MiB "
        "| warm s | warm vs opc | warm peak MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for spec, name, result in rows:
        if result is None:
            lines.append(f"| {spec} | {name} | failed | | | | | |")
            continue
        (cold_s, cold_mb), (warm_s, warm_mb) = result
        base = peer.get(spec)
        cold_ratio = _fmt(cold_s, base[0][0] if base else None)
        warm_ratio = _fmt(warm_s, base[1][0] if base else None)
        lines.append(
            f"| {spec} | {name} | {cold_s:.1f} | {cold_ratio} | {cold_mb:.0f} "
            f"| {warm_s:.1f} | {warm_ratio} | {warm_mb:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", nargs="+", choices=sorted(SPECS), default=["github", "stripe"])
    parser.add_argument(
        "--openapi-generator", action="store_true", help="also time OpenAPI Generator (slow)"
    )
    parser.add_argument("--warm-runs", type=int, default=3, help="warm runs per generator")
    args = parser.parse_args()
    rows = run(args.specs, args.openapi_generator, args.warm_runs)
    print(
        f"Generation, cold (empty output and cache) and warm (one summary changed, median "
        f"of {args.warm_runs}); "
        f"wall seconds and peak RSS of the largest process; {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{date.today().isoformat()}"
    )
    print()
    print(table(rows))
    for note in dict.fromkeys(notes):
        print(f"\nNote: {note} (its ruff post-hook failed on a generated module).")


if __name__ == "__main__":
    main()
