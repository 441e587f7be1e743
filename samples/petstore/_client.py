"""The client of Swagger Petstore - OpenAPI 3.0 1.0.27-SNAPSHOT."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from ._runtime import ApiClient, SecuritySchemeSpec

if TYPE_CHECKING:
    from ._runtime import AuthHook, HttpClient, TokenStorage
    from .api.pet._resource import PetApi
    from .api.store._resource import StoreApi
    from .api.user._resource import UserApi


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

    Credentials (keyword arguments; README.md shows how to use them):
        token, refresh_token, token_url: the 'petstore_auth' scheme (OAuth2)
        api_key: the 'api_key' scheme (API key)

    Escape hatches: ``auth=`` (a runtime auth hook for every secured operation)
    and ``auth_by_scheme={scheme name: hook}`` (wins over the keywords above).
    ``token_storage=`` caches the tokens of the client's flows (memory by default).
    """

    default_base_url: ClassVar[str] = "https://petstore3.swagger.io/api/v3"
    env_prefix: ClassVar[str] = "PETSTORE"
    security_schemes: ClassVar[tuple[SecuritySchemeSpec, ...]] = (
        SecuritySchemeSpec(
            name="petstore_auth",
            kind="oauth2",
            parameters={
                "token": "token",
                "refresh_token": "refresh_token",
                "token_url": "token_url",
            },
            flows=("implicit",),
        ),
        SecuritySchemeSpec(
            name="api_key",
            kind="apiKey",
            parameters={"api_key": "api_key"},
            location="header",
            parameter_name="api_key",
        ),
    )

    def __init__(
        self,
        base_url: str | None = None,
        *,
        token: str | None = None,
        refresh_token: str | None = None,
        token_url: str | None = None,
        api_key: str | None = None,
        token_storage: TokenStorage | None = None,
        auth: AuthHook | None = None,
        auth_by_scheme: Mapping[str, AuthHook] | None = None,
        http_client: HttpClient | None = None,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
        strict_responses: bool | None = None,
    ) -> None:
        super().__init__(
            base_url,
            auth=auth,
            auth_by_scheme=auth_by_scheme,
            http_client=http_client,
            timeout=timeout,
            headers=headers,
            token_storage=token_storage,
            strict_responses=strict_responses,
            credentials={
                "petstore_auth": {
                    "token": token,
                    "refresh_token": refresh_token,
                    "token_url": token_url,
                },
                "api_key": {
                    "api_key": api_key,
                },
            },
        )

    @cached_property
    def pet(self) -> PetApi:
        """Everything about your Pets"""
        from .api.pet._resource import PetApi

        return PetApi(self)

    @cached_property
    def store(self) -> StoreApi:
        """Access to Petstore orders"""
        from .api.store._resource import StoreApi

        return StoreApi(self)

    @cached_property
    def user(self) -> UserApi:
        """Operations about user"""
        from .api.user._resource import UserApi

        return UserApi(self)
