"""AsyncApiClient, AsyncResource and AsyncEndpoint: what generated async clients stand on.

Auth selection and its errors are compared with the sync ApiClient's (they are
one implementation, ApiClientBase); operations run over a loopback server.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from requestforge.api import (
    ApiClient,
    ApiClientBase,
    ApiResponse,
    MissingCredentialsError,
    Resource,
    parse_json,
)
from requestforge.async_api import AsyncApiClient, AsyncBoundEndpoint, AsyncEndpoint, AsyncResource
from requestforge.async_client import AsyncHttpClient
from requestforge.auth import ApiKeyAuthHook, BasicAuthHook
from requestforge.config import HttpClientConfigBuilder
from requestforge.errors import InvalidRequestError
from requestforge.models import HttpMethod, HttpRequest, HttpResponse
from requestforge.oidc import clear_discovery_cache
from requestforge.schemes import SecuritySchemeSpec

from tests.runtime.token_support import TokenEndpoint
from tests.support.server import LoopbackServer, Reply

RUNTIME = Path(__file__).resolve().parents[2] / "runtime"

SCHEMES = (
    SecuritySchemeSpec(
        name="api_key", kind="apiKey", parameters={"api_key": "api_key"}, parameter_name="X-Key"
    ),
    SecuritySchemeSpec(
        name="basic",
        kind="http_basic",
        parameters={"username": "username", "password": "password"},
    ),
)


class PetClient(ApiClient):
    security_schemes = SCHEMES
    env_prefix = "PETS"


class AsyncPetClient(AsyncApiClient):
    security_schemes = SCHEMES
    env_prefix = "PETS"


def _get(path: str = "/pets") -> HttpRequest:
    return HttpRequest(HttpMethod.GET, path)


# -- a generated operation module, by hand -------------------------------------------------

SECURITY = (("api_key",), ("basic",))


def build_request(*, pet_id: int) -> HttpRequest:
    return HttpRequest(HttpMethod.GET, f"/pet/{pet_id}")


def parse_response(response: HttpResponse) -> dict[str, object]:
    return parse_json(response.content, dict[str, object])


async def asyncio_detailed(
    client: AsyncApiClient, *, pet_id: int, timeout: float | None = None
) -> ApiResponse[dict[str, object]]:
    """Find pet by ID."""
    response = await client.execute(
        build_request(pet_id=pet_id), security=SECURITY, timeout=timeout
    )
    return ApiResponse.of(response, parse_response(response))


async def asyncio_(
    client: AsyncApiClient, *, pet_id: int, timeout: float | None = None
) -> dict[str, object]:
    """Find pet by ID."""
    return (await asyncio_detailed(client, pet_id=pet_id, timeout=timeout)).parsed


class PetAsyncApi(AsyncResource):
    get_pet_by_id = AsyncEndpoint(asyncio_, asyncio_detailed)


class AsyncClient(AsyncPetClient):
    def __init__(self, base_url: str | None = None, *, api_key: str | None = None) -> None:
        super().__init__(base_url, credentials={"api_key": {"api_key": api_key}})
        self.pet = PetAsyncApi(self)


def test_async_endpoint_binds_to_the_resource_client(server: LoopbackServer) -> None:
    server.route("GET", "/pet/7", Reply.json({"id": 7, "name": "Rex"}, headers={"X-N": "1"}))

    async def go() -> tuple[dict[str, object], ApiResponse[dict[str, object]]]:
        async with AsyncClient(server.url, api_key="k-1") as client:
            bound = client.pet.get_pet_by_id
            assert isinstance(bound, AsyncBoundEndpoint)
            assert bound.__doc__ == "Find pet by ID."
            pet = await client.pet.get_pet_by_id(pet_id=7)
            raw = await client.pet.get_pet_by_id.with_raw_response(pet_id=7, timeout=2.0)
            return pet, raw

    pet, raw = asyncio.run(go())
    assert pet == {"id": 7, "name": "Rex"}
    assert raw.status_code == 200
    assert raw.headers["x-n"] == "1"
    assert raw.parsed == pet
    assert [r.header("x-key") for r in server.requests] == ["k-1", "k-1"]
    assert isinstance(PetAsyncApi.get_pet_by_id, AsyncEndpoint)  # on the class: the descriptor


# -- the shared half: constructor, selection, errors -----------------------------------------


def test_both_clients_share_the_non_io_base() -> None:
    assert issubclass(ApiClient, ApiClientBase)
    assert issubclass(AsyncApiClient, ApiClientBase)
    assert not issubclass(AsyncApiClient, ApiClient)
    assert not issubclass(AsyncResource, Resource)


@pytest.mark.parametrize(
    "security",
    [
        (("api_key",), ("basic",)),
        (("basic", "api_key"),),
        (("oauth",), ("api_key", "basic")),
        ((), ("basic",)),
    ],
)
def test_missing_credentials_match_the_sync_client(security: tuple[tuple[str, ...], ...]) -> None:
    sync_error: Exception | None = None
    sync_refused = ""
    try:
        PetClient("http://127.0.0.1:9").execute(_get(), security=security)
    except MissingCredentialsError as error:
        sync_error = error
    except Exception as error:  # anonymous allowed: the request went out, and was refused
        sync_refused = str(error)

    async def go() -> None:
        async with AsyncPetClient("http://127.0.0.1:9") as client:
            await client.execute(_get(), security=security)

    if sync_error is None:  # anonymous allowed: neither raises, the request is refused later
        assert "could not connect" in sync_refused
        with pytest.raises(Exception, match="could not connect"):
            asyncio.run(go())
        return
    with pytest.raises(MissingCredentialsError) as caught:
        asyncio.run(go())
    assert str(caught.value).replace("AsyncPetClient", "PetClient") == str(sync_error)
    assert caught.value.requirements == tuple(tuple(r) for r in security)


def test_auth_selection_per_scheme_and_composite(server: LoopbackServer) -> None:
    server.route("GET", "/pets", Reply.json([]))

    async def go() -> None:
        async with AsyncPetClient(
            server.url,
            credentials={"basic": {"username": "u", "password": "p"}},
            auth_by_scheme={"api_key": ApiKeyAuthHook("X-Key", "by-scheme")},
        ) as client:
            await client.execute(_get(), security=(("oauth",), ("api_key", "basic")))
            await client.execute(_get(), security=(("basic",),))
            await client.execute(_get(), security=(("api_key",),))  # cached selection
            await client.execute(_get(), security=())

    asyncio.run(go())
    both, basic, key, anonymous = server.requests
    assert both.header("x-key") == "by-scheme"
    assert (both.header("authorization") or "").startswith("Basic ")
    assert basic.header("x-key") is None
    assert key.header("x-key") == "by-scheme"
    assert anonymous.header("authorization") is None
    assert anonymous.header("x-key") is None


def test_generic_auth_and_a_given_http_client(server: LoopbackServer) -> None:
    server.route("GET", "/pets", Reply.json([]))
    http = AsyncHttpClient(
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_api_key("cfg", name="X-Key")
        .build()
    )

    async def go() -> None:
        client = AsyncApiClient(http_client=http)
        assert client.http_client is http
        await client.execute(_get(), security=(("anything",),))
        await client.aclose()  # not ours to close: the shared client still works
        await AsyncApiClient(http_client=http, auth=BasicAuthHook("a", "b")).execute(
            _get(), security=(("x",),)
        )
        await http.aclose()

    asyncio.run(go())
    first, second = server.requests
    assert first.header("x-key") == "cfg"
    assert (second.header("authorization") or "").startswith("Basic ")


def test_constructor_rules_are_the_sync_ones() -> None:
    with pytest.raises(InvalidRequestError):
        AsyncApiClient("http://a.example", http_client=AsyncHttpClient())
    client = AsyncPetClient(headers={"X-A": "1"}, timeout=3.0)
    assert client.http_client.config.default_timeout == 3.0
    assert client.http_client.config.default_headers["X-A"] == "1"
    assert "AsyncPetClient" in repr(client)


def test_from_env_builds_the_async_client() -> None:
    env = {"PETS_BASE_URL": "http://pets.example", "PETS_API_KEY": "env-key"}
    client = AsyncClient.from_env(env)
    assert isinstance(client, AsyncClient)
    assert client.http_client.config.base_url == "http://pets.example"
    assert client._select_auth((("api_key",),)) is not None


def test_giving_up_on_a_status_returns_the_last_response(server: LoopbackServer) -> None:
    server.route("GET", "/down", Reply(status=503))
    http = AsyncHttpClient(
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_retry(max_retries=1, base_delay=0.0)
        .build()
    )

    async def go() -> HttpResponse:
        async with AsyncApiClient(http_client=http) as client:
            return await client.execute(_get("/down"))

    assert asyncio.run(go()).status_code == 503
    assert len(server.requests) == 2


# -- OpenID Connect discovery runs off the loop ------------------------------------------------


@pytest.fixture
def _fresh_discovery() -> Iterator[None]:
    clear_discovery_cache()
    yield
    clear_discovery_cache()


@pytest.mark.usefixtures("_fresh_discovery")
def test_oidc_discovery_at_first_use_does_not_block_the_loop(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    discovery = "/.well-known/openid-configuration"
    document = {"issuer": server.url, "token_endpoint": endpoint.url}
    reply = Reply.json(document)
    reply.delay = 0.5
    server.route("GET", discovery, reply)
    server.route("GET", "/me", Reply.json({"me": True}))

    class OidcClient(AsyncApiClient):
        security_schemes = (
            SecuritySchemeSpec(
                name="oidc",
                kind="openIdConnect",
                parameters={"client_id": "client_id", "client_secret": "client_secret"},
                openid_connect_url=server.url + discovery,
            ),
        )

    async def go() -> int:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        running = asyncio.ensure_future(ticker())
        async with OidcClient(
            server.url, credentials={"oidc": {"client_id": "c", "client_secret": "s"}}
        ) as client:
            started = time.monotonic()
            await asyncio.gather(
                *(client.execute(_get("/me"), security=(("oidc",),)) for _ in range(5))
            )
            assert time.monotonic() - started >= 0.5
        running.cancel()
        return ticks

    assert asyncio.run(go()) >= 30
    assert len(server.requests_to(discovery)) == 1
    assert endpoint.count == 1
    assert all(r.header("authorization") == "Bearer tok-1" for r in server.requests_to("/me"))


# -- typing: an awaited bound endpoint is the operation's return type ----------------------------

TYPED = """
import asyncio
from requestforge.api import ApiResponse
from requestforge.async_api import AsyncApiClient, AsyncEndpoint, AsyncResource


