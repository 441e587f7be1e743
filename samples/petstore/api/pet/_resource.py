"""Everything about your Pets"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._runtime import Endpoint, LazyOperation, Resource

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


class PetApi(Resource):
    """``client.pet``: Everything about your Pets"""

    update_pet = Endpoint(
        _update_pet.sync,
        _update_pet.sync_detailed,
        summary="Update an existing pet.",
    )
    """Update an existing pet."""

    add_pet = Endpoint(_add_pet.sync, _add_pet.sync_detailed, summary="Add a new pet to the store.")
    """Add a new pet to the store."""

    find_pets_by_status = Endpoint(
        _find_pets_by_status.sync,
        _find_pets_by_status.sync_detailed,
        summary="Finds Pets by status.",
    )
    """Finds Pets by status."""

    find_pets_by_tags = Endpoint(
        _find_pets_by_tags.sync,
        _find_pets_by_tags.sync_detailed,
        summary="Finds Pets by tags.",
    )
    """Finds Pets by tags."""

    get_pet_by_id = Endpoint(
        _get_pet_by_id.sync,
        _get_pet_by_id.sync_detailed,
        summary="Find pet by ID.",
    )
    """Find pet by ID."""

    update_pet_with_form = Endpoint(
        _update_pet_with_form.sync,
        _update_pet_with_form.sync_detailed,
        summary="Updates a pet in the store with form data.",
    )
    """Updates a pet in the store with form data."""

    delete_pet = Endpoint(_delete_pet.sync, _delete_pet.sync_detailed, summary="Deletes a pet.")
    """Deletes a pet."""

    upload_file = Endpoint(
        _upload_file.sync,
        _upload_file.sync_detailed,
        summary="Uploads an image.",
    )
    """Uploads an image."""
