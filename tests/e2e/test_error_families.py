"""Every 4xx/5xx error of a generated client is caught by its status class.

A spec may declare an operation's errors only as ``default`` or as ``4XX`` (Kinto's
document does): the 404 it then raises must still be an ``except NotFoundError``
of the package, and still carry its body parsed as declared.  Over a loopback
server, through a client generated from such a spec.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.support.server import LoopbackServer, Reply

SPEC = """
openapi: 3.0.3
info: {title: Records, version: "1"}
paths:
  /records/{id}:
    get:
      operationId: getRecord
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: the record
          content: {application/json: {schema: {type: object}}}
        default:
          description: any error
          content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}
  /things/{id}:
    get:
      operationId: getThing
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok}
        4XX:
          description: a client error
          content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}
components:
  schemas:
    Problem:
      type: object
      properties: {errno: {type: integer}, message: {type: string}}
"""


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    from forgegen.pipeline import generate

    root = tmp_path_factory.mktemp("records")
    spec = root / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    generate(spec, root / "records", quiet=True, cache_dir=root / "cache")
    sys.path.insert(0, str(root))
    try:
        import records

        yield records
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "records" or m.startswith("records.")]:
            del sys.modules[name]


@pytest.mark.parametrize(
    ("status", "family"),
    [
        (404, "NotFoundError"),
        (401, "UnauthorizedError"),
        (403, "PermissionDeniedError"),
        (429, "RateLimitError"),
        (500, "ServerError"),
    ],
)
def test_a_default_only_error_is_caught_by_its_status_class(
    records: ModuleType, server: LoopbackServer, status: int, family: str
) -> None:
    from records.api.default.get_record import GetRecordDefaultError
    from records.models import Problem

    server.route(
        "GET", "/records/r1", Reply.json({"errno": 111, "message": "missing"}, status=status)
    )
    with (
        records.Client(base_url=server.url) as client,
        pytest.raises(getattr(records, family)) as caught,
    ):
        client.default.get_record(id="r1")
    error = caught.value
    assert isinstance(error, GetRecordDefaultError)
    assert isinstance(error, records.ApiError)
    assert error.status_code == status
    assert error.parsed == Problem(errno=111, message="missing")


def test_a_range_error_is_caught_by_its_status_class(
    records: ModuleType, server: LoopbackServer
) -> None:
    from records.api.default.get_thing import GetThingClientError

    server.route("GET", "/things/t1", Reply.json({"errno": 110, "message": "gone"}, status=404))
    with (
        records.Client(base_url=server.url) as client,
        pytest.raises(records.NotFoundError) as caught,
    ):
        client.default.get_thing(id="t1")
    assert isinstance(caught.value, GetThingClientError)
    assert caught.value.parsed is not None
    assert caught.value.parsed.message == "gone"
