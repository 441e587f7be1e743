"""Paths x methods -> :class:`~forgegen.ir.Operation`.

Decisions made here, where the issue leaves room:

* **Order.**  Paths in the spec's order, methods in the order
  get, put, post, delete, options, head, patch, trace (the OpenAPI path-item
  order).  Name collisions are resolved in that order, so the first operation
  keeps the plain name.
* **Names.**  ``operationId`` in snake_case, else ``<method>_<path words>``
  (``GET /pet/{petId}`` -> ``get_pet_pet_id``); unique within the tag
  (``_2``...).  Parameters: snake_case of the wire name; a second parameter
  with the same name in another location gets the location as suffix
  (``id``, ``id_query``); names an endpoint module uses itself (``body``,
  ``headers``, ``timeout``, ``client``...) get ``_``.
* **Parameters.**  Path-level parameters first, in their order; an
  operation-level one with the same ``(name, in)`` replaces it in place;
  the remaining operation-level ones follow.  ``Accept``, ``Content-Type`` and
  ``Authorization`` header parameters are ignored, as OpenAPI requires.
* **Responses.**  All declared statuses in the spec's order.  Every non-2xx
  response (1xx/3xx too: ``parse_response`` raises for anything that is not a
  success) gets an error class ``<Operation><Status phrase>Error``
  (``GetPetByIdNotFoundError``; ``4XX`` -> ``...ClientError``, ``default`` ->
  ``...DefaultError``).  Error class names are unique across the whole
  package, not only the module, so they can also be collected in one
  ``errors.py`` and never shadow an imported model.
* **Event streams.**  A success response offering ``text/event-stream``
  (beside JSON or alone) records it as the operation's event stream: its
  ``itemSchema`` (OpenAPI 3.2), else its ``schema``, is each event's type
  (``str`` without one).  The plain call keeps choosing among the other media
  types.  When the body (JSON, form or multipart) has a boolean ``stream``
  property, ``stream()`` sets it.  Every response media type that is neither chosen nor an event
  stream, and whose schema differs from the chosen one's (XML beside JSON
  with the same ``$ref`` is the same data), is a warning naming its pointer:
  the client never asks for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from ..diagnostics import Diagnostics, SpecError, join_pointer
from ..ir import (
    BodyEncoding,
    EventParse,
    EventStream,
    Operation,
    Parameter,
    ParameterLocation,
    ParameterStyle,
    RequestBody,
    Response,
    ResponseParse,
    TypeRef,
)
from ..prose import prose
from . import types as t
from .document import as_bool, as_list, as_map, as_str, pointer_tokens, resolve
from .media import choose, event_stream_entry, is_event_stream
from .naming import PARAMETER_RESERVED, NameScope, pascal_case, snake_case
from .schemas import SchemaLowerer

__all__ = ["METHODS", "OperationLowerer", "RawOperation", "collect_operations"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_LOCATIONS: dict[str, ParameterLocation] = {
    "path": "path",
    "query": "query",
    "header": "header",
    "cookie": "cookie",
}
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_RANGE = re.compile(r"^[1-5]XX$")
_STATUS = re.compile(r"^[1-9][0-9][0-9]$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_RANGE_WORDS = {
    "1XX": "Informational",
    "2XX": "Success",
    "3XX": "Redirection",
    "4XX": "ClientError",
    "5XX": "ServerError",
}
_DEFAULT_STYLES: dict[str, str] = {
    "path": "simple",
    "query": "form",
    "header": "simple",
    "cookie": "form",
}
_ALLOWED_STYLES: dict[str, frozenset[str]] = {
    "path": frozenset({"simple", "label", "matrix"}),
    "query": frozenset({"form", "spaceDelimited", "pipeDelimited", "deepObject"}),
    "header": frozenset({"simple"}),
    "cookie": frozenset({"form"}),
}
_STYLE_NAMES: dict[str, ParameterStyle] = {
    "simple": "simple",
    "label": "label",
    "matrix": "matrix",
    "spaceDelimited": "space_delimited",
    "pipeDelimited": "pipe_delimited",
    "deepObject": "deep_object",
}
_ENCODINGS: dict[str, BodyEncoding] = {
    "json": "json",
    "form": "form",
    "multipart": "multipart",
    "binary": "binary",
    "text": "text",
}


@dataclass(frozen=True)
class RawOperation:
    """One path x method before lowering: where it is and which tag it belongs to."""

    path: str
    method: str
    node: Mapping[str, Any]
    path_item: Mapping[str, Any]
    pointer: str
    path_pointer: str
    tag: str


def collect_operations(document: Mapping[str, Any], diagnostics: Diagnostics) -> list[RawOperation]:
    """Every operation in path order, then method order."""
    result = []
    paths = as_map(document.get("paths"))
    for path, raw_item in paths.items():
        path_pointer = join_pointer("#/paths", path)
        item, _ = resolve(document, as_map(raw_item), path_pointer)
        for method in METHODS:
            if method not in item:
                continue
            node = as_map(item[method])
            pointer = join_pointer(path_pointer, method)
            tags = [tag for tag in as_list(node.get("tags")) if isinstance(tag, str)]
            result.append(
                RawOperation(
                    str(path),
                    method,
                    node,
                    item,
                    pointer,
                    path_pointer,
                    tags[0] if tags else "default",
                )
            )
    if not result and not as_map(document.get("webhooks")):
        diagnostics.warn(
            "the document has no operations: nothing to generate but models (if any)", "#/paths"
        )
    return result


def _status_words(status: str) -> str:
    if status == "default":
        return "Default"
    if status in _RANGE_WORDS:
        return _RANGE_WORDS[status]
    try:
        return pascal_case(HTTPStatus(int(status)).phrase)
    except ValueError:
        return f"Status{status}"


def _normalise_status(status: object) -> str | None:
    """``"404"``, ``"4XX"`` or ``"default"`` for a response key; ``None`` for anything else.

    The status becomes part of a class name and a comparison in the generated
    code, so only what OpenAPI allows gets that far: three ASCII digits (not
    ``"²"`` or ``"٤٠٤"``, which ``str.isdigit`` accepts), a range, ``default``.
    """
    text = str(status).strip()
    if text.lower() == "default":
        return "default"
    if _RANGE.match(text.upper()):
        return text.upper()
    return text if _STATUS.match(text) else None


class OperationLowerer:
    """Lowers operations one at a time, sharing the :class:`SchemaLowerer` and name scopes."""

    def __init__(
        self,
        document: Mapping[str, Any],
        schemas: SchemaLowerer,
        diagnostics: Diagnostics,
        scheme_names: frozenset[str],
    ) -> None:
        self.document = document
        self.schemas = schemas
        self.diagnostics = diagnostics
        self.scheme_names = scheme_names

    def lower(self, raw: RawOperation, python_name: str, tag: str, module: str) -> Operation:
        context = pascal_case(python_name, fallback="Operation")
        node = raw.node
        responses = self._responses(raw, context)
        successes = [r.type or t.NONE for r in responses if r.status.startswith("2")]
        body = self._body(raw, context)
        streams = any(r.event_stream is not None for r in responses)
        return Operation(
            python_name=python_name,
            module=module,
            tag=tag,
            method=raw.method.upper(),
            path=raw.path,
            parameters=self._parameters(raw, context),
            body=body,
            responses=responses,
            success_type=t.union(successes) if successes else t.NONE,
            security=self._security(raw),
            security_scopes=self._security_scopes(raw),
            summary=prose(node, "summary", raw.pointer),
            description=prose(node, "description", raw.pointer),
            deprecated=as_bool(node.get("deprecated")),
            operation_id=as_str(node.get("operationId")),
            pointer=raw.pointer,
            stream_flag=self._stream_flag(raw) if streams and body is not None else None,
        )

    # -- parameters --------------------------------------------------------

    def _parameters(self, raw: RawOperation, context: str) -> tuple[Parameter, ...]:
        merged: dict[tuple[str, str], tuple[Mapping[str, Any], str, str]] = {}
        sources = (
            (raw.path_item.get("parameters"), join_pointer(raw.path_pointer, "parameters")),
            (raw.node.get("parameters"), join_pointer(raw.pointer, "parameters")),
        )
        for entries, base in sources:
            for index, entry in enumerate(as_list(entries)):
                pointer = join_pointer(base, index)
                node, own_pointer = resolve(self.document, as_map(entry), pointer)
                name, location = as_str(node.get("name")), as_str(node.get("in"))
                if name is None or location not in _LOCATIONS:
                    self.diagnostics.warn("parameter without a name or location; ignored", pointer)
                    continue
                if location == "header" and name.lower() in _IGNORED_HEADERS:
                    self.diagnostics.warn(
                        f"header parameter {name!r} is ignored (OpenAPI reserves it)", pointer
                    )
                    continue
                tokens = pointer_tokens(own_pointer)
                shared = tokens[:2] == ["components", "parameters"] and len(tokens) == 3
                param_context = pascal_case(tokens[2]) if shared else context + pascal_case(name)
                merged[(name, location)] = (node, own_pointer, param_context)
        placeholders = list(dict.fromkeys(_PLACEHOLDER.findall(raw.path)))
        stray = [repr(brace) for brace in "{}" if brace in _PLACEHOLDER.sub("", raw.path)]
        if stray:
            self.diagnostics.warn(
                f"the path {raw.path!r} has an unbalanced {' and '.join(stray)}; "
                "it is sent as written, not as a placeholder",
                raw.path_pointer,
            )
        for name, location in list(merged):
            if location == "path" and name not in placeholders:
                # A required argument that is never sent would be a trap: drop it.
                self.diagnostics.warn(
                    f"path parameter {name!r} does not appear in the path {raw.path!r}; ignored",
                    merged.pop((name, location))[1],
                )
        scope = NameScope(reserved=PARAMETER_RESERVED)
        result = []
        for (name, location), (node, pointer, param_context) in merged.items():
            candidate = snake_case(name, fallback="param")
            if candidate in scope:
                candidate = f"{candidate}_{location}"
            result.append(
                self._parameter(node, pointer, param_context, scope.take(candidate), location)
            )
        for name in placeholders:
            if (name, "path") not in merged:
                self.diagnostics.warn(
                    f"the path has a placeholder {{{name}}} that no parameter declares; "
                    "generated as a required string parameter",
                    raw.path_pointer,
                )
                result.append(self._undeclared_path_parameter(name, scope))
        return tuple(result)

    @staticmethod
    def _undeclared_path_parameter(name: str, scope: NameScope) -> Parameter:
        """A path placeholder the spec forgot to declare: the URL needs a value for it."""
        python_name = snake_case(name, fallback="param")
        if python_name in scope:
            python_name = f"{python_name}_path"
        return Parameter(
            python_name=scope.take(python_name),
            wire_name=name,
            location="path",
            type=TypeRef("str"),
            required=True,
            style="simple",
        )

    def _parameter(
        self,
        node: Mapping[str, Any],
        pointer: str,
        context: str,
        python_name: str,
        location: str,
    ) -> Parameter:
        loc = _LOCATIONS[location]
        schema: object = node.get("schema")
        schema_pointer = join_pointer(pointer, "schema")
        style: ParameterStyle
        if "content" in node:
            chosen = choose(as_map(node["content"]), request=True)
            if chosen is not None:
                content_type, _, media = chosen
                schema = media.get("schema")
                schema_pointer = join_pointer(pointer, "content", content_type, "schema")
            style = "json"
        else:
            style = self._style(node, loc, pointer)
        type_ = self.schemas.type_of(schema, schema_pointer, context) if schema else t.ANY
        required = loc == "path" or as_bool(node.get("required"))
        default = None
        if not required:
            default = self.schemas.default_for(as_map(schema), type_, schema_pointer)
            type_ = t.optional(type_)
        type_ = self.schemas.input_type(type_)  # enums take their plain values too
        return Parameter(
            python_name=python_name,
            wire_name=str(node["name"]),
            location=loc,
            type=type_,
            required=required,
            style=style,
            default=default,
            description=prose(node, "description", pointer),
            deprecated=as_bool(node.get("deprecated")),
            schema_prose=self._schema_prose(schema, schema_pointer),
        )

    def _schema_prose(self, schema: object, pointer: str) -> tuple[str, ...]:
        """The description and title of ``schema`` (``$ref`` followed), those it has.

        Both are kept verbatim and the docstring chooses: a choice made here
        would depend on text, which must not steer ``lower``.
        """
        if not isinstance(schema, Mapping):
            return ()
        try:
            target, own_pointer = resolve(self.document, schema, pointer)
        except SpecError:  # already reported where the type was lowered
            return ()
        found = (prose(target, key, own_pointer) for key in ("description", "title"))
        return tuple(text for text in found if text is not None)

    def _style(self, node: Mapping[str, Any], location: str, pointer: str) -> ParameterStyle:
        style = as_str(node.get("style")) or _DEFAULT_STYLES[location]
        if style not in _ALLOWED_STYLES[location]:
            self.diagnostics.warn(
                f"style {style!r} is not allowed in {location}; using "
                f"{_DEFAULT_STYLES[location]!r}",
                pointer,
            )
            style = _DEFAULT_STYLES[location]
        if style == "form":
            explode = as_bool(node.get("explode"), default=True)
            return "form_explode" if explode and location == "query" else "form"
        return _STYLE_NAMES[style]

    # -- request body ------------------------------------------------------

    def _body(self, raw: RawOperation, context: str) -> RequestBody | None:
        if "requestBody" not in raw.node:
            return None
        pointer = join_pointer(raw.pointer, "requestBody")
        node, own_pointer = resolve(self.document, as_map(raw.node["requestBody"]), pointer)
        tokens = pointer_tokens(own_pointer)
        if tokens[:2] == ["components", "requestBodies"] and len(tokens) == 3:
            context = pascal_case(tokens[2])
        else:
            context += "Body"
        chosen = choose(as_map(node.get("content")), request=True)
        media: Mapping[str, Any]
        if chosen is None:
            self.diagnostics.warn("request body lists no content; sent as bytes", own_pointer)
            content_type, kind, media = "application/octet-stream", "binary", {}
        else:
            content_type, kind, media = chosen
        schema_pointer = join_pointer(own_pointer, "content", content_type, "schema")
        type_: TypeRef
        if kind in ("json", "form", "multipart"):
            schema = media.get("schema")
            type_ = self.schemas.type_of(schema, schema_pointer, context) if schema else t.ANY
            type_ = self.schemas.input_type(type_)  # enums take their plain values too
        elif kind == "text":
            type_ = t.external("str")
        else:
            if kind == "other":
                self.diagnostics.warn(
                    f"request content type {content_type!r} is not supported; sent as bytes",
                    own_pointer,
                )
            kind = "binary"
            type_ = t.external("bytes")
        required = as_bool(node.get("required"))
        return RequestBody(
            python_name="body",
            type=type_ if required else t.optional(type_),
            content_type=content_type,
            encoding=_ENCODINGS[kind],
            required=required,
            description=prose(node, "description", own_pointer),
            schema_prose=self._schema_prose(media.get("schema"), schema_pointer),
        )

    def _stream_flag(self, raw: RawOperation) -> str | None:
        """``"stream"`` when the request body has a boolean property of that name.

        OpenAI and Anthropic switch a call to server-sent events with
        ``"stream": true`` in the body (a form field in OpenAI's multipart
        uploads); ``stream()`` must send it.  The property may sit in the
        schema itself or in one of its ``allOf`` parts.
        """
        pointer = join_pointer(raw.pointer, "requestBody")
        try:
            node, own_pointer = resolve(self.document, as_map(raw.node["requestBody"]), pointer)
            chosen = choose(as_map(node.get("content")), request=True)
            if chosen is None or chosen[1] not in ("json", "form", "multipart"):
                return None
            pending: list[tuple[object, str]] = [
                (chosen[2].get("schema"), join_pointer(own_pointer, "content", chosen[0], "schema"))
            ]
            seen = 0
            while pending and seen < 32:  # allOf chains are short; a cycle must not loop
                seen += 1
                schema, schema_pointer = pending.pop(0)
                if not isinstance(schema, Mapping):
                    continue
                target, target_pointer = resolve(self.document, schema, schema_pointer)
                flag = as_map(as_map(target.get("properties")).get("stream"))
                if flag:
                    flag, _ = resolve(
                        self.document, flag, join_pointer(target_pointer, "properties", "stream")
                    )
                    kinds = flag.get("type")
                    if kinds == "boolean" or (isinstance(kinds, list) and "boolean" in kinds):
                        return "stream"
                for index, part in enumerate(as_list(target.get("allOf"))):
                    pending.append((part, join_pointer(target_pointer, "allOf", index)))
        except SpecError:  # a broken $ref: reported where the body's type was lowered
            return None
        return None

    # -- responses ---------------------------------------------------------

    def _responses(self, raw: RawOperation, context: str) -> tuple[Response, ...]:
        result = []
        base = join_pointer(raw.pointer, "responses")
        seen: set[str] = set()
        for status_key, entry in as_map(raw.node.get("responses")).items():
            status = _normalise_status(status_key)
            pointer = join_pointer(base, str(status_key))
            if status is None or status in seen:
                problem = "is not an HTTP status code" if status is None else "is declared twice"
                self.diagnostics.warn(
                    f"response status {str(status_key)!r} {problem}; ignored", pointer
                )
                continue
            seen.add(status)
            node, own_pointer = resolve(self.document, as_map(entry), pointer)
            tokens = pointer_tokens(own_pointer)
            if tokens[:2] == ["components", "responses"] and len(tokens) == 3:
                body_name = pascal_case(tokens[2]) + "Response"  # shared: named once, by its key
            else:
                body_name = f"{context}Response{'Default' if status == 'default' else status}"
            success = status.startswith("2")
            parse, type_, content_type, event_stream = self._response_body(
                node, own_pointer, body_name, success=success
            )
            error_class = None
            if not status.startswith("2"):
                words = _status_words(status)
                suffix = "" if words.endswith("Error") else "Error"
                error_class = self.schemas.class_names.take(f"{context}{words}{suffix}")
            result.append(
                Response(
                    status=status,
                    parse=parse,
                    type=type_,
                    content_type=content_type,
                    description=prose(node, "description", own_pointer),
                    error_class=error_class,
                    event_stream=event_stream,
                )
            )
        if not result:
            self.diagnostics.warn("operation declares no responses", base)
        return tuple(result)

    def _response_body(
        self, node: Mapping[str, Any], pointer: str, name: str, *, success: bool
    ) -> tuple[ResponseParse, TypeRef | None, str | None, EventStream | None]:
        content = as_map(node.get("content"))
        event_stream = None
        found = event_stream_entry(content) if success else None
        plain = content
        if found is not None:
            event_stream = self._event_stream(found[0], found[1], pointer, name)
            # The plain call chooses among the rest; an event stream alone is its text.
            rest = {key: media for key, media in content.items() if key != found[0]}
            plain = rest or content
        chosen = choose(plain, request=False)
        if chosen is None:
            return "none", None, None, event_stream
        content_type, kind, media = chosen
        for key, other_media in content.items():
            other = str(key)
            if other in (content_type, found[0] if found else None):
                continue
            streams = is_event_stream(other)
            same = as_map(other_media).get("schema") == media.get("schema")
            if same and not streams:
                continue  # the same data in another encoding: asking for one loses nothing
            why = "only a success response streams; " if streams else ""
            self.diagnostics.warn(
                f"response content type {other!r} is not used: {why}"
                f"the client asks for {content_type!r} only",
                join_pointer(pointer, "content", other),
            )
        if kind == "json":
            schema = media.get("schema")
            if not schema:
                return "json", t.ANY, content_type, event_stream
            schema_pointer = join_pointer(pointer, "content", content_type, "schema")
            type_ = self.schemas.type_of(schema, schema_pointer, name)  # name: inline classes
            parse: ResponseParse = "model" if self.schemas.is_model(type_.annotation) else "adapter"
            return parse, type_, content_type, event_stream
        if kind == "text":
            return "text", t.external("str"), content_type, event_stream
        if kind != "binary":
            self.diagnostics.warn(
                f"response content type {content_type!r} is not supported; returned as bytes",
                join_pointer(pointer, "content", content_type),
            )
        return "bytes", t.external("bytes"), content_type, event_stream

    def _event_stream(
        self, content_type: str, media: Mapping[str, Any], pointer: str, name: str
    ) -> EventStream:
        """What ``stream()`` yields: each event's data as the ``itemSchema`` (else ``schema``)."""
        media_pointer = join_pointer(pointer, "content", content_type)
        key = "itemSchema" if "itemSchema" in media else "schema"
        schema = media.get(key)
        if not schema:
            return EventStream(type=t.external("str"), parse="text", content_type=content_type)
        type_ = self.schemas.type_of(schema, join_pointer(media_pointer, key), f"{name}Event")
        parse: EventParse
        if type_.annotation == "str":
            parse = "text"
        elif self.schemas.is_model(type_.annotation):
            parse = "model"
        else:
            parse = "adapter"
        return EventStream(type=type_, parse=parse, content_type=content_type)

    # -- security ----------------------------------------------------------

    def _requirements(self, raw: RawOperation) -> tuple[object, str]:
        if "security" in raw.node:
            return raw.node["security"], join_pointer(raw.pointer, "security")
        return self.document.get("security"), "#/security"

    def _security_scopes(self, raw: RawOperation) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Scheme name -> the scopes this operation's requirements ask of it (union, in order)."""
        requirements, _ = self._requirements(raw)
        scopes: dict[str, list[str]] = {}
        for requirement in as_list(requirements):
            for name, wanted in as_map(requirement).items():
                bucket = scopes.setdefault(str(name), [])
                for scope in as_list(wanted):
                    if isinstance(scope, str) and scope and scope not in bucket:
                        bucket.append(scope)
        return tuple((name, tuple(found)) for name, found in scopes.items() if found)

    def _security(self, raw: RawOperation) -> tuple[tuple[str, ...], ...]:
        if "security" in raw.node:
            requirements, pointer = raw.node["security"], join_pointer(raw.pointer, "security")
        else:
            requirements, pointer = self.document.get("security"), "#/security"
        result = []
        for index, requirement in enumerate(as_list(requirements)):
            names = tuple(str(name) for name in as_map(requirement))
            for name in names:
                if name not in self.scheme_names:
                    self.diagnostics.warn(
                        f"security scheme {name!r} is not defined", join_pointer(pointer, index)
                    )
            result.append(names)
        return tuple(result)
