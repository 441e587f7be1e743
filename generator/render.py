"""Render: the IR poured into the Jinja2 templates, one source text per file.

``render`` makes no naming or typing decisions -- ``lower`` made them.  What
happens here is bookkeeping the templates should not do: which imports a
module needs (as relative imports, so the package works under any parent), the
order definitions must appear in, and turning IR values into the source
fragments templates print.  Every spec string reaches a fragment only through
:mod:`forgegen.escaping`, which the templates use as filters too.

Output is a ``{relative path: text}`` mapping, not yet black-formatted; equal
IR gives byte-identical output (everything is sorted or in the IR's order).
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

import jinja2

from . import __version__
from .escaping import comment, docblock, docstring, identifier, markdown, py_literal, py_str
from .ir import (
    Api,
    EnumType,
    Import,
    Model,
    Operation,
    Parameter,
    Response,
    Tag,
    TypeAlias,
    TypeRef,
)

__all__ = ["RUNTIME_PACKAGE", "RenderError", "RuntimeMode", "render", "runtime_sources"]

RuntimeMode = Literal["vendored", "package"]
RUNTIME_PACKAGE = "requestforge"
_VENDORED = "_runtime"


class RenderError(ValueError):
    """The IR cannot be rendered (a bug in ``lower`` or a hand-built IR)."""


# -- helpers ---------------------------------------------------------------------


def annotation(value: object) -> str:
    """A type annotation from the IR, checked to be one Python expression."""
    if not isinstance(value, str):
        raise RenderError(f"annotation must be a str, got {value!r}")
    try:
        ast.parse(value, mode="eval")
    except SyntaxError as exc:
        raise RenderError(f"not a valid annotation: {value!r}") from exc
    if "\n" in value or "\r" in value:
        raise RenderError(f"annotation spans lines: {value!r}")
    return value


def module_path(module: str, *, package: bool = False) -> str:
    """``"models.pet"`` -> ``"models/pet.py"``; a package module -> ``.../__init__.py``."""
    parts = [identifier(part) for part in module.split(".")] if module else []
    if package:
        return "/".join([*parts, "__init__.py"])
    if not parts:
        raise RenderError("a plain module needs a name")
    return "/".join(parts) + ".py"


def relative(from_module: str, target: str, *, from_package: bool = False) -> str:
    """The relative import path of ``target`` (package-relative) seen from ``from_module``."""
    parts = from_module.split(".") if from_module else []
    if not from_package:
        parts = parts[:-1]
    target_parts = target.split(".") if target else []
    common = 0
    while (
        common < len(parts) and common < len(target_parts) and parts[common] == target_parts[common]
    ):
        common += 1
    return "." * (len(parts) - common + 1) + ".".join(target_parts[common:])


def _optional(annotation_text: str) -> str:
    """``annotation_text`` allowing ``None`` (unless it already does)."""
    if annotation_text in ("Any", "None") or _top_level_none(annotation_text):
        return annotation_text
    return f"{annotation_text} | None"


def _top_level_none(text: str) -> bool:
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return False
    pending: list[ast.expr] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ast.BinOp) and isinstance(current.op, ast.BitOr):
            pending += [current.left, current.right]
        elif isinstance(current, ast.Constant) and current.value is None:
            return True
    return False


_THIRD_PARTY = frozenset(
    {"pydantic", "pydantic_core", "typing_extensions", "annotated_types", RUNTIME_PACKAGE}
)


def isort_key(name: str) -> tuple[int, str]:
    """isort's (and ruff's) order of imported names: CONSTANTS, Classes, functions."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


