"""The petstore sample's public API as a user's code calls it, for the type checkers.

tests/test_type_checkers.py checks this file with mypy --strict and pyright
strict (what VS Code's Pylance shows): every call must resolve to its precise
type, so an operation, a response or a model that reads as ``Any``/Unknown
to either checker fails here rather than in an IDE.  ``assert_type`` pins the
types, so a regression to a looser (but still valid) type fails too.  Nothing
here runs against a server; the functions are only checked.
"""

from __future__ import annotations

import asyncio

from petstore import AsyncClient, Client, NotFoundError
from petstore.models import Category, FindPetsByStatusStatus, Order, Pet, PetStatus, Tag
from typing_extensions import assert_type


def build_clients() -> tuple[Client, AsyncClient]:
    """Both clients with credentials for the spec's two security schemes."""
    client = Client(base_url="https://petstore.example", api_key="key", timeout=5.0)
    oauth = AsyncClient(token="access", refresh_token="refresh", headers={"X-Trace": "1"})
    return client, oauth


def sync_calls(client: Client) -> str:
    pet = client.pet.get_pet_by_id(pet_id=1)
    assert_type(pet, Pet)
    assert_type(pet.name, str)
    assert_type(pet.photo_urls, list[str])
    if pet.category is not None:
        assert_type(pet.category, Category)

    available = client.pet.find_pets_by_status(status=FindPetsByStatusStatus.AVAILABLE)
    assert_type(available, list[Pet])
    sold = client.pet.find_pets_by_status(status="sold")
    assert_type(sold, list[Pet])

    inventory = client.store.get_inventory()
    assert_type(inventory, dict[str, int])

    new = Pet(name="Rex", photoUrls=["https://img.example/rex.png"], tags=[Tag(name="dog")])
    created = client.pet.add_pet(body=new)
    assert_type(created, Pet)

    detailed = client.pet.get_pet_by_id.with_raw_response(pet_id=2)
    assert_type(detailed.status_code, int)
    assert_type(detailed.parsed, Pet)
    assert_type(detailed.parsed.id, int | None)

    try:
        client.store.get_order_by_id(order_id=404)
    except NotFoundError as error:
        assert_type(error.status_code, int)
        return "missing"
    return pet.name


def enums(pet: Pet) -> bool:
    # An open enum: a value the spec does not list still reads as a PetStatus.
    assert_type(PetStatus("lost"), PetStatus)
    assert_type(PetStatus("lost").is_known, bool)
    return pet.status == PetStatus.AVAILABLE


async def async_calls(client: AsyncClient) -> list[str]:
    async with client:
        pet = await client.pet.get_pet_by_id(pet_id=1)
        assert_type(pet, Pet)
        order = await client.store.place_order(body=Order(petId=pet.id, quantity=1))
        assert_type(order, Order)
        detailed = await client.pet.find_pets_by_tags.with_raw_response(tags=["dog"])
        assert_type(detailed.status_code, int)
        assert_type(detailed.parsed, list[Pet])
        pets = await asyncio.gather(
            client.pet.get_pet_by_id(pet_id=2), client.pet.get_pet_by_id(pet_id=3)
        )
        return [found.name for found in pets]
