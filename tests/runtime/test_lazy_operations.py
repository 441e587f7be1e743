"""Endpoints bound to ``LazyOperation`` stand-ins import their module on first access.

A generated resource binds every operation of its tag this way (issue 8: touching
``client.repos`` used to import 161 operation modules and their models).  These
tests use a throw-away package of operation modules on ``sys.path``.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from requestforge import (
    ApiClient,
    ApiResponse,
    AsyncApiClient,
    AsyncEndpoint,
    AsyncPaginatedEndpoint,
    AsyncResource,
    DeferredFunction,
    Endpoint,
    LazyOperation,
    PaginatedEndpoint,
    Resource,
    path_param,
)
from requestforge.models import HttpMethod, HttpRequest

from tests.support.server import LoopbackServer, Reply

OPERATION = '''
"""An operation module, as a generated one looks to the resource."""
from types import SimpleNamespace

from requestforge import ApiResponse
from requestforge.models import HttpMethod, HttpRequest


def sync_detailed(client, *, pet_id):
    """Find a pet."""
    request = HttpRequest(method=HttpMethod.GET, url=f"/pets/{pet_id}")
    response = client.execute(request)
    return ApiResponse.of(response, response.content.decode())


def sync(client, *, pet_id):
    """Find a pet."""
    return sync_detailed(client, pet_id=pet_id).parsed


def iterate(client, *, pet_id):
    yield from sync(client, pet_id=pet_id).split(",")


async def asyncio_detailed(client, *, pet_id):
    return SimpleNamespace(parsed=f"async {pet_id}")


async def asyncio(client, *, pet_id):
    """Find a pet, asynchronously."""
    return f"async {pet_id}"


async def aiterate(client, *, pet_id):
    for item in ("a", "b"):
        yield f"{item}{pet_id}"
'''


@pytest.fixture
def operations(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A package ``<name>`` with operation modules ``find`` and ``browse``; removed afterwards."""
    package = f"lazy_ops_{request.node.name.replace('[', '_').replace(']', '_')}"
    root = tmp_path / package
    root.mkdir()
    (root / "__init__.py").write_text("")
    for module in ("find", "browse"):
        (root / f"{module}.py").write_text(textwrap.dedent(OPERATION))
    sys.path.insert(0, str(tmp_path))
    try:
        yield package
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[name]


def _resource_class(package: str) -> type[Resource]:
    find = LazyOperation(package, "find")
    browse = LazyOperation(package, "browse")

    class PetApi(Resource):
        find_pet = Endpoint(find.sync, find.sync_detailed)
        browse_pets = PaginatedEndpoint(browse.sync, browse.sync_detailed, browse.iterate)

    return PetApi


def test_the_module_loads_when_its_endpoint_is_first_reached(
    operations: str, server: LoopbackServer
) -> None:
    server.route("GET", "/pets/7", Reply(200, b"rex"))
    pets = _resource_class(operations)(ApiClient(server.url))
    assert f"{operations}.find" not in sys.modules  # building the class imported nothing
    bound = pets.find_pet
    assert f"{operations}.find" in sys.modules
    assert f"{operations}.browse" not in sys.modules  # only the endpoint reached
    assert bound(pet_id=7) == "rex"
    raw = bound.with_raw_response(pet_id=7)
    assert isinstance(raw, ApiResponse)
    assert raw.status_code == 200
    assert bound.__doc__ == "Find a pet."


def test_a_bound_endpoint_holds_the_real_functions(operations: str) -> None:
    pets = _resource_class(operations)(ApiClient("http://127.0.0.1:9"))
    module = pets.find_pet and sys.modules[f"{operations}.find"]
    descriptor = type(pets).__dict__["find_pet"]
    assert descriptor._sync is module.sync
    assert descriptor._sync_detailed is module.sync_detailed
    assert pets.find_pet._sync is module.sync  # no DeferredFunction hop on later calls


