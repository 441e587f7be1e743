"""Views of operations: what ``operation.py.jinja`` prints for one endpoint module."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .codegen import ImportSet, RenderError, annotation, optional_type
from .escaping import identifier, py_literal, py_str
from .ir import EventStream, Operation, Pagination, Parameter, RequestBody, Response
from .layout import fits, layout_call

__all__ = [
    "STATUS_ERRORS",
    "BranchView",
    "ErrorView",
    "OperationView",
    "StreamView",
    "operation_view",
]


@dataclass
class ErrorView:
    name: str
    base: str
    description: str | None
    model: str | None


@dataclass
class BranchView:
    condition: str | None
    statement: str


@dataclass
class OperationView:
    name: str
    module_doc: str
    doc: str
    security: str
    scopes: str  # a dict literal, or "" when no requirement lists scopes
    signature: list[str]
    call_args: list[str]
    request_lines: list[str]
    pre_lines: list[str]
    errors: list[ErrorView]
    branches: list[BranchView]
    raise_statement: str
    return_type: str
    deprecated: bool
    deprecation_message: str
    pagination: PaginationView | None = None
    stream: StreamView | None = None


@dataclass
class StreamView:
    """``decode_event``, ``raise_stream_error`` and the ``stream()``/``astream()`` calls."""

    event_type: str
    decode_lines: list[str]  # the body of ``decode_event(event)``
    build_args: list[str]  # ``build_request``'s arguments, asking for the event stream
    flag: str | None  # ``body_flag=``: the body's boolean stream switch, a string literal


@dataclass
class PaginationView:
    """``PAGINATION = ...``, ``page_items`` and the item type of ``iterate()``."""

    style: str  # the runtime style object's constructor call, laid out after "PAGINATION = "
    item_type: str
    items_lines: list[str]  # the body of ``page_items(response, strict=...)``


#: Indentation of the keyword arguments of ``return HttpRequest(...)`` in ``build_request``.
_REQUEST_INDENT = 8

#: ``requestforge.error_class_for`` by name (a test keeps the two in step).
STATUS_ERRORS = {
    400: "BadRequestError",
    401: "UnauthorizedError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    409: "ConflictError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
}


def _status_base(status: str) -> str:
    if status.isdigit():
        code = int(status)
        if code in STATUS_ERRORS:
            return STATUS_ERRORS[code]
        return "ServerError" if 500 <= code < 600 else "ApiError"
    if status.upper() == "5XX":
        return "ServerError"
    return "ApiError"


def _status_condition(status: str) -> str | None:
    if status.isdigit():
        return f"response.status_code == {int(status)}"
    match = re.fullmatch(r"([1-5])XX", status.upper())
    if match:
        return f"response.status_code // 100 == {match.group(1)}"
    if status == "default":
        return None
    raise RenderError(f"unsupported response status {status!r}")


def _parse_statement(response: Response, imports: ImportSet) -> str:
    parse = response.parse
    if parse in ("model", "adapter") and response.type is None:
        raise RenderError(f"response {response.status}: parse {parse!r} needs a type")
    # Success bodies only (error bodies are raise_api_error's): tolerant unless
    # ``strict``, with the module's name as the operation in drift warnings.
    if parse == "model" and response.type is not None:
        imports.add_type(response.type)
        type_text = annotation(response.type.annotation)
        if type_text.isidentifier():
            imports.runtime_names("parse_model")
            return f"return parse_model(response, {type_text}, __name__, strict)"
        parse = "adapter"
    if parse == "adapter" and response.type is not None:
        imports.add_type(response.type)
        imports.runtime_names("parse_typed")
        imports.external("typing", "cast")
        type_text = annotation(response.type.annotation)
        return (
            f"return cast({py_str(type_text)}, "
            f"parse_typed(response, {type_text}, __name__, strict))"
        )
    if parse == "json":
        return "return response.json_or_none()"
    if parse == "bytes":
        return "return response.content"
    if parse == "text":
        return "return response.text"
    if parse == "none":
        return "return None"
    raise RenderError(f"unsupported response parse {parse!r}")


def _security_literal(security: tuple[tuple[str, ...], ...]) -> str:
    def one(requirement: tuple[str, ...]) -> str:
        inner = ", ".join(py_str(name) for name in requirement)
        return f"({inner},)" if len(requirement) == 1 else f"({inner})"

    if not security:
        return "()"
    inner = ", ".join(one(requirement) for requirement in security)
    return f"({inner},)" if len(security) == 1 else f"({inner})"


def _scopes_literal(scopes: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    def one(values: tuple[str, ...]) -> str:
        inner = ", ".join(py_str(value) for value in values)
        return f"({inner},)" if len(values) == 1 else f"({inner})"

    if not scopes:
        return ""
    return "{" + ", ".join(f"{py_str(name)}: {one(values)}" for name, values in scopes) + "}"


def _url_expression(operation: Operation) -> str:
    by_wire = {p.wire_name: p for p in operation.located("path")}
    pieces = re.split(r"\{([^{}]*)\}", operation.path)
    # Literal text as it goes into the string; braces are doubled only if the
    # result is an f-string (a plain string must keep them single).
    literal: list[str | None] = []
    calls: list[str] = []
    for index, piece in enumerate(pieces):
        parameter = by_wire.get(piece) if index % 2 else None
        if parameter is None:
            text = piece if index % 2 == 0 else "{" + piece + "}"
            # A literal "#" in a spec path would start the URL's fragment, and the
            # HTTP client would silently drop the rest of the path: send it
            # percent-encoded, as the spec's path text means (issue 7).
            text = text.replace("#", "%23")
            literal.append(py_str(text)[1:-1])
            continue
        args = [identifier(parameter.python_name), repr(parameter.style)]
        if parameter.style == "matrix":
            args.append(f"name={py_str(parameter.wire_name)}".replace('"', "'"))
        literal.append(None)
        calls.append("{path_param(" + ", ".join(args) + ")}")
    if not calls:
        return '"' + "".join(part or "" for part in literal) + '"'
    substitutions = iter(calls)
    text = "".join(
        next(substitutions) if part is None else part.replace("{", "{{").replace("}", "}}")
        for part in literal
    )
    return f'f"{text}"'


def _parameter_signature(parameter: Parameter, imports: ImportSet) -> str:
    imports.add_type(parameter.type)
    name = identifier(parameter.python_name)
    type_text = annotation(parameter.type.annotation)
    if parameter.required and parameter.default is None:
        return f"{name}: {type_text}"
    default = py_literal(parameter.default) if parameter.default is not None else "None"
    if default == "None":
        type_text = optional_type(type_text)
    return f"{name}: {type_text} = {default}"


def _described(description: str | None, schema_prose: tuple[str, ...]) -> str:
    """An argument's text for ``Args:``: its own description, else its schema's, else the title.

    A parameter often leaves its description empty because the schema it
    points to already has one; that text is what a reader of the method needs.
    """
    for text in (description or "", *schema_prose):
        if text.strip():
            return " ".join(text.split())
    return ""


def _operation_doc(operation: Operation) -> str:
    parts = []
    if operation.summary:
        parts.append(operation.summary.strip())
    if operation.description and operation.description.strip() != (operation.summary or "").strip():
        parts.append(operation.description.strip())
    if operation.deprecated:
        parts.append("Deprecated: this operation may be removed by the API.")
    lines = []
    for parameter in operation.parameters:
        text = _described(parameter.description, parameter.schema_prose)
        if parameter.deprecated:
            text = f"(deprecated) {text}".strip()
        if text:
            lines.append(f"    {parameter.python_name}: {text}")
    body = operation.body
    if body is not None:
        text = _described(body.description, body.schema_prose)
        if text:
            lines.append(f"    {body.python_name}: {text}")
    if lines:
        if not parts:
            # A docstring's first line is never an indented block's header:
            # black would re-indent the lines below it.
            parts.append(f"{operation.method} {operation.path}")
        parts.append("\n".join(["Args:", *lines]))
    return "\n\n".join(parts) or f"{operation.method} {operation.path}"


def _accept(operation: Operation) -> str:
    """The ``Accept`` header: the media types the client parses, successes first.

    Without it a server negotiates freely, and one that lists XML or a vendor
    type first (the petstore's login, GitHub's SARIF) answers in a form the
    client cannot parse.
    """
    ordered = sorted(operation.responses, key=lambda response: response.error_class is not None)
    media_types: list[str] = []
    for response in ordered:
        if response.content_type and response.content_type not in media_types:
            media_types.append(response.content_type)
    return ", ".join(media_types)


def _body_lines(
    operation: Operation, body: RequestBody, imports: ImportSet, header_entries: list[str]
) -> tuple[list[str], list[str]]:
    """``HttpRequest`` keyword lines and lines before it for the body; adds its Content-Type."""
    request_lines: list[str] = []
    pre_lines: list[str] = []
    name = identifier(body.python_name)
    if body.encoding == "json":
        imports.runtime_names("to_json")
        request_lines.append(f"json_data=to_json({name}),")
        if body.content_type.split(";")[0].strip().lower() != "application/json":
            header_entries.append(f'"Content-Type": {py_str(body.content_type)}')
    elif body.encoding == "form":
        imports.runtime_names("form_body")
        request_lines.append(f"data=form_body({name}),")
    elif body.encoding == "multipart":
        imports.runtime_names("multipart_body")
        pre_lines.append(f"data, files = multipart_body({name})")
        request_lines += ["data=data,", "files=files,"]
    elif body.encoding == "binary":
        request_lines.append(f"data={name},")
        header_entries.append(f'"Content-Type": {py_str(body.content_type)}')
    elif body.encoding == "text":
        imports.runtime_names("text_body")
        request_lines.append(f"data=text_body({name}),")
        header_entries.append(f'"Content-Type": {py_str(body.content_type)}')
    else:
        raise RenderError(f"{operation.python_name}: unsupported body encoding {body.encoding!r}")
    return request_lines, pre_lines


def _request_lines(operation: Operation, imports: ImportSet) -> tuple[list[str], list[str]]:
    """The keyword arguments of ``HttpRequest(...)`` in ``build_request``, and lines before it."""
    body = operation.body
    request_lines = [
        f"method=HttpMethod.{operation.method.upper()},",
        f"url={_url_expression(operation)},",
    ]
    if operation.located("path"):
        imports.runtime_names("path_param")
    query = operation.located("query")
    if query:
        imports.runtime_names("query_param")
        pairs = [
            f"*query_param({py_str(p.wire_name)}, {identifier(p.python_name)}, {py_str(p.style)})"
            for p in query
        ]
        request_lines.append(layout_call("params=", pairs, ",", _REQUEST_INDENT, "[]"))
    header_entries = [
        f"{py_str(p.wire_name)}: header_param({identifier(p.python_name)}, {py_str(p.style)})"
        for p in operation.located("header")
    ]
    if header_entries:
        imports.runtime_names("header_param")
    accept = _accept(operation)
    if accept:
        header_entries.insert(0, f'"Accept": {py_str(accept)}')
    pre_lines: list[str] = []
    if body is not None:
        extra, pre_lines = _body_lines(operation, body, imports, header_entries)
        request_lines += extra
    if header_entries:
        imports.runtime_names("compact")
        compacted = "**compact({" + ", ".join(header_entries) + "})"
        request_lines.append(
            layout_call("headers=", [compacted, "**(headers or {})"], ",", _REQUEST_INDENT, "{}")
        )
    else:
        request_lines.append("headers=dict(headers or {}),")
    cookies = operation.located("cookie")
    if cookies:
        imports.runtime_names("compact", "cookie_param")
        entries = ", ".join(
            f"{py_str(p.wire_name)}: cookie_param({identifier(p.python_name)}, {py_str(p.style)})"
            for p in cookies
        )
        request_lines.append(f"cookies=compact({{{entries}}}),")

    return request_lines, pre_lines


def _error_views(
    operation: Operation, imports: ImportSet
) -> tuple[list[ErrorView], list[str], list[Response]]:
    """The operation's error classes, the ``declared`` mapping entries, its success responses."""
    imports.runtime_names("raise_api_error")
    errors: list[ErrorView] = []
    declared: list[str] = []
    success: list[Response] = []
    for response in operation.responses:
        if response.error_class is None:
            success.append(response)
            continue
        base = _status_base(response.status)
        imports.runtime_names(base)
        model = None
        if response.parse in ("model", "adapter") and response.type is not None:
            imports.add_type(response.type)
            model = annotation(response.type.annotation)
        errors.append(
            ErrorView(
                name=identifier(response.error_class),
                base=base,
                description=response.description or f"Status {response.status}.",
                model=model,
            )
        )
        key = str(int(response.status)) if response.status.isdigit() else py_str(response.status)
        declared.append(f"{key}: {response.error_class}")
    return errors, declared, success


