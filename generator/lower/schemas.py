"""JSON Schema -> :class:`~forgegen.ir.TypeRef`, creating models, enums and aliases.

One :class:`SchemaLowerer` serves a whole document.  It works in two steps so
that naming never depends on the order in which schemas happen to be visited:

1. :meth:`SchemaLowerer.name_components` names every
   ``components.schemas`` entry up front, in *sorted key order* (so a document
   whose components are reordered gets the same names), and decides its shape:
   model (an object with properties), enum, or alias (everything else: unions,
   arrays, maps, primitives, references to another component).
2. :meth:`SchemaLowerer.lower_components` lowers each body.  A ``$ref`` to a
   component only needs the name fixed in step 1, so recursive and mutually
   recursive schemas need no special casing here (import cycles are handled
   when modules are assigned, :mod:`.modules`).

Inline schemas that need a class (objects with properties, enums with several
values) are named from where they occur: ``Pet`` + property ``category`` ->
``PetCategory``; array items add ``Item``, map values ``Value``, union members
``Variant1``...; operations use ``GetPetResponse200``, ``CreatePetBody``,
``ListPetsStatus``.  A name already taken gets a counter (``PetCategory2``).
Each inline schema is lowered once per JSON pointer, so a shared
``components/parameters`` entry yields one class, not one per operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..diagnostics import Diagnostics, SpecError, brief, join_pointer
from ..ir import EnumType, Model, ModelField, TypeAlias, TypeRef
from ..prose import prose
from . import types as t
from .defaults import DefaultError, DefaultWriter, Written
from .discriminators import Discriminators
from .document import as_bool, as_list, as_map, as_str, resolve, resolve_path
from .enums import duplicates, enum_kind, enum_members, unique_values
from .literals import python_literal
from .modules import strongly_connected
from .naming import CLASS_RESERVED, NameScope, pascal_case
from .nesting import MAX_LITERAL_NESTING, MAX_SCHEMA_NESTING, literal_depth
from .shapes import (
    PROPERTY_ORIGINS,
    Component,
    ComponentKind,
    MergeCache,
    field_names,
    is_constraint_only,
    is_null_schema,
    is_object_model,
    merge_all_of,
    refines,
    split_null,
    tuple_shape,
)

__all__ = ["SchemaLowerer"]

_SCHEMAS_POINTER = "#/components/schemas"

#: ``format`` values that change the Python type of a ``string``.  Everything
#: else stays ``str``: ``email``/``uri``/``hostname`` because pydantic's
#: validating types either need extra packages (``email-validator``) or rewrite
#: the value (``AnyUrl`` adds a trailing ``/``), and a client must hand back
#: what the server sent; ``byte`` (base64) because the JSON value *is* text and
#: decoding it is the caller's choice.
_STRING_FORMATS: dict[str, TypeRef] = {
    "date-time": t.external("datetime", "datetime"),
    "date": t.external("date", "datetime"),
    "time": t.external("time", "datetime"),
    "uuid": t.external("UUID", "uuid"),
    "binary": t.external("bytes"),
}


#: ``format`` values defined by JSON Schema, OpenAPI or its format registry.  Any
#: other one is a real-world imperfection the user cannot fix (it is the API
#: owner's spec), so it does not stop generation, but it is warned about: the
#: value is read as its plain ``type`` and a typo such as ``date_time`` should
#: not go unnoticed (issue 7).
_KNOWN_FORMATS = frozenset(
    {
        *_STRING_FORMATS,
        *("byte", "password", "email", "idn-email", "hostname", "idn-hostname"),
        *("ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uri-template"),
        *("url", "json-pointer", "relative-json-pointer", "regex", "duration", "char"),
        *("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"),
        *("float", "double", "decimal", "decimal128", "commonmark", "html", "media-range"),
    }
)


#: Up to this many values, an enum in an input (a parameter, a body, a model field)
#: is typed ``Status | Literal[<its values>]``; above it the class alone.  A
#: ``Literal`` of hundreds of values (country codes, GitHub's 400-odd event
#: names) still type-checks, but every signature that names it spells it out --
#: black gives each value a line, in each of an operation's five functions -- and
#: completion lists that long help nobody; the class still gives its members.
MAX_INPUT_LITERAL_VALUES = 256


def _encodable(text: str) -> bool:
    """Whether ``text`` is valid Unicode (no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _fits_float(value: int | float) -> bool:
    """Whether ``value`` converts to a float (integers past ~1.8e308 do not)."""
    try:
        float(value)
    except OverflowError:
        return False
    return True


@dataclass
class _ModelDraft:
    """A model under construction (discriminated unions may still retype a field)."""

    name: str
    pointer: str
    description: str | None
    deprecated: bool
    fields: list[ModelField] = field(default_factory=list)
    extra: TypeRef | None = None
    #: wire name -> (property schema, pointer) of each optional field: defaults are
    #: written when the results are collected, once every class they may name exists.
    defaults: dict[str, tuple[Mapping[str, Any], str]] = field(default_factory=dict)


class SchemaLowerer:
    """Turns schemas into types, collecting the models, enums and aliases it creates."""

    def __init__(self, document: Mapping[str, Any], diagnostics: Diagnostics) -> None:
        self.document = document
        self.diagnostics = diagnostics
        self.class_names = NameScope(
            reserved=CLASS_RESERVED, reserved_suffix="Model", counter_joiner=""
        )
        self.components: dict[str, Component] = {}
        self.enums: dict[str, EnumType] = {}
        self.aliases: dict[str, TypeAlias] = {}
        self._models: dict[str, _ModelDraft] = {}
        self._memo: dict[str, TypeRef] = {}
        self._active: set[str] = set()
        #: ids of the inline ``allOf`` schemas being lowered: a merge that
        #: inherits its own ``allOf`` (through ``items`` of a member) would
        #: otherwise expand without end.
        self._merging: set[int] = set()
        #: How many ``type_of`` calls are under way: the nesting of the schema
        #: being lowered, bounded so that a deep one is an error, not a RecursionError.
        self._depth = 0
        #: ``allOf`` parents merged so far, shared by every merge of the document.
        self.merged: MergeCache = {}
        self.discriminators = Discriminators(document, diagnostics, self.components, self.merged)
        self._by_name: dict[str, Component] = {}
        self._maps_as_models: set[str] = set()
        self._defaults = DefaultWriter(self)
        #: pointers of the enums checked for repeated values (each is checked once,
        #: on the list as written: null is split off before the values are lowered)
        self._enums_checked: set[str] = set()
        #: enum class -> the ``Literal`` of its values that inputs accept besides it
        self._value_literals: dict[str, TypeRef | None] = {}

    # -- step 1: components ------------------------------------------------

    def name_components(self) -> None:
        schemas = as_map(as_map(self.document.get("components")).get("schemas"))
        for key in sorted(schemas):
            pointer = join_pointer(_SCHEMAS_POINTER, key)
            kind, nullable = self._shape(as_map(schemas[key]), pointer)
            name = self.class_names.take(pascal_case(key))
            component = Component(key, pointer, name, kind, nullable)
            self.components[pointer] = component
            self._by_name[name] = component

    def _shape(self, schema: Mapping[str, Any], pointer: str) -> tuple[ComponentKind, bool]:
        inner, nullable = split_null(schema)
        if "$ref" in inner:
            return "alias", False
        if "allOf" in inner:
            if self._single_all_of(inner) is not None:
                return "alias", False
            inner = merge_all_of(self.document, inner, pointer, self.diagnostics, self.merged)
        if is_object_model(inner):
            return "model", nullable
        values = unique_values(as_list(inner.get("enum")))
        if "const" not in inner and values and enum_kind(values) in ("str", "int", "float"):
            return "enum", nullable
        return "alias", False

    @staticmethod
    def _single_all_of(schema: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The member of ``allOf: [X]`` used only to annotate X, else ``None``."""
        members = as_list(schema.get("allOf"))
        if len(members) != 1 or set(schema) & {"properties", "additionalProperties", "required"}:
            return None
        return as_map(members[0])

    # -- step 2: bodies ------------------------------------------------------

    def lower_components(self) -> None:
        """Lower every component, enums first (defaults of other schemas name their members)."""
        ordered = sorted(self.components.values(), key=lambda c: (c.kind != "enum", c.name))
        for component in ordered:
            self._lower_component(component)

    def _lower_component(self, component: Component) -> None:
        if component.name in self._models or component.name in self.enums:
            return
        if component.name in self.aliases:
            return
        schema = as_map(resolve_path(self.document, component.pointer))
        if component.kind == "alias":
            if self._ref_loop(component):
                target = self._degrade("$ref chain loops back to itself", component.pointer)
                self.aliases[component.name] = TypeAlias(
                    component.name, "", target, pointer=component.pointer
                )
                return
            self._active.add(component.pointer)
            try:
                target = self._lower(schema, component.pointer, component.name, None)
            finally:
                self._active.discard(component.pointer)
            self.aliases[component.name] = TypeAlias(
                name=component.name,
                module="",
                target=target,
                description=prose(schema, "description", component.pointer),
                pointer=component.pointer,
            )
            return
        if "enum" in schema:
            self._warn_duplicates(schema, component.pointer)
        inner, _ = split_null(schema)
        result = self._lower(inner, component.pointer, component.name, component.name)
        if component.name not in self._models and component.name not in self.enums:
            # _shape and _lower disagreed: keep the name defined rather than dangling
            self.aliases[component.name] = TypeAlias(
                component.name, "", result, pointer=component.pointer
            )

    def promote_recursive_maps(self) -> None:
        """Map-shaped components that reach themselves through aliases become models.

        ``Node = dict[str, Node]`` cannot be a plain ``TypeAlias``, but a model
        with no fields whose ``extra`` is ``Node`` can (pydantic resolves the
        forward reference), so property-less objects in an alias cycle are
        lowered as such models.  Other alias cycles (``list[...]`` all the way
        round) stay aliases and :func:`.modules.break_alias_cycles` types them
        ``Any``.
        """
        graph = {
            name: alias.target.models & set(self.aliases) for name, alias in self.aliases.items()
        }
        for group in strongly_connected(graph):
            if len(group) == 1 and group[0] not in graph[group[0]]:
                continue
            for name in group:
                component = self._by_name.get(name)
                if component is None:
                    continue
                schema, nullable = split_null(
                    as_map(resolve_path(self.document, component.pointer))
                )
                is_map = schema.get("type") == "object" or (
                    "type" not in schema and "additionalProperties" in schema
                )
                if not is_map or set(schema) & {"$ref", "allOf", "anyOf", "oneOf", "enum", "const"}:
                    continue
                del self.aliases[name]
                self._models[name] = _ModelDraft(
                    name=name,
                    pointer=component.pointer,
                    description=prose(schema, "description", component.pointer),
                    deprecated=as_bool(schema.get("deprecated")),
                    extra=self._extra(schema, component.pointer, name) or t.ANY,
                )
                promoted = replace(component, kind="model", nullable=nullable)
                self.components[component.pointer] = promoted
                self._by_name[name] = promoted
            self._relower_with_map_models(
                [self._by_name[name] for name in group if name in self.aliases]
            )

    def _relower_with_map_models(self, components: list[Component]) -> None:
        """Lower alias components again with their inline maps as models.

        ``A = list[dict[str, B]]``, ``B = list[dict[str, A]]`` loops through
        aliases only; made ``A = list[AItem]`` with ``AItem`` a model whose
        ``extra`` is ``B``, the cycle passes through a class and is legal.
        Memoised types that hold a map are forgotten so they are lowered
        again; inline classes below them are kept (their memo entries stay).
        """
        for component in components:
            self._maps_as_models.add(component.pointer)
            prefix = component.pointer + "/"
            for pointer in [p for p in self._memo if p.startswith(prefix)]:
                if "dict[" in self._memo[pointer].annotation:
                    del self._memo[pointer]
            del self.aliases[component.name]
        for component in components:
            self._lower_component(component)

    def _ref_loop(self, component: Component) -> bool:
        """True when a component is a chain of bare ``$ref``s that comes back to itself."""
        seen = {component.pointer}
        node, _ = split_null(as_map(resolve_path(self.document, component.pointer)))
        while "$ref" in node or self._single_all_of(node) is not None:
            single = self._single_all_of(node)
            ref = as_str((single if single is not None else node).get("$ref"))
            if ref is None or ref not in self.components:
                return False
            if ref in seen:
                return True
            seen.add(ref)
            node, _ = split_null(as_map(resolve_path(self.document, ref)))
        return False

    # -- the type of a schema ---------------------------------------------

    def type_of(self, schema: object, pointer: str, context: str) -> TypeRef:
        """The type of ``schema`` (at ``pointer``); inline classes are named from ``context``."""
        node = as_map(schema)
        if schema is True or (isinstance(schema, Mapping) and not node):
            return t.ANY
        if not isinstance(schema, Mapping):
            return self._degrade("schema is not an object", pointer)
        if self._depth >= MAX_SCHEMA_NESTING:
            return self._degrade(f"schema nested deeper than {MAX_SCHEMA_NESTING} levels", pointer)
        self._depth += 1
        try:
            return self._type_of(node, pointer, context)
        finally:
            self._depth -= 1

    def _type_of(self, node: Mapping[str, Any], pointer: str, context: str) -> TypeRef:
        if "$ref" in node:
            return self._reference(node, pointer, context)
        if pointer in self._memo:
            return self._memo[pointer]
        if pointer in self._active:
            return self._degrade("inline schema refers to itself", pointer)
        self._active.add(pointer)
        try:
            result = self._lower(node, pointer, context, None)
        finally:
            self._active.discard(pointer)
        self._memo[pointer] = result
        return result

    def _reference(self, node: Mapping[str, Any], pointer: str, context: str) -> TypeRef:
        ref = node["$ref"]
        component = self.components.get(ref) if isinstance(ref, str) else None
        if component is not None:
            if is_null_schema(resolve_path(self.document, component.pointer)):
                # ``X: TypeAlias = None`` is importable, but ``X | None`` is
                # ``None | None``, a TypeError when the annotation is evaluated.
                return t.NONE
            base = t.model_ref(component.name)
            return t.optional(base) if component.nullable else base
        target, target_pointer = resolve(self.document, node, pointer)
        if target_pointer in self.components:
            return self._reference({"$ref": target_pointer}, pointer, context)
        return self.type_of(target, target_pointer, context)

    def _degrade(self, reason: str, pointer: str) -> TypeRef:
        self.diagnostics.warn(f"{reason}; typed as Any", pointer)
        return t.ANY

    def _lower(
        self, schema: Mapping[str, Any], pointer: str, context: str, own_name: str | None
    ) -> TypeRef:
        """``schema`` (not a bare ``$ref``); ``own_name`` names the class it becomes, if any."""
        if "$ref" in schema:
            return self._reference(schema, pointer, context)
        if "enum" in schema:
            self._warn_duplicates(schema, pointer)  # before null leaves the list: same indexes
        inner, nullable = split_null(schema)
        result = self._lower_non_null(inner, pointer, context, own_name)
        return t.optional(result) if nullable else result

    def _warn_duplicates(self, schema: Mapping[str, Any], pointer: str) -> None:
        """Warn about each enum value listed twice, at its index in the spec's own list."""
        if pointer in self._enums_checked:
            return
        self._enums_checked.add(pointer)
        listed = as_list(schema.get("enum"))
        for index, first in duplicates(listed):
            self.diagnostics.warn(
                f"enum value {brief(listed[index])} is listed again (first at index {first});"
                " kept once",
                join_pointer(pointer, "enum", index),
            )

    def _lower_non_null(
        self, schema: Mapping[str, Any], pointer: str, context: str, own_name: str | None
    ) -> TypeRef:
        if "$ref" in schema:
            return self._reference(schema, pointer, context)
        if "allOf" in schema:
            single = self._single_all_of(schema)
            if single is not None:
                return self.type_of(single, join_pointer(pointer, "allOf", 0), context)
            if id(schema) in self._merging:
                return self._degrade("allOf that contains itself", pointer)
            self._merging.add(id(schema))
            try:
                merged = merge_all_of(self.document, schema, pointer, self.diagnostics, self.merged)
                return self._lower_merged(merged, pointer, context, own_name)
            finally:
                self._merging.discard(id(schema))
        return self._lower_merged(schema, pointer, context, own_name)

    def _lower_merged(
        self, schema: Mapping[str, Any], pointer: str, context: str, own_name: str | None
    ) -> TypeRef:
        """The non-null ``schema`` with no ``allOf`` left to merge."""
        if is_null_schema(schema):
            return t.NONE
        if is_object_model(schema):
            for key in ("oneOf", "anyOf"):
                members = as_list(schema.get(key))
                if members and not all(refines(member, schema) for member in members):
                    self.diagnostics.warn(
                        f"{key} next to properties: only the properties are modelled",
                        pointer,
                    )
            return self._model(schema, pointer, own_name or self._new_name(context))
        if "const" in schema:
            return self._const(schema, pointer)
        if "enum" in schema:
            enum = self._enum(schema, pointer, context, own_name)
            if enum is not None:
                return enum
            schema = {key: value for key, value in schema.items() if key != "enum"}
        for key in ("oneOf", "anyOf"):
            members = as_list(schema.get(key))
            if members and not all(map(is_constraint_only, members)):
                return self._union(schema, key, pointer, context)
        return self._by_type(schema, pointer, context)

    def _new_name(self, context: str) -> str:
        return self.class_names.take(context)

    def _by_type(self, schema: Mapping[str, Any], pointer: str, context: str) -> TypeRef:
        kind = schema.get("type")
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt not in _KNOWN_FORMATS:
            self.diagnostics.warn(
                f"unknown format {fmt!r}; read as its plain type", join_pointer(pointer, "format")
            )
        if isinstance(kind, list):
            members = [
                self._by_type({**schema, "type": item}, pointer, context)
                for item in kind
                if isinstance(item, str)
            ]
            return t.union(members) if members else t.ANY
        if kind is None:
            if "items" in schema or "prefixItems" in schema:
                kind = "array"
            elif "properties" in schema or "additionalProperties" in schema:
                kind = "object"
            elif "not" in schema:
                return self._degrade("'not' cannot be expressed as a Python type", pointer)
            else:
                return t.ANY  # no type at all: any JSON value, exactly what Any says
        if kind == "string":
            return _STRING_FORMATS.get(as_str(fmt) or "", t.external("str"))
        if kind == "integer":
            return t.external("int")
        if kind == "number":
            return t.external("float")
        if kind == "boolean":
            return t.external("bool")
        if kind == "null":
            return t.NONE
        if kind == "array":
            return self._array(schema, pointer, context)
        if kind == "object":
            extra = self._extra(schema, pointer, context)
            if extra is not None and self._map_as_model(pointer):
                name = self._new_name(context)
                self._models[name] = _ModelDraft(
                    name=name,
                    pointer=pointer,
                    description=prose(schema, "description", pointer),
                    deprecated=as_bool(schema.get("deprecated")),
                    extra=extra,
                )
                return t.model_ref(name)
            return t.dict_of(extra or t.ANY)
        return self._degrade(f"unknown type {kind!r}", pointer)

    def _array(self, schema: Mapping[str, Any], pointer: str, context: str) -> TypeRef:
        """``list[X]``, or a tuple for ``prefixItems`` (see :func:`.shapes.tuple_shape`)."""
        items = schema.get("items")
        shape = tuple_shape(schema)
        if shape is None:
            if items is None:
                return t.list_of(t.ANY)
            return t.list_of(self.type_of(items, join_pointer(pointer, "items"), context + "Item"))
        members = [
            self.type_of(
                item, join_pointer(pointer, "prefixItems", index), f"{context}Item{index + 1}"
            )
            for index, item in enumerate(as_list(schema.get("prefixItems")))
        ]
        if shape.closed:
            lengths = range(len(members), shape.min_items - 1, -1)
            return t.union([t.fixed_tuple(members[:length]) for length in lengths])
        rest = (
            t.ANY
            if items is None
            else self.type_of(items, join_pointer(pointer, "items"), context + "Item")
        )
        return t.variadic_tuple(t.union([*members, rest]))

    def _map_as_model(self, pointer: str) -> bool:
        return any(pointer.startswith(p + "/") for p in self._maps_as_models)

    def _extra(self, schema: Mapping[str, Any], pointer: str, context: str) -> TypeRef | None:
        extra = schema.get("additionalProperties")
        if extra is None or extra is False:
            return None
        if extra is True:
            return t.ANY
        return self.type_of(extra, join_pointer(pointer, "additionalProperties"), context + "Value")

    def _const(self, schema: Mapping[str, Any], pointer: str) -> TypeRef:
        value = schema["const"]
        if value is None:
            return t.NONE
        if isinstance(value, dict | list | float):
            self.diagnostics.warn("const value cannot be a Literal; typed by its type", pointer)
            rest = {key: item for key, item in schema.items() if key != "const"}
            return self._by_type(rest, pointer, "Const")
        return t.literal([value])

    def _enum(
        self, schema: Mapping[str, Any], pointer: str, context: str, own_name: str | None
    ) -> TypeRef | None:
        """An enum class, a ``Literal``, or ``None`` when the values cannot be typed."""
        values = unique_values([v for v in as_list(schema.get("enum")) if v is not None])
        if not values:
            self.diagnostics.warn("enum lists no values; typed by its type", pointer)
            return None
        for index, value in enumerate(as_list(schema.get("enum"))):
            if isinstance(value, str) and not _encodable(value):
                # JSON allows a lone surrogate ("\\ud800"), but such a value can
                # never be sent as UTF-8 and pydantic refuses to build a validator
                # for it, so the generated package would fail at import time:
                # stop here with the place instead (issue 7).
                raise SpecError(
                    f"enum value {value!r} contains a lone surrogate and cannot be sent as UTF-8",
                    pointer=join_pointer(pointer, "enum", str(index)),
                )
        kind = enum_kind(values)
        if kind == "float":
            for index, value in enumerate(as_list(schema.get("enum"))):
                if isinstance(value, int) and not _fits_float(value):
                    # A float enum writes its members as floats, and past 1.8e308
                    # there is none: the member could never match what the server sends.
                    self.diagnostics.warn(
                        f"enum value of {len(str(abs(value)))} digits is too large for a float"
                        " (the enum mixes integers and floats); enum ignored",
                        join_pointer(pointer, "enum", str(index)),
                    )
                    return None
        if kind == "unsupported":
            self.diagnostics.warn("enum values of mixed or structured types ignored", pointer)
            return None
        if kind == "literal" or (own_name is None and len(values) == 1):
            if kind == "literal" and not all(isinstance(v, bool) for v in values):
                self.diagnostics.warn("enum of mixed value types typed as a Literal", pointer)
            return t.literal(values)
        name = own_name or self._new_name(context)
        self.enums[name] = EnumType(
            name=name,
            module="",
            value_type=kind,
            members=enum_members(
                values,
                kind,
                as_list(schema.get("x-enum-varnames") or schema.get("x-enumNames")),
                as_list(schema.get("x-enum-descriptions")),
            ),
            description=prose(schema, "description", pointer),
            pointer=pointer,
        )
        return t.model_ref(name)

    def _union(self, schema: Mapping[str, Any], key: str, pointer: str, context: str) -> TypeRef:
        members: list[TypeRef] = []
        for index, member in enumerate(as_list(schema[key])):
            member_pointer = join_pointer(pointer, key, index)
            if is_constraint_only(member):
                continue
            members.append(self.type_of(member, member_pointer, f"{context}Variant{index + 1}"))
        discriminator = as_map(schema.get("discriminator"))
        if discriminator:
            field_name = self.discriminators.tag(schema, key, discriminator, pointer)
            if field_name is not None:
                # every member is a model (possibly nullable): tag the classes, null outside
                classes = [t.model_ref(next(iter(member.models))) for member in members]
                tagged = t.discriminated(classes, field_name)
                nullable = any(member.annotation.endswith(" | None") for member in members)
                return t.optional(tagged) if nullable else tagged
        return t.union(members)

    # -- models ------------------------------------------------------------

    def _model(self, schema: Mapping[str, Any], pointer: str, name: str) -> TypeRef:
        draft = _ModelDraft(
            name=name,
            pointer=pointer,
            description=prose(schema, "description", pointer),
            deprecated=as_bool(schema.get("deprecated")),
        )
        self._models[name] = draft
        properties = as_map(schema.get("properties"))
        required = {r for r in as_list(schema.get("required")) if isinstance(r, str)}
        # A name ``required`` lists without a property schema must still be there,
        # with any value: without a field, the model would drop its key and
        # accept an object without it.
        unschematized = [
            r
            for r in dict.fromkeys(as_list(schema.get("required")))
            if isinstance(r, str) and r not in properties
        ]
        names = field_names([*properties, *unschematized])
        origins = as_map(schema.get(PROPERTY_ORIGINS))
        for wire, prop in properties.items():
            origin = as_str(origins.get(wire)) or pointer
            owner = self.components.get(origin)
            context = (owner.name if owner is not None else name) + pascal_case(
                wire, fallback="Field"
            )
            prop_pointer = join_pointer(origin, "properties", wire)
            node = as_map(prop)
            prop_type = self.type_of(prop, prop_pointer, context)
            is_required = wire in required
            if not is_required:
                draft.defaults[wire] = (node, prop_pointer)
            draft.fields.append(
                ModelField(
                    python_name=names[wire],
                    wire_name=wire,
                    type=prop_type if is_required else t.optional(prop_type),
                    required=is_required,
                    description=prose(node, "description", prop_pointer),
                    read_only=as_bool(node.get("readOnly")),
                    write_only=as_bool(node.get("writeOnly")),
                    deprecated=as_bool(node.get("deprecated")),
                )
            )
        for wire in unschematized:
            self.diagnostics.warn(
                f"required property {wire!r} has no schema in 'properties'; any value is accepted",
                join_pointer(pointer, "required"),
            )
            draft.fields.append(
                ModelField(python_name=names[wire], wire_name=wire, type=t.ANY, required=True)
            )
        draft.extra = self._extra(schema, pointer, name)
        return t.model_ref(name)

    def _declared_default(self, schema: Mapping[str, Any], pointer: str) -> tuple[Any, str] | None:
        """The default that applies at ``schema``, and the pointer of its ``default`` keyword.

        The schema's own ``default`` wins; else the one of the schema a bare
        ``$ref`` (or a one-member ``allOf``, or a nullable wrapper of either)
        leads to, so an enum component's default reaches every property that
        refers to it.
        """
        seen: set[str] = set()
        node = schema
        while True:
            if "default" in node:
                return node["default"], join_pointer(pointer, "default")
            inner, _ = split_null(node)
            if "default" in inner:
                return inner["default"], join_pointer(pointer, "default")
            single = self._single_all_of(inner)
            holder = single if single is not None else inner
            ref = as_str(holder.get("$ref"))
            if ref is None or ref in seen:
                return None
            seen.add(ref)
            node, pointer = resolve(self.document, holder, pointer)

    def _default(self, schema: Mapping[str, Any], pointer: str) -> Written | None:
        """The property's default as typed Python source; an invalid one is warned about."""
        declared = self._declared_default(schema, pointer)
        if declared is None or declared[0] is None:
            return None
        value, where = declared
        if literal_depth(value) > MAX_LITERAL_NESTING:
            self.diagnostics.warn(
                f"default nested deeper than {MAX_LITERAL_NESTING} levels; dropped", where
            )
            return None
        try:
            return self._defaults.write(schema, pointer, value)
        except DefaultError as error:
            self.diagnostics.warn(f"default {brief(value)} {error}; dropped", where)
            return None

    def default_for(self, schema: Mapping[str, Any], type_: TypeRef, pointer: str) -> str | None:
        """:meth:`_default` for parameters: only plain literals (a signature's default).

        A default that needs a constructor (a date, a model) is left out: the
        parameter then defaults to ``None``, is not sent, and the server
        applies the default it declares.
        """
        written = self._default(schema, pointer)
        return written.source if written is not None and written.plain else None

    def class_at(self, pointer: str) -> str | None:
        """The model or enum class the inline schema at ``pointer`` was lowered to."""
        lowered = self._memo.get(pointer)
        if lowered is None:
            return None
        name = lowered.annotation.removesuffix(" | None")
        return name if name in self._models or name in self.enums else None

    def input_type(self, type_: TypeRef) -> TypeRef:
        """``type_`` as a caller passes it: every enum it names also takes its plain values.

        ``Status`` becomes ``Status | Literal["available", "sold"]`` (also inside
        ``list[...]``, ``dict[...]`` and ``| None``), so ``status="available"``
        type-checks and an IDE offers the values, while a value the spec does not
        list is a type error.  At run time nothing changes: parameters send a
        member and a string alike, and :class:`requestforge.OpenEnum` makes
        pydantic validate either into the member.  Float enums keep the class
        alone (``Literal`` cannot hold floats), and so do enums of more than
        :data:`MAX_INPUT_LITERAL_VALUES` values.
        """
        values: dict[str, TypeRef] = {}
        for name in type_.models:
            literal = self._value_literal(name)
            if literal is not None:
                values[name] = literal
        return t.with_values(type_, values)

    def _value_literal(self, name: str) -> TypeRef | None:
        enum = self.enums.get(name)
        if enum is None:  # a model or an alias
            return None
        if name not in self._value_literals:
            accepted = None
            if enum.value_type in ("str", "int") and len(enum.members) <= MAX_INPUT_LITERAL_VALUES:
                accepted = t.literal_of([member.value for member in enum.members])
            self._value_literals[name] = accepted
        return self._value_literals[name]

    def tag_values(self, model: str, wire_name: str) -> tuple[Any, ...] | None:
        return self.discriminators.values_for(model, wire_name)

    # -- results -----------------------------------------------------------

    def models(self) -> list[Model]:
        """Every model, with discriminator fields narrowed to their ``Literal``."""
        result = []
        for draft in self._models.values():
            fields = []
            for declared in draft.fields:
                values = self.discriminators.values_for(draft.name, declared.wire_name)
                current = declared
                if values is not None:
                    current = replace(
                        declared,
                        type=t.literal(list(values)),
                        default=None if current.required else python_literal(values[0]),
                    )
                else:
                    if declared.wire_name in draft.defaults:
                        current = self._with_default(current, *draft.defaults[declared.wire_name])
                    if not current.default_factory:
                        # Models serve requests and responses alike: every enum field
                        # takes plain values (see input_type); parsed ones are still
                        # members.  Not a field whose default is built by a factory
                        # (``lambda: [Color.RED]``): mypy types that list
                        # ``list[Color]``, and lists are invariant.
                        current = replace(current, type=self.input_type(current.type))
                fields.append(current)
            result.append(
                Model(
                    name=draft.name,
                    module="",
                    fields=tuple(fields),
                    description=draft.description,
                    extra=draft.extra,
                    pointer=draft.pointer,
                    deprecated=draft.deprecated,
                )
            )
        return result

    def _with_default(
        self, declared: ModelField, schema: Mapping[str, Any], pointer: str
    ) -> ModelField:
        """``declared`` with its default, written once every class exists.

        What the default's source names (``date``, an enum, a model) joins the
        field type's imports and models, so the module imports it even when the
        annotation reaches that class only through an alias.
        """
        written = self._default(schema, pointer)
        if written is None:
            return declared
        needs = declared.type
        if not (written.imports <= needs.imports and written.models <= needs.models):
            needs = TypeRef(
                needs.annotation, needs.imports | written.imports, needs.models | written.models
            )
        return replace(
            declared, type=needs, default=written.source, default_factory=written.mutable
        )

    def is_model(self, name: str) -> bool:
        return name in self._models
