"""Helpers shared by the benchmarks that call a generated petstore client.

Not a benchmark itself.  ``python -m benchmarks._common --serve`` is the
loopback petstore server the latency and throughput benchmarks start as a
child process: in a process of its own it does not compete for the GIL with
the clients being timed (on 2 CPUs the client and the server each get one).

``generate`` reuses the command lines of ``benchmarks/generation.py`` so every
benchmark generates exactly what the generation benchmark times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.generation import PEERS_BIN, ROOT, _forgegen, _opc, _openapi_generator

PETSTORE = ROOT / "samples" / "specs" / "petstore.yaml"
# The petstore's server URL is https://petstore3.swagger.io/api/v3: every generated
# client is pointed at the same path prefix on the loopback server.
API_PREFIX = "/api/v3"
PET_PATH = f"{API_PREFIX}/pet/1"
# A Pet that every generated client validates (name and photoUrls are required).
PET = {
    "id": 1,
    "name": "doggie",
    "category": {"id": 1, "name": "Dogs"},
    "photoUrls": ["https://example.com/doggie.png"],
    "tags": [{"id": 1, "name": "good"}],
    "status": "available",
}
PET_BODY = json.dumps(PET).encode()
_NOT_FOUND = json.dumps({"code": 404, "message": "not found"}).encode()
_PET_URL = re.compile(r"/pet/\d+$")
# "<generator> exited <n> on <document> but wrote its package", for the tables' notes.
nonzero_exits: list[str] = []

GENERATORS: dict[str, Callable[[Path, Path], list[str]]] = {
    "forgegen": _forgegen,
    "openapi-python-client": _opc,
    "OpenAPI Generator (python)": _openapi_generator,
}
# Where each generator's argv (from generation.py) writes, relative to the work dir.
_OUTPUT = {
    "forgegen": "forgegen_out",
    "openapi-python-client": "opc_out",
    "OpenAPI Generator (python)": "oag_out",
}


def machine() -> str:
    """'<n> CPUs, CPython x.y.z, <date>': the tail of every benchmark's caption."""
    return (
        f"{os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}, {date.today().isoformat()}"
    )


def generate(name: str, spec: Path, work: Path) -> tuple[Path, Path]:
    """(sys.path entry, package directory) of one generator's client of ``spec``.

    The peers run with the peers venv first on PATH (openapi-python-client calls
    ``ruff`` from there).  openapi-python-client exits 1 on GitHub after writing
    its package (its ruff post-hook cannot parse one module), so success is
    judged by the package being there, as in ``benchmarks/generation.py``.
    """
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PATH=f"{PEERS_BIN}{os.pathsep}{os.environ['PATH']}")
    argv = GENERATORS[name](work, spec)
    result = subprocess.run(argv, check=False, capture_output=True, text=True, env=env)
    root = work / _OUTPUT[name]
    packages = sorted(init.parent for init in root.glob("*/__init__.py"))
    if not packages:
        raise RuntimeError(
            f"{name} wrote no package (exit {result.returncode}): {' '.join(argv)}\n"
            f"{result.stderr[-2000:]}"
        )
    if result.returncode != 0:
        print(f"  {name}: exit {result.returncode} but the package was written", file=sys.stderr)
        nonzero_exits.append(
            f"{name} exited {result.returncode} on {spec.name} but wrote its package"
        )
    # OpenAPI Generator also writes a test/ package of stubs next to openapi_client/.
    package = next((p for p in packages if p.name != "test"), packages[0])
    return root, package


class PetHandler(BaseHTTPRequestHandler):
    """``GET .../pet/<id>`` answers the Pet above; anything else a JSON 404."""

    protocol_version = "HTTP/1.1"  # keep-alive

    def setup(self) -> None:
        super().setup()
        # One response is two writes (headers, body): without TCP_NODELAY, Nagle's
        # algorithm and the client's delayed ACK add ~40 ms to every call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        found = _PET_URL.search(self.path.split("?", 1)[0]) is not None
        body = PET_BODY if found else _NOT_FOUND
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


class PetServer(ThreadingHTTPServer):
    """A thread per keep-alive connection; a backlog for 16+ simultaneous connects."""

    daemon_threads = True
    request_queue_size = 128


@contextmanager
def pet_server() -> Iterator[tuple[str, int]]:
    """(host, port) of the petstore server, running in a child process until exit."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._common", "--serve"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        host, port = process.stdout.readline().split()
        yield host, int(port)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _serve() -> None:
    server = PetServer(("127.0.0.1", 0), PetHandler)
    host, port = server.server_address[:2]
    print(host, port, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the loopback petstore server")
    parser.add_argument("--serve", action="store_true", required=True)
    parser.parse_args()
    _serve()
