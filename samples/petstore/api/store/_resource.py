"""Access to Petstore orders"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._runtime import Endpoint, LazyOperation, Resource

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


class StoreApi(Resource):
    """``client.store``: Access to Petstore orders"""

    get_inventory = Endpoint(
        _get_inventory.sync,
        _get_inventory.sync_detailed,
        summary="Returns pet inventories by status.",
    )
    """Returns pet inventories by status."""

    place_order = Endpoint(
        _place_order.sync,
        _place_order.sync_detailed,
        summary="Place an order for a pet.",
    )
    """Place an order for a pet."""

    get_order_by_id = Endpoint(
        _get_order_by_id.sync,
        _get_order_by_id.sync_detailed,
        summary="Find purchase order by ID.",
    )
    """Find purchase order by ID."""

    delete_order = Endpoint(
        _delete_order.sync,
        _delete_order.sync_detailed,
        summary="Delete purchase order by identifier.",
    )
    """Delete purchase order by identifier."""
