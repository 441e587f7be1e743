"""The Prism mock server: find it, hand it a cleaned copy of a spec, start, wait, stop.

Prism (``@stoplight/prism-cli``) is installed with npm into the harness's own
``tests/conformance/node_modules`` (``npm ci --prefix tests/conformance``), or
wherever ``FORGEGEN_PRISM`` / ``--prism`` points.  It runs in dynamic mode
(``-d``: responses are generated from the schemas) on a free loopback port, in
its own process group so stopping it also stops anything it spawned.

The copy handed to Prism has the ``example``/``examples`` keywords whose value
holds a ``$ref`` key removed: such an example sends Prism's resolver to the
network (the GitHub document aborts Prism otherwise).  Other examples stay:
Prism serves them for responses declared without a schema.  The client is
always generated from the original document.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "PrismError",
    "PrismServer",
    "clean_for_prism",
    "find_prism",
    "free_port",
    "prism_document",
    "running_prism",
    "split_document",
]

PRISM_ENV = "FORGEGEN_PRISM"
_CLI = Path("node_modules") / "@stoplight" / "prism-cli" / "dist" / "index.js"

# Keys whose value is a map from *names* to objects: a property or component
# called "example" is a name there, not the keyword, and must stay.
_NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "definitions",
        "$defs",
        "schemas",
        "parameters",
        "responses",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
        "paths",
        "webhooks",
        "content",
        "encoding",
        "variables",
        "mapping",
        "scopes",
        "dependentSchemas",
    }
)


class PrismError(RuntimeError):
    """Prism is not installed, did not start in time, or exited early."""


def _search_roots() -> Iterator[Path]:
    """Where ``tests/conformance/node_modules`` may be: the checkout and the cwd."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        yield parent / "tests" / "conformance"
    cwd = Path.cwd()
    yield cwd / "tests" / "conformance"
    yield cwd


def find_prism(explicit: str | os.PathLike[str] | None = None) -> list[str]:
    """The command that runs Prism: ``[node, .../prism-cli/dist/index.js]``.

    Order: ``explicit`` (a ``prism`` executable or the CLI's ``index.js``), the
    ``FORGEGEN_PRISM`` environment variable, the harness-owned
    ``tests/conformance/node_modules``.  Raises :class:`PrismError` with the
    install command when none is found.
    """
    candidates: list[Path] = []
    for given in (explicit, os.environ.get(PRISM_ENV)):
        if given:
            candidates.append(Path(given))
    candidates.extend(root / _CLI for root in _search_roots())
    node = shutil.which("node")
    for candidate in candidates:
        if not candidate.is_file():
            continue
        if candidate.suffix == ".js":
            if node is None:
                raise PrismError("Prism is installed but `node` is not on PATH")
            return [node, str(candidate)]
        return [str(candidate)]
    raise PrismError(
        "Prism is not installed: run `npm ci --prefix tests/conformance` in the forgegen "
        f"checkout, or point {PRISM_ENV} at a prism executable"
    )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_for_prism(node: Any, parent_key: str | None = None) -> Any:
    """A copy of ``node`` without the ``example``/``examples`` keywords whose value
    holds a ``$ref`` key (names are kept; other examples stay for Prism to serve)."""
    if isinstance(node, dict):
        keep_all = parent_key in _NAME_MAPS
        return {
            key: clean_for_prism(value, key)
            for key, value in node.items()
            if keep_all or key not in ("example", "examples") or not _holds_ref(value)
        }
    if isinstance(node, list):
        return [clean_for_prism(item, parent_key) for item in node]
    return node


def _holds_ref(node: Any) -> bool:
    if isinstance(node, dict):
        return "$ref" in node or any(_holds_ref(value) for value in node.values())
    if isinstance(node, list):
        return any(_holds_ref(item) for item in node)
    return False


