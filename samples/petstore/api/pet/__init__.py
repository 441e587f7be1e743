"""Everything about your Pets

One module per operation.  ``PetApi`` (``client.pet``) lives in
``._resource`` and is loaded on first use, so importing one operation's module
does not import the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._resource import PetApi as PetApi

__all__ = ["PetApi"]


def __getattr__(name: str) -> Any:
    if name == "PetApi":
        from ._resource import PetApi

        return PetApi
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
