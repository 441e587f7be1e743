"""What importing a generated client loads: the HTTP machinery and pydantic, nothing more.

Import time is a benchmark target (issue 8); this pins down *what* is loaded, so
a change that pulls the token machinery, logging, requests or httpx back into
every import fails here rather than only moving a number in a table.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from forgegen.pipeline import generate

SPEC = """
openapi: 3.0.3
info: {title: Footprint, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: get_thing
      tags: [things]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties: {id: {type: string}}
  /gadgets:
    get:
      operationId: list_gadgets
      tags: [things]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: array
                items: {$ref: "#/components/schemas/Gadget"}
components:
  schemas:
    Gadget:
      type: object
      properties: {name: {type: string}}
"""

NOT_LOADED = [
    "logging",
    "requests",
    "urllib3",
    "httpx",
    "openapi_pydantic",
    "footprint._runtime.storage",
    "footprint._runtime.schemes",
    "footprint._runtime.manager",
    "footprint._runtime.providers",
    "footprint._runtime.oidc",
    "footprint._runtime.pipeline",
    "footprint._runtime.async_api",
    "footprint._runtime.pagination",
    "footprint.api.things._resource",
]


def _run_probe(root: Path, probe: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=root,
    )
    return result.stdout.splitlines()


def test_importing_a_client_and_one_endpoint_loads_only_what_a_call_needs(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    generate(spec, tmp_path / "footprint", quiet=True, cache_dir=tmp_path / "cache")
    probe = (
        "import sys\n"
        "import footprint\n"
        "client = footprint.Client('http://127.0.0.1:9')\n"
        "import footprint.api.things.get_thing\n"
        "print('footprint._runtime.client' in sys.modules)\n"
        f"print(' '.join(m for m in {NOT_LOADED!r} if m in sys.modules))\n"
    )
    built, unexpected = [*_run_probe(tmp_path, probe), ""][:2]
    assert built == "True"  # the probe did build a client
    assert unexpected.split() == []


def test_a_resource_imports_an_operation_module_when_its_endpoint_is_first_reached(
    tmp_path: Path,
) -> None:
    """``client.things`` loads no operation module; ``client.things.get_thing`` loads one."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    generate(spec, tmp_path / "footprint", quiet=True, cache_dir=tmp_path / "cache")
    watched = [
        "footprint.api.things.get_thing",
        "footprint.api.things.list_gadgets",
        "footprint.models.gadget",
    ]
    loaded = f"' '.join(m for m in {watched!r} if m in sys.modules) or '-'"
    probe = (
        "import sys\n"
        "import footprint\n"
        "client = footprint.Client('http://127.0.0.1:9')\n"
        "resource = client.things\n"
        f"print({loaded})\n"
        "endpoint = resource.get_thing\n"
        f"print({loaded})\n"
        "print(endpoint.__doc__ is not None, type(resource).get_thing.__doc__ is not None)\n"
        "module = sys.modules['footprint.api.things.get_thing']\n"
        "print(client.things.get_thing._sync is module.sync)\n"
    )
    lines = _run_probe(tmp_path, probe)
    assert lines[0] == "-"
    assert lines[1] == "footprint.api.things.get_thing"
    assert lines[2] == "True True"  # the docstring arrives with the module
    assert lines[3] == "True"  # bound to the real function: no indirection per call
