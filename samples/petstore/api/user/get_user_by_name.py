"""GET /user/{username} -- Get user by user name."""

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
from ...models.user import User

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = ()


class GetUserByNameBadRequestError(BadRequestError):
    """Invalid username supplied"""


class GetUserByNameNotFoundError(NotFoundError):
    """User not found"""


class GetUserByNameDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    username: str,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.GET,
        url=f"/user/{path_param(username, 'simple')}",
        headers={**compact({"Accept": "application/json"}), **(headers or {})},
    )


def parse_response(response: HttpResponse, *, strict: bool | None = None) -> User:
    """The response as this operation's result, or its typed error raised.

    A success body that drifts from its schema is salvaged unless ``strict``
    (``None``: ``REQUESTFORGE_STRICT_RESPONSES``); the client passes its own
    ``strict_responses``.
    """
    if response.status_code == 200:
        return parse_model(response, User, __name__, strict)
    raise_api_error(
        response,
        {
            400: GetUserByNameBadRequestError,
            404: GetUserByNameNotFoundError,
            "default": GetUserByNameDefaultError,
        },
    )


def sync_detailed(
    client: ApiClient,
    *,
    username: str,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[User]:
    """Get user by user name.

    Get user detail based on username.

    Args:
        username: The name that needs to be fetched. Use user1 for testing
    """
    response = client.execute(
        build_request(username=username, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


def sync(
    client: ApiClient,
    *,
    username: str,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> User:
    """Get user by user name.

    Get user detail based on username.

    Args:
        username: The name that needs to be fetched. Use user1 for testing
    """
    return sync_detailed(client, username=username, headers=headers, timeout=timeout).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    username: str,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[User]:
    """Get user by user name.

    Get user detail based on username.

    Args:
        username: The name that needs to be fetched. Use user1 for testing
    """
    response = await client.execute(
        build_request(username=username, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


async def asyncio(
    client: AsyncApiClient,
    *,
    username: str,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> User:
    """Get user by user name.

    Get user detail based on username.

    Args:
        username: The name that needs to be fetched. Use user1 for testing
    """
    detailed = await asyncio_detailed(client, username=username, headers=headers, timeout=timeout)
    return detailed.parsed
