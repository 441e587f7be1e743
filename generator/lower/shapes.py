"""Pure questions about JSON Schema dicts: nullability, ``allOf`` merging, shapes.

These functions never create names or types; they rewrite and classify schema
dicts so that :mod:`.schemas` has one code path per *shape*:

* :func:`split_null` turns every spelling of "may be null" -- 3.1 type arrays
  (``["string", "null"]``), ``anyOf``/``oneOf`` with a ``{type: null}`` member
  (what 3.0 ``nullable`` up-converts to), ``enum`` lists holding ``null`` --
  into ``(schema without null, True)``;
* :func:`merge_all_of` flattens ``allOf`` into one schema (members in order,
  then the schema's own keywords), the "merged model" the issue asks for;
* :func:`is_constraint_only` recognises ``oneOf: [{required: [a]}, ...]``,
  which constrains a schema without changing its type (GitHub uses it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..diagnostics import Diagnostics, SpecError, join_pointer
from .document import as_list, as_map, resolve
from .naming import FIELD_RESERVED, NameScope, snake_case
from .nesting import MAX_ALL_OF_EXPANSION, MAX_ALL_OF_NESTING, too_deep

__all__ = [
    "PROPERTY_ORIGINS",
    "STRUCTURAL_KEYS",
    "Component",
    "ComponentKind",
    "MergeCache",
    "MergedParent",
    "TupleShape",
    "field_names",
    "is_constraint_only",
    "is_false_schema",
    "is_null_schema",
    "is_object_model",
    "merge_all_of",
    "refines",
    "split_null",
    "tuple_shape",
]

#: Key under which :func:`merge_all_of` records, for each property, the pointer
#: of the schema that declared it, so an inherited property is lowered (and its
#: inline classes named) once, where it is written -- not once per derived model.
PROPERTY_ORIGINS = "x-forgegen-property-origins"

#: Keywords that give a schema a type of its own (as opposed to annotations
#: such as ``description`` or validation-only keywords such as ``required``).
STRUCTURAL_KEYS = frozenset(
    {
        "$ref",
        "additionalProperties",
        "allOf",
        "anyOf",
        "const",
        "enum",
        "items",
        "oneOf",
        "properties",
        "type",
    }
)

#: Keywords a ``{anyOf: [X, null]}`` wrapper may carry and still be "X or null".
_WRAPPER_KEYS = frozenset(
    {
        "anyOf",
        "oneOf",
        "description",
        "title",
        "default",
        "example",
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
        "discriminator",
        "externalDocs",
    }
)


ComponentKind = Literal["model", "enum", "alias"]


@dataclass(frozen=True)
class Component:
    """A ``components.schemas`` entry: its class name and shape, fixed in step 1."""

    key: str
    pointer: str
    name: str
    kind: ComponentKind
    nullable: bool


def field_names(wire_names: list[str]) -> dict[str, str]:
    """Python attribute names for a model's properties (pure: discriminators re-derive them)."""
    scope = NameScope(reserved=FIELD_RESERVED, field_rules=True)
    return {wire: scope.take(snake_case(wire, fallback="field")) for wire in wire_names}


def is_null_schema(schema: object) -> bool:
    """``{type: null}``, ``{type: [null]}``, ``{enum: [null]}`` or ``{const: null}``."""
    node = as_map(schema)
    if not node or "$ref" in node:
        return False
    kind = node.get("type")
    if kind in ("null", ["null"]):
        return True
    if "enum" in node and as_list(node.get("enum")) == [None]:
        return True
    return "const" in node and node["const"] is None