class ImportSet:
    """The imports of one generated module, printed sorted and grouped."""

    def __init__(self, module: str, *, package: bool = False, runtime: RuntimeMode) -> None:
        self.module = module
        self.package = package
        self.runtime = runtime
        self._external: dict[str, set[str]] = defaultdict(set)
        self._runtime: set[str] = set()
        self._local: dict[str, set[str]] = defaultdict(set)
        self.defined: set[str] = set()

    def external(self, module: str, *names: str) -> None:
        self._external[module].update(names)

    def runtime_names(self, *names: str) -> None:
        self._runtime.update(names)

    def local(self, module: str, *names: str) -> None:
        self._local[module].update(names)

    def add(self, imports: Iterable[Import]) -> None:
        for item in imports:
            if item.name in self.defined and not item.external and item.module == self.module:
                continue
            if item.external:
                self._external[item.module].add(identifier(item.name))
            elif item.module != self.module:
                self._local[item.module].add(identifier(item.name))

    def add_type(self, ref: TypeRef | None) -> None:
        if ref is not None:
            annotation(ref.annotation)
            self.add(ref.imports)

    def runtime_module(self) -> str:
        if self.runtime == "package":
            return RUNTIME_PACKAGE
        return relative(self.module, _VENDORED, from_package=self.package)

    def lines(self) -> list[str]:
        """The import lines, grouped as isort would: future, stdlib, third party, local."""
        future: list[str] = []
        plain: list[str] = []
        stdlib: list[str] = []
        third_party: list[str] = []
        local: list[str] = []
        for module in sorted(self._external):
            names = sorted(self._external[module] - self.defined, key=isort_key)
            if module == "__future__":
                future.append(f"from __future__ import {', '.join(names)}")
            elif module.startswith("import "):
                plain.append(module)
            elif names:
                group = third_party if module.split(".")[0] in _THIRD_PARTY else stdlib
                group.append(f"from {module} import {', '.join(names)}")
        stdlib = plain + stdlib  # ``import x`` lines before ``from x import y`` lines
        runtime_names = ", ".join(sorted(self._runtime, key=isort_key))
        runtime_line = (
            [f"from {self.runtime_module()} import {runtime_names}"] if self._runtime else []
        )
        (third_party if self.runtime == "package" else local).extend(runtime_line)
        local.extend(
            f"from {relative(self.module, module, from_package=self.package)} "
            f"import {', '.join(sorted(names - self.defined, key=isort_key))}"
            for module, names in sorted(self._local.items())
            if names - self.defined
        )
        out: list[str] = []
        for group in (future, stdlib, third_party, local):
            if group:
                if out:
                    out.append("")
                out.extend(group)
        return out


# -- views -----------------------------------------------------------------------


@dataclass
class FieldView:
    line: str
    description: str | None


@dataclass
class ClassView:
    kind: Literal["model", "enum", "alias"]
    name: str
    description: str | None
    bases: str = ""
    fields: list[FieldView] = field(default_factory=list)
    config: str = ""
    alias: str = ""


def _field_line(
    name: str, type_text: str, *, wire: str, required: bool, default: str | None
) -> str:
    args: list[str] = []
    value: str | None = None
    if default is not None:
        value = py_literal(default)
    elif not required:
        value = "None"
    if wire != name:
        if value is not None:
            args.append(f"default={value}")
        args.append(f"alias={py_str(wire)}")
        value = f"Field({', '.join(args)})"
    return f"{identifier(name)}: {annotation(type_text)}" + (f" = {value}" if value else "")


def _model_description(model: Model | EnumType | TypeAlias) -> str | None:
    parts = [model.description or ""]
    if getattr(model, "deprecated", False):
        parts.append("Deprecated.")
    text = "\n\n".join(part for part in parts if part)
    return text or None


def _model_view(model: Model, imports: ImportSet) -> ClassView:
    fields = []
    for item in model.fields:
        imports.add_type(item.type)
        notes = [item.description or ""]
        if item.deprecated:
            notes.append("Deprecated.")
        if item.read_only:
            notes.append("Read-only: sent by the server, ignored in requests.")
        if item.write_only:
            notes.append("Write-only: sent in requests, not returned.")
        fields.append(
            FieldView(
                line=_field_line(
                    item.python_name,
                    item.type.annotation,
                    wire=item.wire_name,
                    required=item.required,
                    default=item.default,
                ),
                description="\n\n".join(note for note in notes if note) or None,
            )
        )
    config = 'ConfigDict(populate_by_name=True, extra="ignore")'
    if model.extra is not None:
        imports.add_type(model.extra)
        config = 'ConfigDict(populate_by_name=True, extra="allow")'
        fields.append(
            FieldView(
                line=f"__pydantic_extra__: dict[str, {annotation(model.extra.annotation)}]"
                " = Field(init=False)",
                description=None,
            )
        )
    imports.external("pydantic", "BaseModel", "ConfigDict")
    if any("Field(" in view.line for view in fields):
        imports.external("pydantic", "Field")
    return ClassView(
        kind="model",
        name=identifier(model.name),
        description=_model_description(model),
        bases="BaseModel",
        fields=fields,
        config=config,
    )


