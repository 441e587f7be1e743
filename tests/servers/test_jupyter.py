"""Jupyter Server, run for real, judges the client generated from the document it serves.

Jupyter Server serves its REST API's Swagger 2.0 document at ``/api/spec.yaml``
(the ``services/api/api.yaml`` it ships); forgegen converts it and generates
``jupyter_served`` from the bytes as served.  The document declares no security
scheme, so the token goes in the client's default ``headers=`` (the generated
``Client`` has no credential keywords, and ``auth=`` is only for secured
operations).  The tests drive contents (files and checkpoints), kernels,
sessions, terminals and config sections, and check the server's errors (403
without a token, 404 for what is missing, 400 for a bad request) arrive as the
generated or runtime error classes.

Creating, listing and renaming contents is in ``test_jupyter_drift.py``: the
server answers ``null`` (and a list, for a directory) where the document says a
required string, which the client's tolerant response parsing salvages.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers.conftest import JupyterServer
from tests.support.real_servers import GeneratedClient, fetch


@pytest.fixture
def api(jupyter: GeneratedClient, jupyter_server: JupyterServer) -> Iterator[Any]:
    with jupyter.Client(base_url=jupyter_server.url, headers=jupyter_server.auth_headers) as client:
        yield client


@pytest.fixture
def folder(jupyter_server: JupyterServer) -> str:
    """A fresh directory under the server's root (its API path)."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    (jupyter_server.root_dir / name).mkdir()
    return name


def on_disk(jupyter_server: JupyterServer, path: str) -> Path:
    return jupyter_server.root_dir / path


# -- the document -----------------------------------------------------------------


def test_served_document_is_the_shipped_swagger_2_document(
    jupyter: GeneratedClient, jupyter_server: JupyterServer
) -> None:
    origin = find_spec("jupyter_server")
    assert origin is not None
    assert origin.origin is not None
    shipped = Path(origin.origin).parent / "services" / "api" / "api.yaml"
    assert jupyter_server.document == shipped.read_bytes()
    document = yaml.safe_load(jupyter_server.document)
    assert document["swagger"] == "2.0"
    assert "securityDefinitions" not in document
    # without the token the document itself is behind the login page
    status, headers, _ = fetch(f"{jupyter_server.url}/api/spec.yaml")
    assert status == 302
    assert headers["Location"].startswith("/login")
    # served with unquoted status codes (YAML integers) -- read as strings, with a warning
    assert any("is not a string (unquoted in YAML?)" in warning for warning in jupyter.warnings)


def test_served_spec_read_back_through_the_client(api: Any, jupyter_server: JupyterServer) -> None:
    assert api.api_spec.get_api_spec_yaml().encode() == jupyter_server.document


# -- authentication ---------------------------------------------------------------


def test_version_needs_no_token(jupyter: GeneratedClient, jupyter_server: JupyterServer) -> None:
    with jupyter.Client(base_url=jupyter_server.url) as anonymous:
        assert anonymous.default.get_api().version == version("jupyter-server")


def test_token_in_default_headers_is_accepted(api: Any) -> None:
    status = api.status.get_api_status()
    assert status.started.endswith("Z")
    assert status.kernels >= 0
    me = api.identity.get_api_me(permissions=json.dumps({"contents": ["read", "write"]}))
    assert me.identity.username
    assert me.permissions["contents"] == ["read", "write"]


@pytest.mark.parametrize("headers", [None, {"Authorization": "token wrong-token"}])
def test_no_or_wrong_token_is_a_403(
    jupyter: GeneratedClient, jupyter_server: JupyterServer, headers: dict[str, str] | None
) -> None:
    with jupyter.Client(base_url=jupyter_server.url, headers=headers) as stranger:
        # undeclared 403: the runtime's class, body unparsed
        with pytest.raises(jupyter.package.PermissionDeniedError) as caught:
            stranger.status.get_api_status()
        assert caught.value.status_code == 403
        assert caught.value.parsed is None
        assert json.loads(caught.value.content) == {"message": "Forbidden", "reason": None}
        # the terminals operations declare their 403: the generated class
        forbidden = jupyter.operation(
            "terminals", "get_api_terminals"
        ).GetApiTerminalsForbiddenError
        with pytest.raises(forbidden) as declared:
            stranger.terminals.get_api_terminals()
        assert isinstance(declared.value, jupyter.package.PermissionDeniedError)
        assert declared.value.status_code == 403


# -- contents: files and checkpoints ----------------------------------------------


