"""The client of Swagger Petstore - OpenAPI 3.0 1.0.27-SNAPSHOT."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from ._runtime import ApiClient

if TYPE_CHECKING:
    from .api.pet import PetApi
    from .api.store import StoreApi
    from .api.user import UserApi


class Client(ApiClient):
    """Swagger Petstore - OpenAPI 3.0 1.0.27-SNAPSHOT.

    This is a sample Pet Store Server based on the OpenAPI 3.0 specification.  You can find out more about
    Swagger at [https://swagger.io](https://swagger.io). In the third iteration of the pet store, we've switched to the design first approach!
    You can now help us improve the API whether it's by making changes to the definition itself or to the code.
    That way, with time, we can improve the API in general, and expose some of the new features in OAS3.

    Some useful links:
    - [The Pet Store repository](https://github.com/swagger-api/swagger-petstore)
    - [The source API definition for the Pet Store](https://github.com/swagger-api/swagger-petstore/blob/master/src/main/resources/openapi.yaml)

    Servers:
        https://petstore3.swagger.io/api/v3

    Security schemes (pass ``auth=`` for all, or ``auth_by_scheme={name: hook}``):
        api_key
        petstore_auth
    """

    default_base_url: ClassVar[str] = "https://petstore3.swagger.io/api/v3"

    @cached_property
    def pet(self) -> PetApi:
        """Everything about your Pets"""
        from .api.pet import PetApi

        return PetApi(self)

    @cached_property
    def store(self) -> StoreApi:
        """Access to Petstore orders"""
        from .api.store import StoreApi

        return StoreApi(self)

    @cached_property
    def user(self) -> UserApi:
        """Operations about user"""
        from .api.user import UserApi

        return UserApi(self)
