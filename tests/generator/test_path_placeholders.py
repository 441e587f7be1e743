"""Path templates and declared path parameters that disagree (found in the WSO2 spec).

A placeholder no parameter declares becomes a required string parameter, and a
declared path parameter the template does not use is dropped -- each with a
warning naming its pointer -- so the URL is always built from real values and
no argument is silently ignored.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from forgegen.pipeline import generate

from tests.support.server import LoopbackServer, Reply

SPEC = """
openapi: 3.0.3
info: {title: Items, version: "1"}
paths:
  /items/{itemId}/parts/{part}:
    parameters:
      - {name: part, in: path, required: true, schema: {type: integer}}
      - {name: itemKey, in: path, required: true, schema: {type: string}}
    delete:
      operationId: deleteItemPart
      responses:
        "204": {description: gone}
"""

CALL = """
import sys, inspect
from items import Client
from items.api.default import delete_item_part
print(sorted(inspect.signature(delete_item_part.sync).parameters))
Client(base_url=sys.argv[1]).default.delete_item_part(item_id="a/b", part=3)
"""


def test_undeclared_placeholder_is_a_parameter_and_unused_one_is_dropped(
    tmp_path: Path, server: LoopbackServer
) -> None:
    spec = tmp_path / "spec" / "items.yaml"
    spec.parent.mkdir()
    spec.write_text(textwrap.dedent(SPEC))
    result = generate(spec, tmp_path / "out" / "items", quiet=True)
    messages = [str(w) for w in result.warnings]
    assert any(
        "path parameter 'itemKey' does not appear in the path" in m
        and "#/paths/~1items~1{itemId}~1parts~1{part}/parameters/1" in m
        for m in messages
    ), messages
    assert any("placeholder {itemId} that no parameter declares" in m for m in messages)

    server.route("DELETE", "/items/*", Reply(status=204))
    called = subprocess.run(
        [sys.executable, "-c", CALL, server.url],
        cwd=tmp_path / "out",
        capture_output=True,
        text=True,
        check=False,
    )
    assert called.returncode == 0, called.stderr[-2000:]
    assert "'item_id'" in called.stdout
    assert "item_key" not in called.stdout
    assert server.requests[0].path == "/items/a%2Fb/parts/3"


UNBALANCED = """
openapi: 3.0.3
info: {title: Odd, version: "1"}
paths:
  "/files/{name/raw":
    get:
      operationId: getRaw
      responses:
        "200": {description: ok}
  "/q/{id}}":
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: getQ
      responses:
        "200": {description: ok}
"""

CALL_UNBALANCED = """
import sys
from odd import Client
client = Client(base_url=sys.argv[1])
client.default.get_raw()
client.default.get_q(id="7")
"""


def test_an_unbalanced_brace_is_sent_as_written_with_a_warning(
    tmp_path: Path, server: LoopbackServer
) -> None:
    spec = tmp_path / "spec" / "odd.yaml"
    spec.parent.mkdir()
    spec.write_text(textwrap.dedent(UNBALANCED))
    result = generate(spec, tmp_path / "out" / "odd", quiet=True)
    messages = [str(w) for w in result.warnings]
    assert any(
        "has an unbalanced '{'" in m and "#/paths/~1files~1{name~1raw" in m for m in messages
    ), messages
    assert any("has an unbalanced '}'" in m and "#/paths/~1q~1{id}}" in m for m in messages)

    server.route("GET", "/*", Reply(status=200))
    called = subprocess.run(
        [sys.executable, "-W", "error", "-c", CALL_UNBALANCED, server.url],
        cwd=tmp_path / "out",
        capture_output=True,
        text=True,
        check=False,
    )
    assert called.returncode == 0, called.stderr[-2000:]
    assert [request.path for request in server.requests] == ["/files/%7Bname/raw", "/q/7%7D"]
