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
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=tmp_path,
    )
    built, unexpected = [*result.stdout.splitlines(), ""][:2]
    assert built == "True"  # the probe did build a client
    assert unexpected.split() == []
