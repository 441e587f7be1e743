"""Swagger 2.0 in, OpenAPI 3.0.3 out: the rest of the front end then runs unchanged.

Two steps, both before the OpenAPI resolver, which walks only where the 3.x
object model puts objects (a 2.0 response has its ``schema`` directly, a 2.0
parameter may be a request body):

1. :mod:`forgegen.swagger2_bundle` bundles the 2.0 document by the **2.0** object
   model: every ``$ref`` is checked, and a target in a relative file is copied
   into the main document's ``definitions`` / ``parameters`` / ``responses``
   (a path item is inlined), with the resolver's file access rules and naming
   rule (it drives the resolver's own reference lookup), so afterwards every
   ``$ref`` is a local ``#/...`` pointer of the 2.0 document.
2. :func:`convert_swagger2` rewrites that self-contained document as OpenAPI
   3.0.3 and records, for every place it moved, where it came from, so
   warnings and errors of later stages name the original file, pointer and line.

Conversion rules:

* ``host`` + ``basePath`` + ``schemes`` -> one server per scheme (no
  ``schemes``: https, as the document was not fetched over HTTP; no ``host``: the
  relative URL ``basePath``); ``ws``/``wss`` are not HTTP and are dropped with
  a warning.
* ``definitions`` -> ``components/schemas``; top-level ``parameters`` ->
  ``components/parameters``, body ones -> ``components/requestBodies``,
  formData ones are merged into each form that references them; ``responses``
  -> ``components/responses``; ``securityDefinitions`` ->
  ``components/securitySchemes`` (``basic`` -> http basic; ``apiKey`` as is;
  ``oauth2`` flows implicit / password / application -> clientCredentials /
  accessCode -> authorizationCode).
* ``consumes`` / ``produces``: the operation's, else the document's, else
  ``application/json``.  A ``body`` parameter -> ``requestBody`` with one
  content entry per consumed type; ``formData`` parameters -> a
  ``requestBody`` whose schema is an object of the fields
  (``application/x-www-form-urlencoded``, or ``multipart/form-data`` when
  consumes says so or a field is ``type: file`` -> string/binary).  Path-level
  body/formData parameters are merged into each operation.  A shared body
  parameter or response referenced where consumes/produces differ from the
  document's is inlined with the operation's media types.
* Form fields that are arrays get an ``encoding`` entry with their style
  (csv -> form explode false, multi -> explode true) under urlencoded; for
  multipart, where 3.0 has only repeated parts, anything but multi warns.
* Other parameters and response headers: ``type``/``format``/``items``/
  ``enum``/``default``/bounds move under ``schema``; ``collectionFormat`` ->
  ``style``/``explode`` (csv -> form explode false, simple in path/header;
  ssv -> spaceDelimited; pipes -> pipeDelimited; multi -> form explode true;
  tsv -> warning, csv).  An array without ``collectionFormat`` is csv, as
  2.0 says (3.0's default for a query array is multi).
* Responses: ``schema`` -> ``content`` per produced type (``type: file`` ->
  binary, listed as ``application/octet-stream`` when only JSON is produced),
  ``headers`` converted, ``examples`` kept as each media type's ``example``.
* Schemas: ``x-nullable: true`` -> ``nullable: true``; ``discriminator: name`` ->
  ``{propertyName: name}``; ``type: file`` -> string/binary; ``$ref``s into
  ``#/definitions``, ``#/parameters``, ``#/responses`` (and deeper) rewritten
  to where the converted object lives.
* Vendor extensions (``x-*``) are kept where they were.  Keys that are
  neither Swagger 2.0 nor valid at that place in OpenAPI 3.0 are dropped with
  a warning, as is everything else that cannot be converted faithfully.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostics, SpecError, join_pointer
from .loader import LoadedDocument
from .positions import parent_pointer
from .resolver import (
    MISSING,
    resolve_pointer,
    split_pointer,
)
from .swagger2_bundle import METHODS, SwaggerBundle, bundle_references, is_extension

__all__ = ["SwaggerBundle", "bundle_swagger2", "convert_swagger2"]

Source = Callable[[str], tuple[str | None, str]]
Locate = Callable[[str], tuple[str | None, int | None]]

_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_OCTET = "application/octet-stream"

# Keys of a non-body parameter, header or items object that describe its value.
_VALUE_KEYS = (
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
)
_ROOT_KEYS = frozenset(
    (
        "swagger",
        "info",
        "host",
        "basePath",
        "schemes",
        "consumes",
        "produces",
        "paths",
        "definitions",
        "parameters",
        "responses",
        "securityDefinitions",
        "security",
        "tags",
        "externalDocs",
    )
)
_OPERATION_KEYS = frozenset(
    ("tags", "summary", "description", "externalDocs", "operationId", "deprecated", "security")
)
_PARAMETER_KEYS = frozenset(("name", "in", "description", "required", "deprecated", "example"))
_STYLES = {"ssv": "spaceDelimited", "pipes": "pipeDelimited"}
_FLOWS = {
    "implicit": ("implicit", ("authorizationUrl",)),
    "password": ("password", ("tokenUrl",)),
    "application": ("clientCredentials", ("tokenUrl",)),
    "accessCode": ("authorizationCode", ("authorizationUrl", "tokenUrl")),
}


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _is_json(media_type: str) -> bool:
    essence = _essence(media_type)
    return essence == _JSON or essence.endswith("+json")


def _essence(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


# -- step 1: bundling by the Swagger 2.0 object model ---------------------------------


def bundle_swagger2(
    main: LoadedDocument,
    *,
    diagnostics: Diagnostics,
    allow_remote_refs: bool = False,
    ref_root: Path | None = None,
) -> SwaggerBundle:
    """Bundle the 2.0 document ``main`` (mutated) and convert it to OpenAPI 3.0.3."""
    source = bundle_references(main, allow_remote_refs=allow_remote_refs, ref_root=ref_root)
    converted_from: dict[str, str] = {}
    document = convert_swagger2(
        source.document,
        diagnostics=diagnostics,
        source=source.source,
        locate=source.locate,
        origins=converted_from,
    )
    return SwaggerBundle(
        document=document,
        main=main,
        documents=source.documents,
        source_bundle=source,
        converted_from=converted_from,
    )


def convert_swagger2(
    document: dict[str, Any],
    *,
    diagnostics: Diagnostics,
    source: Source | None = None,
    locate: Locate | None = None,
    origins: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The OpenAPI 3.0.3 form of the Swagger 2.0 ``document`` (whose refs are all local).

    ``document``'s subtrees are reused (and rewritten) in the result.
    ``source(pointer)`` gives the file and pointer in it that a pointer of
    ``document`` came from (warnings name them), ``locate(pointer)`` the file
    and line (errors name them); ``origins``, when given, is filled with
    converted pointer -> ``document`` pointer for every subtree that moved.
    """
    converter = _Converter(document, diagnostics, source, locate)
    result = converter.run()
    if origins is not None:
        origins.update(converter.origins)
    return result


