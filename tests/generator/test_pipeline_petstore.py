"""The real pipeline on the petstore spec: generate, import, call a loopback server."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from forgegen.pipeline import UsageError, generate, package_name_for

from tests.support.corpus import CORPUS
from tests.support.server import LoopbackServer, Reply

PETSTORE = CORPUS / "swagger-petstore3-openapi.yaml"


@pytest.fixture(scope="module")
def petstore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("petstore") / "petstore"
    progress = io.StringIO()
    result = generate(PETSTORE, out, cache_dir=tmp_path_factory.mktemp("cache"), progress=progress)
    assert result.package_name == "petstore"
    assert not result.stale or result.changes.added
    assert "forgegen: render" in progress.getvalue()
    assert set(result.timings) == {"parse", "lower", "render", "format", "write"}
    return out


SCRIPT = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from petstore import Client
    from petstore.models import Pet, PetStatus
    from petstore.api.pet.get_pet_by_id import GetPetByIdNotFoundError
    from petstore._runtime import ApiKeyAuthHook, BearerTokenAuthHook

    client = Client(
        base_url=sys.argv[2],
        auth_by_scheme={
            "api_key": ApiKeyAuthHook("api_key", "k"),
            "petstore_auth": BearerTokenAuthHook("tok"),
        },
    )
    out = {}
    pet = client.pet.get_pet_by_id(pet_id=42)
    out["pet"] = [type(pet).__name__, pet.name, pet.status.value, pet.photo_urls]
    pets = client.pet.find_pets_by_status(status=PetStatus.SOLD)
    out["pets"] = [p.name for p in pets]
    out["inventory"] = client.store.get_inventory()
    try:
        client.pet.get_pet_by_id(pet_id=404)
    except GetPetByIdNotFoundError as error:
        out["error"] = [type(error).__name__, error.status_code]
    raw = client.pet.add_pet.with_raw_response(body=Pet(name="Rex", photoUrls=[]))
    out["added"] = [raw.status_code, raw.parsed.name]
    print(json.dumps(out))
    """)


def test_generated_petstore_calls_a_loopback_server(petstore: Path, server: LoopbackServer) -> None:
    pet = {"id": 42, "name": "Doggie", "photoUrls": ["p"], "status": "available"}
    server.route("GET", "/api/v3/pet/42", Reply.json(pet))
    server.route("GET", "/api/v3/pet/404", Reply(status=404, body=b"Pet not found"))
    server.route("GET", "/api/v3/pet/findByStatus", Reply.json([pet]))
    server.route("GET", "/api/v3/store/inventory", Reply.json({"sold": 3}))
    server.route("POST", "/api/v3/pet", Reply.json({**pet, "name": "Rex"}))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(petstore.parent), server.url + "/api/v3"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out == {
        "pet": ["Pet", "Doggie", "available", ["p"]],
        "pets": ["Doggie"],
        "inventory": {"sold": 3},
        "error": ["GetPetByIdNotFoundError", 404],
        "added": [200, "Rex"],
    }
    by_path = {request.path: request for request in server.requests}
    # get_pet_by_id accepts api_key or petstore_auth: the first alternative is used
    assert by_path["/api/v3/pet/42"].header("api_key") == "k"
    assert by_path["/api/v3/pet/findByStatus"].header("Authorization") == "Bearer tok"
    assert by_path["/api/v3/pet/findByStatus"].query == {"status": ["sold"]}
    assert by_path["/api/v3/store/inventory"].header("api_key") == "k"
    assert json.loads(by_path["/api/v3/pet"].body) == {"name": "Rex", "photoUrls": []}


def test_check_after_generate_is_fresh(petstore: Path, tmp_path: Path) -> None:
    result = generate(PETSTORE, petstore, check=True, quiet=True, cache_dir=tmp_path)
    assert not result.stale
    assert result.checked


def test_package_name_rules(tmp_path: Path) -> None:
    assert package_name_for(tmp_path / "petstore") == "petstore"
    assert package_name_for(tmp_path / "my-api", "my_api") == "my_api"
    for bad in ("my-api", "class", "1abc", "ünï"):
        with pytest.raises(UsageError):
            package_name_for(tmp_path / bad)
    with pytest.raises(UsageError):
        generate(PETSTORE, tmp_path / "x", runtime="other", quiet=True)  # type: ignore[arg-type]
