"""The corpus specs with security schemes get a README that shows how to authenticate.

(Their clients' import and ``mypy --strict`` are checked by test_corpus_clients
and, for Stripe, ``scripts/check_corpus.py --only stripe``.)
"""

from __future__ import annotations

import pytest
from forgegen.diagnostics import Diagnostics
from forgegen.lower import lower
from forgegen.parse import parse_spec
from forgegen.render import render

from tests.support.corpus import CORPUS

#: spec -> (package name, README lines the Authentication section must contain)
EXPECTED: dict[str, tuple[str, list[str]]] = {
    "swagger-petstore3-openapi.yaml": (
        "petstore",
        [
            "### `petstore_auth` (OAuth2)",
            "### `api_key` (API key)",
            "- sent in the header: `api_key`",
            'client = Client(api_key="...")',
            'client = Client(token="...")',
            'client = Client(token="...", refresh_token="...", token_url="...")',
            "| `api_key` | the API key | `PETSTORE_API_KEY` |",
            "For example, `client.pet.get_pet_by_id(pet_id=...)` uses `api_key`, else "
            "`petstore_auth`: the first alternative whose credentials you gave.",
        ],
    ),
    "spotify-web-api-fixed-3.0.yaml": (
        "spotify",
        [
            "### `oauth_2_0` (OAuth2)",
            "- flows: `authorizationCode`",
            "- token URL: `https://accounts.spotify.com/api/token`",
            'client = Client(token="...", refresh_token="...")',
            "| `refresh_token` | a refresh token: the access token is renewed through the token "
            "URL | `SPOTIFY_REFRESH_TOKEN` |",
        ],
    ),
    "stripe-spec3.json": (
        "stripe",
        [
            "### `basicAuth` (HTTP Basic)",
            "### `bearerAuth` (HTTP Bearer)",
            'client = Client(username="...", password="...")',
            'client = Client(token="...")',
            "| `token` | an access token (sent as `Authorization: Bearer ...`) | `STRIPE_TOKEN` |",
        ],
    ),
    "wso2-apim-service-catalog-api-3.0.yaml": (
        "wso2",
        [
            "### `OAuth2Security` (OAuth2)",
            "- token URL: `https://localhost:9443/oauth2/token`",
            "- scopes: `service_catalog:service_view`, `service_catalog:service_write`",
            'client = Client(username="...", password="...", client_id="...")',
            "| `client_secret` | OAuth2 client secret | `WSO2_CLIENT_SECRET` |",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_readme_shows_how_to_authenticate(name: str) -> None:
    package, lines = EXPECTED[name]
    parsed = parse_spec(CORPUS / name)
    api = lower(parsed.openapi, parsed.document, package_name=package, diagnostics=Diagnostics())
    files = render(api, runtime="package")
    readme = files["README.md"]
    section = readme.split("## Authentication", 1)[1].split("## Errors", 1)[0]
    for line in lines:
        assert line in section, line
    assert f"`{package.upper()}_BASE_URL`" in section
    client = files["_client.py"]
    for scheme in api.security_schemes:
        for _, parameter in scheme.parameters:
            assert f"        {parameter}: " in client, parameter
