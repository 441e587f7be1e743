"""Everything about your Pets

One module per operation.  ``PetApi`` (``client.pet``) lives in
``._resource`` and ``AsyncPetApi`` (``async_client.pet``) in
``._async_resource``; both load on first use, and each operation's module
loads when its endpoint is first reached, so a program imports only the
operations (and models) it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._async_resource import AsyncPetApi as AsyncPetApi
    from ._resource import PetApi as PetApi

__all__ = ["AsyncPetApi", "PetApi"]


def __getattr__(name: str) -> Any:
    if name == "PetApi":
        from ._resource import PetApi

        return PetApi
    if name == "AsyncPetApi":
        from ._async_resource import AsyncPetApi

        return AsyncPetApi
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
