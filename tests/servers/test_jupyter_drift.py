"""Jupyter Server's contents answers drift from its own Swagger 2.0 document, and still succeed.

The document declares ``format`` and ``content`` as required strings, and
Swagger 2.0 has no ``nullable``; the server answers ``null`` for them when it
creates or renames a file, and a list of models as the
``content`` of a directory.  With the tolerant default those calls return the
typed ``Contents`` (the drifting fields hold the JSON values), the places are
on the raw response, and ``strict_responses=True`` raises as it always did.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from tests.servers.conftest import JupyterServer
from tests.support.real_servers import GeneratedClient


@pytest.fixture
def api(jupyter: GeneratedClient, jupyter_server: JupyterServer) -> Iterator[Any]:
    with jupyter.Client(base_url=jupyter_server.url, headers=jupyter_server.auth_headers) as client:
        yield client


@pytest.fixture
def folder(jupyter_server: JupyterServer) -> str:
    """A fresh directory under the server's root (its API path)."""
    name = f"drift-{uuid.uuid4().hex[:10]}"
    (jupyter_server.root_dir / name).mkdir()
    return name


def test_creating_a_file_answers_nulls_in_required_strings_and_succeeds(
    jupyter: GeneratedClient, api: Any, jupyter_server: JupyterServer, folder: str
) -> None:
    models = jupyter.models
    created = api.contents.post_api_contents_path.with_raw_response(
        path=folder, body=models.PostApiContentsPathBody(type="file", ext=".txt")
    )
    assert created.status_code == 201
    contents = created.parsed
    assert isinstance(contents, models.Contents)
    assert contents.name == "untitled.txt"
    assert contents.path == f"{folder}/untitled.txt"
    assert contents.type is models.ContentsType.FILE  # typed: it validated
    assert contents.writable is True
    assert contents.mimetype == "text/plain"
    assert contents.content is None  # the server's nulls, kept as they came
    assert contents.format is None
    assert [deviation.pointer for deviation in created.raw.deviations] == ["/content", "/format"]
    assert (jupyter_server.root_dir / folder / "untitled.txt").is_file()


def test_listing_a_directory_keeps_its_content_list_raw(
    jupyter: GeneratedClient, api: Any, jupyter_server: JupyterServer, folder: str
) -> None:
    (jupyter_server.root_dir / folder / "a.txt").write_text("a")
    (jupyter_server.root_dir / folder / "b.txt").write_text("bb")
    listed = api.contents.get_api_contents_path.with_raw_response(path=folder)
    directory = listed.parsed
    assert directory.type is jupyter.models.ContentsType.DIRECTORY
    assert directory.name == folder
    assert sorted(entry["name"] for entry in directory.content) == ["a.txt", "b.txt"]
    assert "/content" in {deviation.pointer for deviation in listed.deviations}


def test_renaming_a_file_returns_the_moved_model(
    jupyter: GeneratedClient, api: Any, jupyter_server: JupyterServer, folder: str
) -> None:
    (jupyter_server.root_dir / folder / "old.txt").write_text("text")
    moved = api.contents.patch_api_contents_path(
        path=f"{folder}/old.txt",
        body=jupyter.models.PatchApiContentsPathBody(path=f"{folder}/new.txt"),
    )
    assert moved.path == f"{folder}/new.txt"
    assert moved.name == "new.txt"
    assert (jupyter_server.root_dir / folder / "new.txt").read_text() == "text"
    assert not (jupyter_server.root_dir / folder / "old.txt").exists()


def test_strict_responses_still_refuses_the_drift(
    jupyter: GeneratedClient, jupyter_server: JupyterServer, folder: str
) -> None:
    with (
        jupyter.Client(
            base_url=jupyter_server.url,
            headers=jupyter_server.auth_headers,
            strict_responses=True,
        ) as strict,
        pytest.raises(ValidationError),
    ):
        strict.contents.post_api_contents_path(
            path=folder, body=jupyter.models.PostApiContentsPathBody(type="file", ext=".txt")
        )
    # the server did create the file: only the reading of its answer failed
    assert (jupyter_server.root_dir / folder / "untitled.txt").is_file()
