"""Operations about user"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._runtime import Endpoint, LazyOperation, Resource

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


class UserApi(Resource):
    """``client.user``: Operations about user"""

    create_user = Endpoint(_create_user.sync, _create_user.sync_detailed, summary="Create user.")
    """Create user."""

    create_users_with_list_input = Endpoint(
        _create_users_with_list_input.sync,
        _create_users_with_list_input.sync_detailed,
        summary="Creates list of users with given input array.",
    )
    """Creates list of users with given input array."""

    login_user = Endpoint(
        _login_user.sync,
        _login_user.sync_detailed,
        summary="Logs user into the system.",
    )
    """Logs user into the system."""

    logout_user = Endpoint(
        _logout_user.sync,
        _logout_user.sync_detailed,
        summary="Logs out current logged in user session.",
    )
    """Logs out current logged in user session."""

    get_user_by_name = Endpoint(
        _get_user_by_name.sync,
        _get_user_by_name.sync_detailed,
        summary="Get user by user name.",
    )
    """Get user by user name."""

    update_user = Endpoint(
        _update_user.sync,
        _update_user.sync_detailed,
        summary="Update user resource.",
    )
    """Update user resource."""

    delete_user = Endpoint(
        _delete_user.sync,
        _delete_user.sync_detailed,
        summary="Delete user resource.",
    )
    """Delete user resource."""