def test_a_paginated_endpoint_resolves_iterate_too(operations: str, server: LoopbackServer) -> None:
    server.route("GET", "/pets/1", Reply(200, b"a,b,c"))
    pets = _resource_class(operations)(ApiClient(server.url))
    assert list(pets.browse_pets.iterate(pet_id=1)) == ["a", "b", "c"]
    assert pets.browse_pets(pet_id=1) == "a,b,c"
    assert (
        type(pets).__dict__["browse_pets"]._iterate is sys.modules[f"{operations}.browse"].iterate
    )


def test_async_endpoints_load_lazily_too(operations: str) -> None:
    find = LazyOperation(operations, "find")
    browse = LazyOperation(operations, "browse")

    class AsyncPetApi(AsyncResource):
        find_pet = AsyncEndpoint(find.asyncio, find.asyncio_detailed)
        browse_pets = AsyncPaginatedEndpoint(
            browse.asyncio, browse.asyncio_detailed, browse.aiterate
        )

    async def scenario() -> tuple[Any, ...]:
        async with AsyncApiClient("http://127.0.0.1:9") as client:
            pets = AsyncPetApi(client)
            assert f"{operations}.find" not in sys.modules
            found = await pets.find_pet(pet_id=3)
            raw = await pets.find_pet.with_raw_response(pet_id=3)
            items = [item async for item in pets.browse_pets.iterate(pet_id=2)]
            return found, raw.parsed, items, pets.find_pet.__doc__

    assert asyncio.run(scenario()) == (
        "async 3",
        "async 3",
        ["a2", "b2"],
        "Find a pet, asynchronously.",
    )


def test_the_class_attribute_is_the_descriptor_and_imports_nothing(operations: str) -> None:
    cls = _resource_class(operations)
    assert isinstance(cls.find_pet, Endpoint)
    assert f"{operations}.find" not in sys.modules


def test_a_deferred_function_is_callable_on_its_own(
    operations: str, server: LoopbackServer
) -> None:
    server.route("GET", "/pets/5", Reply(200, b"tom"))
    deferred = LazyOperation(operations, "find").sync
    assert isinstance(deferred, DeferredFunction)
    assert deferred(ApiClient(server.url), pet_id=5) == "tom"


def test_a_missing_module_or_function_fails_when_reached(operations: str) -> None:
    class Broken(Resource):
        missing = Endpoint(
            LazyOperation(operations, "nope").sync, LazyOperation(operations, "nope").sync_detailed
        )
        misspelt = Endpoint(
            LazyOperation(operations, "find").snyc, LazyOperation(operations, "find").sync_detailed
        )

    broken = Broken(ApiClient("http://127.0.0.1:9"))
    with pytest.raises(ModuleNotFoundError, match="nope"):
        broken.missing  # noqa: B018
    with pytest.raises(AttributeError, match="snyc"):
        broken.misspelt  # noqa: B018


def test_dunder_probes_do_not_make_deferred_functions() -> None:
    operation = LazyOperation("some.package", "op")
    with pytest.raises(AttributeError):
        operation.__wrapped__  # noqa: B018
    assert "not loaded" in repr(operation)
    with pytest.raises(ValueError, match="package"):
        LazyOperation(None, "op")


def test_eager_endpoints_are_unchanged(server: LoopbackServer) -> None:
    def sync_detailed(client: ApiClient, *, pet_id: int) -> ApiResponse[str]:
        """Eager."""
        request = HttpRequest(method=HttpMethod.GET, url=f"/pets/{path_param(pet_id)}")
        response = client.execute(request)
        return ApiResponse.of(response, response.content.decode())

    def sync(client: ApiClient, *, pet_id: int) -> str:
        """Eager."""
        return sync_detailed(client, pet_id=pet_id).parsed

    class Api(Resource):
        find = Endpoint(sync, sync_detailed)

    server.route("GET", "/pets/2", Reply(200, b"ok"))
    assert Api.find.__doc__ == "Eager."
    assert Api(ApiClient(server.url)).find(pet_id=2) == "ok"
