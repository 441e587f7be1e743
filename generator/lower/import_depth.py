"""Bound how deeply the generated model modules import one another.

Each component that mentions another becomes a module importing the other's
module, so a chain of components each holding the next (as a property, an
array's ``items``, a map's values) is a chain of imports, and Python imports
such a chain by recursion: about seven interpreter frames per module, so a
chain of 150 no longer imports at all.  A hostile spec needs no deep JSON to
build one, only many small components.

The chain is cut instead: a field (or alias) whose type would lead more than
:data:`MAX_IMPORT_DEPTH` modules deep is typed ``Any``, with a warning naming
its pointer, and the package imports.  Classes that refer to each other in a
cycle share one module (see :func:`~.modules.assign_modules`), so only the
chain between such groups counts.  The deepest chain in the test corpus is far
below the bound, so real specs keep every type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..diagnostics import Diagnostics, join_pointer
from ..ir import Model, ModelField, TypeAlias, TypeRef
from . import types as t
from .modules import strongly_connected

__all__ = ["MAX_IMPORT_DEPTH", "bound_import_depth", "import_heights"]

#: Modules one import may pull in one after the other (leaves ~450 frames of
#: Python's 1000 for the application importing the package).
MAX_IMPORT_DEPTH = 64


def _references(models: list[Model], aliases: list[TypeAlias]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for model in models:
        refs: set[str] = set()
        for item in model.fields:
            refs |= item.type.models
        if model.extra is not None:
            refs |= model.extra.models
        graph[model.name] = refs
    for alias in aliases:
        graph[alias.name] = set(alias.target.models)
    return graph


def import_heights(graph: Mapping[str, set[str]]) -> dict[str, int]:
    """Per class, how many modules importing it imports in a chain (itself: 1).

    Classes in one strongly connected group share a module and a height.
    Tarjan's algorithm returns the groups leaves first, so one pass suffices.
    """
    heights: dict[str, int] = {}
    for group in strongly_connected(graph):
        members = set(group)
        below = [
            heights[target]
            for name in group
            for target in graph[name]
            if target not in members and target in heights
        ]
        height = 1 + max(below, default=0)
        for name in group:
            heights[name] = height
    return heights


def bound_import_depth(
    models: list[Model],
    aliases: list[TypeAlias],
    diagnostics: Diagnostics,
    limit: int = MAX_IMPORT_DEPTH,
) -> tuple[list[Model], list[TypeAlias]]:
    """``models`` and ``aliases`` with every reference leading past ``limit`` typed ``Any``."""
    graph = _references(models, aliases)
    if max(import_heights(graph).values(), default=0) <= limit:
        return models, aliases
    cutter = _Cutter(limit, diagnostics)
    by_model = {model.name: model for model in models}
    by_alias = {alias.name: alias for alias in aliases}
    for group in strongly_connected(graph):
        members = frozenset(group)
        below = 0
        for name in group:
            if name in by_model:
                by_model[name] = cutter.model(by_model[name], members)
            else:
                by_alias[name] = cutter.alias(by_alias[name], members)
            below = max(below, cutter.deepest)
        for name in group:
            cutter.heights[name] = below + 1
    return [by_model[model.name] for model in models], [by_alias[a.name] for a in aliases]


class _Cutter:
    """Types references ``Any`` where they lead too deep; groups come leaves first."""

    def __init__(self, limit: int, diagnostics: Diagnostics) -> None:
        self.limit = limit
        self.diagnostics = diagnostics
        self.heights: dict[str, int] = {}
        #: the deepest height a class of the current group still refers to.
        self.deepest = 0

    def _cut(self, ref: TypeRef, members: frozenset[str], pointer: str) -> TypeRef:
        outside = [self.heights.get(name, 0) for name in ref.models if name not in members]
        height = max(outside, default=0)
        if height + 1 > self.limit:
            self.diagnostics.warn(
                f"type leads more than {self.limit} model modules deep; typed as Any", pointer
            )
            return t.ANY
        self.deepest = max(self.deepest, height)
        return ref

    def model(self, model: Model, members: frozenset[str]) -> Model:
        self.deepest = 0
        fields = tuple(self._field(model, item, members) for item in model.fields)
        extra = model.extra
        if extra is not None:
            extra = self._cut(extra, members, join_pointer(model.pointer, "additionalProperties"))
        if fields == model.fields and extra is model.extra:
            return model
        return replace(model, fields=fields, extra=extra)

    def _field(self, model: Model, item: ModelField, members: frozenset[str]) -> ModelField:
        pointer = join_pointer(model.pointer, "properties", item.wire_name)
        kept = self._cut(item.type, members, pointer)
        return item if kept is item.type else replace(item, type=kept, default=None)

    def alias(self, alias: TypeAlias, members: frozenset[str]) -> TypeAlias:
        self.deepest = 0
        kept = self._cut(alias.target, members, alias.pointer)
        return alias if kept is alias.target else replace(alias, target=kept)
