"""An ``ApiClient`` subclass shaped like a generated one, for an upstream behind OAuth2.

It declares one client-credentials scheme (``machine``) and one operation,
``get_data``, which may also be called anonymously (``security`` lists the
empty requirement last), so the same class serves tests with and without tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from requestforge import (
    ApiClient,
    HttpClient,
    HttpMethod,
    HttpRequest,
    SecuritySchemeSpec,
    TokenStorage,
)

from tests.support.server import RecordedRequest, Reply

__all__ = ["UpstreamClient", "echo_reply"]


class UpstreamClient(ApiClient):
    """The upstream API: ``GET /data`` answers with what it saw."""

    default_base_url: ClassVar[str] = "http://127.0.0.1:9"
    security_schemes: ClassVar[tuple[SecuritySchemeSpec, ...]] = (
        SecuritySchemeSpec(
            name="machine",
            kind="oauth2",
            parameters={
                "client_id": "client_id",
                "client_secret": "client_secret",
                "token_url": "token_url",
            },
            flows=("clientCredentials",),
        ),
    )

    def __init__(
        self,
        base_url: str | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        token_url: str | None = None,
        token_storage: TokenStorage | None = None,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
        http_client: HttpClient | None = None,
    ) -> None:
        super().__init__(
            base_url,
            http_client=http_client,
            timeout=timeout,
            headers=headers,
            token_storage=token_storage,
            credentials={
                "machine": {
                    "client_id": client_id,
                    "client_secret": client_secret,
                    "token_url": token_url,
                }
            },
        )

    def get_data(self, n: int | str = 0) -> Any:
        """``GET /data?n=...``; the parsed JSON body."""
        request = HttpRequest(method=HttpMethod.GET, url="/data", params={"n": str(n)})
        response = self.execute(request, security=(("machine",), ()))
        response.raise_for_status()
        return response.json()


def echo_reply(request: RecordedRequest) -> Reply:
    """The loopback upstream's ``/data`` handler: echoes the id and credentials it got."""
    return Reply.json(
        {
            "request_id": request.header("X-Request-ID"),
            "n": request.query.get("n", [""])[0],
            "authorization": request.header("Authorization"),
        }
    )
