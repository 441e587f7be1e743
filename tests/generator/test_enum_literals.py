"""Enum inputs take the spec's plain values as well as members, and still parse into members.

A parameter or model field typed ``Status`` alone made ``status="available"``
a type error under ``mypy --strict`` and gave IDEs no values to offer.  Inputs
are typed ``Status | Literal["available", ...]`` instead (arrays and nullable
enums included), so a listed value type-checks and an unlisted one does not.
These tests generate a client from a small spec, judge a user program with
``mypy --strict``, and send both forms to a loopback server: the query string
and the JSON body on the wire must be the same for a member and for its value,
and responses must still hold enum members (open enums unchanged).
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest
from pydantic import ValidationError

from tests.support.server import LoopbackServer, Reply

#: More values than ``MAX_INPUT_LITERAL_VALUES``: such an enum keeps the class alone.
HUGE = [f"c{index:03d}" for index in range(300)]

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Enums", "version": "1"},
    "paths": {
        "/pets": {
            "get": {
                "operationId": "find_pets",
                "tags": ["pets"],
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "required": True,
                        "schema": {"$ref": "#/components/schemas/Status"},
                    },
                    {
                        "name": "tags",
                        "in": "query",
                        "schema": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Status"},
                        },
                    },
                    {
                        "name": "priority",
                        "in": "query",
                        "schema": {"$ref": "#/components/schemas/Rank"},
                    },
                    {
                        "name": "mood",
                        "in": "query",
                        "schema": {"type": ["string", "null"], "enum": ["calm", "angry", None]},
                    },
                    {
                        "name": "country",
                        "in": "query",
                        "schema": {"$ref": "#/components/schemas/Country"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Pet"},
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "create_pet",
                "tags": ["pets"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                    },
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                        },
                    }
                },
            },
        },
        "/statuses": {
            "get": {
                "operationId": "list_statuses",
                "tags": ["pets"],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Status"},
                                }
                            }
                        },
                    }
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Status": {"type": "string", "enum": ["available", "pending", "sold"]},
            "Rank": {"type": "integer", "enum": [1, 2, 3]},
            "Ratio": {"type": "number", "enum": [0.5, 1.5]},
            "Country": {"type": "string", "enum": HUGE},
            "Pet": {
                "type": "object",
                "required": ["name", "status"],
                "properties": {
                    "name": {"type": "string"},
                    "status": {"$ref": "#/components/schemas/Status"},
                    "history": {"type": "array", "items": {"$ref": "#/components/schemas/Status"}},
                    "previous": {
                        "anyOf": [{"$ref": "#/components/schemas/Status"}, {"type": "null"}]
                    },
                    "rank": {"$ref": "#/components/schemas/Rank"},
                    "ratio": {"$ref": "#/components/schemas/Ratio"},
                    "country": {"$ref": "#/components/schemas/Country"},
                    "by_owner": {
                        "type": "object",
                        "additionalProperties": {"$ref": "#/components/schemas/Status"},
                    },
                    "either": {
                        "anyOf": [{"$ref": "#/components/schemas/Status"}, {"const": "Status"}]
                    },
                },
            },
        }
    },
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The ``enums`` package generated into a temp dir (its parent is yielded), importable."""
    from forgegen.pipeline import generate

    root = tmp_path_factory.mktemp("enum_literals")
    spec = root / "spec.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    generate(spec, root / "enums", quiet=True, cache_dir=root / "cache")
    sys.path.insert(0, str(root))
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "enums" or m.startswith("enums.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def enums(generated: Path) -> ModuleType:
    return importlib.import_module("enums")


def _models() -> Any:
    """The generated ``enums.models`` (its lazy exports): it exists only once generated."""
    return importlib.import_module("enums.models")


def _signature_line(source: str, name: str) -> str:
    """The annotation of ``name`` in ``build_request``'s signature (black may wrap it)."""
    head = source.split("def build_request(", 1)[1].split(") -> HttpRequest:", 1)[0]
    match = re.search(rf"\n    {name}: (.*?) = ", head, re.S)
    assert match is not None, head
    return " ".join(match.group(1).replace("(", " ").replace(")", " ").split())


def test_inputs_are_typed_as_the_enum_or_its_values(generated: Path) -> None:
    """The annotations as generated: enum first, then its values; floats and huge enums alone."""
    operation = (generated / "enums/api/pets/find_pets.py").read_text(encoding="utf-8")
    assert '    status: Status | Literal["available", "pending", "sold"],\n' in operation
    assert _signature_line(operation, "tags") == (
        'list[Status | Literal["available", "pending", "sold"]] | None'
    )
    assert _signature_line(operation, "priority") == "Rank | Literal[1, 2, 3] | None"
    assert _signature_line(operation, "mood") == ('FindPetsMood | Literal["calm", "angry"] | None')
    assert _signature_line(operation, "country") == "Country | None"
    model = (generated / "enums/models/pet.py").read_text(encoding="utf-8")
    fields = {
        line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip()
        for line in model.splitlines()
        if re.match(r"    [a-z_]+: ", line)
    }
    assert fields["status"] == 'Status | Literal["available", "pending", "sold"]'
    assert (
        fields["history"] == 'list[Status | Literal["available", "pending", "sold"]] | None = None'
    )
    assert fields["previous"] == 'Status | Literal["available", "pending", "sold"] | None = None'
    assert fields["rank"] == "Rank | Literal[1, 2, 3] | None = None"
    assert fields["ratio"] == "Ratio | None = None"
    assert fields["country"] == "Country | None = None"
    assert fields["by_owner"] == (
        'dict[str, Status | Literal["available", "pending", "sold"]] | None = None'
    )
    # a name inside a string literal is a value, not the class: left as it is
    assert fields["either"] == (
        'Status | Literal["available", "pending", "sold"] | Literal["Status"] | None = None'
    )
    # responses keep their readable types
    statuses = (generated / "enums/api/pets/list_statuses.py").read_text(encoding="utf-8")
    assert "def sync(\n    client: ApiClient,\n    *,\n    headers" in statuses
    assert ") -> list[Status]:" in statuses
    assert "Literal" not in statuses


USER_CODE = """
from enums import Client
from enums.models.country import Country
from enums.models.pet import Pet
from enums.models.rank import Rank
from enums.models.status import Status

client = Client(base_url="http://127.0.0.1:1")


def good() -> Pet:
    client.pets.find_pets(status="available", tags=["sold", Status.PENDING], priority=2)
    client.pets.find_pets(status=Status.SOLD, priority=Rank.VALUE_3, mood="calm")
    client.pets.find_pets(status="sold", mood=None, country=Country.C001)
    pet = Pet(name="rex", status="pending", history=["sold", Status.AVAILABLE], rank=3)
    Pet(name="rex", status="sold", previous=None, by_owner={"ann": "sold"}, either="Status")
    Pet(name="rex", status=Status.PENDING, previous="sold")
    listed: list[Status] = client.pets.list_statuses()
    del listed
    return client.pets.create_pet(body=pet)


def mistakes() -> None:
    client.pets.find_pets(status="adopted")  # MISTAKE
    client.pets.find_pets(status="available", tags=["adopted"])  # MISTAKE
    client.pets.find_pets(status="available", priority=7)  # MISTAKE
    client.pets.find_pets(status="available", mood="sad")  # MISTAKE
    client.pets.find_pets(status="available", country="c001")  # MISTAKE
    Pet(name="rex", status="adopted")  # MISTAKE
    Pet(name="rex", status="sold", rank=4)  # MISTAKE
    Pet(name="rex", status="sold", history=["adopted"])  # MISTAKE
    Pet(name="rex", status="sold", by_owner={"ann": "adopted"})  # MISTAKE
"""


def test_plain_values_type_check_and_unlisted_ones_do_not(generated: Path, tmp_path: Path) -> None:
    """One ``mypy --strict`` run: errors exactly on the lines marked MISTAKE, nowhere else.

    That also holds the generated modules to ``--strict`` (mypy follows the
    imports), with their ``Literal`` annotations.  The vendored ``_runtime``
    is the runtime's own code, judged by its own checks, so it is left out.
    """
    source = textwrap.dedent(USER_CODE)
    script = generated / "use_enums.py"
    script.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "mypy"),
            str(script),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=generated,
    )
    expected = {
        number for number, line in enumerate(source.splitlines(), start=1) if "# MISTAKE" in line
    }
    errors = [
        line
        for line in result.stdout.splitlines()
        if ": error:" in line and not line.startswith("enums/_runtime/")
    ]
    reported = {int(line.split(":")[1]) for line in errors if line.startswith("use_enums.py:")}
    assert all(line.startswith("use_enums.py:") for line in errors), result.stdout
    assert reported == expected, result.stdout + result.stderr
    assert len(expected) == 9


