"""The committed petstore sample, used as a user would, against a real loopback server.

The client is ``samples/petstore`` exactly as committed (a test elsewhere keeps
it byte-identical to what the generator writes).  Credentials are the typed
``Client(...)`` keywords the spec's security schemes call for (``api_key`` for
the apiKey scheme, ``token`` / ``refresh_token`` / ``token_url`` for the
``petstore_auth`` implicit flow); one test uses the generic ``auth=`` escape
hatch with a hook of the *installed* ``requestforge`` -- the vendored runtime
relies on the hook's methods, not its class.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from requestforge import BearerTokenAuthHook

from tests.support.server import LoopbackServer, Reply

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
PET = {
    "id": 42,
    "name": "doggie",
    "category": {"id": 1, "name": "Dogs"},
    "photoUrls": ["https://example.com/dog.png"],
    "tags": [{"id": 7, "name": "good"}],
    "status": "available",
}


@pytest.fixture(scope="module")
def petstore() -> Iterator[ModuleType]:
    sys.path.insert(0, str(SAMPLES))
    try:
        import petstore

        yield petstore
    finally:
        sys.path.remove(str(SAMPLES))


@pytest.fixture
def client(petstore: ModuleType, server: LoopbackServer) -> Iterator[Any]:
    with petstore.Client(base_url=server.url, token="tok-123") as api:
        yield api


def test_get_pet_by_id_returns_a_typed_model(
    petstore: ModuleType, client: Any, server: LoopbackServer
) -> None:
    from petstore.models import Category, Pet, PetStatus

    server.route("GET", "/pet/42", Reply.json(PET))
    pet = client.pet.get_pet_by_id(pet_id=42)
    assert isinstance(pet, Pet)
    assert isinstance(pet.category, Category)
    assert pet.photo_urls == ["https://example.com/dog.png"]
    assert pet.status is PetStatus.AVAILABLE
    (request,) = server.requests
    assert request.header("Authorization") == "Bearer tok-123"


def test_declared_error_status_raises_its_typed_error(
    petstore: ModuleType, client: Any, server: LoopbackServer
) -> None:
    from petstore.api.pet.get_pet_by_id import GetPetByIdNotFoundError

    server.route("GET", "/pet/7", Reply.json({"message": "no such pet"}, status=404))
    with pytest.raises(GetPetByIdNotFoundError) as caught:
        client.pet.get_pet_by_id(pet_id=7)
    error = caught.value
    assert isinstance(error, petstore.NotFoundError)
    assert isinstance(error, petstore.ApiError)
    assert error.status_code == 404
    assert error.headers["Content-Type"] == "application/json"
    assert json.loads(error.content) == {"message": "no such pet"}


def test_undeclared_status_raises_the_status_error_with_the_raw_body(
    petstore: ModuleType, client: Any, server: LoopbackServer
) -> None:
    server.route("GET", "/pet/findByStatus", Reply(status=418, body=b"teapot"))
    with pytest.raises(petstore.ApiError) as caught:
        client.pet.find_pets_by_status(status="available")
    assert caught.value.status_code == 418
    assert caught.value.content == b"teapot"


def test_query_array_is_exploded_and_list_response_parsed(
    client: Any, server: LoopbackServer
) -> None:
    server.route("GET", "/pet/findByTags", Reply.json([PET, {**PET, "id": 43}]))
    pets = client.pet.find_pets_by_tags(tags=["good", "small"])
    assert [pet.id for pet in pets] == [42, 43]
    assert server.requests[0].query == {"tags": ["good", "small"]}


def test_enum_query_default_is_sent(client: Any, server: LoopbackServer) -> None:
    server.route("GET", "/pet/findByStatus", Reply.json([]))
    assert client.pet.find_pets_by_status() == []
    assert server.requests[0].query == {"status": ["available"]}


def test_json_body_uses_wire_names_and_omits_unset_fields(
    petstore: ModuleType, client: Any, server: LoopbackServer
) -> None:
    from petstore.models import Pet

    server.route("POST", "/pet", Reply.json(PET))
    created = client.pet.add_pet(body=Pet(name="doggie", photo_urls=[], category=None))
    assert created.id == 42
    request = server.requests[0]
    assert request.header("Content-Type") == "application/json"
    # category was set (to null) and is sent; id, tags and status were never set.
    assert request.json() == {"name": "doggie", "photoUrls": [], "category": None}


def test_query_parameters_of_a_form_style_operation(client: Any, server: LoopbackServer) -> None:
    server.route("POST", "/pet/5", Reply.json(PET))
    client.pet.update_pet_with_form(pet_id=5, name="rex", status="sold")
    assert server.requests[0].query == {"name": ["rex"], "status": ["sold"]}


def test_binary_upload_body(client: Any, server: LoopbackServer) -> None:
    server.route("POST", "/pet/5/uploadImage", Reply.json({"code": 200, "message": "ok"}))
    result = client.pet.upload_file(pet_id=5, additional_metadata="front", body=b"\x89PNG\r\n")
    assert result.message == "ok"
    request = server.requests[0]
    assert request.body == b"\x89PNG\r\n"
    assert request.header("Content-Type") == "application/octet-stream"
    assert request.query == {"additionalMetadata": ["front"]}


def test_header_parameter_and_empty_response(client: Any, server: LoopbackServer) -> None:
    server.route("DELETE", "/pet/5", Reply(status=200))
    assert client.pet.delete_pet(pet_id=5, api_key="delete-key") is None
    request = server.requests[0]
    assert request.header("api_key") == "delete-key"
    assert request.header("Authorization") == "Bearer tok-123"


def test_operations_without_security_send_no_credentials(
    client: Any, server: LoopbackServer
) -> None:
    server.route(
        "GET",
        "/user/login",
        Reply(status=200, body=b'"session-1"', headers={"Content-Type": "application/json"}),
    )
    assert client.user.login_user(username="ann", password="pw") == "session-1"
    assert server.requests[0].header("Authorization") is None


def test_path_values_cannot_change_the_path(client: Any, server: LoopbackServer) -> None:
    server.route("GET", "/user/*", Reply.json({"username": "x"}))
    client.user.get_user_by_name(username="../admin?x=1#frag")
    assert server.requests[0].path == "/user/..%2Fadmin%3Fx%3D1%23frag"


def test_unknown_enum_value_from_a_newer_server_parses(
    petstore: ModuleType, client: Any, server: LoopbackServer
) -> None:
    from petstore.models import PetStatus

    server.route("GET", "/pet/42", Reply.json({**PET, "status": "adopted"}))
    pet = client.pet.get_pet_by_id(pet_id=42)
    assert pet.status == "adopted"
    assert isinstance(pet.status, PetStatus)
    assert pet.model_dump(mode="json", by_alias=True)["status"] == "adopted"


def test_with_raw_response_gives_status_headers_and_parsed_body(
    petstore: ModuleType, client: Any, server: LoopbackServer
) -> None:
    server.route("GET", "/pet/42", Reply.json(PET, headers={"X-Rate": "9"}))
    raw = client.pet.get_pet_by_id.with_raw_response(pet_id=42)
    assert raw.status_code == 200
    assert raw.headers["X-Rate"] == "9"
    assert raw.parsed.name == "doggie"


def test_importing_the_package_does_not_import_models_or_endpoints(petstore: ModuleType) -> None:
    import subprocess

    code = (
        "import sys, petstore\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('petstore.'))\n"
        "heavy = ('petstore.models.', 'petstore.api.')\n"
        "assert not any(m.startswith(heavy) for m in loaded), loaded\n"
        "petstore.Client(base_url='http://127.0.0.1:9')\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=SAMPLES,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_api_key_is_preferred_when_given_as_the_first_alternative(
    petstore: ModuleType, server: LoopbackServer
) -> None:
    server.route("GET", "/pet/42", Reply.json(PET))
    server.route("GET", "/store/inventory", Reply.json({"available": 3}))
    with petstore.Client(base_url=server.url, api_key="key-1", token="tok-123") as client:
        client.pet.get_pet_by_id(pet_id=42)  # security: api_key OR petstore_auth
        assert client.store.get_inventory() == {"available": 3}  # security: api_key
    for request in server.requests:
        assert request.header("api_key") == "key-1"
        assert request.header("Authorization") is None


def test_missing_credentials_raise_before_any_request(
    petstore: ModuleType, server: LoopbackServer
) -> None:
    with (
        petstore.Client(base_url=server.url, token="tok-123") as client,
        pytest.raises(petstore.MissingCredentialsError) as caught,
    ):
        client.store.get_inventory()
    assert "pass Client(api_key=...)" in str(caught.value)
    assert "tok-123" not in str(caught.value)
    assert server.requests == []


def test_implicit_token_refreshed_through_token_url_on_401(
    petstore: ModuleType, server: LoopbackServer
) -> None:
    server.route("POST", "/oauth/token", Reply.json({"access_token": "tok-2", "expires_in": 600}))
    server.queue("GET", "/pet/findByStatus", Reply(status=401), Reply.json([PET]))
    with petstore.Client(
        base_url=server.url,
        token="tok-1",
        refresh_token="refresh-1",
        token_url=f"{server.url}/oauth/token",
    ) as client:
        (pet,) = client.pet.find_pets_by_status(status="available")
    assert pet.id == 42
    sent = [r.header("Authorization") for r in server.requests_to("/pet/findByStatus")]
    assert sent == ["Bearer tok-1", "Bearer tok-2"]
    (refresh,) = server.requests_to("/oauth/token")
    assert b"grant_type=refresh_token" in refresh.body
    assert b"refresh_token=refresh-1" in refresh.body


def test_credentials_from_the_environment(
    petstore: ModuleType, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PETSTORE_BASE_URL", server.url)
    monkeypatch.setenv("PETSTORE_API_KEY", "env-key")
    server.route("GET", "/store/inventory", Reply.json({}))
    with petstore.Client.from_env() as client:
        client.store.get_inventory()
    assert server.requests[0].header("api_key") == "env-key"


def test_generic_auth_hook_escape_hatch(petstore: ModuleType, server: LoopbackServer) -> None:
    server.route("GET", "/pet/42", Reply.json(PET))
    server.route("GET", "/user/logout", Reply(status=200))
    hook = BearerTokenAuthHook("hatch-token")
    with petstore.Client(base_url=server.url, auth=hook) as client:
        client.pet.get_pet_by_id(pet_id=42)
        client.user.logout_user()  # no security requirement: nothing sent
    assert server.requests[0].header("Authorization") == "Bearer hatch-token"
    assert server.requests[1].header("Authorization") is None


def test_accept_header_asks_for_what_the_client_parses(client: Any, server: LoopbackServer) -> None:
    """The petstore's login lists XML first; a negotiating server must be told JSON."""

    def negotiate(request: Any) -> Reply:
        if "application/json" in (request.header("Accept") or ""):
            return Reply.json("session-2")
        return Reply(
            body=b"<string>session-2</string>", headers={"Content-Type": "application/xml"}
        )

    server.route("GET", "/user/login", negotiate)
    assert client.user.login_user(username="ann", password="pw") == "session-2"
    assert server.requests[0].header("Accept") == "application/json"
    # The caller's headers win; asking for XML then gets XML, which is not JSON.
    with pytest.raises(ValueError, match="Invalid JSON"):
        client.user.login_user(username="ann", password="pw", headers={"Accept": "application/xml"})
    assert server.requests[1].header("Accept") == "application/xml"
