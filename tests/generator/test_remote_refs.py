"""``--allow-remote-refs``: remote ``$ref`` targets fetched (bounded), over a loopback server.

Off by default, a remote ref is refused; allowed, it is fetched once per
generation, refs inside it resolve against its URL, and every failure names
the referencing place.  Nothing here leaves 127.0.0.1.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from forgegen.cli import main
from forgegen.diagnostics import SpecError
from forgegen.pipeline import generate
from forgegen.remote import fetch_document

from tests.support.server import LoopbackServer, Reply

PET = """
Pet:
  type: object
  required: [name]
  properties:
    name: {type: string}
    category: {$ref: "category.yaml#/Category"}
"""
CATEGORY = """
Category:
  type: object
  properties:
    label: {type: string}
"""


def _spec(tmp_path: Path, ref: str) -> Path:
    spec = tmp_path / "spec" / "api.yaml"
    spec.parent.mkdir(exist_ok=True)
    spec.write_text(textwrap.dedent(f"""
            openapi: 3.0.3
            info: {{title: Remote, version: "1"}}
            paths:
              /pet:
                get:
                  operationId: getPet
                  responses:
                    "200":
                      description: ok
                      content:
                        application/json:
                          schema: {{$ref: "{ref}"}}
              /pets:
                get:
                  operationId: listPets
                  responses:
                    "200":
                      description: ok
                      content:
                        application/json:
                          schema: {{type: array, items: {{$ref: "{ref}"}}}}
            """))
    return spec


def _serve(server: LoopbackServer) -> None:
    server.route("GET", "/schemas/pet.yaml", Reply(body=PET.encode()))
    server.route("GET", "/schemas/category.yaml", Reply(body=CATEGORY.encode()))


def test_remote_refs_are_fetched_once_and_nested_refs_follow_their_url(
    tmp_path: Path, server: LoopbackServer
) -> None:
    _serve(server)
    spec = _spec(tmp_path, f"{server.url}/schemas/pet.yaml#/Pet")
    result = generate(spec, tmp_path / "out" / "remote", quiet=True, allow_remote_refs=True)
    models = {path for path in result.files if path.startswith("models/")}
    assert "models/pet.py" in models
    assert "models/category.py" in models
    assert "label: str | None = None" in result.files["models/category.py"]
    assert [r.path for r in server.requests] == ["/schemas/pet.yaml", "/schemas/category.yaml"]


def test_remote_refs_are_refused_without_the_flag(tmp_path: Path, server: LoopbackServer) -> None:
    _serve(server)
    spec = _spec(tmp_path, f"{server.url}/schemas/pet.yaml#/Pet")
    with pytest.raises(SpecError, match="refused"):
        generate(spec, tmp_path / "out" / "remote", quiet=True)
    assert server.requests == []


def test_a_failed_fetch_names_the_referencing_place(tmp_path: Path, server: LoopbackServer) -> None:
    spec = _spec(tmp_path, f"{server.url}/schemas/missing.yaml#/Pet")
    with pytest.raises(SpecError) as caught:
        generate(spec, tmp_path / "out" / "remote", quiet=True, allow_remote_refs=True)
    message = str(caught.value)
    assert "the server answered 404" in message
    assert "api.yaml:" in message
    assert "#/paths/~1pet/get/responses/200/content/application~1json/schema" in message


def test_oversized_documents_are_refused(server: LoopbackServer) -> None:
    server.route("GET", "/big.yaml", Reply(body=b"a: " + b"x" * 5000))
    with pytest.raises(SpecError, match="larger than 1000 bytes"):
        fetch_document(f"{server.url}/big.yaml", max_bytes=1000)


def test_cli_flag(tmp_path: Path, server: LoopbackServer) -> None:
    _serve(server)
    spec = _spec(tmp_path, f"{server.url}/schemas/pet.yaml#/Pet")
    out = tmp_path / "out" / "remote"
    refused = CliRunner().invoke(main, [str(spec), "-o", str(out), "-q"])
    assert refused.exit_code == 1
    assert "--allow-remote-refs" in refused.output
    allowed = CliRunner().invoke(main, [str(spec), "-o", str(out), "-q", "--allow-remote-refs"])
    assert allowed.exit_code == 0, allowed.output
    assert (out / "models" / "category.py").is_file()