def _raise_statement(declared: list[str]) -> str:
    """``raise_api_error(response, {status: ErrorClass, ...})`` laid out as black would keep it."""
    if not declared:
        return "raise_api_error(response)"
    mapping = "{" + ", ".join(declared) + "}"
    if not fits(mapping + ",", 8):  # too long even on its own line in the exploded call
        mapping = layout_call("", declared, "", 8, "{}")
    return layout_call("raise_api_error", ["response", mapping], "", 4)


def operation_view(operation: Operation, imports: ImportSet) -> OperationView:
    imports.external("__future__", "annotations")
    imports.external("collections.abc", "Mapping")
    imports.runtime_names("ApiClient", "ApiResponse", "HttpMethod", "HttpRequest", "HttpResponse")
    imports.runtime_names_for_typing("AsyncApiClient")
    if operation.method.upper() not in (
        "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"
    ):  # fmt: skip
        raise RenderError(f"{operation.python_name}: unsupported method {operation.method!r}")
    signature = [_parameter_signature(p, imports) for p in operation.parameters]
    call_args = [
        f"{identifier(p.python_name)}={identifier(p.python_name)}" for p in operation.parameters
    ]
    body = operation.body
    if body is not None:
        imports.add_type(body.type)
        name = identifier(body.python_name)
        type_text = annotation(body.type.annotation)
        signature.append(
            f"{name}: {type_text}"
            if body.required
            else f"{name}: {optional_type(type_text)} = None"
        )
        call_args.append(f"{name}={name}")
    signature.append("headers: Mapping[str, str] | None = None")
    call_args.append("headers=headers")

    request_lines, pre_lines = _request_lines(operation, imports)
    errors, declared, success = _error_views(operation, imports)
    branches = _branches(operation, success, imports)
    imports.add_type(operation.success_type)
    if operation.deprecated:
        imports.external("import warnings")
    summary = (operation.summary or "").strip()
    module_doc = f"{operation.method.upper()} {operation.path}"
    if summary:
        module_doc += f" -- {summary}"
    return OperationView(
        name=identifier(operation.python_name),
        module_doc=module_doc,
        doc=_operation_doc(operation),
        security=_security_literal(operation.security),
        scopes=_scopes_literal(operation.security_scopes),
        signature=signature,
        call_args=call_args,
        request_lines=request_lines,
        pre_lines=pre_lines,
        errors=errors,
        branches=branches,
        raise_statement=_raise_statement(declared),
        return_type=annotation(operation.success_type.annotation),
        deprecated=operation.deprecated,
        deprecation_message=py_str(f"{operation.python_name} is deprecated"),
        pagination=_pagination_view(operation.pagination, imports),
        stream=_stream_view(operation, call_args, imports),
    )


