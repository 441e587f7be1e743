"""Import cost of the generated GitHub client against openapi-python-client's output.

    .venv/bin/python -m benchmarks.import_cost [--runs 15]

Both clients are generated into a temporary directory first (needs the peers
venv described in ``benchmarks/generation.py``).  Then, alternating, a fresh
interpreter per run imports the package, builds a ``Client`` and imports the
module of one endpoint, ``GET /repos/{owner}/{repo}``.  forgegen's client runs
on ``.venv``'s Python, the peer's on the peers venv's (same CPython version;
each has its own dependencies).  The table reports the median time measured
inside the process (imports and ``Client``), the median wall time of the whole
process (interpreter start-up included) and the ratio to openapi-python-client.
A second forgegen row reaches the same operation the way its users write it,
``client.repos.repos_get``, through the tag's resource class.  A floor row
times pydantic and one model class alone: the share of forgegen's time that no
pydantic-based client can avoid.  Ratios have three decimals: the target is 0.2x.
Targets are read off the table, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.generation import FORGEGEN, OPC_CONFIG, PEERS_BIN, ROOT, SPECS

ENDPOINT = "GET /repos/{owner}/{repo}"

# argv: package, then an endpoint module to import, or ``client.<tag>.<operation>``
# to reach through the typed client.  Prints the seconds spent in imports and Client().
_PROBE = (
    "import functools, importlib, sys, time\n"
    "t = time.perf_counter()\n"
    "package = importlib.import_module(sys.argv[1])\n"
    "client = package.Client(base_url='http://127.0.0.1:9')\n"
    "if sys.argv[2].startswith('client.'):\n"
    "    functools.reduce(getattr, sys.argv[2].split('.')[1:], client)\n"
    "else:\n"
    "    importlib.import_module(sys.argv[2])\n"
    "print(time.perf_counter() - t)\n"
)

# What every pydantic-based client pays before any code of its own: pydantic and
# one model class (the first class loads ``pydantic.fields`` and its imports).
_PYDANTIC_FLOOR = (
    "import time\n"
    "t = time.perf_counter()\n"
    "from pydantic import BaseModel\n"
    "class Floor(BaseModel):\n"
    "    id: int | None = None\n"
    "print(time.perf_counter() - t)\n"
)
FLOOR = "pydantic + one model"


def _module_name(root: Path, path: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def generate_forgegen(work: Path) -> tuple[Path, str, str]:
    """(sys.path entry, package, endpoint module) of forgegen's GitHub client."""
    out = work / "forgegen" / "github_client"
    subprocess.run(
        [str(FORGEGEN), str(SPECS["github"]), "-o", str(out), "-q"],
        check=True,
        capture_output=True,
    )
    marker = f'"""{ENDPOINT} --'
    for path in sorted((out / "api").rglob("*.py")):
        if path.read_text().startswith(marker):
            return out.parent, out.name, _module_name(out.parent, path)
    raise LookupError(f"no forgegen module for {ENDPOINT}")


def typed_path(root: Path, module: str) -> str:
    """``client.<tag>.<operation>``: how forgegen's users reach ``module``'s operation."""
    package_dir = root.joinpath(*module.split(".")[:-1])
    leaf = module.rsplit(".", 1)[1]
    resource = (package_dir / "_resource.py").read_text()
    bound = re.search(rf"(\w+) = (?:Paginated)?Endpoint\(\s*_{leaf}\.sync\b", resource)
    if bound is None:
        raise LookupError(f"no endpoint bound to {module} in {package_dir / '_resource.py'}")
    return f"client.{package_dir.name}.{bound.group(1)}"


def generate_opc(work: Path) -> tuple[Path, str, str]:
    """(sys.path entry, package, endpoint module) of openapi-python-client's client."""
    config = work / "opc.yaml"
    config.write_text(OPC_CONFIG)
    out = work / "opc"
    env = dict(os.environ, PATH=f"{PEERS_BIN}{os.pathsep}{os.environ['PATH']}")
    # Exits 1 on GitHub (its ruff post-hooks cannot parse one generated module) after
    # writing the package: the check is that the package exists.
    subprocess.run(
        [
            str(PEERS_BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(SPECS["github"]),
            "--config",
            str(config),
            "--output-path",
            str(out),
        ],
        check=False,
        capture_output=True,
        env=env,
    )
    (package,) = (path.parent for path in out.glob("*/client.py"))
    method, url = ENDPOINT.split(" ")
    for path in sorted((package / "api").rglob("*.py")):
        text = path.read_text()
        if f'"method": "{method.lower()}"' in text and f'"url": "{url}"' in text:
            return out, package.name, _module_name(out, path)
    raise LookupError(f"no openapi-python-client module for {ENDPOINT}")


def probe(python: Path, root: Path, package: str, module: str) -> tuple[float, float]:
    """(seconds inside the process, wall seconds of the process) of one fresh run.

    ``module`` :data:`FLOOR` runs :data:`_PYDANTIC_FLOOR` instead of a client.
    """
    env = dict(os.environ, PYTHONPATH=str(root))
    # Installed packages have bytecode (pip compiles it); a shell that sets
    # PYTHONDONTWRITEBYTECODE would make every run compile every module again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    out = subprocess.run(
        [str(python), "-c", _PYDANTIC_FLOOR if module == FLOOR else _PROBE, package, module],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
    ).stdout
    return float(out), time.perf_counter() - started


def run(runs: int) -> list[tuple[str, str, float, float]]:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        print("  generating forgegen's GitHub client ...", file=sys.stderr)
        forge = generate_forgegen(work)
        print("  generating openapi-python-client's GitHub client ...", file=sys.stderr)
        peer = generate_opc(work)
        python = ROOT / ".venv" / "bin" / "python"
        targets = {
            "forgegen": (python, *forge),
            "forgegen, typed path": (python, *forge[:2], typed_path(*forge[::2])),
            "openapi-python-client": (PEERS_BIN / "python", *peer),
            "floor: pydantic alone": (python, *forge[:2], FLOOR),
        }
        for target in targets.values():  # compile bytecode once, as an installed package has
            probe(*target)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in targets}
        order = list(targets.items())
        for _ in range(runs):
            for name, target in order:
                samples[name].append(probe(*target))
            order.reverse()  # no client always runs right after another
    return [
        (
            name,
            targets[name][3],
            statistics.median(inside for inside, _ in values),
            statistics.median(wall for _, wall in values),
        )
        for name, values in samples.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per client")
    args = parser.parse_args()
    results = run(args.runs)
    base = {name: (inside, wall) for name, _, inside, wall in results}["openapi-python-client"]
    print(
        f"Import cost, GitHub client: import package, build Client, import the module of "
        f"{ENDPOINT}; fresh process, median of {args.runs}; {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{date.today().isoformat()}"
    )
    print()
    print(
        "The typed path builds the same client, then reaches the operation as its users "
        "do (`client.<tag>.<operation>`), which loads the tag's resource class and the "
        "operation's module; openapi-python-client has no equivalent (its users import "
        "the module). The floor row imports pydantic and defines one model in forgegen's "
        "venv: no client code, the part of forgegen's row that no pydantic-based client avoids."
    )
    print()
    print("| client | endpoint module | in-process s | vs opc | process wall s | vs opc |")
    print("|---|---|---:|---:|---:|---:|")
    for name, module, inside, wall in results:
        shown = module if module == FLOOR else f"`{module}`"
        print(
            f"| {name} | {shown} | {inside:.3f} | {inside / base[0]:.3f}x "
            f"| {wall:.3f} | {wall / base[1]:.3f}x |"
        )


if __name__ == "__main__":
    main()
