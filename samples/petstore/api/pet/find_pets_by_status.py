"""GET /pet/findByStatus -- Finds Pets by status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, cast

from ..._runtime import (
    ApiClient,
    ApiError,
    ApiResponse,
    BadRequestError,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    compact,
    parse_typed,
    query_param,
    raise_api_error,
)
from ...models.find_pets_by_status_status import FindPetsByStatusStatus
from ...models.pet import Pet

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = (("petstore_auth",),)
SCOPES: dict[str, tuple[str, ...]] = {"petstore_auth": ("write:pets", "read:pets")}


class FindPetsByStatusBadRequestError(BadRequestError):
    """Invalid status value"""


class FindPetsByStatusDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    status: (
        FindPetsByStatusStatus | Literal["available", "pending", "sold"] | None
    ) = FindPetsByStatusStatus.AVAILABLE,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.GET,
        url="/pet/findByStatus",
        params=[*query_param("status", status, "form_explode")],
        headers={**compact({"Accept": "application/json"}), **(headers or {})},
    )


def parse_response(response: HttpResponse, *, strict: bool | None = None) -> list[Pet]:
    """The response as this operation's result, or its typed error raised.

    A success body that drifts from its schema is salvaged unless ``strict``
    (``None``: ``REQUESTFORGE_STRICT_RESPONSES``); the client passes its own
    ``strict_responses``.
    """
    if response.status_code == 200:
        return cast("list[Pet]", parse_typed(response, list[Pet], __name__, strict))
    raise_api_error(
        response,
        {400: FindPetsByStatusBadRequestError, "default": FindPetsByStatusDefaultError},
    )


def sync_detailed(
    client: ApiClient,
    *,
    status: (
        FindPetsByStatusStatus | Literal["available", "pending", "sold"] | None
    ) = FindPetsByStatusStatus.AVAILABLE,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[list[Pet]]:
    """Finds Pets by status.

    Multiple status values can be provided with comma separated strings.

    Args:
        status: Status values that need to be considered for filter
    """
    response = client.execute(
        build_request(status=status, headers=headers),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


def sync(
    client: ApiClient,
    *,
    status: (
        FindPetsByStatusStatus | Literal["available", "pending", "sold"] | None
    ) = FindPetsByStatusStatus.AVAILABLE,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> list[Pet]:
    """Finds Pets by status.

    Multiple status values can be provided with comma separated strings.

    Args:
        status: Status values that need to be considered for filter
    """
    return sync_detailed(client, status=status, headers=headers, timeout=timeout).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    status: (
        FindPetsByStatusStatus | Literal["available", "pending", "sold"] | None
    ) = FindPetsByStatusStatus.AVAILABLE,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[list[Pet]]:
    """Finds Pets by status.

    Multiple status values can be provided with comma separated strings.

    Args:
        status: Status values that need to be considered for filter
    """
    response = await client.execute(
        build_request(status=status, headers=headers),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


async def asyncio(
    client: AsyncApiClient,
    *,
    status: (
        FindPetsByStatusStatus | Literal["available", "pending", "sold"] | None
    ) = FindPetsByStatusStatus.AVAILABLE,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> list[Pet]:
    """Finds Pets by status.

    Multiple status values can be provided with comma separated strings.

    Args:
        status: Status values that need to be considered for filter
    """
    detailed = await asyncio_detailed(client, status=status, headers=headers, timeout=timeout)
    return detailed.parsed
