"""Operations about user"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._runtime import AsyncEndpoint, AsyncResource, LazyOperation

if TYPE_CHECKING:
    from . import create_user as _create_user
    from . import create_users_with_list_input as _create_users_with_list_input
    from . import delete_user as _delete_user
    from . import get_user_by_name as _get_user_by_name
    from . import login_user as _login_user
    from . import logout_user as _logout_user
    from . import update_user as _update_user
else:
    _create_user = LazyOperation(__package__, "create_user")
    _create_users_with_list_input = LazyOperation(__package__, "create_users_with_list_input")
    _delete_user = LazyOperation(__package__, "delete_user")
    _get_user_by_name = LazyOperation(__package__, "get_user_by_name")
    _login_user = LazyOperation(__package__, "login_user")
    _logout_user = LazyOperation(__package__, "logout_user")
    _update_user = LazyOperation(__package__, "update_user")


class AsyncUserApi(AsyncResource):
    """``async_client.user``: Operations about user"""

    create_user = AsyncEndpoint(
        _create_user.asyncio,
        _create_user.asyncio_detailed,
        summary="Create user.",
    )
    """Create user."""

    create_users_with_list_input = AsyncEndpoint(
        _create_users_with_list_input.asyncio,
        _create_users_with_list_input.asyncio_detailed,
        summary="Creates list of users with given input array.",
    )
    """Creates list of users with given input array."""

    login_user = AsyncEndpoint(
        _login_user.asyncio,
        _login_user.asyncio_detailed,
        summary="Logs user into the system.",
    )
    """Logs user into the system."""

    logout_user = AsyncEndpoint(
        _logout_user.asyncio,
        _logout_user.asyncio_detailed,
        summary="Logs out current logged in user session.",
    )
    """Logs out current logged in user session."""

    get_user_by_name = AsyncEndpoint(
        _get_user_by_name.asyncio,
        _get_user_by_name.asyncio_detailed,
        summary="Get user by user name.",
    )
    """Get user by user name."""

    update_user = AsyncEndpoint(
        _update_user.asyncio,
        _update_user.asyncio_detailed,
        summary="Update user resource.",
    )
    """Update user resource."""

    delete_user = AsyncEndpoint(
        _delete_user.asyncio,
        _delete_user.asyncio_detailed,
        summary="Delete user resource.",
    )
    """Delete user resource."""
