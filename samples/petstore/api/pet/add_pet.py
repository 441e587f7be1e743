"""POST /pet -- Add a new pet to the store."""

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
    UnprocessableEntityError,
    compact,
    parse_model,
    raise_api_error,
    to_json,
)
from ...models.pet import Pet

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = (("petstore_auth",),)
SCOPES: dict[str, tuple[str, ...]] = {"petstore_auth": ("write:pets", "read:pets")}


class AddPetBadRequestError(BadRequestError):
    """Invalid input"""


class AddPetUnprocessableEntityError(UnprocessableEntityError):
    """Validation exception"""


class AddPetDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    body: Pet,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.POST,
        url="/pet",
        json_data=to_json(body),
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
            400: AddPetBadRequestError,
            422: AddPetUnprocessableEntityError,
            "default": AddPetDefaultError,
        },
    )


def sync_detailed(
    client: ApiClient,
    *,
    body: Pet,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[Pet]:
    """Add a new pet to the store.

    Args:
        body: Create a new pet in the store
    """
    response = client.execute(
        build_request(body=body, headers=headers),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


def sync(
    client: ApiClient,
    *,
    body: Pet,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Pet:
    """Add a new pet to the store.

    Args:
        body: Create a new pet in the store
    """
    return sync_detailed(client, body=body, headers=headers, timeout=timeout).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    body: Pet,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[Pet]:
    """Add a new pet to the store.

    Args:
        body: Create a new pet in the store
    """
    response = await client.execute(
        build_request(body=body, headers=headers),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


async def asyncio(
    client: AsyncApiClient,
    *,
    body: Pet,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Pet:
    """Add a new pet to the store.

    Args:
        body: Create a new pet in the store
    """
    detailed = await asyncio_detailed(client, body=body, headers=headers, timeout=timeout)
    return detailed.parsed
