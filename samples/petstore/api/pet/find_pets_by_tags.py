"""GET /pet/findByTags -- Finds Pets by tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

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
from ...models.pet import Pet

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = (("petstore_auth",),)
SCOPES: dict[str, tuple[str, ...]] = {"petstore_auth": ("write:pets", "read:pets")}


class FindPetsByTagsBadRequestError(BadRequestError):
    """Invalid tag value"""


class FindPetsByTagsDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    tags: list[str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.GET,
        url="/pet/findByTags",
        params=[*query_param("tags", tags, "form_explode")],
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
        {400: FindPetsByTagsBadRequestError, "default": FindPetsByTagsDefaultError},
    )


def sync_detailed(
    client: ApiClient,
    *,
    tags: list[str] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[list[Pet]]:
    """Finds Pets by tags.

    Multiple tags can be provided with comma separated strings. Use tag1, tag2, tag3 for testing.

    Args:
        tags: Tags to filter by
    """
    response = client.execute(
        build_request(tags=tags, headers=headers),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


def sync(
    client: ApiClient,
    *,
    tags: list[str] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> list[Pet]:
    """Finds Pets by tags.

    Multiple tags can be provided with comma separated strings. Use tag1, tag2, tag3 for testing.

    Args:
        tags: Tags to filter by
    """
    return sync_detailed(client, tags=tags, headers=headers, timeout=timeout).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    tags: list[str] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[list[Pet]]:
    """Finds Pets by tags.

    Multiple tags can be provided with comma separated strings. Use tag1, tag2, tag3 for testing.

    Args:
        tags: Tags to filter by
    """
    response = await client.execute(
        build_request(tags=tags, headers=headers),
        security=SECURITY,
        scopes=SCOPES,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


async def asyncio(
    client: AsyncApiClient,
    *,
    tags: list[str] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> list[Pet]:
    """Finds Pets by tags.

    Multiple tags can be provided with comma separated strings. Use tag1, tag2, tag3 for testing.

    Args:
        tags: Tags to filter by
    """
    detailed = await asyncio_detailed(client, tags=tags, headers=headers, timeout=timeout)
    return detailed.parsed
