"""lower: Client parameter names of security schemes, operation scopes, the pipeline extension."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from forgegen.diagnostics import SpecError
from forgegen.ir import Api, PipelineStep

from tests.generator.test_lower_operations import OK, lower_doc, operations


def schemes_api(schemes: dict[str, Any], paths: dict[str, Any] | None = None) -> Api:
    api, _ = lower_doc(paths or {}, components={"securitySchemes": schemes})
    return api


def names(api: Api) -> dict[str, dict[str, str]]:
    return {s.name: dict(s.parameters) for s in api.security_schemes}


BEARER = {"type": "http", "scheme": "bearer"}
IMPLICIT = {
    "type": "oauth2",
    "flows": {"implicit": {"authorizationUrl": "https://a/auth", "scopes": {}}},
}


def test_unique_kinds_without_collisions_are_unprefixed() -> None:
    api = schemes_api(
        {
            "key": {"type": "apiKey", "in": "header", "name": "K"},
            "basic": {"type": "http", "scheme": "basic"},
            "bearer": BEARER,
            "cert": {"type": "mutualTLS"},
        }
    )
    assert names(api) == {
        "key": {"api_key": "api_key"},
        "basic": {"username": "username", "password": "password"},
        "bearer": {"token": "token", "token_manager": "token_manager"},
        "cert": {"client_cert": "client_cert"},
    }
    assert {s.python_prefix for s in api.security_schemes} == {""}


def test_colliding_parameters_prefix_both_schemes() -> None:
    api = schemes_api({"BearerAuth": BEARER, "petstore_auth": IMPLICIT})
    assert names(api) == {
        "BearerAuth": {"token": "bearer_auth_token", "token_manager": "bearer_auth_token_manager"},
        "petstore_auth": {
            "token": "petstore_auth_token",
            "refresh_token": "petstore_auth_refresh_token",
            "token_url": "petstore_auth_token_url",
        },
    }


def test_basic_and_password_flow_collide_on_username() -> None:
    password = {
        "type": "oauth2",
        "flows": {"password": {"tokenUrl": "https://a/token", "scopes": {"s": ""}}},
    }
    api = schemes_api({"basic": {"type": "http", "scheme": "basic"}, "wso2": password})
    assert names(api)["basic"] == {"username": "basic_username", "password": "basic_password"}
    assert names(api)["wso2"]["client_id"] == "wso2_client_id"


def test_prefixes_are_unique_and_deterministic() -> None:
    schemes = {
        "a-key": {"type": "apiKey", "in": "header", "name": "A"},
        "a_key": {"type": "apiKey", "in": "query", "name": "B"},
        "base": {"type": "apiKey", "in": "query", "name": "C"},
    }
    first, second = names(schemes_api(schemes)), names(schemes_api(copy.deepcopy(schemes)))
    assert first == second
    assert [p["api_key"] for p in first.values()] == [
        "a_key_api_key",
        "a_key_2_api_key",
        "base_api_key",
    ]


def test_operation_scopes_are_kept_per_scheme() -> None:
    api = schemes_api(
        {"o": IMPLICIT, "k": {"type": "apiKey", "in": "header", "name": "K"}},
        {
            "/x": {
                "get": {
                    "security": [{"o": ["read", "write"]}, {"o": ["read", "admin"], "k": []}],
                    "responses": OK,
                }
            }
        },
    )
    (operation,) = operations(api)
    assert operation.security_scopes == (("o", ("read", "write", "admin")),)


PIPELINE_PATHS = {
    "/device": {"post": {"operationId": "device", "responses": OK}},
    "/app": {"post": {"operationId": "app", "responses": OK}},
    "/items/{id}": {"get": {"operationId": "item", "responses": OK}},
}


def pipeline(extension: Any) -> Api:
    scheme = {**BEARER, "x-forgegen-token-pipeline": extension}
    return schemes_api({"session": scheme}, PIPELINE_PATHS)


GOOD_STEPS = [
    {"name": "device", "operationId": "device", "token": {"header": "X-T"}, "ttl": 60},
    {
        "name": "app",
        "operationId": "app",
        "dependsOn": ["device"],
        "token": {"json": "data.token"},
        "ttl": 30,
        "headers": {"Authorization": "Bearer {device}", "X-Key": "{key}"},
    },
]


def test_pipeline_lowered() -> None:
    (scheme,) = pipeline({"inputs": ["key"], "steps": GOOD_STEPS}).security_schemes
    assert scheme.pipeline_inputs == ("key",)
    assert dict(scheme.parameters)["key"] == "key"
    assert scheme.pipeline == (
        PipelineStep("device", "POST", "/device", 60.0, (), "X-T", None),
        PipelineStep(
            "app",
            "POST",
            "/app",
            30.0,
            ("device",),
            None,
            "data.token",
            (("Authorization", "Bearer {device}"), ("X-Key", "{key}")),
        ),
    )


BASE = "#/components/securitySchemes/session/x-forgegen-token-pipeline"


def broken(index: int, **changes: Any) -> dict[str, Any]:
    steps = copy.deepcopy(GOOD_STEPS)
    steps[index].update(changes)
    return {"inputs": ["key"], "steps": steps}


@pytest.mark.parametrize(
    ("extension", "pointer", "message"),
    [
        ({"steps": []}, f"{BASE}/steps", "non-empty list"),
        ({"stages": []}, BASE, "unknown keys"),
        ({"inputs": ["token"], "steps": GOOD_STEPS}, f"{BASE}/inputs", "inputs"),
        (broken(0, operationId="nope"), f"{BASE}/steps/0/operationId", "'nope' names no"),
        (broken(0, operationId="item"), f"{BASE}/steps/0/operationId", "path parameters"),
        (broken(0, token={"cookie": "x"}), f"{BASE}/steps/0/token", "token must be"),
        (broken(0, ttl=0), f"{BASE}/steps/0/ttl", "positive"),
        (broken(0, ttl=float("nan")), f"{BASE}/steps/0/ttl", "positive"),
        (broken(0, ttl=10**400), f"{BASE}/steps/0/ttl", "at most .* got an integer of about 401"),
        (broken(0, ttl=1e300), f"{BASE}/steps/0/ttl", "ten years"),
        (broken(1, name="device"), f"{BASE}/steps/1/name", "duplicate"),
        (
            broken(1, dependsOn=["device", "ghost"]),
            f"{BASE}/steps/1/dependsOn",
            "unknown step 'ghost'",
        ),
        (
            broken(1, headers={"X": "{other}"}),
            f"{BASE}/steps/1/headers/X",
            "neither a dependency",
        ),
        (broken(0, dependsOn=["app"]), f"{BASE}/steps", "cycle: device -> app -> device"),
        (broken(1, dependsOn=[], headers={}), f"{BASE}/steps", "exactly one last step"),
    ],
)
def test_pipeline_mistakes_name_the_pointer(extension: Any, pointer: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        pipeline(extension)
    assert caught.value.pointer == pointer


def test_pipeline_only_on_bearer() -> None:
    scheme = {"type": "apiKey", "in": "header", "name": "K", "x-forgegen-token-pipeline": []}
    with pytest.raises(SpecError, match="http bearer") as caught:
        schemes_api({"k": scheme})
    assert caught.value.pointer == "#/components/securitySchemes/k/x-forgegen-token-pipeline"


def test_readme_pipeline_example_lowers() -> None:
    import re
    from pathlib import Path

    import yaml

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("#### `x-forgegen-token-pipeline`", 1)[1]
    example = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert example is not None
    document = yaml.safe_load(example.group(1))
    api, _ = lower_doc(document["paths"], components=document["components"])
    (scheme,) = api.security_schemes
    assert [step.name for step in scheme.pipeline] == ["device", "app", "user"]
    assert dict(scheme.parameters)["device_key"] == "device_key"


def test_hostile_scheme_text_stays_inert() -> None:
    from forgegen.render import render

    hostile = 'x"""\n`` ```\nimport os  # \\'
    scheme = {
        "type": "oauth2",
        "description": hostile,
        "flows": {"clientCredentials": {"tokenUrl": hostile, "scopes": {hostile: hostile}}},
    }
    api = schemes_api(
        {hostile: scheme, "k": {"type": "apiKey", "in": "header", "name": hostile}},
        {"/x": {"get": {"security": [{hostile: [hostile]}], "responses": OK}}},
    )
    files = render(api, runtime="package")
    for path, text in files.items():
        if path.endswith(".py"):
            compile(text, path, "exec")
    client = files["_client.py"]
    assert "\nimport os" not in client
    fences = [line for line in files["README.md"].splitlines() if line.startswith("```")]
    assert fences[0::2] == ["```python"] * (len(fences) // 2)  # every fence is one we opened
    assert set(fences[1::2]) == {"```"}
    assert dict(api.security_schemes[0].parameters)["client_id"] == "client_id"
