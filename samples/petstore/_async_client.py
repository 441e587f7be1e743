"""The asyncio client of Swagger Petstore - OpenAPI 3.0 1.0.27-SNAPSHOT."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from ._client import Client
from ._runtime import AsyncApiClient

if TYPE_CHECKING:
    from ._runtime import AsyncHttpClient, AuthHook, SecuritySchemeSpec, TokenStorage
    from .api.pet._async_resource import AsyncPetApi
    from .api.store._async_resource import AsyncStoreApi
    from .api.user._async_resource import AsyncUserApi


class AsyncClient(AsyncApiClient):
    """Swagger Petstore - OpenAPI 3.0 1.0.27-SNAPSHOT, for asyncio.

    The same operations, keywords and credentials as :class:`Client`, as
    coroutines: ``await client.pet.update_pet(...)``.  Requests go through httpx
    (``pip install 'forgegen[async]'`` or ``httpx``); hooks, retry strategies,
    the circuit breaker and token flows are the sync client's, and concurrent
    tasks share one token fetch.  Close it with ``await client.aclose()`` or
    ``async with AsyncClient(...) as client:``.
    """

    default_base_url: ClassVar[str] = Client.default_base_url
    env_prefix: ClassVar[str] = Client.env_prefix
    security_schemes: ClassVar[tuple[SecuritySchemeSpec, ...]] = Client.security_schemes

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
        http_client: AsyncHttpClient | None = None,
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
    def pet(self) -> AsyncPetApi:
        """Everything about your Pets"""
        from .api.pet._async_resource import AsyncPetApi

        return AsyncPetApi(self)

    @cached_property
    def store(self) -> AsyncStoreApi:
        """Access to Petstore orders"""
        from .api.store._async_resource import AsyncStoreApi

        return AsyncStoreApi(self)

    @cached_property
    def user(self) -> AsyncUserApi:
        """Operations about user"""
        from .api.user._async_resource import AsyncUserApi

        return AsyncUserApi(self)
