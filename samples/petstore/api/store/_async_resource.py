"""Access to Petstore orders"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._runtime import AsyncEndpoint, AsyncResource, LazyOperation

if TYPE_CHECKING:
    from . import delete_order as _delete_order
    from . import get_inventory as _get_inventory
    from . import get_order_by_id as _get_order_by_id
    from . import place_order as _place_order
else:
    _delete_order = LazyOperation(__package__, "delete_order")
    _get_inventory = LazyOperation(__package__, "get_inventory")
    _get_order_by_id = LazyOperation(__package__, "get_order_by_id")
    _place_order = LazyOperation(__package__, "place_order")


class AsyncStoreApi(AsyncResource):
    """``async_client.store``: Access to Petstore orders"""

    get_inventory = AsyncEndpoint(
        _get_inventory.asyncio,
        _get_inventory.asyncio_detailed,
        summary="Returns pet inventories by status.",
    )
    """Returns pet inventories by status."""

    place_order = AsyncEndpoint(
        _place_order.asyncio,
        _place_order.asyncio_detailed,
        summary="Place an order for a pet.",
    )
    """Place an order for a pet."""

    get_order_by_id = AsyncEndpoint(
        _get_order_by_id.asyncio,
        _get_order_by_id.asyncio_detailed,
        summary="Find purchase order by ID.",
    )
    """Find purchase order by ID."""

    delete_order = AsyncEndpoint(
        _delete_order.asyncio,
        _delete_order.asyncio_detailed,
        summary="Delete purchase order by identifier.",
    )
    """Delete purchase order by identifier."""