def split_null(schema: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    """``schema`` without its null alternative, and whether it had one."""
    kind = schema.get("type")
    if isinstance(kind, list) and "null" in kind and len(kind) > 1:
        rest = [item for item in kind if item != "null"]
        inner, _ = split_null({**schema, "type": rest[0] if len(rest) == 1 else rest})
        return inner, True
    for key in ("anyOf", "oneOf"):
        members = as_list(schema.get(key))
        if not members or not any(is_null_schema(member) for member in members):
            continue
        rest = [member for member in members if not is_null_schema(member)]
        if not rest:
            return {"type": "null"}, False
        if len(rest) == 1 and set(schema) <= _WRAPPER_KEYS:
            inner = as_map(rest[0])
            if "$ref" in inner:
                return inner, True
            annotations = {
                name: schema[name]
                for name in ("description", "default", "readOnly", "writeOnly", "deprecated")
                if name in schema and name not in inner
            }
            return {**inner, **annotations}, True
        return {**schema, key: rest}, True
    values = schema.get("enum")
    if isinstance(values, list) and None in values and any(v is not None for v in values):
        return {**schema, "enum": [value for value in values if value is not None]}, True
    return schema, False


@dataclass(frozen=True)
class TupleShape:
    """An array with ``prefixItems``: whether more items may follow, and how few may come.

    ``closed`` (``items: false``, or ``maxItems`` no more than the prefix) is
    typed as the fixed tuple, plus its shorter prefixes down to ``min_items``
    when ``minItems`` says so; absent ``minItems`` counts as the whole prefix,
    since a positional array is nearly always sent whole.  An open one is a
    variadic tuple of the union of the prefix and rest types: Python 3.10 has
    no ``*tuple[X, ...]`` and pydantic no ``Unpack`` in tuples, so a fixed head
    with a variadic tail cannot be spelled; the variadic tuple accepts every
    valid array and keeps the order, at the cost of the per-position types.
    """

    closed: bool
    min_items: int


def is_false_schema(schema: object) -> bool:
    """``false`` or its object form ``{not: {}}`` (what normalisation writes)."""
    return schema is False or (isinstance(schema, Mapping) and dict(schema) == {"not": {}})


def tuple_shape(schema: Mapping[str, Any]) -> TupleShape | None:
    """The shape of an array schema's ``prefixItems`` (``None``: it has none).

    ``items: false`` with no ``prefixItems`` is the empty tuple.
    """
    prefix = as_list(schema.get("prefixItems"))
    items = schema.get("items")
    if not prefix and not is_false_schema(items):
        return None
    length = len(prefix)
    max_items = schema.get("maxItems")
    bounded = isinstance(max_items, int) and not isinstance(max_items, bool) and max_items <= length
    min_items = schema.get("minItems")
    if isinstance(min_items, int) and not isinstance(min_items, bool):
        least = max(0, min(min_items, length))
    else:
        least = length
    return TupleShape(closed=is_false_schema(items) or bounded, min_items=least)


def is_constraint_only(schema: object) -> bool:
    """True for a subschema that only validates (``required``, ``minLength``...)."""
    node = as_map(schema)
    return bool(node) and not (set(node) & STRUCTURAL_KEYS) and "format" not in node


def refines(member: object, parent: Mapping[str, Any]) -> bool:
    """True when a ``oneOf``/``anyOf`` member only narrows ``parent``'s own properties.

    GitHub writes "status ``completed`` needs ``conclusion``" as
    ``oneOf: [{properties: {status: {enum: [completed]}}, required: [...]}, ...]``
    next to the real ``properties``: the type is the parent's; the members
    only validate.
    """
    node = as_map(member)
    if is_constraint_only(node):
        return True
    if not node or set(node) & {"$ref", "allOf", "anyOf", "oneOf", "items", "enum", "const"}:
        return False
    if node.get("type", "object") != "object":
        return False
    return set(as_map(node.get("properties"))) <= set(as_map(parent.get("properties")))


def is_object_model(schema: Mapping[str, Any]) -> bool:
    """A schema that becomes a model class: an object with at least one property."""
    if not as_map(schema.get("properties")):
        return False
    kind = schema.get("type")
    return kind is None or kind == "object" or (isinstance(kind, list) and "object" in kind)


def merge_all_of(
    document: Mapping[str, Any],
    schema: Mapping[str, Any],
    pointer: str,
    diagnostics: Diagnostics,
    cache: MergeCache | None = None,
) -> Mapping[str, Any]:
    """``schema`` with its ``allOf`` members folded in (recursively).

    The result carries :data:`PROPERTY_ORIGINS`.
    Properties keep the order of first appearance (members in order, then the
    schema's own); a later member's definition of a property replaces an
    earlier one's.  ``required`` lists are concatenated without duplicates.
    For any other keyword the schema's own value wins, then the first member
    that has one.  Nullable members contribute their non-null part.  A member
    that refers back to a schema being merged is skipped with a warning.

    ``cache`` (one per document) remembers merged parents, so a parent that
    several schemas -- or one schema several times, through a diamond of
    parents -- inherit is merged once: without it the work doubles with each
    level of such a diamond.  Inheritance deeper than
    :data:`~.nesting.MAX_ALL_OF_NESTING` is a :class:`SpecError`.
    """
    merger = _Merger(document, diagnostics, {} if cache is None else cache)
    return merger.merge(schema, pointer, frozenset()).schema


@dataclass(frozen=True)
class MergedParent:
    """A merged ``allOf`` parent and how many ``allOf`` levels it took."""

    schema: Mapping[str, Any]
    depth: int
    #: a member was skipped because it referred back to the path that led here,
    #: so the result depends on that path and is not remembered.
    skipped: bool = False


#: Merged ``allOf`` parents by pointer (see :func:`merge_all_of`).
MergeCache = dict[str, MergedParent]


class _Merger:
    """One :func:`merge_all_of` call: the shared cache and a bound on the work."""

    def __init__(
        self, document: Mapping[str, Any], diagnostics: Diagnostics, cache: MergeCache
    ) -> None:
        self._document = document
        self._diagnostics = diagnostics
        self._cache = cache
        self._expanded = 0

    def merge(self, schema: Mapping[str, Any], pointer: str, seen: frozenset[str]) -> MergedParent:
        members = as_list(schema.get("allOf"))
        own = {key: value for key, value in schema.items() if key != "allOf"}
        parts: list[Mapping[str, Any]] = []
        pointers: list[str] = []
        depth = 0
        skipped = False
        for index, member in enumerate(members):
            member_pointer = join_pointer(pointer, "allOf", index)
            node, node_pointer = resolve(self._document, as_map(member), member_pointer)
            if node_pointer in seen:
                self._diagnostics.warn(
                    "allOf member refers back to itself; skipped", member_pointer
                )
                skipped = True
                continue
            node, _ = split_null(node)
            if "allOf" in node:
                parent = self._parent(node, node_pointer, member_pointer, seen)
                node = parent.schema
                depth = max(depth, parent.depth + 1)
                skipped = skipped or parent.skipped
            parts.append(node)
            pointers.append(node_pointer)
        parts.append(own)
        pointers.append(pointer)
        return MergedParent(_fold(parts, pointers, own), depth, skipped)

    def _parent(
        self, node: Mapping[str, Any], pointer: str, member_pointer: str, seen: frozenset[str]
    ) -> MergedParent:
        """The merged parent at ``pointer`` (reached through ``member_pointer``)."""
        parent = self._cache.get(pointer)
        if parent is None:
            if len(seen) >= MAX_ALL_OF_NESTING:
                raise too_deep("allOf", MAX_ALL_OF_NESTING, member_pointer)
            self._expanded += 1
            if self._expanded > MAX_ALL_OF_EXPANSION:
                raise SpecError(
                    f"allOf expands to more than {MAX_ALL_OF_EXPANSION} parent schemas"
                    " (parents that inherit each other in a cycle)",
                    pointer=member_pointer,
                )
            parent = self.merge(node, pointer, seen | {pointer})
            if not parent.skipped:
                self._cache[pointer] = parent
        if len(seen) + parent.depth >= MAX_ALL_OF_NESTING:
            raise too_deep("allOf", MAX_ALL_OF_NESTING, member_pointer)
        return parent


def _fold(
    parts: list[Mapping[str, Any]], pointers: list[str], own: Mapping[str, Any]
) -> Mapping[str, Any]:
    """The merged schema of ``parts`` (members, then the schema's ``own`` keywords)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    inherited: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for part, part_pointer in zip(parts, pointers, strict=True):
        inner_origins = as_map(part.get(PROPERTY_ORIGINS))
        for name in as_map(part.get("properties")):
            origins[name] = inner_origins.get(name, part_pointer)
        properties.update(as_map(part.get("properties")))
        for name in as_list(part.get("required")):
            if isinstance(name, str) and name not in required:
                required.append(name)
        if part is not own:
            for key, value in part.items():
                if key not in ("properties", "required", "description", "title", PROPERTY_ORIGINS):
                    inherited.setdefault(key, value)
    merged: dict[str, Any] = {**inherited, **own}
    if properties:
        merged["properties"] = properties
        merged[PROPERTY_ORIGINS] = origins
        if merged.get("type") not in (None, "object"):
            merged["type"] = "object"
    if required:
        merged["required"] = required
    return merged