@dataclass
class _Media:
    """An operation's media types and whether they were written or defaulted."""

    consumes: list[str]
    produces: list[str]
    consumes_given: bool


class _Converter:
    def __init__(
        self,
        document: dict[str, Any],
        diagnostics: Diagnostics,
        source: Source | None,
        locate: Locate | None,
    ) -> None:
        self.document = document
        self.diagnostics = diagnostics
        self.source = source
        self.locate = locate
        self.origins: dict[str, str] = {}  # new pointer -> old pointer
        self.moved: dict[str, str] = {}  # old pointer -> new pointer
        self.refs: list[tuple[dict[str, Any], str]] = []  # schema refs, with their old pointer
        self.converted: set[int] = set()
        self.inlining = False
        self.host_base: str | None = None  # host + basePath, when there is a host
        self.default_schemes: list[str] = []
        self.consumes = _strings(document.get("consumes"))
        self.produces = _strings(document.get("produces"))

    # -- reporting ---------------------------------------------------------------

    def warn(self, message: str, pointer: str) -> None:
        file, where = self.source(pointer) if self.source is not None else (None, pointer)
        self.diagnostics.warn(message, where, file=file)

    def error(self, message: str, pointer: str) -> SpecError:
        file, where = self.source(pointer) if self.source is not None else (None, pointer)
        line = self.locate(pointer)[1] if self.locate is not None else None
        return SpecError(message, pointer=where, file=file, line=line)

    def record(self, new: str, old: str) -> None:
        """``new`` was made from ``old``: errors at ``new`` name ``old``; refs to ``old`` move.

        While a shared object is inlined (``self.inlining``), refs keep going to
        the shared one's converted place.
        """
        self.origins.setdefault(new, old)
        if not self.inlining:
            self.moved.setdefault(old, new)

    def came_from(self, new: str, old: str) -> None:
        """``new`` was made from ``old`` (for locating only; refs to ``old`` do not move)."""
        self.origins.setdefault(new, old)

    # -- the document ------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        doc = self.document
        out: dict[str, Any] = {"openapi": "3.0.3"}
        for key in doc:
            if key not in _ROOT_KEYS and not is_extension(key):
                self.warn(f"{key!r} is not a Swagger 2.0 field; ignored", join_pointer("#", key))
        if "info" in doc:
            out["info"] = doc["info"]
        servers = self.servers()
        self.default_schemes = sorted(
            {s["url"].split("://")[0] for s in servers if "://" in s["url"]}
        )
        if servers:
            out["servers"] = servers
        for key in ("security", "tags", "externalDocs"):
            if key in doc:
                out[key] = doc[key]
        out["paths"] = self.paths()
        components = self.components()
        if components:
            out["components"] = components
        for key, value in doc.items():
            if is_extension(key):
                out[key] = value
        self.rewrite_refs(out)
        return out

    def servers(self) -> list[dict[str, Any]]:
        doc = self.document
        host = doc.get("host")
        base = doc.get("basePath")
        base_path = base if isinstance(base, str) else ""
        if base_path and not base_path.startswith("/"):
            self.warn(
                f"basePath {base_path!r} should start with '/'; read as '/{base_path}'",
                "#/basePath",
            )
            base_path = "/" + base_path
        base_path = base_path.rstrip("/")
        if not isinstance(host, str) or not host:
            if "host" in doc:
                self.warn("host must be a non-empty string; ignored", "#/host")
            if not base_path:
                return []
            self.came_from("#/servers", "#/basePath")
            return [{"url": base_path}]
        if "://" in host or "/" in host:
            bare = host.split("://", 1)[-1].split("/", 1)[0]
            self.warn(f"host {host!r} should be a name and port only; read as {bare!r}", "#/host")
            host = bare
        self.host_base = host + base_path
        schemes = self.schemes(doc.get("schemes"), "#/schemes") or ["https"]
        self.came_from("#/servers", "#/host")
        return [{"url": f"{scheme}://{self.host_base}"} for scheme in schemes]

    def schemes(self, value: Any, pointer: str) -> list[str]:
        result = []
        for scheme in _strings(value):
            if scheme.lower() in ("http", "https"):
                result.append(scheme.lower())
            else:
                self.warn(f"scheme {scheme!r} is not HTTP; no server for it", pointer)
        return result

    def components(self) -> dict[str, Any]:
        doc = self.document
        components: dict[str, Any] = {}
        definitions = doc.get("definitions")
        if isinstance(definitions, dict):
            for name, schema in definitions.items():
                self.schema(schema, join_pointer("#/definitions", name))
            components["schemas"] = definitions
            self.record("#/components/schemas", "#/definitions")
        parameters = doc.get("parameters")
        media = _Media(self.consumes or [_JSON], self.produces or [_JSON], bool(self.consumes))
        if isinstance(parameters, dict):
            for name, parameter in parameters.items():
                old = join_pointer("#/parameters", name)
                if not isinstance(parameter, dict):
                    raise self.error("a parameter must be a mapping", old)
                if "$ref" in parameter:
                    continue  # an alias: operations follow it to the parameter it names
                where = parameter.get("in")
                if where == "body":
                    new = join_pointer("#/components/requestBodies", name)
                    body = self.request_body(parameter, old, new, media)
                    components.setdefault("requestBodies", {})[name] = body
                elif where != "formData":
                    new = join_pointer("#/components/parameters", name)
                    converted = self.parameter(parameter, old, new)
                    components.setdefault("parameters", {})[name] = converted
        responses = doc.get("responses")
        if isinstance(responses, dict):
            section: dict[str, Any] = {}
            for name, response in responses.items():
                if isinstance(response, dict) and "$ref" in response:
                    continue  # an alias: operations follow it to the response it names
                old = join_pointer("#/responses", name)
                new = join_pointer("#/components/responses", name)
                section[name] = self.response(response, old, new, media.produces)
            components["responses"] = section
        schemes = self.security_schemes()
        if schemes:
            components["securitySchemes"] = schemes
        return components

    def security_schemes(self) -> dict[str, Any]:
        definitions = self.document.get("securityDefinitions")
        result: dict[str, Any] = {}
        if not isinstance(definitions, dict):
            return result
        for name, scheme in definitions.items():
            old = join_pointer("#/securityDefinitions", name)
            if not isinstance(scheme, dict):
                raise self.error("a security definition must be a mapping", old)
            converted = self.security_scheme(scheme, old)
            if converted is not None:
                result[name] = converted
                self.record(join_pointer("#/components/securitySchemes", name), old)
        return result

    def security_scheme(self, scheme: dict[str, Any], pointer: str) -> dict[str, Any] | None:
        kind = scheme.get("type")
        kept = {k: v for k, v in scheme.items() if k == "description" or is_extension(k)}
        if kind == "basic":
            return {"type": "http", "scheme": "basic", **kept}
        if kind == "apiKey":
            return {"type": "apiKey", "name": scheme.get("name"), "in": scheme.get("in"), **kept}
        if kind != "oauth2":
            self.warn(f"security scheme type {kind!r} is not Swagger 2.0; ignored", pointer)
            return None
        flow = scheme.get("flow")
        if flow not in _FLOWS:
            self.warn(f"oauth2 flow {flow!r} is not a Swagger 2.0 flow; scheme ignored", pointer)
            return None
        name, urls = _FLOWS[flow]
        converted: dict[str, Any] = {key: scheme[key] for key in urls if key in scheme}
        for key in urls:
            if key not in scheme:
                self.warn(f"oauth2 flow {flow!r} needs {key!r}; read as ''", pointer)
                converted[key] = ""
        scopes = scheme.get("scopes")
        converted["scopes"] = scopes if isinstance(scopes, dict) else {}
        return {"type": "oauth2", "flows": {name: converted}, **kept}

    # -- paths and operations ----------------------------------------------------

    def paths(self) -> dict[str, Any]:
        paths = self.document.get("paths")
        result: dict[str, Any] = {}
        if not isinstance(paths, dict):
            if paths is not None:
                raise self.error("paths must be a mapping", "#/paths")
            return result
        for path, item in paths.items():
            pointer = join_pointer("#/paths", path)
            if is_extension(path):
                result[path] = item
            elif not isinstance(item, dict):
                raise self.error("a path item must be a mapping", pointer)
            else:
                result[path] = self.path_item(item, pointer)
        return result

    def path_item(self, item: dict[str, Any], pointer: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        shared = self.parameter_list(item.get("parameters"), join_pointer(pointer, "parameters"))
        plain, bodies = self.split_parameters(shared, pointer)
        for key, value in item.items():
            if key == "parameters":
                if plain:
                    out["parameters"] = plain
            elif key in METHODS:
                if not isinstance(value, dict):
                    raise self.error("an operation must be a mapping", join_pointer(pointer, key))
                out[key] = self.operation(value, join_pointer(pointer, key), bodies)
            elif key in ("summary", "description", "servers") or is_extension(key):
                out[key] = value
            else:
                self.warn(f"{key!r} is not a Swagger 2.0 path item field; ignored", pointer)
        return out

    def parameter_list(self, value: Any, pointer: str) -> list[tuple[dict[str, Any], str, str]]:
        """``(parameter as written, its pointer, pointer of what it resolves to)``."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error("parameters must be a list", pointer)
        result = []
        for index, entry in enumerate(value):
            old = join_pointer(pointer, index)
            if not isinstance(entry, dict):
                raise self.error("a parameter must be a mapping", old)
            result.append((entry, old, self.deref(entry, old)))
        return result

    def deref(self, node: dict[str, Any], pointer: str) -> str:
        """The pointer of the object ``node`` stands for (following ``$ref`` chains)."""
        target = pointer
        for _ in range(64):
            ref = node.get("$ref")
            if not isinstance(ref, str):
                return target
            value = resolve_pointer(self.document, split_pointer(ref[1:]))
            if not isinstance(value, dict):
                raise self.error(f"$ref {ref!r} must name a mapping", target)
            node, target = value, ref
        raise self.error("$ref chain too long (a cycle?)", pointer)

    def resolved(self, pointer: str) -> dict[str, Any]:
        value = resolve_pointer(self.document, split_pointer(pointer[1:]))
        return value if isinstance(value, dict) else {}

    def split_parameters(
        self,
        parameters: list[tuple[dict[str, Any], str, str]],
        new_base: str,
    ) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], str, str]]]:
        """Plain 3.0 parameters, and the body/formData ones (for the request body)."""
        plain: list[dict[str, Any]] = []
        bodies = []
        for entry, old, target in parameters:
            resolved = self.resolved(target)
            if resolved.get("in") in ("body", "formData"):
                bodies.append((entry, old, target))
                continue
            new = join_pointer(new_base, "parameters", len(plain))
            if "$ref" in entry and target.startswith("#/parameters/"):
                self.record(new, old)
                name = split_pointer(target[1:])[1]
                plain.append({"$ref": join_pointer("#/components/parameters", name)})
            else:
                plain.append(self.parameter(resolved, target, new))
                self.came_from(new, target if "$ref" in entry else old)
        return plain, bodies

    def operation(
        self,
        operation: dict[str, Any],
        pointer: str,
        shared_bodies: list[tuple[dict[str, Any], str, str]],
    ) -> dict[str, Any]:
        media = self.media(operation, pointer)
        own = self.parameter_list(operation.get("parameters"), join_pointer(pointer, "parameters"))
        plain, bodies = self.split_parameters(own, pointer)
        names = {(self.resolved(t).get("name"), self.resolved(t).get("in")) for _, _, t in bodies}
        for entry in shared_bodies:  # path-level ones not overridden by the operation
            resolved = self.resolved(entry[2])
            if (resolved.get("name"), resolved.get("in")) not in names:
                bodies.append(entry)
        out: dict[str, Any] = {}
        for key, value in operation.items():
            if key in _OPERATION_KEYS or is_extension(key):
                out[key] = value
            elif key == "parameters":
                if plain:
                    out["parameters"] = plain
            elif key == "responses":
                out["responses"] = self.responses(value, pointer, media)
            elif key == "schemes":
                schemes = self.schemes(value, join_pointer(pointer, "schemes"))
                if schemes and self.host_base and sorted(set(schemes)) != self.default_schemes:
                    out["servers"] = [{"url": f"{s}://{self.host_base}"} for s in schemes]
                    self.came_from(join_pointer(pointer, "servers"), join_pointer(pointer, key))
            elif key not in ("consumes", "produces"):
                self.warn(f"{key!r} is not a Swagger 2.0 operation field; ignored", pointer)
        responses = out.pop("responses", {})
        if bodies:
            body = self.operation_body(bodies, pointer, media)
            if body is not None:
                out["requestBody"] = body
        out["responses"] = responses
        return out

    def media(self, operation: dict[str, Any], pointer: str) -> _Media:
        lists = []
        for key, default in (("consumes", self.consumes), ("produces", self.produces)):
            value = operation.get(key)
            own = _strings(value)
            if isinstance(value, list) and not own and default:
                self.warn(f"empty {key} clears the document's; read as {_JSON}", pointer)
            lists.append(own if isinstance(value, list) else default)
        consumes, produces = lists
        given = bool(consumes)
        return _Media(consumes or [_JSON], produces or [_JSON], given)

    # -- parameters --------------------------------------------------------------

    def parameter(self, node: dict[str, Any], old: str, new: str) -> dict[str, Any]:
        """A query/header/path parameter in 3.0 form."""
        location = node.get("in")
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _PARAMETER_KEYS or is_extension(key):
                out[key] = value
            elif key == "allowEmptyValue":
                if location == "query":
                    out[key] = value
                else:
                    self.warn("allowEmptyValue is for query parameters; ignored", old)
            elif key not in _VALUE_KEYS and key != "collectionFormat":
                self.warn(f"{key!r} is not a Swagger 2.0 parameter field; ignored", old)
        if location not in ("query", "header", "path"):
            self.warn(f"parameter location {location!r} is not Swagger 2.0", old)
        out["schema"] = self.value_schema(node, old, join_pointer(new, "schema"), extensions=False)
        if node.get("type") == "array":
            out.update(self.collection_style(node, location, old))
        self.record(new, old)
        return out

    def value_schema(
        self, node: dict[str, Any], old: str, new: str, *, extensions: bool = True
    ) -> dict[str, Any]:
        """The schema of a parameter, header or items object (``type: file`` -> binary).

        ``extensions``: whether ``x-*`` keys go into the schema (form fields,
        items) or stay with the parameter or header that holds them.
        """
        schema: dict[str, Any] = {}
        for key in _VALUE_KEYS:
            if key not in node:
                continue
            value = node[key]
            if key == "items" and isinstance(value, dict):
                items_old = join_pointer(old, "items")
                value = self.value_schema(value, items_old, join_pointer(new, "items"))
                inner = node["items"].get("collectionFormat")
                if inner is not None and inner != "csv":
                    self.warn(
                        f"collectionFormat {inner!r} of nested items cannot be expressed "
                        "in OpenAPI 3; read as csv",
                        items_old,
                    )
            schema[key] = value
        if schema.get("type") == "file":
            schema["type"] = "string"
            schema.setdefault("format", "binary")
        if extensions:
            schema.update((key, value) for key, value in node.items() if is_extension(key))
        self.record(new, old)
        return schema

    def collection_style(self, node: dict[str, Any], location: Any, old: str) -> dict[str, Any]:
        fmt = node.get("collectionFormat", "csv")
        if fmt == "tsv":
            self.warn("collectionFormat 'tsv' has no OpenAPI 3 style; read as csv", old)
            fmt = "csv"
        if location in ("path", "header"):
            if fmt != "csv":
                self.warn(
                    f"collectionFormat {fmt!r} is not possible in {location}; read as csv", old
                )
            return {"style": "simple", "explode": False}
        if fmt == "multi":
            return {"style": "form", "explode": True}
        if fmt in _STYLES:
            return {"style": _STYLES[fmt], "explode": False}
        if fmt != "csv":
            self.warn(f"unknown collectionFormat {fmt!r}; read as csv", old)
        return {"style": "form", "explode": False}

    # -- request bodies ----------------------------------------------------------

    def operation_body(
        self,
        bodies: list[tuple[dict[str, Any], str, str]],
        pointer: str,
        media: _Media,
    ) -> dict[str, Any] | None:
        new = join_pointer(pointer, "requestBody")
        body = [e for e in bodies if self.resolved(e[2]).get("in") == "body"]
        form = [e for e in bodies if self.resolved(e[2]).get("in") == "formData"]
        if body:
            if len(body) > 1:
                self.warn("more than one body parameter; the first is used", body[1][1])
            if form:
                self.warn("body and formData parameters together; formData ignored", form[0][1])
            entry, old, target = body[0]
            if (
                "$ref" in entry
                and target.startswith("#/parameters/")
                and media.consumes == (self.consumes or [_JSON])
            ):
                self.record(new, old)
                name = split_pointer(target[1:])[1]
                return {"$ref": join_pointer("#/components/requestBodies", name)}
            self.inlining = True
            try:
                return self.request_body(copy.deepcopy(self.resolved(target)), target, new, media)
            finally:
                self.inlining = False
        return self.form_body(form, pointer, new, media)

    def request_body(
        self, node: dict[str, Any], old: str, new: str, media: _Media
    ) -> dict[str, Any]:
        schema = node.get("schema")
        if not isinstance(schema, dict):
            raise self.error("a body parameter needs a 'schema'", old)
        self.schema(schema, join_pointer(old, "schema"))
        out: dict[str, Any] = {}
        if "description" in node:
            out["description"] = node["description"]
        content = {}
        for index, media_type in enumerate(media.consumes):
            schema_old = join_pointer(old, "schema")
            content[media_type] = {"schema": self.copied(schema, schema_old, index)}
            self.record(join_pointer(new, "content", media_type, "schema"), schema_old)
        out["content"] = content
        out["required"] = node.get("required") is True
        if isinstance(node.get("name"), str):
            out["x-codegen-request-body-name"] = node["name"]
        for key, value in node.items():
            if is_extension(key):
                out[key] = value
            elif key not in ("name", "in", "description", "required", "schema"):
                self.warn(f"{key!r} is not a Swagger 2.0 body parameter field; ignored", old)
        self.record(new, old)
        return out

    def form_body(
        self,
        form: list[tuple[dict[str, Any], str, str]],
        pointer: str,
        new: str,
        media: _Media,
    ) -> dict[str, Any] | None:
        fields = [(self.resolved(target), old, target) for _, old, target in form]
        has_file = any(node.get("type") == "file" for node, _, _ in fields)
        types = [t for t in media.consumes if _essence(t) in (_FORM, _MULTIPART)]
        if has_file and not any(_essence(t) == _MULTIPART for t in types):
            if media.consumes_given:
                self.warn(
                    f"a file field needs {_MULTIPART}, which consumes does not list; sent as it",
                    pointer,
                )
            types = [_MULTIPART]
        elif has_file:
            types = [t for t in types if _essence(t) == _MULTIPART]
        if not types:
            if media.consumes_given:
                self.warn(
                    f"formData parameters but consumes lists no form type; sent as {_FORM}", pointer
                )
            types = [_FORM]
        properties: dict[str, Any] = {}
        required: list[str] = []
        encoding: dict[str, Any] = {}
        schema_pointer = join_pointer(new, "content", types[0], "schema")
        for node, _, target in fields:
            name = node.get("name")
            if not isinstance(name, str):
                raise self.error("a formData parameter needs a 'name'", target)
            prop_new = join_pointer(schema_pointer, "properties", name)
            prop = self.value_schema(node, target, prop_new)
            if "description" in node:
                prop["description"] = node["description"]
            properties[name] = prop
            if node.get("required") is True:
                required.append(name)
            for key in node:
                if key == "allowEmptyValue":
                    self.warn("allowEmptyValue has no form-body equivalent; ignored", target)
                elif (
                    key not in _VALUE_KEYS
                    and key not in ("name", "in", "description", "required", "collectionFormat")
                    and not is_extension(key)
                ):
                    self.warn(f"{key!r} is not a Swagger 2.0 parameter field; ignored", target)
            if node.get("type") == "array":
                fmt = node.get("collectionFormat", "csv")
                style = self.collection_style(node, "query", target)
                encoding[name] = style
                if fmt != "multi" and any(_essence(t) == _MULTIPART for t in types):
                    self.warn(
                        f"collectionFormat {fmt!r} cannot be expressed for multipart/form-data "
                        "(arrays are repeated parts); read as multi",
                        target,
                    )
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        content: dict[str, Any] = {}
        for index, media_type in enumerate(types):
            entry: dict[str, Any] = {"schema": schema if index == 0 else copy.deepcopy(schema)}
            if encoding and _essence(media_type) == _FORM:
                entry["encoding"] = copy.deepcopy(encoding)
            content[media_type] = entry
        self.came_from(new, join_pointer(pointer, "parameters"))
        return {"content": content, "required": bool(required)}

    # -- responses ---------------------------------------------------------------

    def responses(self, value: Any, pointer: str, media: _Media) -> dict[str, Any]:
        base = join_pointer(pointer, "responses")
        if not isinstance(value, dict):
            raise self.error("responses must be a mapping", base)
        out: dict[str, Any] = {}
        for code, response in value.items():
            old = join_pointer(base, code)
            if is_extension(code):
                out[code] = response
                continue
            if not isinstance(response, dict):
                raise self.error("a response must be a mapping", old)
            target = self.deref(response, old)
            if (
                "$ref" in response
                and target.startswith("#/responses/")
                and media.produces == (self.produces or [_JSON])
            ):
                name = split_pointer(target[1:])[1]
                out[code] = {"$ref": join_pointer("#/components/responses", name)}
                continue
            if "$ref" in response:
                shared = copy.deepcopy(self.resolved(target))
                self.came_from(old, old)  # the status code is the operation's, not the target's
                self.inlining = True
                try:
                    out[code] = self.response(shared, target, old, media.produces)
                finally:
                    self.inlining = False
            else:
                out[code] = self.response(response, old, old, media.produces)
        return out

    def response(self, node: Any, old: str, new: str, produces: list[str]) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise self.error("a response must be a mapping", old)
        out: dict[str, Any] = {}
        if "description" in node:
            out["description"] = node["description"]
        headers = node.get("headers")
        if isinstance(headers, dict):
            out["headers"] = {
                name: self.header(
                    header, join_pointer(old, "headers", name), join_pointer(new, "headers", name)
                )
                for name, header in headers.items()
            }
        schema = node.get("schema")
        examples = node.get("examples")
        examples = examples if isinstance(examples, dict) else {}
        if isinstance(schema, dict):
            schema_old = join_pointer(old, "schema")
            self.schema(schema, schema_old)
            types = produces
            if schema.get("format") == "binary":  # a file: not JSON, whatever produces says
                types = [t for t in produces if not _is_json(t)]
                if not types:
                    self.warn(
                        f"a file response, but produces lists only JSON; read as {_OCTET}", old
                    )
                    types = [_OCTET]
                elif len(types) < len(produces):
                    self.warn(f"a file response is not JSON; listed as {', '.join(types)}", old)
            content: dict[str, Any] = {}
            for index, media_type in enumerate(types):
                entry: dict[str, Any] = {"schema": self.copied(schema, schema_old, index)}
                if media_type in examples:
                    entry["example"] = examples[media_type]
                content[media_type] = entry
                self.record(join_pointer(new, "content", media_type, "schema"), schema_old)
            out["content"] = content
            for media_type in examples:
                if media_type not in content:
                    self.warn(
                        f"example for {media_type!r}, which is not produced here; dropped",
                        join_pointer(old, "examples"),
                    )
        elif examples:
            self.warn(
                "examples without a schema have no place in OpenAPI 3; dropped",
                join_pointer(old, "examples"),
            )
        for key, value in node.items():
            if is_extension(key):
                out[key] = value
            elif key not in ("description", "headers", "schema", "examples"):
                self.warn(f"{key!r} is not a Swagger 2.0 response field; ignored", old)
        if new != old:
            self.record(new, old)
        return out

    def header(self, node: Any, old: str, new: str) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise self.error("a header must be a mapping", old)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "description" or is_extension(key):
                out[key] = value
            elif key not in _VALUE_KEYS and key != "collectionFormat":
                self.warn(f"{key!r} is not a Swagger 2.0 header field; ignored", old)
        out["schema"] = self.value_schema(node, old, join_pointer(new, "schema"), extensions=False)
        if node.get("type") == "array":
            self.collection_style(node, "header", old)
        if new != old:
            self.record(new, old)
        return out

    # -- schemas -----------------------------------------------------------------

    def copied(self, schema: dict[str, Any], pointer: str, index: int) -> dict[str, Any]:
        """``schema`` for the first content entry, a converted copy for each further one."""
        if index == 0:
            return schema
        duplicate = copy.deepcopy(schema)
        self.schema(duplicate, pointer)
        return duplicate

    def schema(self, node: dict[str, Any], pointer: str) -> None:
        """Convert a schema and its subschemas in place; collect their ``$ref``s."""
        stack: list[tuple[Any, str]] = [(node, pointer)]
        while stack:
            current, where = stack.pop()
            if not isinstance(current, dict) or id(current) in self.converted:
                continue
            self.converted.add(id(current))
            if isinstance(current.get("$ref"), str):
                self.refs.append((current, where))
            if "x-nullable" in current:
                nullable = current.pop("x-nullable")
                if nullable is True:
                    current["nullable"] = True
                elif nullable is not False:
                    self.warn(f"x-nullable must be true or false, not {nullable!r}; ignored", where)
            discriminator = current.get("discriminator")
            if isinstance(discriminator, str):
                current["discriminator"] = {"propertyName": discriminator}
            if current.get("type") == "file":
                current["type"] = "string"
                current.setdefault("format", "binary")
            found: list[tuple[Any, str]] = []
            properties = current.get("properties")
            if isinstance(properties, dict):
                found.extend(
                    (value, join_pointer(where, "properties", name))
                    for name, value in properties.items()
                )
            for key in ("additionalProperties", "items", "not"):
                if isinstance(current.get(key), dict):
                    found.append((current[key], join_pointer(where, key)))
            for key in ("items", "allOf", "anyOf", "oneOf"):
                value = current.get(key)
                if isinstance(value, list):
                    found.extend(
                        (item, join_pointer(where, key, i)) for i, item in enumerate(value)
                    )
            stack.extend(reversed(found))

    def rewrite_refs(self, out: dict[str, Any]) -> None:
        for node, where in self.refs:
            ref = node["$ref"]
            if not ref.startswith("#"):
                continue  # the bundler made every ref local; nothing else reaches here
            new = self.new_pointer(ref)
            if resolve_pointer(out, split_pointer(new[1:])) is MISSING:
                raise self.error(
                    f"$ref {ref!r} points at a place that has no OpenAPI 3 counterpart", where
                )
            node["$ref"] = new

    def new_pointer(self, old: str) -> str:
        current: str | None = old
        while current is not None:
            new = self.moved.get(current)
            if new is not None:
                return new + old[len(current) :]
            current = parent_pointer(current)
        return old
