"""GET /pet/{petId} -- Find pet by ID."""

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
    NotFoundError,
    compact,
    parse_model,
    path_param,
    raise_api_error,
)
from ...models.pet import Pet

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = (("api_key",), ("petstore_auth",))
SCOPES: dict[str, tuple[str, ...]] = {"petstore_auth": ("write:pets", "read:pets")}


class GetPetByIdBadRequestError(BadRequestError):
    """Invalid ID supplied"""


class GetPetByIdNotFoundError(NotFoundError):
    """Pet not found"""


class GetPetByIdDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    pet_id: int,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.GET,
        url=f"/pet/{path_param(pet_id, 'simple')}",
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
        {
            400: GetPetByIdBadRequestError,
            404: GetPetByIdNotFoundError,
            "default": GetPetByIdDefaultError,
        },
    )


def sync_detailed(
    client: ApiClient,
    *,
    pet_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[Pet]:
    """Find pet by ID.

    Returns a single pet.

    Args:
        pet_id: ID of pet to return
    """
    response = client.execute(
        build_request(pet_id=pet_id, headers=headers),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


def sync(
    client: ApiClient,
    *,
    pet_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Pet:
    """Find pet by ID.

    Returns a single pet.

    Args:
        pet_id: ID of pet to return
    """
    return sync_detailed(client, pet_id=pet_id, headers=headers, timeout=timeout).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    pet_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[Pet]:
    """Find pet by ID.

    Returns a single pet.

    Args:
        pet_id: ID of pet to return
    """
    response = await client.execute(
        build_request(pet_id=pet_id, headers=headers),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


async def asyncio(
    client: AsyncApiClient,
    *,
    pet_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Pet:
    """Find pet by ID.

    Returns a single pet.

    Args:
        pet_id: ID of pet to return
    """
    detailed = await asyncio_detailed(client, pet_id=pet_id, headers=headers, timeout=timeout)
    return detailed.parsed
