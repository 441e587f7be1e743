"""POST /user/createWithList -- Creates list of users with given input array."""

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


class CreateUsersWithListInputDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    body: list[User] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.POST,
        url="/user/createWithList",
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
    raise_api_error(response, {"default": CreateUsersWithListInputDefaultError})


def sync_detailed(
    client: ApiClient,
    *,
    body: list[User] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[User]:
    """Creates list of users with given input array."""
    response = client.execute(
        build_request(body=body, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


def sync(
    client: ApiClient,
    *,
    body: list[User] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> User:
    """Creates list of users with given input array."""
    return sync_detailed(client, body=body, headers=headers, timeout=timeout).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    body: list[User] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[User]:
    """Creates list of users with given input array."""
    response = await client.execute(
        build_request(body=body, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


async def asyncio(
    client: AsyncApiClient,
    *,
    body: list[User] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> User:
    """Creates list of users with given input array."""
    detailed = await asyncio_detailed(client, body=body, headers=headers, timeout=timeout)
    return detailed.parsed
