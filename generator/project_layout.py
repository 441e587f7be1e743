"""``--layout project``: an installable project around the generated package.

A team that would rather build a wheel of its client than vendor it needs a
``pyproject.toml``: the package under ``src/``, its version, and its
dependencies -- exactly the distributions the generated code imports, with
bounds, found by reading the imports of every generated module:

* a distribution imported at module level by a module the sync client loads
  is a dependency;
* one imported only inside a function, or only by the async client's
  modules, is an optional extra named for what needs it (``async``,
  ``redis``, ``webhooks``).

An import of a third-party module forgegen does not know is an error: the
project would not install what its code needs.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from . import __version__
from .codegen import RenderError

__all__ = ["ProjectInfo", "dependencies_of", "project_files"]

#: Top-level module -> (requirement with bounds, extra it belongs to when optional).
KNOWN_DISTRIBUTIONS: dict[str, tuple[str, str]] = {
    "pydantic": ("pydantic>=2.6,<3", "core"),
    # pydantic pins the pydantic-core it was built with: requiring pydantic is the
    # only bound that cannot conflict with it.
    "pydantic_core": ("pydantic>=2.6,<3", "core"),
    "requests": ("requests>=2.31,<3", "core"),
    "urllib3": ("urllib3>=2,<3", "core"),
    "certifi": ("certifi>=2023.7.22", "core"),
    "typing_extensions": ("typing-extensions>=4.6", "core"),
    "httpx": ("httpx>=0.27,<1", "async"),
    "sniffio": ("sniffio>=1.3,<2", "async"),
    "redis": ("redis>=5,<8", "redis"),
    "standardwebhooks": ("standardwebhooks>=1.1,<2", "webhooks"),
    "flask": ("Flask>=3.0", "flask"),
    "django": ("Django>=4.2", "django"),
    "requestforge": (f"forgegen=={__version__}", "core"),
}
# Modules only the async client loads: what they import is the "async" extra.
_ASYNC_MODULES = re.compile(r"(^|/)_?async[^/]*\.py$")
# The runtime's framework integrations, imported only by an app that uses one.
_INTEGRATION = re.compile(r"(^|/)integrations/(\w+)\.py$")
_PEP440 = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")


@dataclass(frozen=True)
class ProjectInfo:
    """What the project's metadata says: its distribution name, version and summary."""

    distribution: str
    version: str
    summary: str


def _imports(source: str) -> tuple[set[str], set[str]]:
    """Top-level modules ``source`` imports: (at module level, only inside functions).

    Imports under ``if TYPE_CHECKING:`` never run and are not counted.
    """
    tree = ast.parse(source)
    module_level: set[str] = set()
    nested: set[str] = set()

    def names(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name.split(".")[0] for alias in node.names]
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            return [node.module.split(".")[0]]
        return []

    def visit(node: ast.AST, inside_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for orelse in child.orelse:
                    visit_one(orelse, inside_function)
                continue
            visit_one(child, inside_function)

    def visit_one(child: ast.AST, inside_function: bool) -> None:
        found = names(child)
        (nested if inside_function else module_level).update(found)
        functions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
        visit(child, inside_function or isinstance(child, functions))

    visit(tree, False)
    return module_level, nested - module_level


def dependencies_of(files: Mapping[str, str]) -> tuple[list[str], dict[str, list[str]]]:
    """The requirements and extras the generated ``files`` (path -> source) import."""
    required: set[str] = set()
    extras: dict[str, set[str]] = {}
    stdlib = sys.stdlib_module_names
    for path, source in sorted(files.items()):
        if not path.endswith(".py"):
            continue
        module_level, nested = _imports(source)
        for name, optional in [(n, False) for n in module_level] + [(n, True) for n in nested]:
            if name in stdlib or name == "__future__":
                continue
            if name not in KNOWN_DISTRIBUTIONS:
                raise RenderError(
                    f"{path} imports {name!r}, which no known distribution provides; "
                    "the project could not declare it"
                )
            requirement, extra = KNOWN_DISTRIBUTIONS[name]
            integration = _INTEGRATION.search(path)
            if integration is not None:
                extra = integration.group(2) if extra == "core" or optional else extra
            elif _ASYNC_MODULES.search(path) and extra == "core":
                extra = "async"
            if extra == "core" and not optional:
                required.add(requirement)
            else:
                extras.setdefault("async" if extra == "core" else extra, set()).add(requirement)
    optional_extras = {
        extra: sorted(requirements - required) for extra, requirements in sorted(extras.items())
    }
    return sorted(required), {extra: reqs for extra, reqs in optional_extras.items() if reqs}


def distribution_name(directory_name: str) -> str:
    """The project's distribution name: the output directory's name, normalised (PEP 503)."""
    return re.sub(r"[-_.]+", "-", directory_name).lower()


def project_version(spec_version: str, override: str | None) -> str:
    """``override``, else the spec's ``info.version`` when PEP 440 accepts it, else an error."""
    version = override if override is not None else spec_version.strip().removeprefix("v")
    if not _PEP440.match(version):
        source = "--project-version" if override is not None else "the spec's info.version"
        leading = re.match(r"\d+(\.\d+)*", version)
        example = leading.group(0) if leading else "1.0.0"
        raise RenderError(
            f"{source} {version!r} is not a PEP 440 version; pass --project-version {example}"
        )
    return version


def project_files(
    package_files: Mapping[str, str], package: str, info: ProjectInfo, marker: str
) -> dict[str, str]:
    """The package's files under ``src/<package>/``, with a pyproject.toml and README around them.

    ``marker`` (``.forgegen.json``) stays at the top: it marks the whole
    project as forgegen's output.
    """
    files = {
        (path if path == marker else f"src/{package}/{path}"): text
        for path, text in package_files.items()
    }
    required, extras = dependencies_of(package_files)
    files["pyproject.toml"] = _pyproject(info, required, extras)
    files["README.md"] = package_files.get("README.md", f"# {info.distribution}\n")
    return dict(sorted(files.items()))


def _toml_str(text: str) -> str:
    """``text`` as a TOML basic string (JSON's escapes are TOML's; surrogates cannot be)."""
    clean = text.encode("utf-8", "replace").decode("utf-8")
    return json.dumps(" ".join(clean.split()), ensure_ascii=False)


def _toml_list(items: list[str], indent: str = "    ") -> str:
    if not items:
        return "[]"
    return "[\n" + "".join(f"{indent}{_toml_str(item)},\n" for item in items) + "]"


def _pyproject(info: ProjectInfo, required: list[str], extras: dict[str, list[str]]) -> str:
    lines = [
        "[build-system]",
        'requires = ["setuptools>=61"]',  # PEP 621 metadata
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        f"name = {_toml_str(info.distribution)}",
        f"version = {_toml_str(info.version)}",
        f"description = {_toml_str(info.summary)}",
        'readme = "README.md"',
        'requires-python = ">=3.10"',
        f"dependencies = {_toml_list(required)}",
    ]
    if extras:
        lines += ["", "[project.optional-dependencies]"]
        lines += [f"{extra} = {_toml_list(requirements)}" for extra, requirements in extras.items()]
    lines += [
        "",
        "[tool.setuptools.packages.find]",
        'where = ["src"]',
        "",
        "[tool.setuptools.package-data]",
        '"*" = ["py.typed", "README.md"]',
    ]
    return "\n".join(lines) + "\n"
