"""OpenAPI Overlays: a user's repeatable fixes to a spec they cannot edit.

Each test runs the command line (as users do) on a small spec and an overlay
file, then reads the generated package or imports it: what an action updates,
appends or removes must show in the client, an overlay that cannot be applied
must be refused naming the overlay file and action, and a changed overlay must
make ``--check`` report the output stale.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.cli import run_forgegen, tree_digests
from tests.support.server import LoopbackServer, Reply

SPEC = """
openapi: 3.0.3
info: {title: Shop, version: "1", description: Sells things.}
tags:
  - {name: items}
paths:
  /items:
    get:
      operationId: listItems
      tags: [items]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Item"}}
  /admin/reset:
    post:
      operationId: resetEverything
      tags: [items]
      responses:
        "204": {description: done}
components:
  schemas:
    Item:
      type: object
      required: [id]
      properties:
        id: {type: integer}
"""

# A vendor-style document that does not generate as published: a discriminator
# mapping names a schema that does not exist, and an operation's description
# is a $ref object instead of a string.
BROKEN_VENDOR = """
openapi: 3.0.3
info: {title: Vendor, version: "1"}
paths:
  /events/latest:
    get:
      operationId: latestEvent
      description: {$ref: "#/components/schemas/Nothing"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Event"}
components:
  schemas:
    Event:
      oneOf:
        - $ref: "#/components/schemas/Created"
        - $ref: "#/components/schemas/Deleted"
      discriminator:
        propertyName: type
        mapping:
          created: "#/components/schemas/Created"
          deleted: "#/components/schemas/Deleted"
          archived: "#/components/schemas/Archived"
    Created:
      type: object
      required: [type, id]
      properties: {type: {type: string}, id: {type: string}}
    Deleted:
      type: object
      required: [type]
      properties: {type: {type: string}}
"""

REPAIR = """
overlay: 1.0.0
info: {title: Repairs for the vendor document, version: "1"}
actions:
  - target: $.components.schemas.Event.discriminator.mapping.archived
    remove: true
  - target: $.paths['/events/latest'].get
    update: {description: The most recent event.}
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_update_append_and_remove_shape_the_client(tmp_path: Path) -> None:
    spec = _write(tmp_path / "spec" / "shop.yaml", SPEC)
    overlay = _write(
        tmp_path / "fixes.yaml",
        """
        overlay: 1.0.0
        info: {title: Shop fixes, version: "1"}
        actions:
          - target: $.info.title
            update: Shop API
          - target: $.info
            update: {description: "Sells things, typed."}
          - target: $.tags
            update: {name: extra, description: Added by the overlay.}
          - target: $.paths['/admin/reset']
            remove: true
          - target: $.components.schemas.Item.properties
            update: {name: {type: string, description: The item's name.}}
        """,
    )
    code, stderr = run_forgegen(tmp_path, str(spec), "-o", "out/shop", "--overlay", str(overlay))
    assert code == 0, stderr
    package = tmp_path / "out" / "shop"
    readme = (package / "README.md").read_text(encoding="utf-8")
    assert "Shop API" in readme
    assert "Sells things, typed." in readme
    items = (package / "api" / "items").iterdir()
    modules = {path.name for path in items}
    assert "list_items.py" in modules
    assert "reset_everything.py" not in modules
    model = (package / "models" / "item.py").read_text(encoding="utf-8")
    assert "name: str | None" in model
    assert "The item's name." in model
    recorded = json.loads((package / ".forgegen.json").read_text(encoding="utf-8"))
    assert recorded["options"]["overlays"] == [
        {"file": "fixes.yaml", "sha256": hashlib.sha256(overlay.read_bytes()).hexdigest()}
    ]


def test_overlays_apply_in_order(tmp_path: Path) -> None:
    spec = _write(tmp_path / "spec" / "shop.yaml", SPEC)
    first = _write(
        tmp_path / "first.yaml",
        """
        overlay: 1.0.0
        info: {title: first, version: "1"}
        actions:
          - {target: $.info.title, update: First}
        """,
    )
    second = _write(
        tmp_path / "second.yaml",
        """
        overlay: 1.0.0
        info: {title: second, version: "1"}
        actions:
          - {target: "$[?@.title == 'First']", update: {title: Second saw First}}
        """,
    )
    arguments = [str(spec), "-o", "out/shop", "--overlay", str(first), "--overlay", str(second)]
    code, stderr = run_forgegen(tmp_path, *arguments)
    assert code == 0, stderr
    readme = (tmp_path / "out" / "shop" / "README.md").read_text(encoding="utf-8")
    assert "Second saw First" in readme


def test_a_target_that_selects_nothing_is_a_warning_naming_the_action(tmp_path: Path) -> None:
    spec = _write(tmp_path / "spec" / "shop.yaml", SPEC)
    overlay = _write(
        tmp_path / "stale.yaml",
        """
        overlay: 1.0.0
        info: {title: stale, version: "1"}
        actions:
          - {target: $.info.title, update: Shop}
          - {target: $.components.schemas.Gone, remove: true}
        """,
    )
    code, stderr = run_forgegen(tmp_path, str(spec), "-o", "out/shop", "--overlay", str(overlay))
    assert code == 0, stderr
    assert "stale.yaml #/actions/1: overlay action 1: target" in stderr
    assert "selects nothing" in stderr


def test_a_broken_overlay_is_refused_naming_its_file_and_action(tmp_path: Path) -> None:
    spec = _write(tmp_path / "spec" / "shop.yaml", SPEC)
    assert run_forgegen(tmp_path, str(spec), "-o", "out/shop")[0] == 0
    before = tree_digests(tmp_path / "out" / "shop")
    cases = {
        "bad-path.yaml": (
            'overlay: 1.0.0\ninfo: {title: t, version: "1"}\nactions:\n'
            "  - {target: $.info.title, update: x}\n  - {target: '$.paths[', update: {}}\n",
            "bad-path.yaml:5 #/actions/1: overlay action 1: invalid JSONPath '$.paths['",
        ),
        "no-verb.yaml": (
            'overlay: 1.0.0\ninfo: {title: t, version: "1"}\nactions:\n  - {target: $.info}\n',
            "no-verb.yaml:4 #/actions/0: overlay action 0 has neither 'update' nor 'remove: true'",
        ),
        "version.yaml": (
            'overlay: 2.0.0\ninfo: {title: t, version: "1"}\nactions: []\n',
            "version.yaml:1 #/overlay: not an Overlay 1.0 document",
        ),
        "whole.yaml": (
            'overlay: 1.0.0\ninfo: {title: t, version: "1"}\nactions:\n'
            "  - {target: $, remove: true}\n",
            "whole.yaml:4 #/actions/0: overlay action 0 removes the whole document",
        ),
    }
    for name, (text, expected) in cases.items():
        overlay = _write(tmp_path / name, text)
        code, stderr = run_forgegen(
            tmp_path, str(spec), "-o", "out/shop", "--overlay", str(overlay)
        )
        assert code == 1, (name, stderr)
        assert expected in stderr, (name, stderr)
        assert "Traceback" not in stderr
        assert tree_digests(tmp_path / "out" / "shop") == before


def test_check_reports_stale_output_when_an_overlay_changes(tmp_path: Path) -> None:
    spec = _write(tmp_path / "spec" / "shop.yaml", SPEC)
    overlay = _write(
        tmp_path / "fixes.yaml",
        'overlay: 1.0.0\ninfo: {title: f, version: "1"}\nactions:\n'
        "  - {target: $.info.title, update: Shop one}\n",
    )
    arguments = [str(spec), "-o", "out/shop", "--overlay", str(overlay)]
    assert run_forgegen(tmp_path, *arguments)[0] == 0
    assert run_forgegen(tmp_path, *arguments, "--check")[0] == 0
    overlay.write_text(overlay.read_text().replace("Shop one", "Shop two"), encoding="utf-8")
    code, stderr = run_forgegen(tmp_path, *arguments, "--check")
    assert code == 1
    assert ".forgegen.json" in stderr
    assert "README.md" in stderr
    # Without the overlay the output is stale too: it was generated with one.
    assert run_forgegen(tmp_path, str(spec), "-o", "out/shop")[0] == 0
    code, _ = run_forgegen(
        tmp_path, str(spec), "-o", "out/shop", "--overlay", str(overlay), "--check"
    )
    assert code == 1


def test_the_project_config_names_overlays_relative_to_itself(tmp_path: Path) -> None:
    spec = _write(tmp_path / "spec" / "shop.yaml", SPEC)
    _write(
        tmp_path / "overlays" / "title.yaml",
        'overlay: 1.0.0\ninfo: {title: f, version: "1"}\nactions:\n'
        "  - {target: $.info.title, update: From the config}\n",
    )
    _write(tmp_path / "pyproject.toml", '[tool.forgegen]\noverlays = ["overlays/title.yaml"]\n')
    code, stderr = run_forgegen(tmp_path, str(spec), "-o", "out/shop")
    assert code == 0, stderr
    readme = (tmp_path / "out" / "shop" / "README.md").read_text(encoding="utf-8")
    assert "From the config" in readme
    _write(tmp_path / "pyproject.toml", '[tool.forgegen]\noverlays = "overlays/title.yaml"\n')
    code, stderr = run_forgegen(tmp_path, str(spec), "-o", "out/shop")
    assert code == 2
    assert "overlays must be a list of file paths" in stderr


def test_an_overlay_repairs_a_vendor_document_that_does_not_generate(
    tmp_path: Path, server: LoopbackServer
) -> None:
    spec = _write(tmp_path / "spec" / "vendor.yaml", BROKEN_VENDOR)
    # As published it generates only by degrading both places, and --strict refuses it.
    code, stderr = run_forgegen(tmp_path, str(spec), "-o", "out/vendor")
    assert code == 0, stderr
    assert "#/components/schemas/Event/discriminator/mapping/archived" in stderr
    assert "#/paths/~1events~1latest/get/description" in stderr
    assert run_forgegen(tmp_path, str(spec), "-o", "out/vendor", "--strict")[0] == 1

    overlay = _write(tmp_path / "repair.yaml", REPAIR)
    code, stderr = run_forgegen(
        tmp_path, str(spec), "-o", "out/vendor", "--overlay", str(overlay), "--strict"
    )
    assert code == 0, stderr
    assert "warning" not in stderr

    server.route(
        "GET",
        "/events/latest",
        Reply(
            status=200,
            body=b'{"type": "created", "id": "e1"}',
            headers={"Content-Type": "application/json"},
        ),
    )
    program = (
        "import sys\n"
        "from vendor import Client\n"
        "from vendor.api.default import latest_event\n"
        "event = Client(base_url=sys.argv[1]).default.latest_event()\n"
        "print(type(event).__name__, event.id)\n"
        "print(latest_event.sync.__doc__.splitlines()[0])\n"
    )
    called = subprocess.run(
        [sys.executable, "-W", "error", "-c", program, server.url],
        cwd=tmp_path / "out",
        capture_output=True,
        text=True,
        check=False,
    )
    assert called.returncode == 0, called.stderr[-2000:]
    assert called.stdout.splitlines() == ["Created e1", "The most recent event."]
