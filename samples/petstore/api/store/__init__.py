"""Access to Petstore orders

One module per operation.  ``StoreApi`` (``client.store``) lives in
``._resource`` and is loaded on first use, so importing one operation's module
does not import the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._resource import StoreApi as StoreApi

__all__ = ["StoreApi"]


def __getattr__(name: str) -> Any:
    if name == "StoreApi":
        from ._resource import StoreApi

        return StoreApi
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
