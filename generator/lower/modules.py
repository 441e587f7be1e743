"""Which module each model, enum and alias lives in, and the imports that follow.

One class per module (``models/pet.py``), except that the classes of a
strongly-connected component of the reference graph (``A.b: B``, ``B.a: A``)
share a module: Python cannot import two modules from each other at class
definition time, so a cycle must live in one file.  The shared module is named
after the cycle's first member in sorted order, as ``docs/generated-code.md``
says.  Module names are ``snake_case`` of that class name, made unique in
sorted order (``HTTPServer`` and ``HttpServer`` -> ``http_server``,
``http_server_2``).

While lowering, a :class:`~forgegen.ir.TypeRef` only names the classes it
mentions (``models``); :func:`with_imports` adds ``Import(module, name)`` for
each once modules are known.  An import of a class from the module being
rendered is the renderer's to skip.

Aliases that refer to themselves without a model in between
(``Json = list[Json] | str``) cannot be written as a plain ``TypeAlias``; they
are degraded to ``Any`` with a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import TypeVar

from ..diagnostics import Diagnostics
from ..ir import EnumType, Import, Model, ModelField, TypeAlias, TypeRef
from . import types as t
from .naming import NameScope, shorten, snake_case

__all__ = [
    "assign_modules",
    "break_alias_cycles",
    "resolve_alias_chains",
    "strongly_connected",
    "with_imports",
]

_T = TypeVar("_T")


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (reference chains in big specs are deep).

    Nodes are visited in sorted order and each component is returned sorted,
    so the result does not depend on dict order.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    edges = {node: sorted(n for n in graph[node] if n in graph) for node in graph}
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = edges[node]
            if position < len(successors):
                work.append((node, position + 1))
                nxt = successors[position]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result


def break_alias_cycles(
    aliases: dict[str, TypeAlias], diagnostics: Diagnostics
) -> dict[str, TypeAlias]:
    """Aliases whose definition reaches themselves through aliases only -> ``Any``."""
    graph = {name: alias.target.models & set(aliases) for name, alias in aliases.items()}
    result = dict(aliases)
    for component in strongly_connected(graph):
        if len(component) == 1 and component[0] not in graph[component[0]]:
            continue
        for name in component:
            diagnostics.warn(
                "recursive type alias (no model in the cycle); typed as Any",
                aliases[name].pointer,
            )
            result[name] = replace(aliases[name], target=t.ANY)
    return result


def resolve_alias_chains(aliases: dict[str, TypeAlias]) -> dict[str, TypeAlias]:
    """An alias of an alias gets the end of the chain: ``S0 = S1``, ``S1 = str`` -> ``S0 = str``.

    A component that only ``$ref``s (or ``allOf: [$ref]``s) another is an
    alias of it, and a chain of them used to be a chain of modules each
    importing the next: importing the first of 150 recursed past Python's
    limit.  Now each alias names the chain's last target directly (the first
    alias whose target is more than another alias's name, e.g. ``str``, a
    model, ``list[S2]``), so any length imports in one step.  Iterative, and
    each alias is followed once; chains that loop were typed ``Any`` by
    :func:`break_alias_cycles` already (one left would stop where it closes).
    """
    final: dict[str, TypeRef] = {}
    for name in aliases:
        trail: list[str] = []
        current = name
        while current not in final:
            target = aliases[current].target
            following = target.annotation
            if following not in aliases or target.models != {following} or following in trail:
                final[current] = target
                break
            trail.append(current)
            current = following
        for link in trail:
            final[link] = final[current]
    return {
        name: alias if final[name] is alias.target else replace(alias, target=final[name])
        for name, alias in aliases.items()
    }


def assign_modules(
    models: list[Model], enums: list[EnumType], aliases: list[TypeAlias]
) -> dict[str, str]:
    """Class name -> package-relative module (``"models.pet"``)."""
    graph: dict[str, set[str]] = {}
    for model in models:
        refs: set[str] = set()
        for item in model.fields:
            refs |= item.type.models
        if model.extra is not None:
            refs |= model.extra.models
        graph[model.name] = refs
    for enum in enums:
        graph[enum.name] = set()
    for alias in aliases:
        graph[alias.name] = set(alias.target.models)
    groups = sorted(strongly_connected(graph), key=lambda group: group[0])
    scope = NameScope(reserved=("models",))
    modules: dict[str, str] = {}
    for group in groups:
        module = "models." + scope.take(shorten(snake_case(group[0], fallback="model")))
        for name in group:
            modules[name] = module
    return modules


def with_imports(ref: TypeRef, modules: Mapping[str, str]) -> TypeRef:
    """``ref`` plus an import for every generated class it mentions."""
    if not ref.models:
        return ref
    extra = {Import(modules[name], name) for name in ref.models if name in modules}
    return TypeRef(ref.annotation, ref.imports | extra, ref.models)


def map_optional(value: _T | None, function: Callable[[_T], _T]) -> _T | None:
    return None if value is None else function(value)


def place(
    models: list[Model],
    enums: list[EnumType],
    aliases: list[TypeAlias],
    modules: Mapping[str, str],
) -> tuple[list[Model], list[EnumType], list[TypeAlias]]:
    """The classes with ``module`` set and their types' imports filled in."""

    def fix(ref: TypeRef) -> TypeRef:
        return with_imports(ref, modules)

    def fix_field(item: ModelField) -> ModelField:
        fixed = fix(item.type)
        return item if fixed is item.type else replace(item, type=fixed)

    placed_models = [
        replace(
            model,
            module=modules[model.name],
            fields=tuple(fix_field(item) for item in model.fields),
            extra=map_optional(model.extra, fix),
        )
        for model in models
    ]
    placed_enums = [replace(enum, module=modules[enum.name]) for enum in enums]
    placed_aliases = [
        replace(alias, module=modules[alias.name], target=fix(alias.target)) for alias in aliases
    ]
    return placed_models, placed_enums, placed_aliases