def _pet_reply(server: LoopbackServer) -> None:
    pet = {"name": "rex", "status": "sold", "history": ["pending", "lost"], "previous": None}
    server.route("GET", "/pets", Reply.json([{**pet, "rank": 2, "ratio": 1.5, "country": "c007"}]))
    server.route("POST", "/pets", lambda request: Reply.json(request.json()))
    server.route("GET", "/statuses", Reply.json(["available", "adopted"]))


def test_a_member_and_its_value_send_the_same_query(
    enums: ModuleType, server: LoopbackServer
) -> None:
    models = _models()
    _pet_reply(server)
    with enums.Client(base_url=server.url) as client:
        plain = client.pets.find_pets.with_raw_response(
            status="available", tags=["sold", "pending"], priority=2, mood="calm", country="c001"
        )
        members = client.pets.find_pets.with_raw_response(
            status=models.Status.AVAILABLE,
            tags=[models.Status.SOLD, models.Status.PENDING],
            priority=models.Rank.VALUE_2,
            mood=models.FindPetsMood.CALM,
            country=models.Country.C001,
        )
        mixed = client.pets.find_pets.with_raw_response(
            status="available",
            tags=[models.Status.SOLD, "pending"],
            priority=models.Rank.VALUE_2,
            mood="calm",
            country=models.Country.C001,
        )
    sent = "status=available&tags=sold&tags=pending&priority=2&mood=calm&country=c001"
    for response in (plain, members, mixed):
        assert urlsplit(response.raw.url).query == sent
    received = {
        "status": ["available"],
        "tags": ["sold", "pending"],
        "priority": ["2"],
        "mood": ["calm"],
        "country": ["c001"],
    }
    assert [request.query for request in server.requests] == [received] * 3


