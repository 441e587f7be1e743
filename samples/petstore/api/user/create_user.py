"""POST /user -- Create user."""

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
    compact,
    parse_model,
    raise_api_error,
    to_json,
)
from ...models.user import User

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = ()


class CreateUserDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    body: User | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.POST,
        url="/user",
        json_data=to_json(body),
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
    raise_api_error(response, {"default": CreateUserDefaultError})


def sync_detailed(
    client: ApiClient,
    *,
    body: User | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[User]:
    """Create user.

    This can only be done by the logged in user.

    Args:
        body: Created user object
    """
    response = client.execute(
        build_request(body=body, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


def sync(
    client: ApiClient,
    *,
    body: User | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> User:
    """Create user.

    This can only be done by the logged in user.

    Args:
        body: Created user object
    """
    return sync_detailed(client, body=body, headers=headers, timeout=timeout).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    body: User | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[User]:
    """Create user.

    This can only be done by the logged in user.

    Args:
        body: Created user object
    """
    response = await client.execute(
        build_request(body=body, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


async def asyncio(
    client: AsyncApiClient,
    *,
    body: User | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> User:
    """Create user.

    This can only be done by the logged in user.

    Args:
        body: Created user object
    """
    detailed = await asyncio_detailed(client, body=body, headers=headers, timeout=timeout)
    return detailed.parsed
