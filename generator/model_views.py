"""Views of models, enums and aliases: what ``model_module.py.jinja`` prints."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

from .codegen import ImportSet, RenderError, annotation
from .escaping import identifier, py_literal, py_str
from .ir import EnumType, Model, ModelField, TypeAlias

__all__ = ["ClassView", "FieldView", "alias_view", "enum_view", "model_view", "ordered_aliases"]


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


#: Constructors a default may call (lower's default writer uses no others).
_CONSTRUCTORS = frozenset({"date", "time", "datetime", "UUID"})


def _constant_arguments(call: ast.Call, kinds: tuple[type, ...]) -> bool:
    return not call.keywords and all(
        isinstance(arg, ast.Constant) and type(arg.value) in kinds for arg in call.args
    )


def _safe_default(node: ast.expr) -> bool:
    """Literal data as :func:`py_literal` accepts it, plus the typed values of defaults.

    ``date(2024, 1, 2)``, ``UUID("...")``, ``datetime.fromisoformat("...")``
    and ``Pet.model_validate({...})`` of literal data, inside lists, tuples
    and dicts: still nothing but data, so a spec cannot smuggle code in.
    """
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in _CONSTRUCTORS:
            return _constant_arguments(node, (int, str))
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.attr == "fromisoformat" and func.value.id in ("datetime", "time"):
                return len(node.args) == 1 and _constant_arguments(node, (str,))
            if func.attr == "model_validate" and func.value.id.isidentifier():
                if node.keywords or len(node.args) != 1:
                    return False
                return _is_literal(node.args[0])
    if isinstance(node, ast.List | ast.Tuple):
        return all(_safe_default(item) for item in node.elts)
    if isinstance(node, ast.Dict):
        return all(
            isinstance(key, ast.Constant) and isinstance(key.value, str) and _safe_default(value)
            for key, value in zip(node.keys, node.values, strict=True)
        )
    return _is_literal(node)


def _is_literal(node: ast.expr) -> bool:
    try:
        py_literal(ast.unparse(node))
    except ValueError:
        return False
    return True


def default_source(source: str) -> str:
    """A field default the IR wrote, checked to be data (``ValueError`` if it is not)."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise ValueError(f"not a default value: {source!r}") from exc
    if "\n" in source or not _safe_default(tree.body):
        raise ValueError(f"not a default value: {source!r}")
    return source.strip()


def _factory(source: str) -> str:
    """What ``Field(default_factory=...)`` calls to build a fresh ``source``."""
    if source == "[]":
        return "list"
    if source == "{}":
        return "dict"
    return f"lambda: {source}"


def _field_line(name: str, type_text: str, *, wire: str, item: ModelField) -> str:
    args: list[str] = []
    value: str | None = None
    if item.default is not None and item.default_factory:
        args.append(f"default_factory={_factory(default_source(item.default))}")
    elif item.default is not None:
        value = default_source(item.default)
    elif not item.required:
        value = "None"
    if wire != name or args:
        if value is not None:
            args.append(f"default={value}")
        if wire != name:
            args.append(f"alias={py_str(wire)}")
        value = f"Field({', '.join(args)})"
    return f"{identifier(name)}: {annotation(type_text)}" + (f" = {value}" if value else "")


def _model_description(model: Model | EnumType | TypeAlias) -> str | None:
    parts = [model.description or ""]
    if getattr(model, "deprecated", False):
        parts.append("Deprecated.")
    text = "\n\n".join(part for part in parts if part)
    return text or None


def model_view(model: Model, imports: ImportSet) -> ClassView:
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
                    item.python_name, item.type.annotation, wire=item.wire_name, item=item
                ),
                description="\n\n".join(note for note in notes if note) or None,
            )
        )
    # The shared settings live on the runtime's ApiModel; only "allow" differs.
    config = ""
    if model.extra is not None:
        imports.add_type(model.extra)
        imports.external("pydantic", "ConfigDict")
        config = 'ConfigDict(extra="allow")'
        fields.append(
            FieldView(
                line=f"__pydantic_extra__: dict[str, {annotation(model.extra.annotation)}]"
                " = Field(init=False)",
                description=None,
            )
        )
    imports.runtime_names("ApiModel")
    if any("Field(" in view.line for view in fields):
        imports.external("pydantic", "Field")
    return ClassView(
        kind="model",
        name=identifier(model.name),
        description=_model_description(model),
        bases="ApiModel",
        fields=fields,
        config=config,
    )


def enum_view(enum: EnumType, imports: ImportSet) -> ClassView:
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


def alias_view(alias: TypeAlias, imports: ImportSet) -> ClassView:
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


def ordered_aliases(aliases: list[TypeAlias]) -> list[TypeAlias]:
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