def test_a_member_and_its_value_send_the_same_body(
    enums: ModuleType, server: LoopbackServer
) -> None:
    models = _models()
    _pet_reply(server)
    plain = models.Pet(
        name="rex", status="pending", history=["sold", "available"], rank=3, previous="sold"
    )
    members = models.Pet(
        name="rex",
        status=models.Status.PENDING,
        history=[models.Status.SOLD, models.Status.AVAILABLE],
        rank=models.Rank.VALUE_3,
        previous=models.Status.SOLD,
    )
    # a model built from plain values holds members, as one parsed from JSON does
    assert plain.status is models.Status.PENDING
    assert plain.history == [models.Status.SOLD, models.Status.AVAILABLE]
    assert all(type(item) is models.Status for item in plain.history or [])
    assert plain.rank is models.Rank.VALUE_3
    assert plain.previous is models.Status.SOLD
    with enums.Client(base_url=server.url) as client:
        echoed = [client.pets.create_pet(body=body) for body in (plain, members)]
    bodies = [request.body for request in server.requests]
    assert bodies[0] == bodies[1]
    assert json.loads(bodies[0]) == {
        "name": "rex",
        "status": "pending",
        "history": ["sold", "available"],
        "rank": 3,
        "previous": "sold",
    }
    for pet in echoed:
        assert pet.status is models.Status.PENDING
        assert pet.rank is models.Rank.VALUE_3


def test_responses_still_hold_enum_members(enums: ModuleType, server: LoopbackServer) -> None:
    """Parsed values are members, unknown ones open pseudo-members; nothing is a bare string."""
    models = _models()
    _pet_reply(server)
    with enums.Client(base_url=server.url) as client:
        (pet,) = client.pets.find_pets(status="sold")
        statuses = client.pets.list_statuses()
    assert pet.status is models.Status.SOLD
    history: list[Any] = list(pet.history or [])
    assert [type(item) for item in history] == [models.Status, models.Status]
    assert history[0] is models.Status.PENDING
    assert history[1] == "lost"
    assert not history[1].is_known
    assert pet.previous is None
    assert pet.rank is models.Rank.VALUE_2
    assert pet.ratio is models.Ratio.VALUE_1_5
    assert pet.country is models.Country.C007
    assert statuses[0] is models.Status.AVAILABLE
    assert type(statuses[1]) is models.Status
    assert not statuses[1].is_known
    assert pet.model_dump(mode="json", exclude_unset=True)["history"] == ["pending", "lost"]


def test_a_wrong_value_type_is_still_refused(enums: ModuleType) -> None:
    """The values' ``Literal`` does not widen what validation accepts: ``1`` is no string."""
    models = _models()
    with pytest.raises(ValidationError) as raised:
        models.Pet.model_validate({"name": "rex", "status": 1})
    assert raised.value.errors()[0]["type"] == "enum"
