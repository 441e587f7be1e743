"""GET /store/order/{orderId} -- Find purchase order by ID."""

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
from ...models.order import Order

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = ()


class GetOrderByIdBadRequestError(BadRequestError):
    """Invalid ID supplied"""


class GetOrderByIdNotFoundError(NotFoundError):
    """Order not found"""


class GetOrderByIdDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    order_id: int,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.GET,
        url=f"/store/order/{path_param(order_id, 'simple')}",
        headers={**compact({"Accept": "application/json"}), **(headers or {})},
    )


def parse_response(response: HttpResponse, *, strict: bool | None = None) -> Order:
    """The response as this operation's result, or its typed error raised.

    A success body that drifts from its schema is salvaged unless ``strict``
    (``None``: ``REQUESTFORGE_STRICT_RESPONSES``); the client passes its own
    ``strict_responses``.
    """
    if response.status_code == 200:
        return parse_model(response, Order, __name__, strict)
    raise_api_error(
        response,
        {
            400: GetOrderByIdBadRequestError,
            404: GetOrderByIdNotFoundError,
            "default": GetOrderByIdDefaultError,
        },
    )


def sync_detailed(
    client: ApiClient,
    *,
    order_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[Order]:
    """Find purchase order by ID.

    For valid response try integer IDs with value <= 5 or > 10. Other values will generate exceptions.

    Args:
        order_id: ID of order that needs to be fetched
    """
    response = client.execute(
        build_request(order_id=order_id, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


def sync(
    client: ApiClient,
    *,
    order_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Order:
    """Find purchase order by ID.

    For valid response try integer IDs with value <= 5 or > 10. Other values will generate exceptions.

    Args:
        order_id: ID of order that needs to be fetched
    """
    return sync_detailed(client, order_id=order_id, headers=headers, timeout=timeout).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    order_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[Order]:
    """Find purchase order by ID.

    For valid response try integer IDs with value <= 5 or > 10. Other values will generate exceptions.

    Args:
        order_id: ID of order that needs to be fetched
    """
    response = await client.execute(
        build_request(order_id=order_id, headers=headers),
        security=SECURITY,
        timeout=timeout,
    )
    return ApiResponse.of(response, parse_response(response, strict=client.strict_responses))


async def asyncio(
    client: AsyncApiClient,
    *,
    order_id: int,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Order:
    """Find purchase order by ID.

    For valid response try integer IDs with value <= 5 or > 10. Other values will generate exceptions.

    Args:
        order_id: ID of order that needs to be fetched
    """
    detailed = await asyncio_detailed(client, order_id=order_id, headers=headers, timeout=timeout)
    return detailed.parsed
