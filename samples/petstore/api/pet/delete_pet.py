"""DELETE /pet/{petId} -- Deletes a pet."""

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
    header_param,
    path_param,
    raise_api_error,
)

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = (("petstore_auth",),)
SCOPES: dict[str, tuple[str, ...]] = {"petstore_auth": ("write:pets", "read:pets")}


class DeletePetBadRequestError(BadRequestError):
    """Invalid pet value"""


class DeletePetDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    api_key: str | None = None,
    pet_id: int,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.DELETE,
        url=f"/pet/{path_param(pet_id, 'simple')}",
        headers={**compact({"api_key": header_param(api_key, "simple")}), **(headers or {})},
    )


def parse_response(response: HttpResponse, *, strict: bool | None = None) -> None:
    """The response as this operation's result, or its typed error raised.

    A success body that drifts from its schema is salvaged unless ``strict``
    (``None``: ``REQUESTFORGE_STRICT_RESPONSES``); the client passes its own
    ``strict_responses``.
    """
    if response.status_code == 200:
        return None
    raise_api_error(response, {400: DeletePetBadRequestError, "default": DeletePetDefaultError})


def sync_detailed(
    client: ApiClient,
    *,
    api_key: str | None = None,
    pet_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[None]:
    """Deletes a pet.

    Delete a pet.

    Args:
        pet_id: Pet id to delete
    """
    response = client.execute(
        build_request(api_key=api_key, pet_id=pet_id, headers=headers),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    parse_response(response, strict=client.strict_responses)
    return ApiResponse.of(response, None)


def sync(
    client: ApiClient,
    *,
    api_key: str | None = None,
    pet_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> None:
    """Deletes a pet.

    Delete a pet.

    Args:
        pet_id: Pet id to delete
    """
    sync_detailed(client, api_key=api_key, pet_id=pet_id, headers=headers, timeout=timeout)


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    api_key: str | None = None,
    pet_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[None]:
    """Deletes a pet.

    Delete a pet.

    Args:
        pet_id: Pet id to delete
    """
    response = await client.execute(
        build_request(api_key=api_key, pet_id=pet_id, headers=headers),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    parse_response(response, strict=client.strict_responses)
    return ApiResponse.of(response, None)


async def asyncio(
    client: AsyncApiClient,
    *,
    api_key: str | None = None,
    pet_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> None:
    """Deletes a pet.

    Delete a pet.

    Args:
        pet_id: Pet id to delete
    """
    await asyncio_detailed(client, api_key=api_key, pet_id=pet_id, headers=headers, timeout=timeout)
