"""Operations about user

One module per operation.  ``UserApi`` (``client.user``) lives in
``._resource`` and ``AsyncUserApi`` (``async_client.user``) in
``._async_resource``; both load on first use, and each operation's module
loads when its endpoint is first reached, so a program imports only the
operations (and models) it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._async_resource import AsyncUserApi as AsyncUserApi
    from ._resource import UserApi as UserApi

__all__ = ["AsyncUserApi", "UserApi"]


def __getattr__(name: str) -> Any:
    if name == "UserApi":
        from ._resource import UserApi

        return UserApi
    if name == "AsyncUserApi":
        from ._async_resource import AsyncUserApi

        return AsyncUserApi
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