def _enum_view(enum: EnumType, imports: ImportSet) -> ClassView:
    imports.external("enum", "Enum")
    imports.runtime_names("OpenEnum")
    if enum.value_type not in ("str", "int", "float"):
        raise RenderError(f"enum {enum.name}: unsupported value type {enum.value_type!r}")
    fields = [
        FieldView(
            line=f"{identifier(member.name)} = {py_literal(member.value)}",
            description=member.description,
        )
        for member in enum.members
    ]
    return ClassView(
        kind="enum",
        name=identifier(enum.name),
        description=_model_description(enum),
        bases=f"OpenEnum, {enum.value_type}, Enum",
        fields=fields,
    )


def _alias_view(alias: TypeAlias, imports: ImportSet) -> ClassView:
    imports.add_type(alias.target)
    imports.external("typing", "TypeAlias")
    target = annotation(alias.target.annotation)
    if alias.name in alias.target.models:  # recursive: must stay a forward reference
        target = py_str(target)
    return ClassView(
        kind="alias",
        name=identifier(alias.name),
        description=_model_description(alias),
        alias=target,
    )


def _ordered_aliases(aliases: list[TypeAlias]) -> list[TypeAlias]:
    """Aliases are evaluated at import: one that uses another of its module comes after it."""
    names = {alias.name for alias in aliases}
    done: list[TypeAlias] = []
    placed: set[str] = set()
    remaining = sorted(aliases, key=lambda alias: alias.name)
    while remaining:
        for alias in remaining:
            needs = (alias.target.models & names) - placed - {alias.name}
            if not needs:
                break
        else:  # a cycle between aliases: keep the sorted order
            alias = remaining[0]
        done.append(alias)
        placed.add(alias.name)
        remaining.remove(alias)
    return done


# -- operations ------------------------------------------------------------------


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
    signature: list[str]
    call_args: list[str]
    request_lines: list[str]
    pre_lines: list[str]
    errors: list[ErrorView]
    branches: list[BranchView]
    declared: str
    return_type: str
    deprecated: bool
    deprecation_message: str


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
    if parse == "model" and response.type is not None:
        imports.add_type(response.type)
        type_text = annotation(response.type.annotation)
        if type_text.isidentifier():
            return f"return {type_text}.model_validate_json(response.content)"
        parse = "adapter"
    if parse == "adapter" and response.type is not None:
        imports.add_type(response.type)
        imports.runtime_names("parse_json")
        imports.external("typing", "cast")
        type_text = annotation(response.type.annotation)
        return f"return cast({py_str(type_text)}, parse_json(response.content, {type_text}))"
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


def _url_expression(operation: Operation) -> str:
    by_wire = {p.wire_name: p for p in operation.located("path")}
    pieces = re.split(r"\{([^{}]*)\}", operation.path)
    out = []
    has_params = False
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            out.append(py_str(piece)[1:-1].replace("{", "{{").replace("}", "}}"))
            continue
        parameter = by_wire.get(piece)
        if parameter is None:
            out.append(py_str("{" + piece + "}")[1:-1].replace("{", "{{").replace("}", "}}"))
            continue
        has_params = True
        args = [identifier(parameter.python_name), repr(parameter.style)]
        if parameter.style == "matrix":
            args.append(f"name={py_str(parameter.wire_name)}".replace('"', "'"))
        out.append("{path_param(" + ", ".join(args) + ")}")
    text = "".join(out)
    return f'f"{text}"' if has_params else f'"{text}"'


