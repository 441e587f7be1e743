"""Shared by the renderer's modules: checked annotations, module paths, imports.

Every generated module's imports are collected in an :class:`ImportSet` and
printed relative to the module (``from ...models.pet import Pet``), so the
package works under any parent package.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from .escaping import identifier, py_str
from .ir import RUNTIME_MODULE, Import, TypeRef
from .layout import import_line, layout_call

__all__ = [
    "RUNTIME_PACKAGE",
    "VENDORED_RUNTIME",
    "ImportSet",
    "RenderError",
    "RuntimeMode",
    "annotation",
    "isort_key",
    "module_path",
    "optional_type",
    "relative",
]

RuntimeMode = Literal["vendored", "package"]
RUNTIME_PACKAGE = "requestforge"
VENDORED_RUNTIME = "_runtime"


class RenderError(ValueError):
    """The IR cannot be rendered (a bug in ``lower`` or a hand-built IR)."""


def annotation(value: object) -> str:
    """A type annotation from the IR, checked to be one Python expression."""
    if not isinstance(value, str):
        raise RenderError(f"annotation must be a str, got {value!r}")
    return _checked_annotation(value)


@functools.lru_cache(maxsize=16384)
def _checked_annotation(value: str) -> str:
    # Cached: a big spec renders ~20,000 annotations but only a few thousand
    # distinct ones, and parsing each again cost ~0.15 s of a GitHub render.
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


def optional_type(annotation_text: str) -> str:
    """``annotation_text`` allowing ``None`` (unless it already does)."""
    if annotation_text in ("Any", "None") or _top_level_none(annotation_text):
        return annotation_text
    return f"{annotation_text} | None"


@functools.lru_cache(maxsize=16384)
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


def _relative_order(module: str) -> tuple[int, str]:
    """isort's order of relative modules: furthest parent first, then by name, ignoring case."""
    dots = len(module) - len(module.lstrip("."))
    return (-dots, module[dots:].lower())


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
        self._runtime_for_typing: set[str] = set()
        self._local_for_typing: dict[str, set[str]] = defaultdict(set)
        self._lazy_siblings: set[tuple[str, str]] = set()  # (module name, alias)
        self._local: dict[str, set[str]] = defaultdict(set)
        self.defined: set[str] = set()

    def external(self, module: str, *names: str) -> None:
        self._external[module].update(names)

    def runtime_names(self, *names: str) -> None:
        self._runtime.update(names)

    def runtime_names_for_typing(self, *names: str) -> None:
        """Runtime names used only in annotations: imported under ``if TYPE_CHECKING:``.

        The async client's names are annotations in every operation module; importing
        them for real would load the async runtime for sync-only users.
        """
        self.external("typing", "TYPE_CHECKING")
        self._runtime_for_typing.update(names)

    def local_for_typing(self, module: str, *names: str) -> None:
        """Package-relative names only annotations use (``if TYPE_CHECKING:``)."""
        self.external("typing", "TYPE_CHECKING")
        self._local_for_typing[module].update(names)

    def local(self, module: str, *names: str) -> None:
        self._local[module].update(names)

    def lazy_sibling(self, name: str, alias: str) -> None:
        """The sibling module ``name`` as ``alias``: really imported for type checkers only.

        At run time ``alias`` is a ``LazyOperation`` that imports the module when
        first used, written in the ``else:`` of the ``if TYPE_CHECKING:`` block
        (a resource binds its tag's operations this way; see the runtime's
        ``lazy_operations``).
        """
        self.external("typing", "TYPE_CHECKING")
        self.runtime_names("LazyOperation")
        self._lazy_siblings.add((name, alias))

    def add(self, imports: Iterable[Import]) -> None:
        for item in imports:
            if not item.external and item.module == RUNTIME_MODULE:
                # A runtime name in a type (DateOrDateTime): from the vendored copy
                # or the installed requestforge, as the package is generated.
                self.runtime_names(item.name)
                continue
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
        return relative(self.module, VENDORED_RUNTIME, from_package=self.package)

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
                group.append(import_line(module, names))
        stdlib = plain + stdlib  # ``import x`` lines before ``from x import y`` lines
        package_runtime = self.runtime == "package"
        if self._runtime and package_runtime:
            third_party.append(
                import_line(self.runtime_module(), sorted(self._runtime, key=isort_key))
            )
        local = self._relative_lines(
            self._local, set() if package_runtime else self._runtime, set(), 0
        )
        out = _joined_groups([future, stdlib, third_party, local])
        # Names only annotations use, in the same groups under ``if TYPE_CHECKING:``.
        typing_runtime = self._runtime_for_typing - self._runtime
        typing_third_party = (
            [import_line(self.runtime_module(), sorted(typing_runtime, key=isort_key), 4)]
            if typing_runtime and package_runtime
            else []
        )
        parent = self.module if self.package else self.module.rpartition(".")[0]
        lazy = {(parent, name, alias) for name, alias in self._lazy_siblings}
        typing_local = self._relative_lines(
            self._local_for_typing, set() if package_runtime else typing_runtime, lazy, 4
        )
        typing = _joined_groups([typing_third_party, typing_local])
        if typing:
            out += ["", "if TYPE_CHECKING:", *(f"    {line}" if line else "" for line in typing)]
        if lazy:
            out.append("else:")
            out += [
                "    "
                + layout_call(f"{alias} = LazyOperation", ["__package__", py_str(name)], "", 4)
                for name, alias in sorted(self._lazy_siblings, key=lambda item: item[1])
            ]
        return out

    def _relative_lines(
        self,
        modules: Mapping[str, set[str]],
        runtime_names: set[str],
        aliases: set[tuple[str, str, str]],
        indent: int,
    ) -> list[str]:
        """The package-relative imports, in isort's order (furthest parent first)."""
        entries: list[tuple[str, list[str]]] = []  # (module, names) of one import line each
        for module, names in modules.items():
            wanted = sorted(names - self.defined, key=isort_key)
            if wanted:
                entries.append((relative(self.module, module, from_package=self.package), wanted))
        if runtime_names:
            entries.append((self.runtime_module(), sorted(runtime_names, key=isort_key)))
        for module, name, alias in aliases:
            entries.append(
                (relative(self.module, module, from_package=self.package), [f"{name} as {alias}"])
            )
        entries.sort(key=lambda entry: (_relative_order(entry[0]), entry[1]))
        return [import_line(module, names, indent) for module, names in entries]


def _joined_groups(groups: Sequence[list[str]]) -> list[str]:
    """The non-empty groups of lines, a blank line between each."""
    out: list[str] = []
    for group in groups:
        if group:
            if out:
                out.append("")
            out.extend(group)
    return out
