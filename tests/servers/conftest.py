"""Kinto and Jupyter Server, run for real on 127.0.0.1, judge generated clients.

Each server is started once per session (in a process group of its own, stopped
at the end); its OpenAPI/Swagger document is fetched over HTTP exactly as served
and a client is generated from those bytes with forgegen and imported.  The
programs come with the ``servers`` extra: without them these tests skip
locally and fail under ``CI=true`` (``.ci/run`` installs them).
"""

from __future__ import annotations

import hashlib
import hmac
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.real_servers import (
    GeneratedClient,
    ServerProcess,
    fetch,
    free_port,
    generate_client,
    require_program,
)

# -- Kinto ------------------------------------------------------------------------

KINTO_MAIN = "import sys; from kinto.__main__ import main; sys.exit(main())"
KINTO_HMAC_SECRET = "forgegen-tests-userid-secret"
KINTO_INI = """\
[server:main]
use = egg:waitress#main
host = 127.0.0.1
port = {port}

[app:main]
use = egg:kinto
kinto.storage_backend = kinto.core.storage.memory
kinto.storage_url =
kinto.cache_backend = kinto.core.cache.memory
kinto.cache_url =
kinto.permission_backend = kinto.core.permission.memory
kinto.permission_url =
kinto.userid_hmac_secret = {secret}
multiauth.policies = basicauth
kinto.bucket_create_principals = system.Authenticated

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = INFO
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)s %(name)s %(message)s
"""


@dataclass(frozen=True)
class KintoServer:
    url: str  # the root, http://127.0.0.1:PORT
    api_url: str  # where the API lives: {url}/v1
    document: bytes  # /v1/__api__ as served

    @staticmethod
    def userid(username: str, password: str) -> str:
        """The principal Kinto's basicauth policy derives from these credentials."""
        digest = hmac.new(
            KINTO_HMAC_SECRET.encode(), f"{username}:{password}".encode(), hashlib.sha256
        ).hexdigest()
        return f"basicauth:{digest}"


@pytest.fixture(scope="session")
def kinto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KintoServer]:
    require_program("kinto", "Kinto")
    workdir = tmp_path_factory.mktemp("kinto")
    port = free_port()
    ini = workdir / "kinto.ini"
    ini.write_text(KINTO_INI.format(port=port, secret=KINTO_HMAC_SECRET))
    url = f"http://127.0.0.1:{port}"
    server = ServerProcess(
        "kinto",
        # kinto's __main__ module has no `if __name__ == "__main__"`: call its main()
        [sys.executable, "-c", KINTO_MAIN, "start", "--ini", str(ini)],
        ready_url=f"{url}/v1/__heartbeat__",
        log_path=workdir / "kinto.log",
        cwd=workdir,
    )
    try:
        server.start()
        status, _, document = fetch(f"{url}/v1/__api__")
        assert status == 200, document[:500]
        yield KintoServer(url=url, api_url=f"{url}/v1", document=document)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def kinto(
    kinto_server: KintoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GeneratedClient]:
    """The client forgegen generates from Kinto's served document, imported."""
    generated = generate_client(
        kinto_server.document,
        "kinto-api.json",
        tmp_path_factory.mktemp("kinto-client"),
        "kinto_served",
    )
    try:
        yield generated
    finally:
        generated.unload()


# -- Jupyter Server ---------------------------------------------------------------

JUPYTER_TOKEN = "forgegen-tests-jupyter-token"


@dataclass(frozen=True)
class JupyterServer:
    url: str  # http://127.0.0.1:PORT
    token: str
    root_dir: Path  # what the contents API serves
    document: bytes  # /api/spec.yaml as served

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    require_program("jupyter_server", "Jupyter Server")
    require_program("ipykernel", "ipykernel (the python3 kernel Jupyter starts)")
    workdir = tmp_path_factory.mktemp("jupyter")
    root_dir = workdir / "root"
    root_dir.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Jupyter's own directories, so that nothing of the user's is read or written.
    env = {
        "JUPYTER_CONFIG_DIR": str(workdir / "config"),
        "JUPYTER_DATA_DIR": str(workdir / "data"),
        "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
        "IPYTHONDIR": str(workdir / "ipython"),
    }
    server = ServerProcess(
        "jupyter server",
        [
            sys.executable,
            "-m",
            "jupyter_server",
            "--no-browser",
            "--allow-root",  # CI runs as root
            "--ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={JUPYTER_TOKEN}",
            f"--ServerApp.root_dir={root_dir}",
        ],
        ready_url=f"{url}/api/",
        log_path=workdir / "jupyter.log",
        cwd=workdir,
        env=env,
    )
    try:
        server.start()
        status, _, document = fetch(
            f"{url}/api/spec.yaml", headers={"Authorization": f"token {JUPYTER_TOKEN}"}
        )
        assert status == 200, document[:500]
        yield JupyterServer(url=url, token=JUPYTER_TOKEN, root_dir=root_dir, document=document)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def jupyter(
    jupyter_server: JupyterServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GeneratedClient]:
    """The client forgegen generates from Jupyter Server's served document, imported."""
    generated = generate_client(
        jupyter_server.document,
        "jupyter-api.yaml",
        tmp_path_factory.mktemp("jupyter-client"),
        "jupyter_served",
    )
    try:
        yield generated
    finally:
        generated.unload()
