"""Per-call latency of a generated petstore call: forgegen against its peers, one run.

    .venv/bin/python -m benchmarks.call_latency [--calls 2000] [--rounds 7]

The runtime benchmark (``http_client_latency``) times ``HttpClient.get``; users
call generated operations, which add request building, auth and parsing the
body into a model.  So this one generates, into a temporary directory, the
clients of ``samples/specs/petstore.yaml`` by forgegen, openapi-python-client
and OpenAPI Generator (``python``, urllib3-based; both peers from the peers venv
described in ``benchmarks/generation.py``, which also needs ``urllib3`` and
``python-dateutil`` for OpenAPI Generator's client) and times ``GET /pet/{petId}``
through each, next to raw ``requests``, ``httpx`` and ``http.client`` (the floor:
one keep-alive connection, no abstraction, no parsing).

Every client runs in a long-lived worker process of its own (the peers on the
peers venv's Python with their package on PYTHONPATH, the rest on ``.venv``'s)
that times ``run N`` commands read from stdin; the server runs in yet another
process, so nothing shares a GIL with the client being timed.  Rounds alternate
across the workers, so drift in machine load hits every client alike.  Each
client authenticates the way its generator makes natural: forgegen and OpenAPI
Generator send the ``api_key`` header (the operation's first security
requirement), openapi-python-client's ``AuthenticatedClient`` a bearer token.
The async rows (forgegen's ``AsyncClient``, openapi-python-client's
``asyncio()``, raw ``httpx.AsyncClient``) run each call through
``loop.run_until_complete`` on one long-lived event loop: the same per-call loop
overhead for all three, so compare them with each other.  The table reports the
median of the per-round means.  Targets are read off the table, never asserted
in tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._common import API_PREFIX, PET_PATH, PETSTORE, generate, machine, pet_server
from benchmarks.generation import PEERS_BIN, ROOT

VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PEERS_PYTHON = PEERS_BIN / "python"
OPC = "openapi-python-client `get_pet_by_id.sync(client=..., pet_id=1)`"
FLOOR = "http.client (floor)"

# argv: setup code (defines call(); BASE, HOST, PORT and PATH are given), BASE, HOST,
# PORT, PATH.  Prints "ready <type of call()'s result>", then answers every "run N"
# line on stdin with the mean microseconds of N calls.
_WORKER = (
    "import sys, time\n"
    "names = {'BASE': sys.argv[2], 'HOST': sys.argv[3], 'PORT': int(sys.argv[4]),"
    " 'PATH': sys.argv[5]}\n"
    "exec(sys.argv[1], names)\n"
    "call = names['call']\n"
    "print('ready', type(call()).__name__, flush=True)\n"
    "for line in sys.stdin:\n"
    "    n = int(line.split()[1])\n"
    "    t = time.perf_counter()\n"
    "    for _ in range(n):\n"
    "        call()\n"
    "    print((time.perf_counter() - t) / n * 1e6, flush=True)\n"
)


class Worker:
    """One client in its own warm process, timed on request."""

    def __init__(
        self, name: str, python: Path, setup: str, pythonpath: Path | None, *, host: str, port: int
    ) -> None:
        self.name = name
        env = dict(os.environ)
        if pythonpath is not None:
            env["PYTHONPATH"] = str(pythonpath)
        base = f"http://{host}:{port}{API_PREFIX}"
        self._process = subprocess.Popen(
            [str(python), "-c", _WORKER, setup, base, host, str(port), PET_PATH],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=pythonpath or ROOT,
        )
        ready = self._readline()
        print(f"  {name}: {ready}", file=sys.stderr)

    def _readline(self) -> str:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.name!r} exited with {self._process.wait()}")
        return line.strip()

    def run(self, calls: int) -> float:
        """Mean microseconds per call over ``calls`` calls."""
        assert self._process.stdin is not None
        self._process.stdin.write(f"run {calls}\n")
        self._process.stdin.flush()
        return float(self._readline())

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=30)


def _setups(work: Path) -> list[tuple[str, Path, str, Path | None]]:
    """(name, python, setup code, PYTHONPATH) of every client; generates the three."""
    generated = {}
    for name in ("forgegen", "openapi-python-client", "OpenAPI Generator (python)"):
        print(f"  generating {name}'s petstore client ...", file=sys.stderr)
        generated[name] = generate(name, PETSTORE, work)
    forge_root, forge = generated["forgegen"]
    opc_root, opc = generated["openapi-python-client"]
    oag_root, oag = generated["OpenAPI Generator (python)"]
    return [
        (
            "forgegen `client.pet.get_pet_by_id(pet_id=1)`",
            VENV_PYTHON,
            f"from {forge.name} import Client\n"
            "client = Client(base_url=BASE, api_key='bench-key')\n"
            "def call():\n"
            "    return client.pet.get_pet_by_id(pet_id=1)\n",
            forge_root,
        ),
        (
            OPC,
            PEERS_PYTHON,
            f"from {opc.name} import AuthenticatedClient\n"
            f"from {opc.name}.api.pet import get_pet_by_id\n"
            "client = AuthenticatedClient(base_url=BASE, token='bench-token')\n"
            "def call():\n"
            "    return get_pet_by_id.sync(client=client, pet_id=1)\n",
            opc_root,
        ),
        (
            "OpenAPI Generator `PetApi.get_pet_by_id(1)`",
            PEERS_PYTHON,
            f"import {oag.name} as oag\n"
            "config = oag.Configuration(host=BASE, api_key={'api_key': 'bench-key'})\n"
            "api = oag.PetApi(oag.ApiClient(config))\n"
            "def call():\n"
            "    return api.get_pet_by_id(1)\n",
            oag_root,
        ),
        (
            "forgegen `await async_client.pet.get_pet_by_id(pet_id=1)`",
            VENV_PYTHON,
            "import asyncio\n"
            f"from {forge.name} import AsyncClient\n"
            "client = AsyncClient(base_url=BASE, api_key='bench-key')\n"
            "loop = asyncio.new_event_loop()\n"
            "def call():\n"
            "    return loop.run_until_complete(client.pet.get_pet_by_id(pet_id=1))\n",
            forge_root,
        ),
        (
            "openapi-python-client `await get_pet_by_id.asyncio(client=..., pet_id=1)`",
            PEERS_PYTHON,
            "import asyncio\n"
            f"from {opc.name} import AuthenticatedClient\n"
            f"from {opc.name}.api.pet import get_pet_by_id\n"
            "client = AuthenticatedClient(base_url=BASE, token='bench-token')\n"
            "loop = asyncio.new_event_loop()\n"
            "def call():\n"
            "    return loop.run_until_complete(get_pet_by_id.asyncio(client=client, pet_id=1))\n",
            opc_root,
        ),
        (
            "httpx.AsyncClient.get",
            VENV_PYTHON,
            "import asyncio, httpx\n"
            "client = httpx.AsyncClient()\n"
            "url = f'http://{HOST}:{PORT}{PATH}'\n"
            "loop = asyncio.new_event_loop()\n"
            "async def get():\n"
            "    return (await client.get(url)).content\n"
            "def call():\n"
            "    return loop.run_until_complete(get())\n",
            None,
        ),
        (
            "requests.Session.get",
            VENV_PYTHON,
            "import requests\n"
            "session = requests.Session()\n"
            "url = f'http://{HOST}:{PORT}{PATH}'\n"
            "def call():\n"
            "    return session.get(url).content\n",
            None,
        ),
        (
            "httpx.Client.get",
            VENV_PYTHON,
            "import httpx\n"
            "client = httpx.Client()\n"
            "url = f'http://{HOST}:{PORT}{PATH}'\n"
            "def call():\n"
            "    return client.get(url).content\n",
            None,
        ),
        (
            FLOOR,
            VENV_PYTHON,
            "import http.client\n"
            "conn = http.client.HTTPConnection(HOST, PORT)\n"
            "def call():\n"
            "    conn.request('GET', PATH)\n"
            "    return conn.getresponse().read()\n",
            None,
        ),
    ]


def run(calls: int, rounds: int) -> list[tuple[str, float]]:
    with tempfile.TemporaryDirectory(prefix="bench-call-") as tmp, pet_server() as (host, port):
        setups = _setups(Path(tmp))
        workers: list[Worker] = []
        per_round: dict[str, list[float]] = {name: [] for name, *_ in setups}
        try:
            for name, python, setup, path in setups:
                workers.append(Worker(name, python, setup, path, host=host, port=port))
            for worker in workers:  # warm up connections and code paths
                worker.run(max(50, calls // 10))
            for number in range(rounds):
                print(f"  round {number + 1}/{rounds}", file=sys.stderr)
                for worker in workers:
                    per_round[worker.name].append(worker.run(calls))
        finally:
            for worker in workers:
                worker.close()
    return [(name, statistics.median(values)) for name, values in per_round.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per client per round")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds")
    args = parser.parse_args()
    results = run(args.calls, args.rounds)
    micros = dict(results)
    print(
        f"Per-call latency of the generated petstore call GET /pet/{{petId}} (raw clients: "
        f"the same GET, body not parsed), loopback keep-alive, a worker process per client; "
        f"{args.rounds} rounds x {args.calls} calls, median of round means; {machine()}"
    )
    print()
    print("| client | µs per call | vs openapi-python-client sync() | vs http.client |")
    print("|---|---:|---:|---:|")
    for name, value in results:
        print(
            f"| {name} | {value:.1f} | {value / micros[OPC]:.2f}x | {value / micros[FLOOR]:.2f}x |"
        )
    print()
    print(
        "Targets: forgegen <= 0.8x openapi-python-client and <= 2x http.client; "
        "stretch: forgegen <= OpenAPI Generator."
    )


if __name__ == "__main__":
    main()
