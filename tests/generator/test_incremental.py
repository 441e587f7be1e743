"""Incremental regeneration: reused work must give the bytes a fresh generation gives.

Each test generates a real spec, edits it, regenerates with the snapshot of
the first run, and compares every file with a generation from scratch (own
cache directory) of the edited spec.  The snapshot's reuse is asserted too, so
a test cannot pass by quietly doing the full work.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from forgegen.diagnostics import pointer_tokens
from forgegen.incremental import SnapshotStore, structure_digest
from forgegen.loader import load_document
from forgegen.pipeline import GenerationResult, generate

from tests.support.corpus import CORPUS

SPOTIFY = CORPUS / "spotify-web-api-fixed-3.0.yaml"
GITHUB = CORPUS / "github-api.github.com.3.0.json"


@pytest.fixture(scope="module", autouse=True)
def _own_cache_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The caches here are sealed with a key of this module's, not the user's
    (module-wide: the ``spotify`` workspace outlives a test)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
        yield


#: Text that stresses every escaping path the prose can take (docstrings,
#: comments, Markdown, string literals).
AWKWARD = ' edited: """quotes""" \\ back\\slash {{ braces }} */ `tick` é\nsecond line\n'


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _get(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer_tokens(pointer):
        if isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                return None
            node = node[int(token)]
        elif isinstance(node, dict):
            if token not in node:
                return None
            node = node[token]
        else:
            return None
    return node


def _set(document: Any, pointer: str, value: Any) -> None:
    *parents, last = pointer_tokens(pointer)
    node = document
    for token in parents:
        node = node[int(token)] if isinstance(node, list) else node[token]
    node[last] = value


class Workspace:
    """A spec file (JSON), its output directory and a cache shared by its generations."""

    def __init__(self, root: Path, source: Path) -> None:
        self.root = root
        self.spec = root / "spec.json"
        self.document = load_document(source).data
        self.write(self.document)
        self.out = root / "out" / "client"
        self.cache = root / "cache"

    def write(self, document: Any) -> None:
        self.spec.write_text(json.dumps(document, indent=1), encoding="utf-8")
        self.document = document

    def generate(self) -> GenerationResult:
        return generate(self.spec, self.out, cache_dir=self.cache, quiet=True)

    def fresh(self, name: str) -> tuple[GenerationResult, dict[str, bytes]]:
        """A generation of the current spec with no snapshot and no caches."""
        out = self.root / name / "client"
        result = generate(self.spec, out, cache_dir=self.root / f"{name}-cache", quiet=True)
        return result, _tree(out)

    def prose_pointers(self) -> tuple[str, ...]:
        snapshot = SnapshotStore(self.cache, self.out, "client").load()
        assert snapshot.lowering is not None, "the first generation left no reusable lowering"
        return snapshot.lowering.pointers


def _assert_same_as_fresh(work: Workspace, result: GenerationResult, name: str) -> None:
    fresh, files = work.fresh(name)
    assert _tree(work.out) == files
    assert [str(w) for w in result.warnings] == [str(w) for w in fresh.warnings]


@pytest.fixture(scope="module")
def spotify(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    work = Workspace(tmp_path_factory.mktemp("spotify"), SPOTIFY)
    first = work.generate()
    assert first.incremental.lowering == "lowered"
    return work


def _edit_all_prose(work: Workspace) -> int:
    """Append :data:`AWKWARD` to every prose text of the lowering; how many were edited."""
    edited = copy.deepcopy(work.document)
    touched = 0
    for pointer in work.prose_pointers():
        value = _get(edited, pointer)
        if isinstance(value, str):
            _set(edited, pointer, value + AWKWARD)
            touched += 1
    work.write(edited)
    return touched


def test_every_prose_edit_reuses_the_lowering_and_matches_a_fresh_generation(
    spotify: Workspace,
) -> None:
    touched = _edit_all_prose(spotify)
    assert touched > 100  # operations, parameters, responses, models, fields, tags, info
    result = spotify.generate()
    assert result.incremental.lowering == f"reused, {touched} prose change(s)"
    _assert_same_as_fresh(spotify, result, "fresh-prose")


@pytest.mark.parametrize(
    "name",
    [
        "github-api.github.com.3.0.json",
        "openapi-python-client-baseline_openapi_3.0.json",
        "openapi-python-client-baseline_openapi_3.1.yaml",
        "oai-uspto-3.0.yaml",
        "swagger-petstore3-openapi.yaml",
        "wso2-apim-service-catalog-api-3.0.yaml",
        "oai-petstore-expanded-swagger2.0.json",
    ],
)
def test_all_prose_of_a_corpus_spec_edited_at_once(name: str, tmp_path: Path) -> None:
    work = Workspace(tmp_path, CORPUS / name)
    work.generate()
    touched = _edit_all_prose(work)
    assert touched > 0
    result = work.generate()
    assert result.incremental.lowering == f"reused, {touched} prose change(s)"
    _assert_same_as_fresh(work, result, "fresh")


def test_a_structural_edit_lowers_again_and_reuses_unchanged_modules(spotify: Workspace) -> None:
    edited = copy.deepcopy(spotify.document)
    schemas = edited["components"]["schemas"]
    name = next(n for n, s in schemas.items() if isinstance(s.get("properties"), dict))
    schemas[name]["properties"]["forgegen_added"] = {"type": "integer", "description": "new"}
    spotify.write(edited)
    result = spotify.generate()
    assert result.incremental.lowering == "lowered"
    assert result.incremental.units_reused > 0
    assert result.incremental.units_rendered > 0
    _assert_same_as_fresh(spotify, result, "fresh-structure")


def test_removing_a_description_is_a_structural_edit(spotify: Workspace) -> None:
    pointer = next(p for p in spotify.prose_pointers() if p.startswith("#/paths/"))
    edited = copy.deepcopy(spotify.document)
    *parent, key = pointer_tokens(pointer)
    node = _get(edited, "#/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in parent))
    del node[key]
    spotify.write(edited)
    result = spotify.generate()
    assert result.incremental.lowering == "lowered"
    _assert_same_as_fresh(spotify, result, "fresh-removed")


def test_an_unchanged_spec_reuses_everything(spotify: Workspace) -> None:
    spotify.generate()
    result = spotify.generate()
    assert result.incremental.lowering == "reused, 0 prose change(s)"
    assert result.incremental.units_rendered == 0
    assert not result.changes.changed


def test_prose_that_normalising_moved_is_found_and_substituted(tmp_path: Path) -> None:
    """GitHub's ``PATCH /gists/{gist_id}`` body is a nullable schema with ``anyOf``:
    normalising wraps it in another ``anyOf``, so ``lower`` reads its property
    descriptions one level deeper than the pointer it names."""
    document = json.loads(GITHUB.read_text(encoding="utf-8"))
    body = "#/paths/~1gists~1{gist_id}/patch/requestBody/content/application~1json/schema"
    keep = {"/gists/{gist_id}": {"patch": document["paths"]["/gists/{gist_id}"]["patch"]}}
    document["paths"] = keep
    source = tmp_path / "gists.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    work = Workspace(tmp_path, source)
    work.generate()
    moved = f"{body}/anyOf/0/properties/files/description"
    assert moved in work.prose_pointers()
    edited = copy.deepcopy(work.document)
    _set(edited, f"{body}/properties/files/description", "Files, edited" + AWKWARD)
    work.write(edited)
    result = work.generate()
    assert result.incremental.lowering == "reused, 1 prose change(s)"
    _assert_same_as_fresh(work, result, "fresh")
    assert any(b"Files, edited" in text for text in _tree(work.out).values())


def test_warnings_of_a_reused_lowering_are_reported_again(tmp_path: Path) -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1", "description": "first"},
        "paths": {
            "/blob": {
                "get": {
                    "operationId": "getBlob",
                    "summary": "a blob",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/x-odd": {"schema": {"type": "string"}}},
                        }
                    },
                }
            }
        },
    }
    source = tmp_path / "odd.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    work = Workspace(tmp_path, source)
    first = work.generate()
    assert first.warnings
    edited = copy.deepcopy(work.document)
    edited["paths"]["/blob"]["get"]["summary"] = "a blob, edited"
    work.write(edited)
    result = work.generate()
    assert result.incremental.lowering == "reused, 1 prose change(s)"
    assert [str(w) for w in result.warnings] == [str(w) for w in first.warnings]
    _assert_same_as_fresh(work, result, "fresh")


def test_render_keys_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """Sets pickle in hash order; the render memo must hit in another process."""
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(SPOTIFY.read_bytes())
    script = (
        "import sys; from forgegen.pipeline import generate\n"
        "r = generate(sys.argv[1], sys.argv[2], cache_dir=sys.argv[3], quiet=True)\n"
        "print(r.incremental.units_reused, r.incremental.units_rendered)\n"
    )
    counts = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                script,
                str(spec),
                str(tmp_path / "out" / "client"),
                str(tmp_path / "c"),
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        counts.append(tuple(int(n) for n in done.stdout.split()))
    (reused_first, rendered_first), (reused_second, rendered_second) = counts
    assert reused_first == 0
    assert rendered_first > 50
    assert (reused_second, rendered_second) == (rendered_first, 0)


def test_a_tampered_snapshot_is_ignored_and_runs_nothing(tmp_path: Path) -> None:
    source = tmp_path / "s.yaml"
    source.write_bytes(SPOTIFY.read_bytes())
    work = Workspace(tmp_path, source)
    work.generate()
    store = SnapshotStore(work.cache, work.out, "client")
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self) -> tuple[Any, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    store.path.write_bytes(pickle.dumps({"fingerprint": Payload(), "units": {}}))
    result = work.generate()
    assert not marker.exists()
    assert result.incremental.lowering == "lowered"
    assert any("regeneration snapshot with no seal" in note for note in result.notes)
    store.path.write_bytes(b"not a pickle")
    assert work.generate().incremental.lowering == "lowered"


def test_structure_digest_restores_the_document_and_refuses_non_strings() -> None:
    document = {
        "info": {"description": "x", "title": "t"},
        "tags": [{"name": "a", "description": "d"}],
    }
    before = copy.deepcopy(document)
    first = structure_digest(document, ["#/info/description", "#/tags/0/description"])
    assert document == before
    assert first is not None
    assert first[1] == ["x", "d"]
    document["info"]["description"] = "changed"
    second = structure_digest(document, ["#/info/description", "#/tags/0/description"])
    assert second is not None
    assert second[0] == first[0]
    document["info"]["title"] = "changed"
    third = structure_digest(document, ["#/info/description", "#/tags/0/description"])
    assert third is not None
    assert third[0] != first[0]
    assert structure_digest(document, ["#/info/title/x"]) is None
    assert structure_digest(document, ["#/tags/5/description"]) is None
    document["info"]["description"] = 3
    assert structure_digest(document, ["#/info/description"]) is None
    assert document["info"]["description"] == 3
