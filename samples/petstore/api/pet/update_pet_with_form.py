"""POST /pet/{petId} -- Updates a pet in the store with form data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..._runtime import (
    ApiClient,
    ApiError,
    ApiResponse,
    BadRequestError,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    compact,
    parse_model,
    path_param,
    query_param,
    raise_api_error,
)
from ...models.pet import Pet

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = (("petstore_auth",),)
SCOPES: dict[str, tuple[str, ...]] = {"petstore_auth": ("write:pets", "read:pets")}


class UpdatePetWithFormBadRequestError(BadRequestError):
    """Invalid input"""


class UpdatePetWithFormDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    pet_id: int,
    name: str | None = None,
    status: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.POST,
        url=f"/pet/{path_param(pet_id, 'simple')}",
        params=[
            *query_param("name", name, "form_explode"),
            *query_param("status", status, "form_explode"),
        ],
        headers={**compact({"Accept": "application/json"}), **(headers or {})},
    )


def parse_response(response: HttpResponse, *, strict: bool | None = None) -> Pet:
    """The response as this operation's result, or its typed error raised.

    A success body that drifts from its schema is salvaged unless ``strict``
    (``None``: ``REQUESTFORGE_STRICT_RESPONSES``); the client passes its own
    ``strict_responses``.
    """
    if response.status_code == 200:
        return parse_model(response, Pet, __name__, strict)
    raise_api_error(
        response,
        {400: UpdatePetWithFormBadRequestError, "default": UpdatePetWithFormDefaultError},
    )


def sync_detailed(
    client: ApiClient,
    *,
    pet_id: int,
    name: str | None = None,
    status: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[Pet]:
    """Updates a pet in the store with form data.

    Updates a pet resource based on the form data.

    Args:
        pet_id: ID of pet that needs to be updated
        name: Name of pet that needs to be updated
        status: Status of pet that needs to be updated
    """
    response = client.execute(
        build_request(pet_id=pet_id, name=name, status=status, headers=headers),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


def sync(
    client: ApiClient,
    *,
    pet_id: int,
    name: str | None = None,
    status: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Pet:
    """Updates a pet in the store with form data.

    Updates a pet resource based on the form data.

    Args:
        pet_id: ID of pet that needs to be updated
        name: Name of pet that needs to be updated
        status: Status of pet that needs to be updated
    """
    return sync_detailed(
        client,
        pet_id=pet_id,
        name=name,
        status=status,
        headers=headers,
        timeout=timeout,
    ).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    pet_id: int,
    name: str | None = None,
    status: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[Pet]:
    """Updates a pet in the store with form data.

    Updates a pet resource based on the form data.

    Args:
        pet_id: ID of pet that needs to be updated
        name: Name of pet that needs to be updated
        status: Status of pet that needs to be updated
    """
    response = await client.execute(
        build_request(pet_id=pet_id, name=name, status=status, headers=headers),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


async def asyncio(
    client: AsyncApiClient,
    *,
    pet_id: int,
    name: str | None = None,
    status: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Pet:
    """Updates a pet in the store with form data.

    Updates a pet resource based on the form data.

    Args:
        pet_id: ID of pet that needs to be updated
        name: Name of pet that needs to be updated
        status: Status of pet that needs to be updated
    """
    detailed = await asyncio_detailed(
        client,
        pet_id=pet_id,
        name=name,
        status=status,
        headers=headers,
        timeout=timeout,
    )
    return detailed.parsed
