"""``requestforge`` loads its submodules on first use (PEP 562), and exports stay complete."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requestforge


def _loaded_after(code: str) -> set[str]:
    """The ``requestforge`` submodules a fresh interpreter has loaded after running ``code``."""
    probe = (
        f"{code}\nimport sys\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('requestforge.'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return {name.removeprefix("requestforge.") for name in result.stdout.split()}


def test_every_exported_name_resolves_and_is_mapped_to_its_submodule() -> None:
    exported = set(requestforge.__all__) - {"__version__"}
    assert exported == set(requestforge._SUBMODULE_OF)
    for name in sorted(exported):
        value = getattr(requestforge, name)
        module = requestforge._SUBMODULE_OF[name]
        assert value is getattr(sys.modules[f"requestforge.{module}"], name), name


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        requestforge.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def test_star_import_sees_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from requestforge import *", namespace)
    assert set(requestforge.__all__) <= set(namespace)


def test_importing_the_package_loads_no_submodule() -> None:
    assert _loaded_after("import requestforge") == set()


def test_what_a_generated_client_imports_leaves_the_token_machinery_unloaded() -> None:
    # A generated _client.py and endpoint module import these names.
    loaded = _loaded_after(
        "from requestforge import ApiClient, ApiError, ApiResponse, AuthHook, HttpClient,"
        " HttpMethod, HttpRequest, HttpResponse, SecuritySchemeSpec, TokenStorage, compact,"
        " path_param, raise_api_error\n"
        "ApiClient('http://127.0.0.1:9')"
    )
    assert "api" in loaded
    assert not loaded & {"manager", "oidc", "pipeline", "providers"}, loaded
