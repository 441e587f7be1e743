"""DELETE /user/{username} -- Delete user resource."""

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
    path_param,
    raise_api_error,
)

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = ()


class DeleteUserBadRequestError(BadRequestError):
    """Invalid username supplied"""


class DeleteUserNotFoundError(NotFoundError):
    """User not found"""


class DeleteUserDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    username: str,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.DELETE,
        url=f"/user/{path_param(username, 'simple')}",
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
    raise_api_error(
        response,
        {
            400: DeleteUserBadRequestError,
            404: DeleteUserNotFoundError,
            "default": DeleteUserDefaultError,
        },
    )


def sync_detailed(
    client: ApiClient,
    *,
    username: str,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[None]:
    """Delete user resource.

    This can only be done by the logged in user.

    Args:
        username: The name that needs to be deleted
    """
    response = client.execute(
        build_request(username=username, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    parse_response(response, strict=client.strict_responses)
    return ApiResponse.of(response, None)


def sync(
    client: ApiClient,
    *,
    username: str,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> None:
    """Delete user resource.

    This can only be done by the logged in user.

    Args:
        username: The name that needs to be deleted
    """
    sync_detailed(client, username=username, headers=headers, timeout=timeout)


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    username: str,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[None]:
    """Delete user resource.

    This can only be done by the logged in user.

    Args:
        username: The name that needs to be deleted
    """
    response = await client.execute(
        build_request(username=username, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    parse_response(response, strict=client.strict_responses)
    return ApiResponse.of(response, None)


async def asyncio(
    client: AsyncApiClient,
    *,
    username: str,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> None:
    """Delete user resource.

    This can only be done by the logged in user.

    Args:
        username: The name that needs to be deleted
    """
    await asyncio_detailed(client, username=username, headers=headers, timeout=timeout)
