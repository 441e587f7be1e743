"""Access to Petstore orders

One module per operation.  ``StoreApi`` (``client.store``) lives in
``._resource`` and ``AsyncStoreApi`` (``async_client.store``) in
``._async_resource``; both load on first use, and each operation's module
loads when its endpoint is first reached, so a program imports only the
operations (and models) it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._async_resource import AsyncStoreApi as AsyncStoreApi
    from ._resource import StoreApi as StoreApi

__all__ = ["AsyncStoreApi", "StoreApi"]


def __getattr__(name: str) -> Any:
    if name == "StoreApi":
        from ._resource import StoreApi

        return StoreApi
    if name == "AsyncStoreApi":
        from ._async_resource import AsyncStoreApi

        return AsyncStoreApi
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
