"""Typed access to the plain-dict OpenAPI document.

Lowering reads the document as the dict the front end hands over, not only as
the ``openapi_pydantic`` model: the dict keeps the spec's key order (which
decides names and the order of generated code), vendor extensions, and maps
one-to-one onto the JSON pointers our warnings name.  These helpers give the
rest of the package typed views of untyped JSON without ``cast`` noise, and
resolve the local ``$ref``s the resolver left in place (all of the form
``#/components/<kind>/<name>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..diagnostics import SpecError, pointer_tokens

__all__ = [
    "as_bool",
    "as_list",
    "as_map",
    "as_str",
    "pointer_tokens",
    "resolve",
    "resolve_path",
]

EMPTY: Mapping[str, Any] = {}


def as_map(value: object) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty mapping."""
    if isinstance(value, Mapping):
        return value
    return EMPTY


def as_list(value: object) -> list[Any]:
    """``value`` if it is a JSON array, else an empty list."""
    return list(value) if isinstance(value, list | tuple) else []


def as_str(value: object) -> str | None:
    """``value`` if it is a string, else ``None``."""
    return value if isinstance(value, str) else None


def as_bool(value: object, default: bool = False) -> bool:
    """``value`` if it is a boolean, else ``default``."""
    return value if isinstance(value, bool) else default


def resolve(
    document: Mapping[str, Any], node: Mapping[str, Any], pointer: str
) -> tuple[Mapping[str, Any], str]:
    """Follow ``$ref`` chains from ``node`` (found at ``pointer``) to a real object.

    Returns the object and its own pointer.  A reference that does not resolve
    (or loops) is a :class:`SpecError` naming where it was written.
    """
    seen: set[str] = set()
    while "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise SpecError(f"$ref {ref!r} is not a local reference", pointer=pointer)
        if ref in seen:
            raise SpecError(f"$ref {ref!r} refers to itself", pointer=pointer)
        seen.add(ref)
        target: Any = document
        for token in pointer_tokens(ref):
            if isinstance(target, Mapping) and token in target:
                target = target[token]
            elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
                target = target[int(token)]
            else:
                raise SpecError(f"$ref {ref!r} not found", pointer=pointer)
        if not isinstance(target, Mapping):
            raise SpecError(f"$ref {ref!r} is not an object", pointer=pointer)
        node, pointer = target, ref
    return node, pointer


def resolve_path(document: Mapping[str, Any], pointer: str) -> object:
    """The value at a ``#/...`` pointer made by ``join_pointer``."""
    node: object = document
    for token in pointer_tokens(pointer):
        node = as_map(node).get(token)
    return node
