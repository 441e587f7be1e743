"""DELETE /store/order/{orderId} -- Delete purchase order by identifier."""

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


class DeleteOrderBadRequestError(BadRequestError):
    """Invalid ID supplied"""


class DeleteOrderNotFoundError(NotFoundError):
    """Order not found"""


class DeleteOrderDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    order_id: int,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.DELETE,
        url=f"/store/order/{path_param(order_id, 'simple')}",
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
            400: DeleteOrderBadRequestError,
            404: DeleteOrderNotFoundError,
            "default": DeleteOrderDefaultError,
        },
    )


def sync_detailed(
    client: ApiClient,
    *,
    order_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[None]:
    """Delete purchase order by identifier.

    For valid response try integer IDs with value < 1000. Anything above 1000 or non-integers will generate API errors.

    Args:
        order_id: ID of the order that needs to be deleted
    """
    response = client.execute(
        build_request(order_id=order_id, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    parse_response(response, strict=client.strict_responses)
    return ApiResponse.of(response, None)


def sync(
    client: ApiClient,
    *,
    order_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> None:
    """Delete purchase order by identifier.

    For valid response try integer IDs with value < 1000. Anything above 1000 or non-integers will generate API errors.

    Args:
        order_id: ID of the order that needs to be deleted
    """
    sync_detailed(client, order_id=order_id, headers=headers, timeout=timeout)


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    order_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[None]:
    """Delete purchase order by identifier.

    For valid response try integer IDs with value < 1000. Anything above 1000 or non-integers will generate API errors.

    Args:
        order_id: ID of the order that needs to be deleted
    """
    response = await client.execute(
        build_request(order_id=order_id, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    parse_response(response, strict=client.strict_responses)
    return ApiResponse.of(response, None)


async def asyncio(
    client: AsyncApiClient,
    *,
    order_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> None:
    """Delete purchase order by identifier.

    For valid response try integer IDs with value < 1000. Anything above 1000 or non-integers will generate API errors.

    Args:
        order_id: ID of the order that needs to be deleted
    """
    await asyncio_detailed(client, order_id=order_id, headers=headers, timeout=timeout)
