"""POST /store/order -- Place an order for a pet."""

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
    UnprocessableEntityError,
    compact,
    parse_model,
    raise_api_error,
    to_json,
)
from ...models.order import Order

if TYPE_CHECKING:
    from ..._runtime import AsyncApiClient

SECURITY = ()


class PlaceOrderBadRequestError(BadRequestError):
    """Invalid input"""


class PlaceOrderUnprocessableEntityError(UnprocessableEntityError):
    """Validation exception"""


class PlaceOrderDefaultError(ApiError):
    """Unexpected error"""


def build_request(
    *,
    body: Order | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.POST,
        url="/store/order",
        json_data=to_json(body),
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
            400: PlaceOrderBadRequestError,
            422: PlaceOrderUnprocessableEntityError,
            "default": PlaceOrderDefaultError,
        },
    )


def sync_detailed(
    client: ApiClient,
    *,
    body: Order | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[Order]:
    """Place an order for a pet.

    Place a new order in the store.
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
    body: Order | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Order:
    """Place an order for a pet.

    Place a new order in the store.
    """
    return sync_detailed(client, body=body, headers=headers, timeout=timeout).parsed


async def asyncio_detailed(
    client: AsyncApiClient,
    *,
    body: Order | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ApiResponse[Order]:
    """Place an order for a pet.

    Place a new order in the store.
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
    body: Order | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Order:
    """Place an order for a pet.

    Place a new order in the store.
    """
    detailed = await asyncio_detailed(client, body=body, headers=headers, timeout=timeout)
    return detailed.parsed