def test_file_on_disk_reads_back_with_its_content_and_hash(
    jupyter: GeneratedClient, api: Any, jupyter_server: JupyterServer, folder: str
) -> None:
    text = "héllo, wörld\nline two\n"
    on_disk(jupyter_server, f"{folder}/notes.txt").write_text(text, encoding="utf-8")
    read = api.contents.get_api_contents_path(path=f"{folder}/notes.txt", hash=1)
    assert read.name == "notes.txt"
    assert read.path == f"{folder}/notes.txt"
    assert read.type is jupyter.models.ContentsType.FILE
    assert read.content == text
    assert read.format == "text"
    assert read.mimetype == "text/plain"
    assert read.size == len(text.encode())
    assert read.writable is True
    assert read.hash_algorithm
    assert read.hash


def test_delete_removes_the_file_and_reading_it_is_a_404(
    jupyter: GeneratedClient, api: Any, jupyter_server: JupyterServer, folder: str
) -> None:
    path = f"{folder}/gone.txt"
    on_disk(jupyter_server, path).write_text("bye")
    assert api.contents.get_api_contents_path(path=path).content == "bye"
    assert api.contents.delete_api_contents_path(path=path) is None
    assert not on_disk(jupyter_server, path).exists()
    not_found = jupyter.operation(
        "contents", "get_api_contents_path"
    ).GetApiContentsPathNotFoundError
    with pytest.raises(not_found) as caught:
        api.contents.get_api_contents_path(path=path)
    error = caught.value
    assert isinstance(error, jupyter.package.NotFoundError)
    assert error.status_code == 404
    assert error.parsed is None  # the 404 is declared without a schema
    assert error.content == f"file or directory '/{path}' does not exist".encode()
    # deleting it again: an undeclared 404, the runtime's class
    with pytest.raises(jupyter.package.NotFoundError) as again:
        api.contents.delete_api_contents_path(path=path)
    assert again.value.status_code == 404
    assert "File or directory does not exist" in json.loads(again.value.content)["message"]


def test_put_without_a_format_is_a_400_and_writes_nothing(
    jupyter: GeneratedClient, api: Any, jupyter_server: JupyterServer, folder: str
) -> None:
    put = jupyter.operation("contents", "put_api_contents_path")
    with pytest.raises(put.PutApiContentsPathBadRequestError) as caught:
        api.contents.put_api_contents_path(
            path=f"{folder}/x.txt",
            body=jupyter.models.PutApiContentsPathBody(type="file", content="x"),
        )
    error = caught.value
    assert isinstance(error, jupyter.package.BadRequestError)
    assert error.status_code == 400
    assert type(error.parsed).__name__ == "PutApiContentsPathResponse400"
    assert json.loads(error.content)["message"] == (
        "Must specify format of file contents as 'text' or 'base64'"
    )
    assert not on_disk(jupyter_server, f"{folder}/x.txt").exists()


def test_checkpoint_create_list_restore_delete(
    api: Any, jupyter_server: JupyterServer, folder: str
) -> None:
    path = f"{folder}/draft.txt"
    on_disk(jupyter_server, path).write_text("version 1")
    assert api.contents.get_api_contents_path_checkpoints(path=path) == []
    checkpoint = api.contents.post_api_contents_path_checkpoints(path=path)
    assert checkpoint.id
    assert checkpoint.last_modified
    listed = api.contents.get_api_contents_path_checkpoints(path=path)
    assert [item.id for item in listed] == [checkpoint.id]

    on_disk(jupyter_server, path).write_text("version 2")
    assert api.contents.get_api_contents_path(path=path).content == "version 2"
    restored = api.contents.post_api_contents_path_checkpoints_checkpoint_id(
        path=path, checkpoint_id=checkpoint.id
    )
    assert restored is None
    assert api.contents.get_api_contents_path(path=path).content == "version 1"
    assert on_disk(jupyter_server, path).read_text() == "version 1"

    api.contents.delete_api_contents_path_checkpoints_checkpoint_id(
        path=path, checkpoint_id=checkpoint.id
    )
    assert api.contents.get_api_contents_path_checkpoints(path=path) == []


def test_resolve_path_names_the_server_scope(api: Any, folder: str) -> None:
    resolved = api.default.get_api_resolve_path(path=folder)
    assert [(item.scope, item.path) for item in resolved.resolved] == [("server", folder)]


# -- kernels and sessions ---------------------------------------------------------


def test_kernelspecs_offer_the_python3_kernel(api: Any) -> None:
    specs = api.kernelspecs.get_api_kernelspecs()
    assert specs.default == "python3"
    assert "python3" in specs.kernelspecs
    assert specs.kernelspecs["python3"].name == "python3"


