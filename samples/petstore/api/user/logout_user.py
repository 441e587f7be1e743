"""GET /user/logout -- Logs out current logged in user session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..._runtime import (
    ApiClient,
    ApiError,
    ApiResponse,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    raise_api_error,
)

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = ()


class LogoutUserDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.GET,
        url="/user/logout",
        headers=dict(headers or {}),
    )


def parse_response(response: HttpResponse, *, strict: bool | None = None) -> None:
    """The response as this operation's result, or its typed error raised.

    A success body that drifts from its schema is salvaged unless ``strict``
    (``None``: ``REQUESTFORGE_STRICT_RESPONSES``); the client passes its own
    ``strict_responses``.
    """
    if response.status_code == 200:
        return None
    raise_api_error(response, {"default": LogoutUserDefaultError})


def sync_detailed(
    client: ApiClient,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[None]:
    """Logs out current logged in user session.

    Log user out of the system.
    """
    response = client.execute(
        build_request(headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    parse_response(response, strict=client.strict_responses)
    return ApiResponse.of(response, None)


def sync(
    client: ApiClient,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> None:
    """Logs out current logged in user session.

    Log user out of the system.
    """
    sync_detailed(client, headers=headers, timeout=timeout)


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[None]:
    """Logs out current logged in user session.

    Log user out of the system.
    """
    response = await client.execute(
        build_request(headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    parse_response(response, strict=client.strict_responses)
    return ApiResponse.of(response, None)


async def asyncio(
    client: AsyncApiClient,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> None:
    """Logs out current logged in user session.

    Log user out of the system.
    """
    await asyncio_detailed(client, headers=headers, timeout=timeout)
