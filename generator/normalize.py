"""Bring a bundled document into OpenAPI 3.1 shape, so later stages see one model.

``parse`` validates every document with openapi-pydantic's 3.1 models and
``lower`` reads only 3.1 constructs, so 3.0 documents are up-converted here,
in place, and real-world deviations that the models reject (or would silently
misread) are repaired.  Only OpenAPI objects are touched -- the walk goes by
structure (:mod:`forgegen.structure`), so example payloads and vendor
extensions are left exactly as written.

OpenAPI 3.0 -> 3.1 (no warning: this is the same meaning in the newer form):

* ``nullable: true`` on a schema with a ``type`` -> ``"null"`` added to a
  type array (``type: [string, "null"]``), and ``null`` added to its ``enum``
  if it has one (a nullable enum accepts null, as generators and servers treat
  it).  Without a ``type`` and without composition, ``null`` already passes,
  so only the ``enum`` is extended.
* ``nullable: true`` next to ``$ref`` / ``allOf`` / ``oneOf`` / ``anyOf`` ->
  ``anyOf: [<that schema>, {type: "null"}]``, with annotations (description,
  title, default, examples, readOnly, ... and ``x-*``) kept on the outside.  A
  plain ``anyOf`` with nothing else just gets ``{type: "null"}`` appended.
* ``nullable: false`` is dropped.
* boolean ``exclusiveMinimum: true`` + ``minimum: n`` -> ``exclusiveMinimum: n``
  (same for the maximum); ``false`` is dropped.
* ``openapi`` becomes ``"3.1.0"`` (``parse`` keeps the original version).

A vendor format with a meaning of its own (no warning): Kubernetes'
``type: string, format: int-or-string`` (its ``IntOrString``: ``targetPort:
8080`` or ``"http"``) -> ``type: [integer, string]``.

Valid 3.1 that openapi-pydantic cannot hold (no warning): a boolean schema
(``items: true``, ``properties: {a: false}``) -> ``{}`` / ``{not: {}}``, its
exact equivalent (``additionalProperties: <bool>`` is kept: the model has it).

Deviations (each a warning naming its JSON pointer):

* a mapping key that is not a string (``200:`` unquoted in YAML is an int,
  ``true:`` a bool) -> its string form (``"200"``, ``"true"``), everywhere;
  measured: wso2's service catalog has 4 integer response codes;
* ``enum: []`` -> removed (no value could match; treated as unconstrained);
* in a 3.0 document, schema keywords next to ``$ref`` other than annotations
  -> removed (3.0 ignores them; 3.1 would apply them, changing the meaning);
* ``nullable`` or a boolean ``exclusiveMinimum``/``Maximum`` in a 3.1
  document -> converted as above (3.1 has no such keywords, but the intent
  is clear);
* ``exclusiveMinimum: true`` without ``minimum`` -> removed;
* a non-string ``info.version`` (``version: 1.0`` in YAML) -> its string form;
  a missing one -> ``""`` (the version is metadata; the client does not need it);
* a response without ``description`` -> ``""`` (required by the spec, often
  left out, and only documentation);
* ``required: true`` on a property (Swagger / JSON Schema draft 3 style) ->
  the property listed in its parent's ``required``; ``false`` -> dropped;
* ``type: file`` (a Swagger 2.0 leftover) -> ``type: string, format: binary``;
* a tag whose ``description`` is not text (a Redocly ``$ref`` to Markdown in
  another file) -> the tag without a description.

Everything else openapi-pydantic rejects stays an error: ``parse`` reports it
with file, line and pointer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .diagnostics import Diagnostics, SpecError, join_pointer
from .structure import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_SINGLE, Kind, walk

__all__ = ["ANNOTATIONS", "normalize"]

ANNOTATIONS = frozenset(
    (
        "title",
        "summary",
        "description",
        "default",
        "example",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "externalDocs",
        "xml",
    )
)
"""Schema keywords that describe rather than constrain: kept beside a ``$ref``."""

_COMPOSITION = ("$ref", "allOf", "oneOf", "anyOf")
_BOUNDS = (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum"))


def normalize(
    document: dict[str, Any],
    *,
    version: str,
    diagnostics: Diagnostics,
    source: Callable[[str], tuple[str | None, str]] | None = None,
    only_json: bool = False,
) -> None:
    """Rewrite ``document`` in place into 3.1 shape; ``version`` is ``"3.0"`` or ``"3.1"``.

    ``source(pointer)`` gives the file and the pointer inside it that a
    pointer of the bundled document came from, so a warning about a
    multi-file spec names the place the user wrote.  ``only_json`` says every
    source file was JSON, whose keys are always strings: the walk over every
    mapping that re-keys YAML's ``200:`` and ``on:`` is skipped (a tenth of a
    second on GitHub's document).
    """
    _Normalizer(version, diagnostics, source).run(document, string_keys=not only_json)


#: Types a schema with Kubernetes' ``format: int-or-string`` is written with.
_INT_OR_STRING = ("string", "integer")

_Chain = tuple["_Chain", str | int] | None


def _pointer_of(chain: _Chain) -> str:
    keys: list[str | int] = []
    while chain is not None:
        chain, key = chain
        keys.append(key)
    return join_pointer("#", *reversed(keys))


class _Normalizer:
    def __init__(
        self,
        version: str,
        diagnostics: Diagnostics,
        source: Callable[[str], tuple[str | None, str]] | None,
    ) -> None:
        self.is_30 = version == "3.0"
        self.diagnostics = diagnostics
        self.source = source

    def warn(self, message: str, pointer: str) -> None:
        file, pointer = self.where(pointer)
        self.diagnostics.warn(message, pointer, file=file)

    def where(self, pointer: str) -> tuple[str | None, str]:
        return self.source(pointer) if self.source is not None else (None, pointer)

    def run(self, document: dict[str, Any], *, string_keys: bool = True) -> None:
        if string_keys:
            self.string_keys(document)
        info = document.get("info")
        if isinstance(info, dict):
            version = info.get("version")
            if "version" not in info:
                info["version"] = ""
                self.warn("info.version is missing; read as ''", "#/info")
            elif isinstance(version, (int, float)) and not isinstance(version, bool):
                info["version"] = _key_text(version)
                self.warn(
                    f"info.version {version!r} is not a string; read as {info['version']!r}",
                    "#/info/version",
                )
        self._tag_descriptions(document.get("tags"))
        walk(document, Kind.ROOT, "#", self.visit)
        document["openapi"] = "3.1.0"

    def _tag_descriptions(self, tags: Any) -> None:
        """A tag whose ``description`` is not text loses it, with a warning.

        Redocly-bundled specs write ``description: {$ref: intro.yml#/text}`` to keep
        long Markdown in another file; OpenAPI has no ``$ref`` there.  The tag is
        kept (its operations still group under it), only the description goes.
        """
        if not isinstance(tags, list):
            return
        for index, tag in enumerate(tags):
            if isinstance(tag, dict) and "description" in tag:
                description = tag["description"]
                if isinstance(description, str):
                    continue
                what = (
                    f"a $ref ({description['$ref']!r}), which OpenAPI does not follow here"
                    if isinstance(description, dict) and isinstance(description.get("$ref"), str)
                    else f"a {type(description).__name__}"
                )
                del tag["description"]
                self.warn(
                    f"tag description is {what}, not text; the tag is kept without it",
                    join_pointer("#/tags", str(index), "description"),
                )

    # -- keys --------------------------------------------------------------------

    def string_keys(self, document: dict[str, Any]) -> None:
        """Turn every non-string mapping key into a string, with a warning."""
        # Pointers are built only for the rare mapping that needs re-keying: each
        # stack entry carries its path as a chain of (parent chain, key) pairs.
        seen: dict[int, Any] = {}
        stack: list[tuple[Any, _Chain]] = [(document, None)]
        while stack:
            node, chain = stack.pop()
            if id(node) in seen:
                continue
            seen[id(node)] = node
            if isinstance(node, dict):
                if not all(isinstance(key, str) for key in node):
                    self._rekey(node, _pointer_of(chain))
                entries: list[tuple[str | int, Any]] = list(node.items())
            else:
                entries = list(enumerate(node))
            # Reversed, so warnings come out in document order.
            for key, value in reversed(entries):
                if isinstance(value, (dict, list)):
                    stack.append((value, (chain, key)))

    def _rekey(self, node: dict[Any, Any], pointer: str) -> None:
        items = list(node.items())
        node.clear()
        for key, value in items:
            text = key if isinstance(key, str) else _key_text(key)
            if text in node:
                file, where = self.where(join_pointer(pointer, text))
                raise SpecError(
                    f"duplicate key {text!r} (written once quoted and once not?)",
                    pointer=where,
                    file=file,
                )
            if text is not key:
                self.warn(
                    f"key {key!r} is not a string " f"(unquoted in YAML?); read as {text!r}",
                    join_pointer(pointer, text),
                )
            node[text] = value

    # -- schemas -----------------------------------------------------------------

    def visit(self, node: dict[str, Any], kind: Kind, pointer: str) -> bool:
        if kind is Kind.RESPONSE and "$ref" not in node and "description" not in node:
            node["description"] = ""
            self.warn("response has no description (required); read as ''", pointer)
        if kind in _SCHEMA_HOLDERS:
            _boolean_schemas(node, kind)
        if kind is Kind.SCHEMA:
            if node.get("type") == "file":
                node["type"] = "string"
                node.setdefault("format", "binary")
                self.warn("type 'file' is Swagger 2.0; read as string/binary", pointer)
            if node.get("format") == "int-or-string" and node.get("type") in _INT_OR_STRING:
                # Kubernetes' IntOrString: a port is 8080 or "http", a surge 1 or "25%".
                # Read as a string it rejected every integer the API server sends.
                del node["format"]
                node["type"] = ["integer", "string"]
            properties = node.get("properties")
            if isinstance(properties, dict):
                self._property_required(node, properties, pointer)
            if self.is_30 and "$ref" in node:
                self._ref_siblings(node, pointer)
            if self.is_30 and node.get("type") == "array" and "items" not in node:
                # 3.1 (JSON Schema) may leave items out; 3.0 requires them
                self.warn(
                    "array without 'items' (required in OpenAPI 3.0); items typed as Any", pointer
                )
            if "nullable" in node:
                self._nullable(node, pointer)
            for flag, bound in _BOUNDS:
                if isinstance(node.get(flag), bool):
                    self._exclusive(node, pointer, flag, bound)
            if node.get("enum") == []:
                del node["enum"]
                self.warn("empty enum (no value could match); ignored", pointer)
        return True

    def _property_required(
        self, node: dict[str, Any], properties: dict[str, Any], pointer: str
    ) -> None:
        for name, schema in properties.items():
            if not isinstance(schema, dict) or not isinstance(schema.get("required"), bool):
                continue
            if schema.pop("required"):
                required = node.get("required")
                if not isinstance(required, list):
                    required = node["required"] = []
                if name not in required:
                    required.append(name)
            self.warn(
                "boolean 'required' on a property; read as the parent's required list",
                join_pointer(pointer, "properties", name),
            )

    def _ref_siblings(self, node: dict[str, Any], pointer: str) -> None:
        dropped = [
            key
            for key in node
            if key not in ANNOTATIONS
            and key not in ("$ref", "nullable")
            and not key.startswith("x-")
        ]
        for key in dropped:
            del node[key]
        if dropped:
            self.warn(
                f"keywords beside $ref ignored, as OpenAPI 3.0 ignores them: {', '.join(dropped)}",
                pointer,
            )

    def _nullable(self, node: dict[str, Any], pointer: str) -> None:
        nullable = node.pop("nullable")
        if not isinstance(nullable, bool):
            self.warn(f"nullable must be true or false, not {nullable!r}; ignored", pointer)
            return
        if not self.is_30:
            self.warn("'nullable' is not an OpenAPI 3.1 keyword; read as allowing null", pointer)
        if not nullable:
            return
        if not any(key in node for key in _COMPOSITION):
            schema_type = node.get("type")
            if isinstance(schema_type, str):
                node["type"] = [schema_type, "null"]
            elif isinstance(schema_type, list) and "null" not in schema_type:
                node["type"] = [*schema_type, "null"]
            enum = node.get("enum")
            if isinstance(enum, list) and enum and None not in enum:
                enum.append(None)
            return
        constraints = [key for key in node if key not in ANNOTATIONS and not key.startswith("x-")]
        any_of = node.get("anyOf")
        if constraints == ["anyOf"] and isinstance(any_of, list):
            if {"type": "null"} not in any_of:
                any_of.append({"type": "null"})
            return
        inner = {key: node[key] for key in constraints}
        outer = {key: value for key, value in node.items() if key not in inner}
        node.clear()
        node["anyOf"] = [inner, {"type": "null"}]
        node.update(outer)

    def _exclusive(self, node: dict[str, Any], pointer: str, flag: str, bound: str) -> None:
        exclusive = node.pop(flag)
        if not self.is_30:
            self.warn(f"boolean {flag} is OpenAPI 3.0 style; read as the 3.1 form", pointer)
        if not exclusive:
            return
        limit = node.get(bound)
        if isinstance(limit, (int, float)) and not isinstance(limit, bool):
            node[flag] = node.pop(bound)
        else:
            self.warn(f"{flag}: true without a numeric {bound}; ignored", pointer)


_SCHEMA_HOLDERS = frozenset(
    (Kind.SCHEMA, Kind.PARAMETER, Kind.HEADER, Kind.MEDIA_TYPE, Kind.COMPONENTS)
)


def _boolean_schemas(node: dict[str, Any], kind: Kind) -> None:
    """Replace boolean subschemas with their object form, in every schema slot of ``node``."""
    if kind is not Kind.SCHEMA:
        value = node.get("schema")
        if kind is not Kind.COMPONENTS and isinstance(value, bool):
            node["schema"] = _schema_of(value)
        schemas = node.get("schemas") if kind is Kind.COMPONENTS else None
        if isinstance(schemas, dict):
            _boolean_entries(schemas)
        return
    # One pass over the schema's own keys (a handful) rather than a lookup of
    # each of the 22 subschema keywords: this runs for every schema object.
    # Only values are replaced, never keys, so iterating while assigning is safe.
    for key, value in node.items():
        if isinstance(value, bool):
            if key in _BOOLEAN_SINGLE:
                node[key] = _schema_of(value)
        elif isinstance(value, list):
            if key in _LIST_KEYWORDS and any(isinstance(item, bool) for item in value):
                value[:] = [_schema_of(item) if isinstance(item, bool) else item for item in value]
        elif isinstance(value, dict) and key in _MAP_KEYWORDS:
            _boolean_entries(value)


# ``additionalProperties: <bool>`` stays: openapi-pydantic's model holds it.
_BOOLEAN_SINGLE = frozenset(SCHEMA_SINGLE) - {"additionalProperties"}
_LIST_KEYWORDS = frozenset(SCHEMA_LISTS)
_MAP_KEYWORDS = frozenset(SCHEMA_MAPS)


def _schema_of(value: bool) -> dict[str, Any]:
    return {} if value else {"not": {}}


def _boolean_entries(entries: dict[str, Any]) -> None:
    for name, schema in entries.items():
        if isinstance(schema, bool):
            entries[name] = _schema_of(schema)


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)
