"""requestforge.schemes: which credentials activate a scheme, and the hooks built from them."""

from __future__ import annotations

import pytest
from requestforge import (
    ApiKeyAuthHook,
    BearerTokenAuthHook,
    ConfigurationError,
    InMemoryTokenStorage,
    PipelineStepSpec,
    SecuritySchemeSpec,
    TokenAuthHook,
    build_scheme_auth,
)

CC = SecuritySchemeSpec(
    name="machine",
    kind="oauth2",
    parameters={"client_id": "m_client_id", "client_secret": "m_client_secret", "scopes": "m_s"},
    flows=("clientCredentials",),
    token_url="https://auth.example/token",
)


def build(spec: SecuritySchemeSpec, **values: object) -> object:
    return build_scheme_auth(spec, values, storage=InMemoryTokenStorage())


def test_nothing_given_is_not_an_error() -> None:
    assert build(CC) is None
    assert build(CC, m_unrelated=None) is None


def test_half_a_pair_names_the_missing_parameter() -> None:
    with pytest.raises(ConfigurationError) as caught:
        build(CC, client_id="app")
    assert "m_client_secret" in str(caught.value)
    assert "app" not in str(caught.value).replace("'machine'", "")


def test_one_token_manager_per_scope_set() -> None:
    auth = build_scheme_auth(
        CC, {"client_id": "a", "client_secret": "s"}, storage=InMemoryTokenStorage()
    )
    assert auth is not None
    assert auth.scoped
    read = auth.hook(["read"])
    assert isinstance(read, TokenAuthHook)
    assert auth.hook(("read", "read")) is read
    both = auth.hook(["read", "write"])
    assert auth.hook(["write", "read"]) is both
    assert both is not read
    fixed = build_scheme_auth(
        CC,
        {"client_id": "a", "client_secret": "s", "scopes": "x y"},
        storage=InMemoryTokenStorage(),
    )
    assert fixed is not None
    assert not fixed.scoped
    assert fixed.hook(["read"]) is fixed.hook(["write"])


def test_static_hooks_and_type_checks() -> None:
    key = SecuritySchemeSpec(
        name="k", kind="apiKey", parameters={"api_key": "api_key"}, parameter_name="X-K"
    )
    auth = build_scheme_auth(key, {"api_key": "v"}, storage=InMemoryTokenStorage())
    assert auth is not None
    assert isinstance(auth.hook(), ApiKeyAuthHook)
    with pytest.raises(ConfigurationError, match="api_key"):
        build(key, api_key=3)
    bearer = SecuritySchemeSpec(name="b", kind="http_bearer", parameters={"token": "b_token"})
    built = build_scheme_auth(bearer, {"token": "t"}, storage=InMemoryTokenStorage())
    assert built is not None
    assert isinstance(built.hook(), BearerTokenAuthHook)
    with pytest.raises(ConfigurationError, match="TokenManager"):
        build(bearer, token_manager="not a manager")


def test_oauth2_without_a_token_url_asks_for_one() -> None:
    implicit = SecuritySchemeSpec(
        name="user",
        kind="oauth2",
        parameters={"token": "token", "refresh_token": "refresh_token", "token_url": "token_url"},
        flows=("implicit",),
    )
    with pytest.raises(ConfigurationError, match="pass token_url="):
        build(implicit, token="t", refresh_token="r")
    assert build(implicit, token="t") is not None


def test_pipeline_without_inputs_is_always_active() -> None:
    spec = SecuritySchemeSpec(
        name="session",
        kind="http_bearer",
        parameters={"token": "token", "token_manager": "token_manager"},
        pipeline=(PipelineStepSpec(name="only", method="POST", path="/t", ttl=60, token_json="t"),),
    )
    assert SecuritySchemeSpec.options(spec)[-1] == ()
    auth = build_scheme_auth(spec, {}, storage=InMemoryTokenStorage(), base_url="http://h")
    assert auth is not None
    assert isinstance(auth.hook(), TokenAuthHook)
    auth.close()


def test_describe_names_client_parameters() -> None:
    assert CC.describe() == "m_client_id=..., m_client_secret=..."
