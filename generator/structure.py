"""Walk an OpenAPI document by its structure, knowing what each object is.

A generic walk over "every dict" is wrong for OpenAPI: GitHub's spec has a
*property named* ``$ref`` (a schema map key) and example payloads containing
``"$ref": "https://..."`` -- data, not references.  Resolving or normalising
those would corrupt the document or refuse a valid spec.  So ``resolve`` and
``normalize`` walk with :func:`walk`, which only descends where the OpenAPI
3.0/3.1 object model says objects live, and tells the visitor the
:class:`Kind` of each one.  Example values, defaults, enums, vendor
extensions (``x-*``) and other free-form data are never visited.

The walk is iterative (no recursion limit), pre-order, in document order (so
anything derived from it is deterministic), and visits each dict once even if
YAML aliases share it.  The visitor may rewrite a node in place before its
children are listed, and may return ``False`` to skip them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any

from .diagnostics import join_pointer

__all__ = ["REFERABLE", "SCHEMA_LISTS", "SCHEMA_MAPS", "SCHEMA_SINGLE", "Kind", "Visitor", "walk"]


class Kind(Enum):
    """What an object in an OpenAPI document is."""

    # Members are singletons compared by identity: hash them as objects too.  Enum's
    # own __hash__ is Python code that hashes the name, and the walks look a kind
    # up in a table for each of the document's ~60,000 objects.
    __hash__ = object.__hash__

    ROOT = "root"
    PATHS = "paths"
    PATH_ITEM = "pathItem"
    OPERATION = "operation"
    PARAMETER = "parameter"
    HEADER = "header"
    REQUEST_BODY = "requestBody"
    MEDIA_TYPE = "mediaType"
    ENCODING = "encoding"
    RESPONSES = "responses"
    RESPONSE = "response"
    CALLBACK = "callback"
    EXAMPLE = "example"
    LINK = "link"
    SECURITY_SCHEME = "securityScheme"
    SCHEMA = "schema"
    COMPONENTS = "components"


REFERABLE: dict[Kind, str] = {
    Kind.SCHEMA: "schemas",
    Kind.RESPONSE: "responses",
    Kind.PARAMETER: "parameters",
    Kind.EXAMPLE: "examples",
    Kind.REQUEST_BODY: "requestBodies",
    Kind.HEADER: "headers",
    Kind.SECURITY_SCHEME: "securitySchemes",
    Kind.LINK: "links",
    Kind.CALLBACK: "callbacks",
    Kind.PATH_ITEM: "pathItems",
}
"""Kinds that may be a Reference Object, and their ``components`` section."""

Visitor = Callable[[dict[str, Any], Kind, str], bool]
"""``visit(node, kind, pointer) -> descend?``"""

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

SCHEMA_SINGLE = (
    "not",
    "if",
    "then",
    "else",
    "items",
    "contains",
    "additionalProperties",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
    "additionalItems",
)
"""Schema keywords whose value is one subschema."""
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
"""Schema keywords whose value is a list of subschemas (``items`` as a list: old tuple form)."""
SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
"""Schema keywords whose value maps names to subschemas."""

# Per kind: keys holding one child, a list of children, or a map name -> child.
_SINGLE: dict[Kind, dict[str, Kind]] = {
    Kind.ROOT: {"paths": Kind.PATHS, "components": Kind.COMPONENTS},
    Kind.PATH_ITEM: dict.fromkeys(_METHODS, Kind.OPERATION),
    Kind.OPERATION: {"requestBody": Kind.REQUEST_BODY, "responses": Kind.RESPONSES},
    Kind.PARAMETER: {"schema": Kind.SCHEMA},
    Kind.HEADER: {"schema": Kind.SCHEMA},
    Kind.MEDIA_TYPE: {"schema": Kind.SCHEMA},
    Kind.SCHEMA: dict.fromkeys(SCHEMA_SINGLE, Kind.SCHEMA),
}
_LISTS: dict[Kind, dict[str, Kind]] = {
    Kind.PATH_ITEM: {"parameters": Kind.PARAMETER},
    Kind.OPERATION: {"parameters": Kind.PARAMETER},
    Kind.SCHEMA: dict.fromkeys(SCHEMA_LISTS, Kind.SCHEMA),
}
_MAPS: dict[Kind, dict[str, Kind]] = {
    Kind.ROOT: {"webhooks": Kind.PATH_ITEM},
    Kind.OPERATION: {"callbacks": Kind.CALLBACK},
    Kind.PARAMETER: {"content": Kind.MEDIA_TYPE, "examples": Kind.EXAMPLE},
    Kind.HEADER: {"content": Kind.MEDIA_TYPE, "examples": Kind.EXAMPLE},
    Kind.REQUEST_BODY: {"content": Kind.MEDIA_TYPE},
    Kind.MEDIA_TYPE: {"examples": Kind.EXAMPLE, "encoding": Kind.ENCODING},
    Kind.ENCODING: {"headers": Kind.HEADER},
    Kind.RESPONSE: {"headers": Kind.HEADER, "content": Kind.MEDIA_TYPE, "links": Kind.LINK},
    Kind.COMPONENTS: {section: kind for kind, section in REFERABLE.items()},
    Kind.SCHEMA: dict.fromkeys(SCHEMA_MAPS, Kind.SCHEMA),
}
# Objects whose own keys (other than x-*) are names of children.
_PATTERNED: dict[Kind, Kind] = {
    Kind.PATHS: Kind.PATH_ITEM,
    Kind.RESPONSES: Kind.RESPONSE,
    Kind.CALLBACK: Kind.PATH_ITEM,
}


_Table = tuple["Kind | None", dict[str, Kind], dict[str, Kind], dict[str, Kind], frozenset[str]]
_NO_CHILDREN: dict[str, Kind] = {}
# Per kind, all four tables at once (one lookup per object), and the keys that
# hold a child of any form.
_TABLES: dict[Kind, _Table] = {
    kind: (
        _PATTERNED.get(kind),
        _SINGLE.get(kind, _NO_CHILDREN),
        _LISTS.get(kind, _NO_CHILDREN),
        _MAPS.get(kind, _NO_CHILDREN),
        frozenset((*_SINGLE.get(kind, ()), *_LISTS.get(kind, ()), *_MAPS.get(kind, ()))),
    )
    for kind in Kind
}


def children(node: dict[Any, Any], kind: Kind, pointer: str) -> Iterator[tuple[Any, Kind, str]]:
    """The OpenAPI objects directly inside ``node``, in document order."""
    patterned, single, lists, maps, parents = _TABLES[kind]
    if patterned is not None:
        for key, value in node.items():
            if not (isinstance(key, str) and key.startswith("x-")):
                yield value, patterned, join_pointer(pointer, key)
        return
    for key, value in node.items():
        if key not in parents or not isinstance(key, str):
            continue
        if isinstance(value, dict):
            if key in single:
                yield value, single[key], join_pointer(pointer, key)
            elif key in maps:
                child_kind = maps[key]
                for name, child in value.items():
                    yield child, child_kind, join_pointer(pointer, key, name)
        elif isinstance(value, list) and key in lists:
            child_kind = lists[key]
            for index, child in enumerate(value):
                yield child, child_kind, join_pointer(pointer, key, index)


def walk(node: Any, kind: Kind, pointer: str, visit: Visitor) -> None:
    """Call ``visit`` on every OpenAPI object in ``node`` (pre-order, document order)."""
    # id -> node: holding the node keeps its id from being reused by a new dict
    # after the visitor dropped the old one.
    seen: dict[int, Any] = {}
    stack: list[tuple[Any, Kind, str]] = [(node, kind, pointer)]
    while stack:
        current, current_kind, current_pointer = stack.pop()
        if not isinstance(current, dict) or id(current) in seen:
            continue
        seen[id(current)] = current
        if visit(current, current_kind, current_pointer):
            found = list(children(current, current_kind, current_pointer))
            stack.extend(reversed(found))
