"""GET /store/inventory -- Returns pet inventories by status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

from ..._runtime import (
    ApiClient,
    ApiError,
    ApiResponse,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    compact,
    parse_typed,
    raise_api_error,
)

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = (("api_key",),)


class GetInventoryDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.GET,
        url="/store/inventory",
        headers={**compact({"Accept": "application/json"}), **(headers or {})},
    )


def parse_response(response: HttpResponse, *, strict: bool | None = None) -> dict[str, int]:
    """The response as this operation's result, or its typed error raised.

    A success body that drifts from its schema is salvaged unless ``strict``
    (``None``: ``REQUESTFORGE_STRICT_RESPONSES``); the client passes its own
    ``strict_responses``.
    """
    if response.status_code == 200:
        return cast("dict[str, int]", parse_typed(response, dict[str, int], __name__, strict))
    raise_api_error(response, {"default": GetInventoryDefaultError})


def sync_detailed(
    client: ApiClient,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[dict[str, int]]:
    """Returns pet inventories by status.

    Returns a map of status codes to quantities.
    """
    response = client.execute(
        build_request(headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


def sync(
    client: ApiClient,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> dict[str, int]:
    """Returns pet inventories by status.

    Returns a map of status codes to quantities.
    """
    return sync_detailed(client, headers=headers, timeout=timeout).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[dict[str, int]]:
    """Returns pet inventories by status.

    Returns a map of status codes to quantities.
    """
    response = await client.execute(
        build_request(headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


async def asyncio(
    client: AsyncApiClient,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> dict[str, int]:
    """Returns pet inventories by status.

    Returns a map of status codes to quantities.
    """
    detailed = await asyncio_detailed(client, headers=headers, timeout=timeout)
    return detailed.parsed
