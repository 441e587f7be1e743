"""Discriminated unions: when a ``oneOf``/``anyOf`` can be a pydantic tagged union.

pydantic's ``Field(discriminator="kind")`` needs every member to be a model
whose ``kind`` field is a ``Literal`` of the values that select it, and no
value may select two members.  The spec says less: a ``discriminator`` with a
``propertyName`` and maybe a ``mapping``.  So a union is tagged only when

* every member is a ``$ref`` to a component that became a model;
* each of them has the property (after ``allOf`` merging), under the same
  Python field name;
* the values for each member -- the ``mapping`` keys that point at it, else
  the property's own ``const``/``enum`` (what real specs rely on, e.g.
  Spotify's ``type: {enum: [track]}``), else the schema's name (OpenAPI's
  implicit mapping) -- agree with what the property declares, are disjoint
  across members, and agree with any other tagged union the model is in.

Otherwise the union stays plain (still correct, just validated by trying each
member) and a warning names the discriminator.  Models that are tagged get
their discriminator field retyped to the ``Literal`` when lowering finishes
(:meth:`Discriminators.values_for`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..diagnostics import Diagnostics, join_pointer
from .document import as_list, as_map, as_str, resolve, resolve_path
from .shapes import Component, MergeCache, field_names, merge_all_of, split_null

__all__ = ["Discriminators"]


class Discriminators:
    """Decides tagged unions and remembers the ``Literal`` values each model field takes."""

    def __init__(
        self,
        document: Mapping[str, Any],
        diagnostics: Diagnostics,
        components: Mapping[str, Component],
        merged: MergeCache | None = None,
    ) -> None:
        self._document = document
        self._merged_parents: MergeCache = {} if merged is None else merged
        self._diagnostics = diagnostics
        self._components = components
        self._values: dict[tuple[str, str], tuple[Any, ...]] = {}

    def values_for(self, model: str, wire_name: str) -> tuple[Any, ...] | None:
        """The discriminator values of ``model``'s property ``wire_name``, if it is one."""
        return self._values.get((model, wire_name))

    def tag(
        self,
        schema: Mapping[str, Any],
        key: str,
        discriminator: Mapping[str, Any],
        pointer: str,
    ) -> str | None:
        """The Python field name to discriminate the union ``schema[key]`` on, or ``None``."""
        where = join_pointer(pointer, "discriminator")
        property_name = as_str(discriminator.get("propertyName"))
        refs = [as_str(as_map(member).get("$ref")) for member in as_list(schema[key])]
        components = [self._components.get(ref or "") for ref in refs]
        members = [c for c in components if c is not None and c.kind == "model"]
        if property_name is None or len(members) != len(components):
            self._diagnostics.warn("discriminator needs model members; plain union", where)
            return None
        mapping = as_map(discriminator.get("mapping"))
        assignments: list[tuple[str, tuple[Any, ...]]] = []
        python_names: set[str] = set()
        seen_values: set[Any] = set()
        for component in members:
            properties = as_map(self._merged(component).get("properties"))
            if property_name not in properties:
                self._diagnostics.warn(
                    f"discriminator property {property_name!r} missing from "
                    f"{component.key!r}; plain union",
                    where,
                )
                return None
            python_names.add(field_names(list(properties))[property_name])
            declared = self._declared_values(as_map(properties[property_name]))
            mapped = tuple(
                value
                for value, target in mapping.items()
                if target in (component.pointer, component.key)
            )
            values = mapped or declared or (component.key,)
            known = self._values.get((component.name, property_name))
            conflict = (
                (declared is not None and not set(values) <= set(declared))
                or (known is not None and known != values)
                or bool(seen_values & set(values))
                or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values)
            )
            if conflict:
                self._diagnostics.warn(
                    f"discriminator values for {component.key!r} conflict; plain union", where
                )
                return None
            seen_values |= set(values)
            assignments.append((component.name, values))
        if len(python_names) != 1:
            self._diagnostics.warn("discriminator property named differently; plain union", where)
            return None
        for name, values in assignments:
            self._values[(name, property_name)] = values
        return python_names.pop()

    def _merged(self, component: Component) -> Mapping[str, Any]:
        schema, _ = split_null(as_map(resolve_path(self._document, component.pointer)))
        if "allOf" in schema:
            return merge_all_of(
                self._document, schema, component.pointer, self._diagnostics, self._merged_parents
            )
        return schema

    def _declared_values(self, schema: Mapping[str, Any]) -> tuple[Any, ...] | None:
        node, _ = resolve(self._document, schema, "")
        node, _ = split_null(node)
        if "const" in node:
            return (node["const"],)
        if "enum" in node:
            return tuple(as_list(node["enum"]))
        return None
