"""A file that uses every part of a generated client, for mypy to judge another version by.

``forgegen diff`` claims what breaks calling code; the type checker is the
judge.  :func:`usage_file` writes, from the IR of the OLD client, one typed
function per operation (called with only its required arguments, its result
assigned to the old return type, then once per argument), per model (every
field read into its old type, the model built from its required fields, one
argument a line), per enum (every member named), a local import of every
error class, and ``Client`` called with every credential keyword.  Against the
OLD package it type-checks; against the NEW one each mypy error falls on a
line whose symbol (:attr:`Probe.symbols`) is one ``forgegen diff`` uses, so
:func:`explains` can match errors and reported changes both ways.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

from forgegen.ir import Api, Import, Operation, TypeRef

__all__ = ["Probe", "candidates", "usage_file"]


@dataclass
class Probe:
    """The probe's lines and, for a line that exercises one symbol, that symbol."""

    package: str
    external: set[str] = field(default_factory=set)
    local: dict[str, str] = field(default_factory=dict)  # import line -> symbol
    body: list[tuple[str, str | None]] = field(default_factory=list)
    #: "Model.WireName" -> "Model.python_name": mypy's messages name constructor
    #: arguments by alias, the report by attribute
    aliases: dict[str, str] = field(default_factory=dict)

    def add(self, line: str, symbol: str | None = None) -> None:
        self.body.append((line, symbol))

    def use(self, ref: TypeRef) -> str:
        """``ref``'s annotation, its imports recorded."""
        for item in ref.imports:
            self.need(item)
        return ref.annotation

    def need(self, item: Import) -> None:
        if item.external:
            self.external.add(f"from {item.module} import {item.name}")
        else:
            line = f"from {self.package}.{item.module} import {item.name}"
            self.local[line] = f"models.{item.name}"

    def render(self) -> tuple[str, dict[int, str]]:
        """The file's text, and its 1-based line numbers -> symbols."""
        lines: list[tuple[str, str | None]] = [
            ("from __future__ import annotations", None),
            ("", None),
        ]
        lines += [(line, None) for line in sorted(self.external)]
        lines += [(f"from {self.package} import Client", None)]
        lines += [(line, self.local[line]) for line in sorted(self.local)]
        lines += [("", None), ("", None), *self.body]
        symbols = {number: symbol for number, (_, symbol) in enumerate(lines, 1) if symbol}
        return "\n".join(line for line, _ in lines) + "\n", symbols


def usage_file(api: Api, package: str) -> Probe:
    """The probe of ``api``'s client, imported as ``package``."""
    probe = Probe(package)
    for tag in api.tags:
        for operation in tag.operations:
            _operation(probe, tag.python_name, operation)
    for model in api.models:
        probe.need(Import(model.module, model.name))
        for item in model.fields:
            probe.aliases[f"{model.name}.{item.wire_name}"] = f"{model.name}.{item.python_name}"
        arguments = [f"f_{f.python_name}: {probe.use(f.type)}" for f in model.fields]
        keywords = ", ".join(arguments or ["x: None"])
        probe.add(f"def use_{model.name}(model: {model.name}, *, {keywords}) -> None:")
        for item in model.fields:
            symbol = f"models.{model.name}.{item.python_name}"
            probe.add(
                f"    v_{item.python_name}: {probe.use(item.type)} = model.{item.python_name}",
                symbol,
            )
            probe.add(f"    print(v_{item.python_name})")
        # The constructor takes each field by its alias (pydantic's dataclass
        # transform): a required field whose alias is no identifier can only be
        # given through model_validate, so such a model is not built here.
        required = [item for item in model.fields if item.required]
        if all(_keyword(item.wire_name) for item in required):
            probe.add(f"    {model.name}(", f"models.{model.name}")
            for item in required:
                symbol = f"models.{model.name}.{item.python_name}"
                probe.add(f"        {item.wire_name}=f_{item.python_name},", symbol)
            probe.add("    )")
            given = [f"{item.wire_name}=f_{item.python_name}" for item in required]
            for item in model.fields:
                if not item.required and _keyword(item.wire_name):
                    call = ", ".join([*given, f"{item.wire_name}=f_{item.python_name}"])
                    probe.add(
                        f"    {model.name}({call})", f"models.{model.name}.{item.python_name}"
                    )
        probe.add("")
    for enum in api.enums:
        probe.need(Import(enum.module, enum.name))
        probe.add(f"def use_{enum.name}() -> None:")
        for member in enum.members:
            probe.add(f"    print({enum.name}.{member.name})", f"models.{enum.name}.{member.name}")
        probe.add("")
    credentials = sorted({name for s in api.security_schemes for _, name in s.parameters})
    probe.add("def use_client() -> None:")
    for credential in credentials:
        probe.add(f"    Client({credential}=None)", f"Client({credential}=...)")
    probe.add("    print()")
    return probe


def _keyword(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _operation(probe: Probe, tag: str, operation: Operation) -> None:
    method = f"client.{tag}.{operation.python_name}"
    arguments = [(p.python_name, probe.use(p.type), p.required) for p in operation.parameters]
    if operation.body is not None:
        body = operation.body
        arguments.append(("body", probe.use(body.type), body.required))
    signature = ", ".join(f"a_{name}: {annotation}" for name, annotation, _ in arguments)
    function = f"use_{tag}_{operation.python_name}"
    probe.add(f"def {function}(client: Client, *, {signature or 'x: None'}) -> None:")
    required = [name for name, _, needed in arguments if needed]
    call = ", ".join(f"{name}=a_{name}" for name in required)
    probe.add(f"    result: {probe.use(operation.success_type)} = {method}({call})", f"{method}()")
    probe.add("    print(result)")
    for name, _, _ in arguments:
        others = [f"{other}=a_{other}" for other in required if other != name]
        call = ", ".join([*others, f"{name}=a_{name}"])
        probe.add(f"    {method}({call})", f"{method}({name}=...)")
    for response in operation.responses:
        if response.error_class:
            symbol = f"{operation.module}.{response.error_class}"
            module = f"{probe.package}.{operation.module}"
            probe.add(f"    from {module} import {response.error_class}", symbol)
            probe.add(f"    print({response.error_class})")
    probe.add("")


_QUOTED = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"')


def candidates(symbol: str | None, message: str, aliases: dict[str, str]) -> set[str]:
    """The report symbols a mypy error at a line of ``symbol`` may be about.

    The line's own symbol, and the names the message quotes read as a
    parameter of the line's method (``Missing named argument "limit"``), a
    field of its model (by attribute, or by alias through ``aliases``), or a
    model.
    """
    found: set[str] = set()
    quoted = _QUOTED.findall(message)
    if symbol is not None:
        found.add(symbol)
        method = symbol.split("(", 1)[0]
        parts = symbol.split(".")
        model = parts[1] if parts[0] == "models" and len(parts) > 1 else None
        for name in quoted:
            found.add(f"{method}({name}=...)")
            found.add(f"{symbol}.{name}")
            if model is not None:
                found.add("models." + aliases.get(f"{model}.{name}", f"{model}.{name}"))
    found.update(f"models.{name}" for name in quoted)
    return found
