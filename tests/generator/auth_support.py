"""Generate a client from a small spec into a tmp dir and import it (for the auth tests)."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from forgegen.pipeline import generate

__all__ = ["OK", "generated_client", "op", "spec"]

OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}


def op(operation_id: str, security: list[dict[str, list[str]]] | None = None) -> dict[str, Any]:
    """An operation answering a JSON object; ``security`` given only when not None."""
    node: dict[str, Any] = {"operationId": operation_id, "tags": ["calls"], "responses": OK}
    if security is not None:
        node["security"] = security
    return node


def spec(paths: Mapping[str, Any], schemes: Mapping[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Auth test", "version": "1"},
        "paths": dict(paths),
        "components": {"securitySchemes": dict(schemes)},
        **top,
    }


@contextmanager
def generated_client(
    document: Mapping[str, Any], where: Path, package: str
) -> Iterator[ModuleType]:
    """Generate ``document`` as package ``package`` under ``where`` and import it."""
    where.mkdir(parents=True, exist_ok=True)
    spec_path = where / f"{package}.json"
    spec_path.write_text(json.dumps(document), encoding="utf-8")
    generate(spec_path, where / package, runtime="package", quiet=True, use_cache=False)
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