def _parameter_signature(parameter: Parameter, imports: ImportSet) -> str:
    imports.add_type(parameter.type)
    name = identifier(parameter.python_name)
    type_text = annotation(parameter.type.annotation)
    if parameter.required and parameter.default is None:
        return f"{name}: {type_text}"
    default = py_literal(parameter.default) if parameter.default is not None else "None"
    if default == "None":
        type_text = _optional(type_text)
    return f"{name}: {type_text} = {default}"


def _operation_doc(operation: Operation) -> str:
    parts = []
    if operation.summary:
        parts.append(operation.summary.strip())
    if operation.description and operation.description.strip() != (operation.summary or "").strip():
        parts.append(operation.description.strip())
    if operation.deprecated:
        parts.append("Deprecated: this operation may be removed by the API.")
    described = [p for p in operation.parameters if p.description or p.deprecated]
    if described or (operation.body is not None and operation.body.description):
        lines = ["Args:"]
        for parameter in described:
            text = " ".join((parameter.description or "").split())
            if parameter.deprecated:
                text = f"(deprecated) {text}".strip()
            lines.append(f"    {parameter.python_name}: {text}")
        if operation.body is not None and operation.body.description:
            lines.append(
                f"    {operation.body.python_name}: {' '.join(operation.body.description.split())}"
            )
        parts.append("\n".join(lines))
    return "\n\n".join(parts) or f"{operation.method} {operation.path}"


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
        pairs = ", ".join(
            f"*query_param({py_str(p.wire_name)}, {identifier(p.python_name)}, {p.style!r})"
            for p in query
        )
        request_lines.append(f"params=[{pairs}],")
    header_entries = [
        f"{py_str(p.wire_name)}: header_param({identifier(p.python_name)}, {p.style!r})"
        for p in operation.located("header")
    ]
    if header_entries:
        imports.runtime_names("header_param")
    pre_lines: list[str] = []
    if body is not None:
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
            raise RenderError(
                f"{operation.python_name}: unsupported body encoding {body.encoding!r}"
            )
    if header_entries:
        imports.runtime_names("compact")
        request_lines.append(
            "headers={**compact({" + ", ".join(header_entries) + "}), **(headers or {})},"
        )
    else:
        request_lines.append("headers=dict(headers or {}),")
    cookies = operation.located("cookie")
    if cookies:
        imports.runtime_names("compact", "cookie_param")
        entries = ", ".join(
            f"{py_str(p.wire_name)}: cookie_param({identifier(p.python_name)}, {p.style!r})"
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


def _operation_view(operation: Operation, imports: ImportSet) -> OperationView:
    imports.external("__future__", "annotations")
    imports.external("collections.abc", "Mapping")
    imports.runtime_names("ApiClient", "ApiResponse", "HttpMethod", "HttpRequest", "HttpResponse")
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
            f"{name}: {type_text}" if body.required else f"{name}: {_optional(type_text)} = None"
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
        signature=signature,
        call_args=call_args,
        request_lines=request_lines,
        pre_lines=pre_lines,
        errors=errors,
        branches=branches,
        declared="{" + ", ".join(declared) + "}" if declared else "",
        return_type=annotation(operation.success_type.annotation),
        deprecated=operation.deprecated,
        deprecation_message=py_str(f"{operation.python_name} is deprecated"),
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


# -- the package -----------------------------------------------------------------


def _environment() -> jinja2.Environment:
    templates = resources.files("forgegen.templates")

    def load(name: str) -> str:
        return templates.joinpath(name).read_text(encoding="utf-8")

    # Autoescaping is for HTML; this generates Python, where every spec string
    # goes through an explicit filter from forgegen.escaping instead.
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        py_str=py_str,
        docstring=docstring,
        docblock=docblock,
        comment=comment,
        identifier=identifier,
        py_literal=py_literal,
        markdown=markdown,
        annotation=annotation,
    )
    return env


def runtime_sources() -> dict[str, str]:
    """The installed runtime package's ``.py`` files (name -> text), sorted by name."""
    package = resources.files(RUNTIME_PACKAGE)
    sources = {
        entry.name: entry.read_bytes().decode("utf-8")
        for entry in package.iterdir()
        if entry.name.endswith(".py") and entry.is_file()
    }
    return dict(sorted(sources.items()))