class Pet:
    name: str


async def asyncio_detailed(client: AsyncApiClient, *, pet_id: int) -> ApiResponse[Pet]:
    raise RuntimeError


async def asyncio_(client: AsyncApiClient, *, pet_id: int) -> Pet:
    return (await asyncio_detailed(client, pet_id=pet_id)).parsed


class PetAsyncApi(AsyncResource):
    get_pet_by_id = AsyncEndpoint(asyncio_, asyncio_detailed)


class AsyncClient(AsyncApiClient):
    def __init__(self) -> None:
        super().__init__("http://x")
        self.pet = PetAsyncApi(self)


async def main(client: AsyncClient) -> None:
    reveal_type(await client.pet.get_pet_by_id(pet_id=1))
    reveal_type((await client.pet.get_pet_by_id.with_raw_response(pet_id=1)).parsed)
    MISTAKE
"""


def _mypy(tmp_path: Path, mistake: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "requestforge").symlink_to(RUNTIME, target_is_directory=True)
    script = tmp_path / "user_code.py"
    script.write_text(textwrap.dedent(TYPED).replace("MISTAKE", mistake))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            str(script),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"MYPYPATH": str(tmp_path), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )


MISTAKES = [
    "await client.pet.get_pet_by_id(pet_idd=1)",
    'await client.pet.get_pet_by_id(pet_id="1")',
    "wrong: int = await client.pet.get_pet_by_id(pet_id=1)",
    "client.pet.get_pet_by_id(pet_id=1).name",
    "await client.pet.get_pet_by_id.with_raw_response()",
]


def test_awaited_bound_endpoint_is_typed_and_mistakes_are_reported(tmp_path: Path) -> None:
    """One mypy run: the two ``reveal_type`` lines, then one error per mistake line."""
    result = _mypy(tmp_path, "\n    ".join(MISTAKES))
    lines = result.stdout.splitlines()
    revealed = [line for line in lines if "Revealed type" in line]
    assert len(revealed) == 2, result.stdout + result.stderr
    assert all('"user_code.Pet"' in line for line in revealed), result.stdout
    first = TYPED.splitlines().index("    MISTAKE") + 1
    for offset, mistake in enumerate(MISTAKES):
        assert f"user_code.py:{first + offset}: error" in result.stdout, (mistake, result.stdout)
    errors = [line for line in lines if ": error:" in line]
    assert len({line.split(":")[1] for line in errors}) == len(MISTAKES), result.stdout
