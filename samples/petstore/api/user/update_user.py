"""PUT /user/{username} -- Update user resource."""

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
    to_json,
)
from ...models.user import User

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = ()


class UpdateUserBadRequestError(BadRequestError):
    """bad request"""


class UpdateUserNotFoundError(NotFoundError):
    """user not found"""


class UpdateUserDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    username: str,
    body: User | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.PUT,
        url=f"/user/{path_param(username, 'simple')}",
        json_data=to_json(body),
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
            400: UpdateUserBadRequestError,
            404: UpdateUserNotFoundError,
            "default": UpdateUserDefaultError,
        },
    )


def sync_detailed(
    client: ApiClient,
    *,
    username: str,
    body: User | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[None]:
    """Update user resource.

    This can only be done by the logged in user.

    Args:
        username: name that need to be deleted
        body: Update an existent user in the store
    """
    response = client.execute(
        build_request(username=username, body=body, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    parse_response(response, strict=client.strict_responses)
    return ApiResponse.of(response, None)


def sync(
    client: ApiClient,
    *,
    username: str,
    body: User | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> None:
    """Update user resource.

    This can only be done by the logged in user.

    Args:
        username: name that need to be deleted
        body: Update an existent user in the store
    """
    sync_detailed(client, username=username, body=body, headers=headers, timeout=timeout)


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    username: str,
    body: User | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[None]:
    """Update user resource.

    This can only be done by the logged in user.

    Args:
        username: name that need to be deleted
        body: Update an existent user in the store
    """
    response = await client.execute(
        build_request(username=username, body=body, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    parse_response(response, strict=client.strict_responses)
    return ApiResponse.of(response, None)


async def asyncio(
    client: AsyncApiClient,
    *,
    username: str,
    body: User | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> None:
    """Update user resource.

    This can only be done by the logged in user.

    Args:
        username: name that need to be deleted
        body: Update an existent user in the store
    """
    await asyncio_detailed(client, username=username, body=body, headers=headers, timeout=timeout)
