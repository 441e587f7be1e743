"""POST /pet/{petId}/uploadImage -- Uploads an image."""

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
    query_param,
    raise_api_error,
)
from ...models.api_response_model import ApiResponseModel

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = (("petstore_auth",),)
SCOPES: dict[str, tuple[str, ...]] = {"petstore_auth": ("write:pets", "read:pets")}


class UploadFileBadRequestError(BadRequestError):
    """No file uploaded"""


class UploadFileNotFoundError(NotFoundError):
    """Pet not found"""


class UploadFileDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    pet_id: int,
    additional_metadata: str | None = None,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.POST,
        url=f"/pet/{path_param(pet_id, 'simple')}/uploadImage",
        params=[*query_param("additionalMetadata", additional_metadata, "form_explode")],
        data=body,
        headers={
            **compact({"Accept": "application/json", "Content-Type": "application/octet-stream"}),
            **(headers or {}),
        },
    )


def parse_response(response: HttpResponse, *, strict: bool | None = None) -> ApiResponseModel:
    """The response as this operation's result, or its typed error raised.

    A success body that drifts from its schema is salvaged unless ``strict``
    (``None``: ``REQUESTFORGE_STRICT_RESPONSES``); the client passes its own
    ``strict_responses``.
    """
    if response.status_code == 200:
        return parse_model(response, ApiResponseModel, __name__, strict)
    raise_api_error(
        response,
        {
            400: UploadFileBadRequestError,
            404: UploadFileNotFoundError,
            "default": UploadFileDefaultError,
        },
    )


def sync_detailed(
    client: ApiClient,
    *,
    pet_id: int,
    additional_metadata: str | None = None,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[ApiResponseModel]:
    """Uploads an image.

    Upload image of the pet.

    Args:
        pet_id: ID of pet to update
        additional_metadata: Additional Metadata
    """
    response = client.execute(
        build_request(
            pet_id=pet_id,
            additional_metadata=additional_metadata,
            body=body,
            headers=headers,
        ),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


def sync(
    client: ApiClient,
    *,
    pet_id: int,
    additional_metadata: str | None = None,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponseModel:
    """Uploads an image.

    Upload image of the pet.

    Args:
        pet_id: ID of pet to update
        additional_metadata: Additional Metadata
    """
    return sync_detailed(
        client,
        pet_id=pet_id,
        additional_metadata=additional_metadata,
        body=body,
        headers=headers,
        timeout=timeout,
    ).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    pet_id: int,
    additional_metadata: str | None = None,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[ApiResponseModel]:
    """Uploads an image.

    Upload image of the pet.

    Args:
        pet_id: ID of pet to update
        additional_metadata: Additional Metadata
    """
    response = await client.execute(
        build_request(
            pet_id=pet_id,
            additional_metadata=additional_metadata,
            body=body,
            headers=headers,
        ),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


async def asyncio(
    client: AsyncApiClient,
    *,
    pet_id: int,
    additional_metadata: str | None = None,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponseModel:
    """Uploads an image.

    Upload image of the pet.

    Args:
        pet_id: ID of pet to update
        additional_metadata: Additional Metadata
    """
    detailed = await asyncio_detailed(
        client,
        pet_id=pet_id,
        additional_metadata=additional_metadata,
        body=body,
        headers=headers,
        timeout=timeout,
    )
    return detailed.parsed
