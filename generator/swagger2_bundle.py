"""Swagger 2.0 bundling: every ``$ref`` checked and made local, by the 2.0 object model.

The first of the two Swagger 2.0 steps (:mod:`forgegen.swagger2` converts).
It runs before the OpenAPI resolver, which walks only where the 3.x object
model puts objects -- a 2.0 response has its ``schema`` directly and a 2.0
parameter may be a request body, so that walk would miss or misread them.
A target in a relative file is copied into the main document's
``definitions`` / ``parameters`` / ``responses`` (a path item is inlined)
with the resolver's own file access rules and naming rule, so afterwards
every ``$ref`` is a local ``#/...`` pointer of the 2.0 document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import SpecError, join_pointer
from .loader import LoadedDocument
from .positions import parent_pointer
from .resolver import (
    Bundle,
    Origin,
    _component_name,
    _Resolver,
    resolve_pointer,
    split_pointer,
)

__all__ = ["METHODS", "SwaggerBundle", "bundle_references", "is_extension"]

#: HTTP methods of a Swagger 2.0 path item, in the order operations are emitted.
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


def is_extension(key: Any) -> bool:
    """``x-...``: a vendor extension, kept wherever it stands."""
    return isinstance(key, str) and key.startswith("x-")


_SECTIONS = {"schema": "definitions", "parameter": "parameters", "response": "responses"}
_REFERABLE = frozenset((*_SECTIONS, "pathItem"))


@dataclass
class SwaggerBundle(Bundle):
    """The converted 3.0 document, with pointers that lead back to the 2.0 sources.

    ``source_bundle`` is the bundled 2.0 document; ``converted_from`` maps a
    pointer of the converted document to the 2.0 pointer it was made from (the nearest
    recorded ancestor applies, the rest of the pointer carried over).
    """

    source_bundle: Bundle | None = None
    converted_from: dict[str, str] = field(default_factory=dict)

    def original_pointer(self, pointer: str) -> str:
        """The pointer of the bundled 2.0 document that ``pointer`` was converted from."""
        current: str | None = pointer
        while current is not None:
            old = self.converted_from.get(current)
            if old is not None:
                return old + pointer[len(current) :]
            current = parent_pointer(current)
        return pointer

    def origin_of(self, pointer: str) -> tuple[LoadedDocument, str]:
        inner = self.source_bundle
        if inner is None:
            return super().origin_of(pointer)
        return inner.origin_of(self.original_pointer(pointer))


def bundle_references(
    main: LoadedDocument, *, allow_remote_refs: bool = False, ref_root: Path | None = None
) -> Bundle:
    """Bundle the 2.0 document ``main`` (mutated): afterwards every ``$ref`` is local."""
    if not isinstance(main.data, dict):
        raise SpecError("not a Swagger document: the top level is not a mapping", file=main.name)
    bundler = _Bundler(main, allow_remote_refs=allow_remote_refs, ref_root=ref_root)
    bundler.run()
    return bundler.resolver.bundle


class _Bundler:
    """Walks a 2.0 document, making every ``$ref`` local (see the module docstring)."""

    def __init__(self, main: LoadedDocument, *, allow_remote_refs: bool, ref_root: Path | None):
        self.resolver = _Resolver(main, allow_remote_refs=allow_remote_refs, ref_root=ref_root)
        self.main = main
        self.bundled: dict[tuple[Path, str, str], str] = {}

    def run(self) -> None:
        seen: dict[int, Any] = {}
        stack: list[tuple[Any, str, str]] = [(self.main.data, "root", "#")]
        while stack:
            node, kind, pointer = stack.pop()
            if not isinstance(node, dict) or id(node) in seen:
                continue
            seen[id(node)] = node
            if "$ref" in node and kind in _REFERABLE:
                extra = self.visit_ref(node, kind, pointer)
                if extra is not None:
                    stack.append(extra)
                if kind != "pathItem":
                    continue
            stack.extend(reversed(list(_children(node, kind, pointer))))

    def visit_ref(
        self, node: dict[str, Any], kind: str, pointer: str
    ) -> tuple[Any, str, str] | None:
        ref = node["$ref"]
        if not isinstance(ref, str):
            raise self.resolver._error(pointer, f"$ref must be a string, not {type(ref).__name__}")
        document, target = self.resolver._target(pointer, ref)
        if kind == "pathItem":
            self.inline(node, pointer, ref, document, target)
            return None
        if document is self.main:
            node["$ref"] = target
            return None
        section = _SECTIONS[kind]
        key = (document.path, target, section)
        local = self.bundled.get(key)
        if local is not None:
            node["$ref"] = local
            return None
        entries = self.main.data.setdefault(section, {})
        if not isinstance(entries, dict):
            raise self.resolver._error(join_pointer("#", section), "must be a mapping")
        name = _component_name(document, target, entries)
        local = join_pointer("#", section, name)
        self.bundled[key] = local
        copied = self.resolver.copy_in(
            resolve_pointer(document.data, split_pointer(target[1:])), document, target
        )
        entries[name] = copied
        self.resolver.bundle.origins[local] = Origin(document, target)
        node["$ref"] = local
        return copied, kind, local

    def inline(
        self, node: dict[str, Any], pointer: str, ref: str, document: LoadedDocument, target: str
    ) -> None:
        origins = self.resolver.bundle.origins
        for _ in range(64):  # a chain of path item refs, each inlined in turn
            current = parent_pointer(pointer)
            while current is not None:
                origin = origins.get(current)
                if origin is not None and (origin.document.path, origin.pointer) == (
                    document.path,
                    target,
                ):
                    raise self.resolver._error(pointer, f"$ref {ref!r}: path item contains itself")
                current = parent_pointer(current)
            value = resolve_pointer(document.data, split_pointer(target[1:]))
            if not isinstance(value, dict):
                raise self.resolver._error(pointer, f"$ref {ref!r}: a path item must be a mapping")
            siblings = {key: item for key, item in node.items() if key != "$ref"}
            node.clear()
            node.update(self.resolver.copy_in(value, document, target))
            node.update(siblings)
            origins[pointer] = Origin(document, target)
            following = node.get("$ref")
            if not isinstance(following, str):
                return
            ref = following
            document, target = self.resolver._target(pointer, ref)
        raise self.resolver._error(pointer, "path item $refs nest too deeply")


def _children(node: dict[str, Any], kind: str, pointer: str) -> Iterator[tuple[Any, str, str]]:
    """The 2.0 objects that may hold a ``$ref``, directly inside ``node``."""

    def mapping(key: str, child: str, *, skip_extensions: bool = False) -> Iterator[Any]:
        value = node.get(key)
        if isinstance(value, dict):
            for name, item in value.items():
                if not (skip_extensions and is_extension(name)):
                    yield item, child, join_pointer(pointer, key, name)

    def listed(key: str, child: str) -> Iterator[Any]:
        value = node.get(key)
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield item, child, join_pointer(pointer, key, index)

    if kind == "root":
        yield from mapping("paths", "pathItem", skip_extensions=True)
        yield from mapping("definitions", "schema")
        yield from mapping("parameters", "parameter")
        yield from mapping("responses", "response")
    elif kind == "pathItem":
        yield from listed("parameters", "parameter")
        for method in METHODS:
            if isinstance(node.get(method), dict):
                yield node[method], "operation", join_pointer(pointer, method)
    elif kind == "operation":
        yield from listed("parameters", "parameter")
        yield from mapping("responses", "response", skip_extensions=True)
    elif kind in ("parameter", "response"):
        if isinstance(node.get("schema"), dict):
            yield node["schema"], "schema", join_pointer(pointer, "schema")
    elif kind == "schema":
        yield from mapping("properties", "schema")
        for key in ("additionalProperties", "items", "not"):
            if isinstance(node.get(key), dict):
                yield node[key], "schema", join_pointer(pointer, key)
        for key in ("items", "allOf", "anyOf", "oneOf"):
            yield from listed(key, "schema")


# -- step 2: the conversion -----------------------------------------------------------
