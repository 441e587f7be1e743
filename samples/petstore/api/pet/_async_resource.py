"""Everything about your Pets"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._runtime import AsyncEndpoint, AsyncResource, LazyOperation

if TYPE_CHECKING:
    from . import add_pet as _add_pet
    from . import delete_pet as _delete_pet
    from . import find_pets_by_status as _find_pets_by_status
    from . import find_pets_by_tags as _find_pets_by_tags
    from . import get_pet_by_id as _get_pet_by_id
    from . import update_pet as _update_pet
    from . import update_pet_with_form as _update_pet_with_form
    from . import upload_file as _upload_file
else:
    _add_pet = LazyOperation(__package__, "add_pet")
    _delete_pet = LazyOperation(__package__, "delete_pet")
    _find_pets_by_status = LazyOperation(__package__, "find_pets_by_status")
    _find_pets_by_tags = LazyOperation(__package__, "find_pets_by_tags")
    _get_pet_by_id = LazyOperation(__package__, "get_pet_by_id")
    _update_pet = LazyOperation(__package__, "update_pet")
    _update_pet_with_form = LazyOperation(__package__, "update_pet_with_form")
    _upload_file = LazyOperation(__package__, "upload_file")


class AsyncPetApi(AsyncResource):
    """``async_client.pet``: Everything about your Pets"""

    update_pet = AsyncEndpoint(
        _update_pet.asyncio,
        _update_pet.asyncio_detailed,
        summary="Update an existing pet.",
    )
    """Update an existing pet."""

    add_pet = AsyncEndpoint(
        _add_pet.asyncio,
        _add_pet.asyncio_detailed,
        summary="Add a new pet to the store.",
    )
    """Add a new pet to the store."""

    find_pets_by_status = AsyncEndpoint(
        _find_pets_by_status.asyncio,
        _find_pets_by_status.asyncio_detailed,
        summary="Finds Pets by status.",
    )
    """Finds Pets by status."""

    find_pets_by_tags = AsyncEndpoint(
        _find_pets_by_tags.asyncio,
        _find_pets_by_tags.asyncio_detailed,
        summary="Finds Pets by tags.",
    )
    """Finds Pets by tags."""

    get_pet_by_id = AsyncEndpoint(
        _get_pet_by_id.asyncio,
        _get_pet_by_id.asyncio_detailed,
        summary="Find pet by ID.",
    )
    """Find pet by ID."""

    update_pet_with_form = AsyncEndpoint(
        _update_pet_with_form.asyncio,
        _update_pet_with_form.asyncio_detailed,
        summary="Updates a pet in the store with form data.",
    )
    """Updates a pet in the store with form data."""

    delete_pet = AsyncEndpoint(
        _delete_pet.asyncio,
        _delete_pet.asyncio_detailed,
        summary="Deletes a pet.",
    )
    """Deletes a pet."""

    upload_file = AsyncEndpoint(
        _upload_file.asyncio,
        _upload_file.asyncio_detailed,
        summary="Uploads an image.",
    )
    """Uploads an image."""
