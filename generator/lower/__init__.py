"""lower: the validated OpenAPI document -> the :mod:`forgegen.ir` of a client.

This is the only stage that decides names, Python types, model/union/enum
shapes and auth wiring (DESIGN.md section 2).  Its input is what the front end
produces: the ``openapi_pydantic`` 3.1 model and the same document as a plain
dict (local ``#/components/...`` refs only, 3.0 already up-converted).

Sources: the dict is read for everything addressed by a JSON pointer (paths,
components, security) -- it keeps the spec's key order, which decides names
and the order of generated code, and maps one-to-one onto the pointers our
warnings name; the pydantic model supplies the validated ``info`` scalars.

Order of the result (equal input -> equal ``Api``, hence identical output):

* tags: the spec's top-level ``tags`` order, then order of first use; tags
  without operations are left out; untagged operations go to ``default``;
* operations within a tag: path order, then method order (get, put, post,
  delete, options, head, patch, trace);
* models, enums and aliases: sorted by class name;
* security schemes and servers: the spec's order.

Names are claimed in a fixed order as well: component schemas (sorted by key),
then tags, then operations with their inline schemas and error classes.

Modules, one job each: :mod:`.naming` (identifiers), :mod:`.literals`
(Python literal source), :mod:`.document` (typed dict access, ``$ref``),
:mod:`.shapes` (null/allOf/shape questions on schema dicts), :mod:`.types`
(annotation building), :mod:`.enums`, :mod:`.discriminators`,
:mod:`.schemas` (schema -> type, models/enums/aliases), :mod:`.modules`
(cycles share a module; imports), :mod:`.media` (content types),
:mod:`.operations`, :mod:`.security`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostics, join_pointer
from ..ir import Api, Operation, Parameter, RequestBody, Response, Server, Tag
from ..prose import prose
from .document import as_map
from .import_depth import bound_import_depth
from .modules import (
    assign_modules,
    break_alias_cycles,
    place,
    resolve_alias_chains,
    with_imports,
)
from .naming import TAG_RESERVED, NameScope, pascal_case, shorten, snake_case
from .operations import OperationLowerer, collect_operations
from .pagination import with_pagination
from .schemas import SchemaLowerer
from .security import lower_security_schemes
from .webhooks import collect_webhooks, lower_webhooks, place_webhooks

if TYPE_CHECKING:
    from openapi_pydantic.v3.v3_1 import OpenAPI

__all__ = ["lower"]


def _servers(document: Mapping[str, Any]) -> tuple[Server, ...]:
    """Servers with ``{variable}`` placeholders replaced by their defaults.

    The IR's ``Server.url`` is a usable URL; the variables' alternatives are a
    documentation matter the spec's description can carry.
    """
    result = []
    for index, entry in enumerate(document.get("servers") or []):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("url"), str):
            continue
        url: str = entry["url"]
        for name, variable in (entry.get("variables") or {}).items():
            if isinstance(variable, Mapping) and "default" in variable:
                url = url.replace("{" + str(name) + "}", str(variable["default"]))
        result.append(Server(url, prose(entry, "description", f"#/servers/{index}")))
    return tuple(result)


def _tag_order(document: Mapping[str, Any], used: list[str]) -> list[str]:
    declared = [
        entry["name"]
        for entry in document.get("tags") or []
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str)
    ]
    order = [name for name in declared if name in used]
    order += [name for name in dict.fromkeys(used) if name not in order]
    return order


def _tag_descriptions(document: Mapping[str, Any]) -> dict[str, str]:
    result: dict[str, str] = {}
    for index, entry in enumerate(document.get("tags") or []):
        if isinstance(entry, Mapping):
            description = prose(entry, "description", f"#/tags/{index}")
            if description is not None:
                result.setdefault(str(entry.get("name")), description)
    return result


def _place_operation(operation: Operation, modules: Mapping[str, str]) -> Operation:
    def param(item: Parameter) -> Parameter:
        return replace(item, type=with_imports(item.type, modules))

    def body(item: RequestBody | None) -> RequestBody | None:
        if item is None:
            return None
        return replace(item, type=with_imports(item.type, modules))

    def response(item: Response) -> Response:
        typed = None if item.type is None else with_imports(item.type, modules)
        stream = item.event_stream
        if stream is not None:
            stream = replace(stream, type=with_imports(stream.type, modules))
        return replace(item, type=typed, event_stream=stream)

    return replace(
        operation,
        parameters=tuple(param(p) for p in operation.parameters),
        body=body(operation.body),
        responses=tuple(response(r) for r in operation.responses),
        success_type=with_imports(operation.success_type, modules),
    )


def lower(
    openapi: OpenAPI | None,
    document: Mapping[str, Any],
    *,
    package_name: str,
    diagnostics: Diagnostics,
    pagination_rule: Mapping[str, Any] | None = None,
) -> Api:
    """The IR of the client for ``document``.

    ``pagination_rule``: the user's document-wide ``x-forgegen-pagination`` rule
    (``[tool.forgegen.pagination]``), used instead of the document's own.

    ``openapi`` is the same document as openapi-pydantic's model when the caller
    has it; ``None`` when validation runs in the background (generation checks
    its verdict before writing), and then ``info`` is read from ``document``.

    Raises :class:`SpecError` for a ``$ref`` that does not resolve; everything
    else that cannot be typed degrades to ``Any`` with a warning in
    ``diagnostics`` (also listed in ``Api.warnings``).
    """
    first_warning = len(diagnostics.warnings)
    schemas = SchemaLowerer(document, diagnostics)
    schemas.name_components()
    schemes = lower_security_schemes(document, diagnostics)

    raw_operations = collect_operations(document, diagnostics)
    tag_scope = NameScope(reserved=TAG_RESERVED)
    tag_names: dict[str, tuple[str, str]] = {}
    for tag in _tag_order(document, [raw.tag for raw in raw_operations]):
        python_name = tag_scope.take(shorten(snake_case(tag, fallback="default")))
        class_name = schemas.class_names.take(pascal_case(tag, fallback="Default") + "Api")
        tag_names[tag] = (python_name, class_name)

    schemas.lower_components()
    # every declared scheme, supported or not: an unsupported one was warned about already
    declared_schemes = frozenset(
        str(key) for key in as_map(as_map(document.get("components")).get("securitySchemes"))
    )
    lowerer = OperationLowerer(document, schemas, diagnostics, declared_schemes)
    operation_scopes = {
        tag: NameScope(reserved=("client", "with_raw_response")) for tag in tag_names
    }
    by_tag: dict[str, list[tuple[Operation, Mapping[str, Any]]]] = {tag: [] for tag in tag_names}
    # A duplicate operationId breaks the spec's own rules but is common in real
    # specs the user cannot fix: the later operation gets a suffixed name (by the
    # name scope) and a warning, instead of failing generation (issue 7).
    first_seen: dict[str, str] = {}
    for raw in raw_operations:
        operation_id = raw.node.get("operationId")
        if isinstance(operation_id, str):
            if operation_id in first_seen:
                diagnostics.warn(
                    f"duplicate operationId {operation_id!r} (first at {first_seen[operation_id]});"
                    " this operation gets a numbered name",
                    join_pointer(raw.pointer, "operationId"),
                )
            else:
                first_seen[operation_id] = raw.pointer
        source = operation_id if isinstance(operation_id, str) else f"{raw.method} {raw.path}"
        candidate = shorten(snake_case(source, fallback="operation"))
        python_name = operation_scopes[raw.tag].take(candidate)
        tag_python = tag_names[raw.tag][0]
        module = f"api.{tag_python}.{python_name}"
        by_tag[raw.tag].append((lowerer.lower(raw, python_name, tag_python, module), raw.node))
    webhook_payloads = lower_webhooks(collect_webhooks(document), schemas, document, diagnostics)

    schemas.promote_recursive_maps()
    aliases = resolve_alias_chains(break_alias_cycles(schemas.aliases, diagnostics))
    models = sorted(schemas.models(), key=lambda m: m.name)
    enums = sorted(schemas.enums.values(), key=lambda e: e.name)
    alias_list = sorted(aliases.values(), key=lambda a: a.name)
    models, alias_list = bound_import_depth(models, alias_list, diagnostics)
    modules = assign_modules(models, enums, alias_list)
    models, enums, alias_list = place(models, enums, alias_list, modules)

    descriptions = _tag_descriptions(document)
    models_by_name = {model.name: model for model in models}
    aliases_by_name = {alias.name: alias for alias in alias_list}
    tags = tuple(
        Tag(
            name=tag,
            python_name=python_name,
            class_name=class_name,
            operations=tuple(
                with_pagination(
                    _place_operation(op, modules),
                    node,
                    document=document,
                    models=models_by_name,
                    diagnostics=diagnostics,
                    aliases=aliases_by_name,
                    rule=pagination_rule,
                )
                for op, node in by_tag[tag]
            ),
            description=descriptions.get(tag),
        )
        for tag, (python_name, class_name) in tag_names.items()
    )
    if openapi is not None:
        title, version, description = (
            openapi.info.title,
            openapi.info.version,
            openapi.info.description,
        )
    else:
        info = as_map(document.get("info"))
        title, version = str(info.get("title", "")), str(info.get("version", ""))
        description = prose(info, "description", "#/info")
    return Api(
        package_name=package_name,
        title=title,
        version=version,
        description=description,
        servers=_servers(document),
        security_schemes=schemes,
        tags=tags,
        models=tuple(models),
        enums=tuple(enums),
        aliases=tuple(alias_list),
        warnings=tuple(str(w) for w in diagnostics.warnings[first_warning:]),
        webhooks=place_webhooks(
            webhook_payloads, document, modules, frozenset(model.name for model in models)
        ),
    )