def test_kernel_start_read_list_interrupt_restart_delete(
    jupyter: GeneratedClient, api: Any
) -> None:
    started = api.kernels.post_api_kernels(body=jupyter.models.PostApiKernelsBody(name="python3"))
    try:
        assert isinstance(started.id, uuid.UUID)
        assert started.name == "python3"
        read = api.kernels.get_api_kernels_kernel_id(kernel_id=started.id)
        assert (read.id, read.name) == (started.id, "python3")
        assert started.id in [kernel.id for kernel in api.kernels.get_api_kernels()]
        assert api.kernels.post_api_kernels_kernel_id_interrupt(kernel_id=started.id) is None
        restarted = api.kernels.post_api_kernels_kernel_id_restart(kernel_id=started.id)
        assert restarted.id == started.id
    finally:
        assert api.kernels.delete_api_kernels_kernel_id(kernel_id=started.id) is None
    assert started.id not in [kernel.id for kernel in api.kernels.get_api_kernels()]
    with pytest.raises(jupyter.package.NotFoundError) as caught:
        api.kernels.get_api_kernels_kernel_id(kernel_id=started.id)
    assert caught.value.status_code == 404
    assert json.loads(caught.value.content)["message"] == f"Kernel does not exist: {started.id}"


def test_session_create_read_list_rename_delete(jupyter: GeneratedClient, api: Any) -> None:
    models = jupyter.models
    kernel = api.kernels.post_api_kernels(body=models.PostApiKernelsBody(name="python3"))
    created = api.sessions.post_api_sessions(
        body=models.Session(
            path="analysis.ipynb",
            name="analysis.ipynb",
            type="notebook",
            kernel=models.Kernel(id=kernel.id, name="python3"),
        )
    )
    assert isinstance(created.id, uuid.UUID)
    assert (created.path, created.type, created.kernel.id) == (
        "analysis.ipynb",
        "notebook",
        kernel.id,
    )
    read = api.sessions.get_api_sessions_session(session=created.id)
    assert (read.id, read.path, read.kernel.id) == (created.id, "analysis.ipynb", kernel.id)
    assert created.id in [session.id for session in api.sessions.get_api_sessions()]

    renamed = api.sessions.patch_api_sessions_session(
        session=created.id, body=models.Session(path="renamed.ipynb", name="renamed.ipynb")
    )
    assert (renamed.path, renamed.name) == ("renamed.ipynb", "renamed.ipynb")
    assert api.sessions.get_api_sessions_session(session=created.id).path == "renamed.ipynb"

    assert api.sessions.delete_api_sessions_session(session=created.id) is None
    assert created.id not in [session.id for session in api.sessions.get_api_sessions()]
    # deleting the session shut its kernel down
    assert kernel.id not in [item.id for item in api.kernels.get_api_kernels()]
    with pytest.raises(jupyter.package.NotFoundError) as caught:
        api.sessions.get_api_sessions_session(session=created.id)
    assert caught.value.status_code == 404
    assert "Session not found" in json.loads(caught.value.content)["message"]


# -- terminals and config ---------------------------------------------------------


def test_terminal_create_read_list_delete(jupyter: GeneratedClient, api: Any) -> None:
    created = api.terminals.post_api_terminals()
    assert created.name
    assert (
        api.terminals.get_api_terminals_terminal_id(terminal_id=created.name).name == created.name
    )
    assert created.name in [terminal.name for terminal in api.terminals.get_api_terminals()]
    assert api.terminals.delete_api_terminals_terminal_id(terminal_id=created.name) is None
    deadline = time.monotonic() + 10
    while created.name in [terminal.name for terminal in api.terminals.get_api_terminals()]:
        assert time.monotonic() < deadline, "the deleted terminal is still listed"
        time.sleep(0.1)
    get = jupyter.operation("terminals", "get_api_terminals_terminal_id")
    with pytest.raises(get.GetApiTerminalsTerminalIdNotFoundError) as caught:
        api.terminals.get_api_terminals_terminal_id(terminal_id=created.name)
    assert isinstance(caught.value, jupyter.package.NotFoundError)
    assert caught.value.status_code == 404
    assert json.loads(caught.value.content)["message"] == f"Terminal not found: {created.name}"


def test_config_section_patch_merges_and_reads_back(api: Any) -> None:
    section = f"forgegen_{uuid.uuid4().hex[:8]}"
    assert api.config_.get_api_config_section_name(section_name=section) == {}
    first = api.config_.patch_api_config_section_name(
        section_name=section, body={"editor": {"tabs": 4, "theme": "dark"}}
    )
    assert first == {"editor": {"tabs": 4, "theme": "dark"}}
    merged = api.config_.patch_api_config_section_name(
        section_name=section, body={"editor": {"tabs": 2, "theme": None}, "other": True}
    )
    assert merged == {"editor": {"tabs": 2}, "other": True}  # null removes a key
    assert api.config_.get_api_config_section_name(section_name=section) == merged
