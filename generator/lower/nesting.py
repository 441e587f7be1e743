"""How deeply a spec may nest what lowering walks recursively, and the errors that say so.

Lowering follows a schema into its ``properties``, ``items``,
``additionalProperties`` and ``anyOf``/``oneOf``/``allOf`` members by
recursion, and so does ``allOf`` merging through the ``$ref``s of its members.
A hostile spec can nest either a thousand levels deep (a chain of components
each inheriting the next needs no deep JSON at all), which used to end in a
``RecursionError`` traceback.  Each walk is bounded instead, and going past a
bound is a :class:`~forgegen.diagnostics.SpecError` naming the pointer where
the bound was hit and the bound itself.

The bounds leave plenty of headroom over real specs (the deepest inline
nesting in the test corpus is 8 levels, in Stripe; the deepest ``allOf``
inheritance 2) while keeping every walk far below Python's recursion limit,
and the generated code far below what pydantic can build (see
:mod:`.import_depth` for the bound across components).

Chains of plain ``$ref``s between components are not bounded: lowering never
recurses through them, and the generated aliases resolve to the chain's end.
"""

from __future__ import annotations

from ..diagnostics import SpecError

__all__ = [
    "MAX_ALL_OF_EXPANSION",
    "MAX_ALL_OF_NESTING",
    "MAX_LITERAL_NESTING",
    "MAX_SCHEMA_NESTING",
    "literal_depth",
    "too_deep",
]

#: Inline schemas inside one another (``properties``, ``items``, members...).
MAX_SCHEMA_NESTING = 64

#: ``allOf`` members that themselves have an ``allOf`` (inheritance depth).
MAX_ALL_OF_NESTING = 64

#: Member schemas one ``allOf`` merge may expand in total: with each merged
#: parent remembered this is the number of distinct parents, but a cycle of
#: ``allOf`` parents cannot be remembered (its merge depends on the path), and
#: a cycle with two references to each parent doubles the work per level.
MAX_ALL_OF_EXPANSION = 10_000

#: Lists and objects inside one another in a ``default`` value: the value is
#: written into the generated code, and Python's parser stops at 200 brackets.
MAX_LITERAL_NESTING = 64


def too_deep(what: str, limit: int, pointer: str) -> SpecError:
    """The error for ``what`` nested past ``limit`` levels at ``pointer``."""
    return SpecError(f"{what} nested deeper than {limit} levels", pointer=pointer)


def literal_depth(value: object, limit: int = MAX_LITERAL_NESTING) -> int:
    """How deeply lists and dicts nest in the JSON ``value`` (a scalar is 0).

    Iterative, and it stops counting at ``limit + 1``: the value may be nested
    deeper than Python's recursion limit.
    """
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        children: list[object] | None = None
        if isinstance(node, dict):
            children = list(node.values())
        elif isinstance(node, list | tuple):
            children = list(node)
        if children is None:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth) for child in children)
    return deepest