def _event_decode(stream: EventStream, imports: ImportSet) -> tuple[str, list[str]]:
    """(annotation, body of ``decode_event``) for one event-stream alternative."""
    imports.add_type(stream.type)
    type_text = annotation(stream.type.annotation)
    if stream.parse == "text":
        return type_text, ["return event.data"]
    if stream.parse == "model" and type_text.isidentifier():
        return type_text, [f"return {type_text}.model_validate_json(event.data)"]
    imports.runtime_names("parse_json")
    imports.external("typing", "cast")
    return type_text, [f"return cast({py_str(type_text)}, parse_json(event.data, {type_text}))"]


def _stream_view(
    operation: Operation, call_args: list[str], imports: ImportSet
) -> StreamView | None:
    streams = operation.event_streams
    if not streams:
        return None
    # Annotations only: importing the module must not load the streaming runtime.
    imports.runtime_names_for_typing("AsyncStream", "ServerSentEvent", "Stream")
    imports.external("typing", "NoReturn")
    # The first success status that streams decides the event type (two that
    # stream different events are not a shape APIs use).
    event_type, lines = _event_decode(streams[0], imports)
    accept = py_str(streams[0].content_type)
    build_args = [
        *call_args[:-1],  # the last one is headers=headers
        f'headers={{"Accept": {accept}, **(headers or {{}})}}',
    ]
    flag = None if operation.stream_flag is None else py_str(operation.stream_flag)
    return StreamView(event_type=event_type, decode_lines=lines, build_args=build_args, flag=flag)


