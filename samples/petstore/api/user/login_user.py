"""GET /user/login -- Logs user into the system."""

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

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = ()


class LoginUserBadRequestError(BadRequestError):
    """Invalid username/password supplied"""


class LoginUserDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    username: str | None = None,
    password: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.GET,
        url="/user/login",
        params=[
            *query_param("username", username, "form_explode"),
            *query_param("password", password, "form_explode"),
        ],
        headers={**compact({"Accept": "application/json"}), **(headers or {})},
    )


def parse_response(response: HttpResponse, *, strict: bool | None = None) -> str:
    """The response as this operation's result, or its typed error raised.

    A success body that drifts from its schema is salvaged unless ``strict``
    (``None``: ``REQUESTFORGE_STRICT_RESPONSES``); the client passes its own
    ``strict_responses``.
    """
    if response.status_code == 200:
        return cast("str", parse_typed(response, str, __name__, strict))
    raise_api_error(response, {400: LoginUserBadRequestError, "default": LoginUserDefaultError})


def sync_detailed(
    client: ApiClient,
    *,
    username: str | None = None,
    password: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[str]:
    """Logs user into the system.

    Log into the system.

    Args:
        username: The user name for login
        password: The password for login in clear text
    """
    response = client.execute(
        build_request(username=username, password=password, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


def sync(
    client: ApiClient,
    *,
    username: str | None = None,
    password: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> str:
    """Logs user into the system.

    Log into the system.

    Args:
        username: The user name for login
        password: The password for login in clear text
    """
    return sync_detailed(
        client,
        username=username,
        password=password,
        headers=headers,
        timeout=timeout,
    ).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    username: str | None = None,
    password: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[str]:
    """Logs user into the system.

    Log into the system.

    Args:
        username: The user name for login
        password: The password for login in clear text
    """
    response = await client.execute(
        build_request(username=username, password=password, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


async def asyncio(
    client: AsyncApiClient,
    *,
    username: str | None = None,
    password: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> str:
    """Logs user into the system.

    Log into the system.

    Args:
        username: The user name for login
        password: The password for login in clear text
    """
    detailed = await asyncio_detailed(
        client,
        username=username,
        password=password,
        headers=headers,
        timeout=timeout,
    )
    return detailed.parsed
