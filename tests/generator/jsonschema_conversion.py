"""OpenAPI component schemas -> JSON Schema that hypothesis-jsonschema can draw from.

Written for ``test_schema_round_trip.py`` and independent of forgegen's own
front end on purpose: the spec file is read here (:func:`load_spec`) and each
``components.schemas`` (Swagger 2.0: ``definitions``) entry is converted by the
rules below, so a mistake in forgegen's normaliser cannot hide behind the same
mistake in the test.  The output is draft-07 JSON Schema (what the drawer
reads), with the referenced components under ``$defs``.

Rules (``convert`` applies them to every schema node, recursively):

* ``nullable: true`` (3.0; also a 3.1 leftover, and Swagger 2.0's
  ``x-nullable``): with a ``type``, ``"null"`` is added to it (and ``null`` to an
  ``enum``); next to ``$ref``/``allOf``/``anyOf``/``oneOf`` the schema becomes
  ``anyOf: [<schema>, {type: null}]``.  ``nullable: false`` is dropped.
* boolean ``exclusiveMinimum``/``exclusiveMaximum`` (3.0, 2.0): ``true`` with
  ``minimum: n`` -> ``exclusiveMinimum: n`` (the numeric 2020-12/draft-07
  form), ``false`` dropped.
* ``$ref`` to a component -> ``#/$defs/<key>``, the def attached.  In 3.0/2.0
  the ref's siblings are ignored (the spec says so) except ``nullable``; in 3.1
  they apply (``allOf: [ref, siblings]``).  Other local refs are inlined.
* recursion is bounded: components that reach themselves (a strongly
  connected group of the ref graph) are unrolled ``depth`` times -- a ref
  from level *k* of the group to a member of the same group goes to level
  *k+1*, and past ``depth`` becomes ``false`` (no instance), so the drawer only
  ever sees finite, valid instances.  A schema that needs deeper nesting than
  that is unsatisfiable and reported as a drawer limit.
* ``discriminator``: its meaning is kept as a constraint, then the keyword is
  dropped -- each ``oneOf``/``anyOf`` member gets ``required: [propertyName]``
  and, for the values that select it (the ``mapping`` keys naming it, else the
  member's own ``enum``/``const`` on that property, else the component's name:
  OpenAPI's implicit mapping), an ``enum`` on that property.  A component the
  document refers to *only* as such a member keeps that ``enum`` when it is
  drawn on its own (forgegen types its tag as the ``Literal`` of those values;
  nothing else can reach it); one referred to in any other way does not.
* dropped as annotations: ``description``, ``title``, ``example(s)``,
  ``default``, ``deprecated``, ``readOnly``, ``writeOnly``, ``xml``,
  ``externalDocs``, ``$comment``, ``$schema``, ``$id``, ``content*`` and every
  ``x-*``.  ``format`` is kept only where it changes the Python type forgegen
  generates for the string (``date-time``, ``date``, ``time``, ``uuid``:
  :data:`TYPED_FORMATS`), so the drawn text is one that type has to parse and
  give back.  Any other format (``uri``, ``email``...) is plain ``str`` to
  forgegen and an annotation to JSON Schema, so it is dropped: drawing real
  URLs and e-mail addresses only made the draw slow (most of GitHub's time).
* object keywords without a ``type`` (``properties``, ``required``,
  ``additionalProperties``...) -> ``type: object``, array keywords (``items``,
  ``minItems``...) -> ``type: array``: OpenAPI's reading, and forgegen's (such a
  schema is a model, a list); JSON Schema alone would also let ``null``, a
  number or a string through, which no API means by it.
* 3.1 ``prefixItems`` -> draft-07 tuple ``items`` (+ ``additionalItems``);
  ``dependentRequired``/``dependentSchemas`` -> ``dependencies``; Swagger 2.0
  ``type: file`` -> ``string``.
* closed objects: a model the generator makes with ``extra="ignore"`` drops
  the keys its schema does not declare (by design: docs/generated-code.md),
  so drawing them would only test that documented drop.  An object schema with
  properties and no ``additionalProperties`` therefore gets
  ``additionalProperties: false``, its ``properties`` widened by the names its
  ``allOf`` members (and ``anyOf``/``oneOf`` members next to the properties)
  declare (and the names listed in ``required``: a required key without a
  property schema may hold anything), and those members are converted *open*
  (not closed at their top),
  so the combination means what it meant.  Keys the schema declares are all
  still drawn, so a wrong alias is caught.
* anything else the drawer cannot express (``unevaluatedProperties``,
  ``$dynamicRef``, ...) raises :class:`DrawerLimitError` naming the keyword.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema  # type: ignore[import-untyped]  # no stubs in the dev extra
import yaml
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis_jsonschema import _canonicalise, _from_schema
from hypothesis_jsonschema._from_schema import STRING_FORMATS

__all__ = [
    "CUSTOM_FORMATS",
    "FALSE",
    "TYPED_FORMATS",
    "Converter",
    "DrawerLimitError",
    "check_converted",
    "component_names",
    "load_spec",
    "spec_version",
]

#: Formats forgegen types (``UUID``) that the drawer would otherwise leave as text.
CUSTOM_FORMATS: dict[str, st.SearchStrategy[str]] = {"uuid": st.uuids().map(str)}
#: The string formats forgegen gives a Python type other than ``str`` (its
#: ``_STRING_FORMATS`` in generator/lower/schemas.py, less ``binary``: any text
#: is valid ``bytes`` there, so the drawer needs no format for it).
TYPED_FORMATS = frozenset({"date-time", "date", "time"}) | frozenset(CUSTOM_FORMATS)
assert TYPED_FORMATS.issubset(frozenset(STRING_FORMATS) | frozenset(CUSTOM_FORMATS))

FALSE: dict[str, Any] = {"not": {}}

_ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "summary",
        "example",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "xml",
        "externalDocs",
        "$comment",
        "$schema",
        "$id",
        "$anchor",
        "contentMediaType",
        "contentEncoding",
        "contentSchema",
        "discriminator",
        "nullable",
        "$defs",
        "definitions",
    }
)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_OBJECT_KEYWORDS = frozenset(
    {"properties", "additionalProperties", "patternProperties", "required"}
    | {"minProperties", "maxProperties"}
)
_ARRAY_KEYWORDS = frozenset({"items", "prefixItems", "minItems", "maxItems", "uniqueItems"})
_SCHEMA_SINGLES = ("not", "contains", "propertyNames", "if", "then", "else", "additionalItems")
_SCHEMA_MAPS = ("properties", "patternProperties")
_PLAIN = frozenset(
    {
        "type",
        "enum",
        "const",
        "required",
        "format",
        "multipleOf",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
    }
)


# The drawer's modules, patched below (their typed attributes get untyped replacements).
_canonicalise_module: Any = _canonicalise
_from_schema_module: Any = _from_schema


class _OldStyleMany:
    """hypothesis-jsonschema 0.23 drives Hypothesis' private ``many`` the old way
    (``while elements.more(): ... elements.reject()``); Hypothesis 6.1xx made it a
    context manager iterated with ``for``.  This adapter gives the old interface
    on top of the new one, so objects can be drawn again."""

    _END = object()

    def __init__(self, data: Any, **sizes: Any) -> None:
        self._many = conjecture_utils.many(data, **sizes)
        self._many.__enter__()
        self._elements = iter(self._many)

    def more(self) -> bool:
        if next(self._elements, self._END) is self._END:
            self._many.__exit__(None, None, None)
            return False
        return True

    def reject(self, why: str | None = None) -> None:
        self._many.reject(why)


if not hasattr(conjecture_utils.many, "more"):
    from types import SimpleNamespace

    _from_schema_module.cu = SimpleNamespace(many=_OldStyleMany)


_build_strategy = getattr(_from_schema, "__from_schema")  # a dunder name: no attribute syntax
_strategies: dict[str, Any] = {}
#: The same, by the identity of the schema object (kept alive here, so an id is
#: never reused): an object property's schema is one dict, drawn from again and
#: again, and encoding it for the key above cost as much as the draw.
_strategies_by_id: dict[int, tuple[Any, Any]] = {}


def _memoised_build(schema: Any, **options: Any) -> Any:
    """hypothesis-jsonschema builds the strategy of a nested schema again at every
    draw (canonicalising it and inspecting the source of a new ``@composite``
    each time: ~30 ms per object drawn); strategies are immutable, so one per
    schema is enough.  The options (alphabet, formats) are the same for every
    schema this module draws from."""
    known = _strategies_by_id.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        return _build_strategy(schema, **options)
    if key not in _strategies:
        if len(_strategies) > 20_000:
            _strategies.clear()
            _strategies_by_id.clear()
        _strategies[key] = _build_strategy(schema, **options)
    if isinstance(schema, dict):
        _strategies_by_id[id(schema)] = (schema, _strategies[key])
    return _strategies[key]


_canonicalish = _canonicalise.canonicalish
_canonical: dict[str, str] = {}


def _memoised_canonicalish(schema: Any) -> Any:
    """hypothesis-jsonschema's ``canonicalish``, once per distinct schema.

    It copies the schema (through its JSON text) and recurses into every
    subschema, each of which copies its own subtree again, and the drawer calls
    it on every schema it merges or builds: most of the remaining time.  It is
    a pure function of the JSON value, and its callers change the result, so
    each call gets a fresh copy of the remembered one."""
    if not isinstance(schema, dict):
        return _canonicalish(schema)
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        return _canonicalish(schema)
    text = _canonical.get(key)
    if text is None:
        result = _canonicalish(schema)
        if len(_canonical) > 50_000:
            _canonical.clear()
        _canonical[key] = json.dumps(result)
        return result
    return json.loads(text)


setattr(_from_schema, "__from_schema", _memoised_build)
_canonicalise_module.canonicalish = _memoised_canonicalish
_from_schema_module.canonicalish = _memoised_canonicalish


def _draft7(schema: Any) -> Any:
    """The validator class for every schema the drawer handles: draft-07.

    hypothesis-jsonschema picks it by checking each intermediate schema against
    the meta-schemas, newest draft first (well over half of the time spent on
    GitHub's event unions, and 2020-12 would read this module's draft-07
    ``dependencies`` and tuple ``items`` wrongly).  Every schema here is
    draft-07 by construction, and the test checks the converted schema once
    against that meta-schema (:func:`check_converted`)."""
    return jsonschema.Draft7Validator


_canonicalise_module._get_validator_class = _draft7


def _inline_refs(schema: Any) -> Any:
    """``schema`` with its ``#/$defs/...`` refs replaced by their targets.

    hypothesis-jsonschema's own resolver resolves a ref again (and merges it,
    canonicalising both) at every place it occurs, so a component shared by
    many properties (a user, a repository) is resolved once per path to it;
    here each def is resolved once.  The defs this module makes are acyclic
    and a ref never has siblings, so the result is a finite tree with
    shared subtrees (the drawer copies what it changes)."""
    if not isinstance(schema, dict) or "$defs" not in schema:
        return _resolve_all_refs(schema)
    defs = schema["$defs"]
    done: dict[str, Any] = {}

    def walk(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and len(node) == 1:
            key = ref[len("#/$defs/") :].replace("~1", "/").replace("~0", "~")
            if key not in done:
                done[key] = walk(defs[key])
            return done[key]
        if "$ref" in node:
            raise DrawerLimitError(f"a $ref the converter did not make: {ref!r}")
        out = dict(node)
        out.pop("$defs", None)
        for key in _canonicalise.SCHEMA_KEYS:
            value = out.get(key)
            if isinstance(value, list):
                out[key] = [walk(item) for item in value]
            elif isinstance(value, dict):
                out[key] = walk(value)
        for key in _canonicalise.SCHEMA_OBJECT_KEYS:
            if isinstance(out.get(key), dict):
                out[key] = {name: walk(item) for name, item in out[key].items()}
        return out

    return walk(schema)


_resolve_all_refs = _from_schema_module.resolve_all_refs
_from_schema_module.resolve_all_refs = _inline_refs


def check_converted(schema: Mapping[str, Any]) -> None:
    """Fails when the converter made a schema that is not valid draft-07."""
    jsonschema.Draft7Validator.check_schema(schema)


class DrawerLimitError(Exception):
    """The schema uses something hypothesis-jsonschema cannot draw from."""


class _SafeJsonLoader(yaml.SafeLoader):
    """YAML's safe loader without timestamps: a spec is JSON data (``2020-01-01`` stays text)."""


_SafeJsonLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_spec(path: Path) -> dict[str, Any]:
    """The spec file as plain JSON data."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        data = json.loads(text)
    else:
        data = yaml.load(text, Loader=_SafeJsonLoader)  # a safe loader subclass
    assert isinstance(data, dict)
    return data


def spec_version(document: Mapping[str, Any]) -> str:
    """``"2.0"``, ``"3.0"`` or ``"3.1"``."""
    if "swagger" in document:
        return "2.0"
    return "3.1" if str(document["openapi"]).startswith("3.1") else "3.0"


def _components_root(version: str) -> tuple[str, ...]:
    return ("definitions",) if version == "2.0" else ("components", "schemas")


def component_names(document: Mapping[str, Any]) -> list[str]:
    """The component schema names, in the document's order."""
    node: Any = document
    for token in _components_root(spec_version(document)):
        node = node.get(token) if isinstance(node, Mapping) else None
    return list(node) if isinstance(node, Mapping) else []


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _tokens(ref: str) -> list[str]:
    if not ref.startswith("#/"):
        raise DrawerLimitError(f"non-local $ref {ref!r}")
    return [unquote(t).replace("~1", "/").replace("~0", "~") for t in ref[2:].split("/")]


def _strongly_connected(graph: Mapping[str, set[str]]) -> Iterator[list[str]]:
    """Tarjan's algorithm, iterative (the GitHub and Stripe graphs are deep)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                yield group


class Converter:
    """Converts the component schemas of one document (see the module docstring)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.version = spec_version(document)
        root: Any = document
        for token in _components_root(self.version):
            root = root.get(token, {}) if isinstance(root, Mapping) else {}
        self.components: Mapping[str, Any] = root if isinstance(root, Mapping) else {}
        self._prefix = "#/" + "/".join(_components_root(self.version)) + "/"
        graph = {name: self._refs_of(self.components[name]) for name in self.components}
        self.group: dict[str, int] = {}
        self.cyclic: set[int] = set()
        for number, members in enumerate(_strongly_connected(graph)):
            for member in members:
                self.group[member] = number
            if len(members) > 1 or members[0] in graph[members[0]]:
                self.cyclic.add(number)
        self._defs: dict[str, Any] = {}
        self._depth = 1
        self._inline: list[str] = []
        self._keys: dict[str, str] = {}
        for name in self.components:
            key = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
            while key in self._keys.values():
                key += "_"
            self._keys[name] = key
        self._members_only = self._union_members_only()

    # -- public ------------------------------------------------------------

    def pointer(self, name: str) -> str:
        """The component's JSON pointer in the spec."""
        return self._prefix + _escape(name)

    def schema(self, name: str, depth: int = 1) -> dict[str, Any]:
        """The JSON Schema of component ``name``, recursion unrolled ``depth`` times."""
        self._defs = {}
        self._depth = depth
        self._inline = []
        body = self._convert(self.components[name], (name, 0), open_top=False)
        if name in self._members_only:
            prop, values = self._members_only[name]
            body = {"allOf": [body, {"properties": {prop: {"enum": values}}}]}
        result: dict[str, Any] = dict(body) if isinstance(body, dict) else {"allOf": [body]}
        if self._defs:
            result["$defs"] = self._defs
        return result

    def schema_of(self, node: Any, depth: int = 1) -> dict[str, Any]:
        """The JSON Schema of any schema node of the document (a property's, say)."""
        self._defs = {}
        self._depth = depth
        self._inline = []
        body = self._convert(node, (None, 0), open_top=False)
        result: dict[str, Any] = dict(body)
        if self._defs:
            result["$defs"] = self._defs
        return result

    def node(self, pointer: str) -> Any:
        """The node at a local JSON pointer (``#/...``)."""
        return self._resolve(pointer)

    def is_cyclic(self, name: str) -> bool:
        return self.group[name] in self.cyclic

    def properties_of(self, node: Any) -> dict[str, Any]:
        """The properties ``node`` declares, ``allOf`` members folded in (own ones last)."""
        return self._properties(node, frozenset())

    # -- the ref graph -----------------------------------------------------

    def _component_of(self, ref: str) -> str | None:
        if ref.startswith(self._prefix):
            tokens = _tokens(ref)
            if len(tokens) == len(_components_root(self.version)) + 1:
                return tokens[-1] if tokens[-1] in self.components else None
        return None

    def _resolve(self, ref: str) -> Any:
        node: Any = self.document
        for token in _tokens(ref):
            if isinstance(node, Mapping) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise DrawerLimitError(f"unresolvable $ref {ref!r}")
        return node

    def _refs_of(self, node: Any, seen: frozenset[str] = frozenset()) -> set[str]:
        found: set[str] = set()
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, Mapping):
                ref = item.get("$ref")
                if isinstance(ref, str):
                    name = self._component_of(ref)
                    if name is not None:
                        found.add(name)
                    elif ref not in seen and ref.startswith("#/"):
                        seen = seen | {ref}
                        with contextlib.suppress(DrawerLimitError):
                            stack.append(self._resolve(ref))
                for key, value in item.items():
                    if key not in ("example", "examples", "default", "enum", "const"):
                        stack.append(value)
            elif isinstance(item, list):
                stack.extend(item)
        return found

    # -- conversion ----------------------------------------------------------

    def _ref(self, ref: str, where: tuple[str | None, int], open_top: bool) -> Any:
        name = self._component_of(ref)
        if name is None:  # a local ref into some other place: inlined, loops cut
            if ref in self._inline:
                return {"not": {}}
            self._inline.append(ref)
            try:
                return self._convert(self._resolve(ref), where, open_top)
            finally:
                self._inline.pop()
        current, level = where
        same_loop = (
            current is not None and self.group[name] == self.group[current] and self.is_cyclic(name)
        )
        level = level + 1 if same_loop else 0
        if level > self._depth:
            return {"not": {}}
        key = f"{self._keys[name]}@{level}{'~open' if open_top else ''}"
        if key not in self._defs:
            # the levels make the defs acyclic: converting one never comes back to it
            self._defs[key] = self._convert(self.components[name], (name, level), open_top)
        if self._defs[key] == FALSE:
            return {"not": {}}
        return {"$ref": "#/$defs/" + _escape(key)}

    def _convert(self, node: Any, where: tuple[str | None, int], open_top: bool) -> Any:
        if node is True:
            return {}
        if node is False:
            return {"not": {}}
        if not isinstance(node, Mapping):
            raise DrawerLimitError(f"schema is a {type(node).__name__}")
        nullable = node.get("nullable") is True or (
            self.version == "2.0" and node.get("x-nullable") is True
        )
        if "$ref" in node:
            target = self._ref(str(node["$ref"]), where, open_top)
            rest = {k: v for k, v in node.items() if k != "$ref"}
            if self.version == "3.1":
                extra = self._convert_plain(rest, where, open_top)
                if _meaningful(extra):
                    target = {"allOf": [target, extra]}
            if target == FALSE:
                return {"type": "null"} if nullable else target
            return {"anyOf": [target, {"type": "null"}]} if nullable else target
        result = self._convert_plain(node, where, open_top)
        if nullable and result == FALSE:
            return {"type": "null"}
        if nullable:
            if "type" in result:
                types = result["type"] if isinstance(result["type"], list) else [result["type"]]
                if "null" not in types:
                    result["type"] = [*types, "null"]
                if "enum" in result and None not in result["enum"]:
                    result["enum"] = [*result["enum"], None]
            elif any(key in result for key in _SCHEMA_LISTS):
                result = {"anyOf": [result, {"type": "null"}]}
            elif "enum" in result and None not in result["enum"]:
                result["enum"] = [*result["enum"], None]
        return result

    def _convert_plain(
        self, node: Mapping[str, Any], where: tuple[str | None, int], open_top: bool
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        members_open = self._object_model(node)
        for key, value in node.items():
            if key in _ANNOTATIONS or key.startswith("x-") or key == "$ref":
                continue
            if key == "type":
                out["type"] = "string" if value == "file" else value
            elif key == "format":
                if value in TYPED_FORMATS:
                    out["format"] = value
            elif key in ("exclusiveMinimum", "exclusiveMaximum"):
                if isinstance(value, bool):
                    bound = "minimum" if key == "exclusiveMinimum" else "maximum"
                    if value and bound in node:
                        out[key] = node[bound]
                else:
                    out[key] = value
            elif key in ("minimum", "maximum"):
                flag = node.get("exclusiveMinimum" if key == "minimum" else "exclusiveMaximum")
                if flag is not True:
                    out[key] = value
            elif key == "pattern":
                out[key] = _bounded_pattern(value, node.get("minLength"), node.get("maxLength"))
            elif key in _PLAIN:
                out[key] = value
            elif key in _SCHEMA_LISTS:
                if not isinstance(value, list):
                    raise DrawerLimitError(f"{key} is not a list")
                member_open = key == "allOf" or members_open
                out[key] = [self._convert(item, where, member_open) for item in value]
            elif key in _SCHEMA_MAPS:
                out[key] = {
                    name: self._convert(item, where, open_top=False) for name, item in value.items()
                }
            elif key == "additionalProperties":
                out[key] = value if isinstance(value, bool) else self._convert(value, where, False)
            elif key == "items":
                if "prefixItems" in node:
                    continue  # the 3.1 tuple's rest: additionalItems, below
                if isinstance(value, list):
                    out[key] = [self._convert(item, where, False) for item in value]
                else:
                    out[key] = self._convert(value, where, False)
            elif key == "prefixItems":
                out["items"] = [self._convert(item, where, False) for item in value]
                if "items" in node:
                    out["additionalItems"] = self._convert(node["items"], where, False)
            elif key in _SCHEMA_SINGLES:
                out[key] = self._convert(value, where, False)
            elif key == "dependentRequired":
                out.setdefault("dependencies", {}).update(value)
            elif key == "dependentSchemas":
                out.setdefault("dependencies", {}).update(
                    {name: self._convert(item, where, False) for name, item in value.items()}
                )
            elif key == "dependencies":
                out.setdefault("dependencies", {}).update(
                    {
                        name: item if isinstance(item, list) else self._convert(item, where, False)
                        for name, item in value.items()
                    }
                )
            else:
                raise DrawerLimitError(f"keyword {key!r}")
        discriminator = node.get("discriminator")
        if isinstance(discriminator, Mapping) and isinstance(
            discriminator.get("propertyName"), str
        ):
            for key in ("oneOf", "anyOf"):
                if key in node:
                    out[key] = self._tagged(node[key], out[key], discriminator)
        if "type" not in node and _OBJECT_KEYWORDS.intersection(node):
            out["type"] = "object"
        elif "type" not in node and _ARRAY_KEYWORDS.intersection(node):
            out["type"] = "array"
        if members_open and not open_top and "additionalProperties" not in node:
            properties = dict(out.get("properties", {}))
            declared = self._declared_names(node, frozenset())
            for name in declared + self._declared_names(node, frozenset(), required=True):
                properties.setdefault(name, {})
            out["properties"] = properties
            out["additionalProperties"] = False
        return _without_false(out)

    def _tagged(
        self, members: list[Any], converted: list[Any], discriminator: Mapping[str, Any]
    ) -> list[Any]:
        """Each union member with the discriminator's implied constraint."""
        prop = str(discriminator["propertyName"])
        result = []
        for member, done in zip(members, converted, strict=True):
            constraint: dict[str, Any] = {"required": [prop]}
            values = self._selecting_values(member, discriminator)
            if values:
                constraint["properties"] = {prop: {"enum": values}}
            result.append({"allOf": [done, constraint]})
        return result

    def _selecting_values(self, member: Any, discriminator: Mapping[str, Any]) -> list[Any]:
        """The discriminator values that select ``member`` (none: its own enum/const decides).

        The ``mapping`` keys naming it, else -- unless the member's own property
        has an ``enum``/``const`` -- the component's name (OpenAPI's implicit
        mapping)."""
        prop = str(discriminator["propertyName"])
        mapping = discriminator.get("mapping")
        mapping = mapping if isinstance(mapping, Mapping) else {}
        ref = member.get("$ref") if isinstance(member, Mapping) else None
        name = self._component_of(ref) if isinstance(ref, str) else None
        values = [
            value
            for value, target in mapping.items()
            if isinstance(ref, str) and (target == ref or (name is not None and target == name))
        ]
        own = self.properties_of(member).get(prop, {})
        if (
            not values
            and name is not None
            and not (isinstance(own, Mapping) and ("enum" in own or "const" in own))
        ):
            values = [name]
        return values

    def _union_members_only(self) -> dict[str, tuple[str, list[Any]]]:
        """The components the document refers to only as members of discriminated unions.

        forgegen types such a member's discriminator property as the ``Literal``
        of the values that select it, which is all an API can send for it, since
        it only ever comes through the union.  Drawn
        on its own, the component therefore gets those values as an ``enum``
        (its property name -> the values).  A component also referred to in any
        other way keeps its own schema: a narrowed type there would be a bug."""
        plain: set[str] = set()
        tagged: dict[str, tuple[str, list[Any]]] = {}
        stack: list[Any] = [self.document]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
                continue
            if not isinstance(node, Mapping):
                continue
            ref = node.get("$ref")
            if isinstance(ref, str) and (name := self._component_of(ref)) is not None:
                plain.add(name)
            found = node.get("discriminator")
            discriminator: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
            union_keys: tuple[str, ...] = ()
            if isinstance(discriminator.get("propertyName"), str):
                union_keys = ("oneOf", "anyOf")
            for key, value in node.items():
                if key in ("example", "examples", "default", "enum", "const"):
                    continue
                if key not in union_keys or not isinstance(value, list):
                    stack.append(value)
                    continue
                prop = str(discriminator["propertyName"])
                for member in value:
                    member_ref = member.get("$ref") if isinstance(member, Mapping) else None
                    name = self._component_of(member_ref) if isinstance(member_ref, str) else None
                    if name is None or len(member) != 1:
                        stack.append(member)
                        continue
                    known_prop, values = tagged.setdefault(name, (prop, []))
                    if known_prop != prop:
                        plain.add(name)
                    values.extend(
                        v for v in self._selecting_values(member, discriminator) if v not in values
                    )
        return {
            name: (prop, values)
            for name, (prop, values) in tagged.items()
            if name not in plain and values
        }

    # -- object shapes -------------------------------------------------------

    def _deref(self, node: Any, seen: frozenset[str]) -> tuple[Any, frozenset[str]]:
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                return {}, seen
            seen = seen | {ref}
            try:
                node = self._resolve(ref)
            except DrawerLimitError:
                return {}, seen
        return node, seen

    def _properties(self, node: Any, seen: frozenset[str]) -> dict[str, Any]:
        node, seen = self._deref(node, seen)
        if not isinstance(node, Mapping):
            return {}
        result: dict[str, Any] = {}
        for member in node.get("allOf") or []:
            result.update(self._properties(member, seen))
        for key in ("anyOf", "oneOf"):  # a nullable wrapper: anyOf [X, null]
            listed = node.get(key) or []
            members = [m for m in listed if not _is_null(m)]
            if len(members) == 1 and len(listed) == 2:
                result.update(self._properties(members[0], seen))
        own = node.get("properties")
        if isinstance(own, Mapping):
            result.update(own)
        return result

    def _declared_names(
        self, node: Any, seen: frozenset[str], *, required: bool = False
    ) -> list[str]:
        """Every property name an object model's instances may carry: the ones in
        ``properties`` (or, with ``required``, the ones listed as required -- a
        required key without a property schema may hold any value)."""
        node, seen = self._deref(node, seen)
        if not isinstance(node, Mapping):
            return []
        names: list[str] = []
        for member in node.get("allOf") or []:
            names += self._declared_names(member, seen, required=required)
        if required:
            names += [name for name in node.get("required") or [] if isinstance(name, str)]
        elif isinstance(node.get("properties"), Mapping):
            names += list(node["properties"])
        if names or required:
            for key in ("anyOf", "oneOf"):
                for member in node.get(key) or []:
                    names += self._declared_names(member, seen, required=required)
        return names

    def _object_model(self, node: Mapping[str, Any]) -> bool:
        """Whether forgegen makes ``node`` a model: an object with properties (allOf merged)."""
        if not self._declared_names(node, frozenset()):
            return False
        kind = node.get("type")
        if kind is None:
            for member in node.get("allOf") or []:
                resolved, _ = self._deref(member, frozenset())
                if isinstance(resolved, Mapping) and "type" in resolved:
                    kind = resolved["type"]
                    break
        return kind in (None, "object") or (isinstance(kind, list) and "object" in kind)


#: ``^<one character>+$`` (or ``*``): a character class, an escape or ``.``.
_REPEATED_CHARACTER = re.compile(r"\^(\[(?:[^\]\\]|\\.)+\]|\\[dDwWsS]|\.)([+*])\$")


def _bounded_pattern(pattern: Any, min_length: Any, max_length: Any) -> Any:
    """``pattern`` with the string's length bounds moved into it, when it repeats one character.

    The drawer draws from the pattern and filters by length, so a 40-digit hex
    SHA (``^[0-9a-f]+$`` with both lengths 40) almost never comes out;
    ``^[0-9a-f]{40,40}$`` matches the same strings of those lengths and is
    drawn at once.  The length keywords stay (the pattern alone would accept a
    trailing newline as well)."""
    found = _REPEATED_CHARACTER.fullmatch(pattern) if isinstance(pattern, str) else None
    bounded = [isinstance(n, int) and not isinstance(n, bool) for n in (min_length, max_length)]
    if found is None or not any(bounded):
        return pattern
    atom, repeat = found.groups()
    low = max(min_length if bounded[0] else 0, 1 if repeat == "+" else 0)
    high = str(max_length) if bounded[1] else ""
    return f"^{atom}{{{low},{high}}}$"


def _is_null(node: Any) -> bool:
    return isinstance(node, Mapping) and node.get("type") == "null"


def _without_false(out: dict[str, Any]) -> dict[str, Any]:
    """``out`` with its ``false`` subschemas folded away (the drawer would draw and reject)."""
    if any(member == FALSE for member in out.get("allOf", [])):
        return {"not": {}}
    for key in ("anyOf", "oneOf"):
        if key in out:
            out[key] = [member for member in out[key] if member != FALSE]
            if not out[key]:
                return {"not": {}}
    if out.get("additionalProperties") == FALSE:
        out["additionalProperties"] = False
    properties = out.get("properties", {})
    for name in [name for name, sub in properties.items() if sub == FALSE]:
        if name in out.get("required", []):
            kinds = out.get("type", [])
            if out.get("additionalProperties") is False or "object" in (
                kinds if isinstance(kinds, list) else [kinds]
            ):
                return {"type": "null"} if "null" in kinds else {"not": {}}
        elif out.get("additionalProperties") is False:
            del properties[name]  # closed: leaving it out forbids it
    if out.get("items") == FALSE:
        if out.get("minItems", 0) > 0:
            return {"not": {}}
        del out["items"]
        out["maxItems"] = 0
    return out


def _meaningful(schema: Mapping[str, Any]) -> bool:
    return bool(schema)
