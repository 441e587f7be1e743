"""Real server programs (installed from PyPI) as judges of generated clients.

A :class:`ServerProcess` runs a server on 127.0.0.1 in its own process group,
waits until it answers HTTP and is stopped (the whole group) at the end;
:func:`fetch` reads the document the server publishes, as bytes, exactly as
served; :func:`generate_client` runs forgegen on those bytes and imports the
generated package in-process under a name of its own.

The programs come with the ``servers`` extra (``.ci/run`` installs it).  Without
one, :func:`require_program` skips locally and fails under ``CI=true``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from forgegen.pipeline import generate

from tests.conftest import IN_CI

__all__ = [
    "GeneratedClient",
    "ServerProcess",
    "fetch",
    "free_port",
    "generate_client",
    "require_program",
]

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def require_program(module: str, what: str) -> None:
    """Skip (locally) or fail (under CI) when ``module`` is not importable."""
    if importlib.util.find_spec(module) is not None:
        return
    message = (
        f"{what} is not installed (module {module!r}): "
        "pip install -e '.[servers]' (.ci/run installs it)"
    )
    if IN_CI:
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(
    url: str, headers: Mapping[str, str] | None = None, timeout: float = 10.0
) -> tuple[int, dict[str, str], bytes]:
    """``(status, headers, body)`` of a plain GET, without following redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class ServerProcess:
    """One server program, started in a new process group with its output in a log."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        ready_url: str,
        log_path: Path,
        cwd: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.ready_url = ready_url
        self.log_path = log_path
        self.cwd = cwd
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def _failure(self, why: str) -> str:
        tail = "\n".join(self.log().splitlines()[-60:])
        return f"{self.name} {why}\ncommand: {' '.join(self.argv)}\n--- its log ---\n{tail}"

    def start(self, timeout: float = START_TIMEOUT) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                pytest.fail(self._failure(f"exited with code {code} before answering"))
            try:
                fetch(self.ready_url, timeout=2.0)
            except OSError:
                time.sleep(0.2)
                continue
            return
        self.stop()
        pytest.fail(self._failure(f"did not answer {self.ready_url} within {timeout:.0f} s"))

    def stop(self) -> None:
        """SIGTERM to the process group, SIGKILL if it lingers."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                return
            process.wait(timeout=STOP_TIMEOUT)


@dataclass
class GeneratedClient:
    """A client package that forgegen generated from a served document, imported."""

    package: ModuleType
    path: Path
    warnings: list[str]

    @property
    def name(self) -> str:
        return self.package.__name__

    @property
    def Client(self) -> Any:
        return self.package.Client

    @property
    def models(self) -> Any:
        return importlib.import_module(f"{self.name}.models")

    def operation(self, tag: str, operation: str) -> ModuleType:
        """The module of one operation: ``api/<tag>/<operation>.py`` (its error classes)."""
        return importlib.import_module(f"{self.name}.api.{tag}.{operation}")

    def runtime(self) -> ModuleType:
        """The package's vendored Request Forge runtime."""
        return importlib.import_module(f"{self.name}._runtime")

    def unload(self) -> None:
        prefix = f"{self.name}."
        for loaded in [m for m in sys.modules if m == self.name or m.startswith(prefix)]:
            del sys.modules[loaded]
        root = str(self.path.parent)
        if root in sys.path:
            sys.path.remove(root)


def generate_client(
    document: bytes, file_name: str, workdir: Path, package: str
) -> GeneratedClient:
    """Save ``document`` (as served) under ``file_name``, generate ``package`` from it
    with forgegen and import it."""
    if package in sys.modules:
        raise RuntimeError(f"a module named {package!r} is already imported")
    spec = workdir / file_name
    spec.write_bytes(document)
    out = workdir / "clients" / package
    result = generate(spec, out, package_name=package, quiet=True, use_cache=False)
    sys.path.insert(0, str(out.parent))
    importlib.invalidate_caches()
    module = importlib.import_module(package)
    return GeneratedClient(
        package=module, path=out, warnings=[str(warning) for warning in result.warnings]
    )