_STYLE_CLASSES = {
    "link": "LinkPagination",
    "cursor": "CursorPagination",
    "offset": "OffsetPagination",
    "page": "OffsetPagination",
}


def _pagination_view(pagination: Pagination | None, imports: ImportSet) -> PaginationView | None:
    if pagination is None:
        return None
    style_class = _STYLE_CLASSES[pagination.style]
    imports.runtime_names(style_class, "paginate", "apaginate")
    imports.external("collections.abc", "Iterator", "AsyncIterator")
    imports.add_type(pagination.item_type)
    fields = [
        ("cursor_param", pagination.cursor_param),
        ("next_cursor", pagination.next_cursor),
        ("cursor_item_field", pagination.cursor_item_field),
        ("has_more", pagination.has_more),
        ("offset_param", pagination.offset_param),
        ("limit_param", pagination.limit_param),
    ]
    arguments = [f"{name}={py_str(value)}" for name, value in fields if value is not None]
    if pagination.style == "page":
        arguments.append('kind="page"')
    lines: list[str] = []
    if not pagination.items_path:
        tail = " or []" if pagination.items_nullable else ""
        lines.append(f"return parse_response(response, strict=strict){tail}")
    else:
        lines.append("page = parse_response(response, strict=strict)")
        reached = "page"
        for attribute, may_be_none in pagination.items_path[:-1]:
            reached = f"{reached}.{identifier(attribute)}"
            if may_be_none:
                lines += [f"if {reached} is None:", "    return []"]
        last = f"{reached}.{identifier(pagination.items_path[-1][0])}"
        lines.append(f"return {last} or []" if pagination.items_nullable else f"return {last}")
    return PaginationView(
        style=layout_call(f"PAGINATION = {style_class}", arguments, "", 0),
        item_type=annotation(pagination.item_type.annotation),
        items_lines=lines,
    )


def _branches(
    operation: Operation, success: list[Response], imports: ImportSet
) -> list[BranchView]:
    exact = [r for r in success if r.status.isdigit()]
    ranges = [r for r in success if not r.status.isdigit() and r.status != "default"]
    default = [r for r in success if r.status == "default"]
    branches = [
        BranchView(_status_condition(r.status), _parse_statement(r, imports))
        for r in [*exact, *ranges]
    ]
    if default:
        branches.append(
            BranchView("response.status_code < 400", _parse_statement(default[0], imports))
        )
    if not success and operation.success_type.annotation == "None":
        branches.append(BranchView("response.status_code // 100 == 2", "return None"))
    return branches