def _servers_default(api: Api) -> str:
    for server in api.servers:
        url = server.url.rstrip("/")
        if re.match(r"^https?://[^{}\s]+$", url):
            return url
    return ""


def _definitions_by_module(
    api: Api,
) -> dict[str, tuple[list[Model], list[EnumType], list[TypeAlias]]]:
    modules: dict[str, tuple[list[Model], list[EnumType], list[TypeAlias]]] = defaultdict(
        lambda: ([], [], [])
    )
    for model in api.models:
        modules[model.module][0].append(model)
    for enum in api.enums:
        modules[enum.module][1].append(enum)
    for alias in api.aliases:
        modules[alias.module][2].append(alias)
    return dict(sorted(modules.items()))


def _check_unique(kind: str, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise RenderError(f"two {kind} are named {name!r}")
        seen.add(name)


def render(
    api: Api,
    *,
    runtime: RuntimeMode = "vendored",
    spec_sha256: str = "",
    options: Mapping[str, object] | None = None,
) -> dict[str, str]:
    """Every file of the generated package, as ``{relative path: source text}``.

    ``spec_sha256`` and ``options`` go into ``.forgegen.json``; ``runtime``
    chooses between a vendored ``_runtime/`` copy and importing ``requestforge``.
    """
    if runtime not in ("vendored", "package"):
        raise RenderError(f"runtime must be 'vendored' or 'package', got {runtime!r}")
    identifier(api.package_name)
    env = _environment()
    files: dict[str, str] = {}

    def emit(path: str, text: str) -> None:
        if path in files:
            raise RenderError(f"two generated files would be written to {path!r}")
        files[path] = text

    definitions = _definitions_by_module(api)
    everything: list[Model | EnumType | TypeAlias] = [*api.models, *api.enums, *api.aliases]
    _check_unique("models, enums or aliases", [d.name for d in everything])
    _check_unique("tags", [tag.python_name for tag in api.tags])
    exports: dict[str, str] = {}
    for module, (models, enums, aliases) in definitions.items():
        defined: list[Model | EnumType | TypeAlias] = [*models, *enums, *aliases]
        imports = ImportSet(module, runtime=runtime)
        imports.external("__future__", "annotations")
        ordered_models = sorted(models, key=lambda m: m.name)
        imports.defined = {d.name for d in defined}
        classes = (
            [_enum_view(e, imports) for e in sorted(enums, key=lambda e: e.name)]
            + [_model_view(m, imports) for m in ordered_models]
            + [_alias_view(a, imports) for a in _ordered_aliases(aliases)]
        )
        rebuild = [
            m.name
            for m in ordered_models
            if len(ordered_models) > 1 or aliases or any(m.name in f.type.models for f in m.fields)
        ]
        pointers = sorted({d.pointer for d in defined if d.pointer})
        emit(
            module_path(module),
            env.get_template("model_module.py.jinja").render(
                pointers=pointers,
                imports=imports.lines(),
                classes=classes,
                rebuild=rebuild,
            ),
        )
        for definition in defined:
            exports[definition.name] = relative("models", module, from_package=True)

    emit(
        "models/__init__.py",
        env.get_template("models_init.py.jinja").render(
            exports=sorted(exports.items()), title=api.title
        ),
    )

    for tag in api.tags:
        _render_tag(env, emit, tag, runtime)
    emit(
        "api/__init__.py",
        env.get_template("api_init.py.jinja").render(
            title=api.title, tags=[(t.python_name, t.class_name) for t in api.tags]
        ),
    )

    client_imports = ImportSet("_client", runtime=runtime)
    client_imports.external("__future__", "annotations")
    client_imports.external("functools", "cached_property")
    client_imports.external("typing", "TYPE_CHECKING", "ClassVar")
    client_imports.runtime_names("ApiClient")
    emit(
        "_client.py",
        env.get_template("client.py.jinja").render(
            api=api,
            imports=client_imports.lines(),
            default_base_url=_servers_default(api),
            tags=[
                (
                    identifier(t.python_name),
                    identifier(t.class_name),
                    relative("_client", f"api.{t.python_name}"),
                    t,
                )
                for t in api.tags
            ],
            schemes=sorted(scheme.name for scheme in api.security_schemes),
        ),
    )
    errors_imports = ImportSet("errors", runtime=runtime)
    errors_imports.runtime_names(*_ERROR_NAMES)
    emit(
        "errors.py",
        env.get_template("errors.py.jinja").render(
            imports=errors_imports.lines(), names=_ERROR_NAMES
        ),
    )
    emit(
        "__init__.py",
        env.get_template("package_init.py.jinja").render(
            api=api,
            error_names=_ERROR_NAMES,
            exports=sorted([*_ERROR_NAMES, "Client", "__version__"], key=isort_key),
        ),
    )
    emit("py.typed", "")
    emit(
        "README.md",
        env.get_template("README.md.jinja").render(
            api=api, runtime=runtime, examples=_examples(api)
        ),
    )
    if runtime == "vendored":
        for name, text in runtime_sources().items():
            emit(f"{_VENDORED}/{name}", text)
    _add_package_inits(files)
    metadata = {
        "generator": "forgegen",
        "generator_version": __version__,
        "options": {"package_name": api.package_name, "runtime": runtime, **(options or {})},
        "spec_sha256": spec_sha256,
    }
    files[".forgegen.json"] = json.dumps(metadata, indent=2, sort_keys=True) + "\n"
    return dict(sorted(files.items()))


_ERROR_NAMES = (
    "ApiError",
    "BadRequestError",
    "ConflictError",
    "MissingCredentialsError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "UnauthorizedError",
    "UnprocessableEntityError",
)


def _render_tag(
    env: jinja2.Environment, emit: Callable[[str, str], None], tag: Tag, runtime: RuntimeMode
) -> None:
    resource_module = f"api.{identifier(tag.python_name)}"
    resource_imports = ImportSet(resource_module, package=True, runtime=runtime)
    resource_imports.external("__future__", "annotations")
    resource_imports.runtime_names("Endpoint", "Resource")
    _check_unique(f"operations of tag {tag.name!r}", [op.python_name for op in tag.operations])
    endpoints: list[tuple[str, str, str]] = []
    module_imports: list[str] = []
    for operation in tag.operations:
        imports = ImportSet(operation.module, runtime=runtime)
        view = _operation_view(operation, imports)
        emit(
            module_path(operation.module),
            env.get_template("operation.py.jinja").render(op=view, imports=imports.lines()),
        )
        parent, _, leaf = operation.module.rpartition(".")
        alias = f"_{identifier(leaf)}"
        source = relative(resource_module, parent, from_package=True)
        module_imports.append(f"from {source} import {leaf} as {alias}")
        endpoints.append((view.name, alias, (operation.summary or "").strip()))
    emit(
        module_path(resource_module, package=True),
        env.get_template("resource.py.jinja").render(
            tag=tag,
            imports=resource_imports.lines(),
            module_imports=sorted(module_imports),
            endpoints=endpoints,
        ),
    )


def _add_package_inits(files: dict[str, str]) -> None:
    directories: set[str] = set()
    for path in files:
        if not path.endswith(".py"):
            continue
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            directories.add("/".join(parts[:depth]))
    for directory in sorted(directories):
        init = f"{directory}/__init__.py"
        if init not in files:
            files[init] = '"""Generated by forgegen."""\n'


def _examples(api: Api) -> list[tuple[Tag, Operation, str]]:
    examples = []
    for tag in api.tags:
        for operation in tag.operations:
            args = []
            for parameter in operation.parameters:
                if parameter.required:
                    args.append(f"{parameter.python_name}=...")
            if operation.body is not None and operation.body.required:
                args.append(f"{operation.body.python_name}=...")
            call = f"client.{tag.python_name}.{operation.python_name}({', '.join(args)})"
            examples.append((tag, operation, call))
    return examples


def spec_digest(data: bytes) -> str:
    """The sha256 of the spec's bytes, as recorded in ``.forgegen.json``."""
    return hashlib.sha256(data).hexdigest()