def _has_external_refs(node: Any) -> bool:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return True
        return any(_has_external_refs(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_external_refs(item) for item in node)
    return False


def load_document_data(spec_path: Path) -> Any:
    """The spec file as plain data (JSON or YAML)."""
    text = spec_path.read_text(encoding="utf-8")
    return json.loads(text) if spec_path.suffix == ".json" else yaml.safe_load(text)


def prism_document(spec_path: Path, work_dir: Path) -> Path:
    """The file to hand Prism: a cleaned JSON copy of ``spec_path`` in ``work_dir``.

    A document with references to other files is handed over as it is (a copy
    elsewhere would break its relative references).
    """
    cleaned = clean_for_prism(load_document_data(spec_path))
    if _has_external_refs(cleaned):
        return spec_path
    target = work_dir / f"prism-{spec_path.stem}.json"
    target.write_text(json.dumps(cleaned, default=str), encoding="utf-8")
    return target


def _local_refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            found.add(ref)
        for value in node.values():
            _local_refs(value, found)
    elif isinstance(node, list):
        for item in node:
            _local_refs(item, found)


def _pointer(document: Any, ref: str) -> Any:
    node = document
    for part in ref[2:].split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def split_document(document: dict[str, Any], operations: list[tuple[str, str]]) -> dict[str, Any]:
    """A copy of ``document`` with only ``operations`` (``(path, method)``) and the
    components they reach (transitively); security schemes are all kept.

    For documents too big for Prism to start (Stripe): one such part per tag."""
    paths: dict[str, Any] = {}
    for path, method in operations:
        item = document["paths"][path]
        kept = paths.setdefault(path, {k: v for k, v in item.items() if k not in _HTTP_METHODS})
        kept[method] = item[method]
    seen: set[str] = set()
    todo: set[str] = set()
    _local_refs(paths, todo)
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        found: set[str] = set()
        try:
            _local_refs(_pointer(document, ref), found)
        except (KeyError, IndexError, ValueError, TypeError):
            continue
        todo |= found - seen
    components: dict[str, dict[str, Any]] = {}
    for ref in seen:
        parts = ref[2:].split("/")
        if len(parts) >= 3 and parts[0] == "components":
            kind, name = parts[1], parts[2].replace("~1", "/").replace("~0", "~")
            components.setdefault(kind, {})[name] = document["components"][kind][name]
    schemes = document.get("components", {}).get("securitySchemes")
    if schemes:
        components["securitySchemes"] = schemes
    part = {k: v for k, v in document.items() if k not in ("paths", "components", "webhooks")}
    part["paths"] = paths
    part["components"] = components
    return part


_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass
class PrismServer:
    """A running Prism: ``base_url`` to call, ``startup_seconds`` it took to answer."""

    process: subprocess.Popen[bytes]
    base_url: str
    startup_seconds: float
    log_path: Path

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 5.0) -> None:
        """Stop Prism and its process group: SIGTERM, then SIGKILL after ``grace`` s."""
        if self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait(timeout=grace)
        else:  # the leader is gone; children it left behind still go
            _signal_group(self.process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _answers(base_url: str) -> bool:
    """Prism answers HTTP (any status: an unknown path gives 404 problem+json)."""
    try:
        with urllib.request.urlopen(  # noqa: S310 -- a loopback http URL we built
            f"{base_url}/__forgegen_conformance_probe__", timeout=2
        ):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def start_prism(
    document: Path,
    *,
    port: int | None = None,
    command: list[str] | None = None,
    startup_timeout: float = 120.0,
    log_dir: Path | None = None,
) -> PrismServer:
    """Start ``prism mock -d`` for ``document`` and wait until it answers HTTP."""
    argv = [*(command or find_prism()), "mock", "-d", "-h", "127.0.0.1"]
    chosen = port if port is not None else free_port()
    argv += ["-p", str(chosen), str(document)]
    log_dir = log_dir if log_dir is not None else Path(tempfile.mkdtemp(prefix="prism-log-"))
    log_path = log_dir / f"prism-{chosen}.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 -- argv is ours, no shell
            argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = PrismServer(process, f"http://127.0.0.1:{chosen}", 0.0, log_path)
    deadline = started + startup_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server.stop()
            raise PrismError(
                f"Prism exited with status {process.returncode} before answering:\n"
                + server.log_tail()
            )
        if _answers(server.base_url):
            server.startup_seconds = time.monotonic() - started
            return server
        time.sleep(0.1)
    server.stop()
    raise PrismError(
        f"Prism did not answer within {startup_timeout:.0f} s for {document.name}:\n"
        + server.log_tail()
    )


@contextmanager
def running_prism(
    document: Path,
    *,
    port: int | None = None,
    command: list[str] | None = None,
    startup_timeout: float = 120.0,
) -> Iterator[PrismServer]:
    """``start_prism`` as a context manager that always stops it."""
    with tempfile.TemporaryDirectory(prefix="prism-log-") as log_dir:
        server = start_prism(
            document,
            port=port,
            command=command,
            startup_timeout=startup_timeout,
            log_dir=Path(log_dir),
        )
        try:
            yield server
        finally:
            server.stop()
