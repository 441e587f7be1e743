"""Views of models, enums and aliases: what ``model_module.py.jinja`` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .codegen import ImportSet, RenderError, annotation
from .escaping import identifier, py_literal, py_str
from .ir import EnumType, Model, TypeAlias

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
                    item.python_name,
                    item.type.annotation,
                    wire=item.wire_name,
                    required=item.required,
                    default=item.default,
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
