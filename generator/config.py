"""Where options come from: the command line, ``--config``, and the user's own project.

A spec is someone else's data, and so is the folder it arrives in (a vendor's
SDK repository, a submodule, a tarball).  Options that make forgegen fetch URLs
(``allow-remote-refs``) or read and write outside the output directory
(``cache-dir``) must therefore never come from that folder: a
``pyproject.toml`` lying beside a spec could otherwise turn a generation into
requests against the user's network, or point it at a cache the bundle ships.

So ``[tool.forgegen]`` is read from exactly one file: the one given with
``--config``, or else the pyproject.toml of the project forgegen runs in -- the
nearest one from the current directory upward, not above the repository root
(the first directory holding ``.git`` or ``.hg``).  A ``[tool.forgegen]`` table
beside the spec that is not that file is reported (:func:`ignored_spec_config`)
and never applied.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from .limits import Limits

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

__all__ = ["ConfigError", "find_project_config", "ignored_spec_config", "load_config"]

#: ``[tool.forgegen]`` keys and the option each one sets.
CONFIG_KEYS = {
    "spec": "spec",
    "output": "output",
    "package-name": "package_name",
    "package_name": "package_name",
    "runtime": "runtime",
    "allow-remote-refs": "allow_remote_refs",
    "allow_remote_refs": "allow_remote_refs",
    "cache-dir": "cache_dir",
    "cache_dir": "cache_dir",
    "pagination": "pagination",
    "overlays": "overlays",
    "strict": "strict",
    "layout": "layout",
    "project-version": "project_version",
    "project_version": "project_version",
}
#: The resource limits (``max-nodes = 500000``): a user with a truly huge spec
#: raises them for the project once instead of on every command line.
LIMIT_KEYS = {
    spelling: limit.name
    for limit in fields(Limits)
    for spelling in (limit.name.replace("_", "-"), limit.name)
}
CONFIG_KEYS.update(LIMIT_KEYS)

#: Directories that end the upward search: the root of the user's repository.
_REPOSITORY_MARKERS = (".git", ".hg")


class ConfigError(ValueError):
    """A config file that cannot be used as written (the message names the file)."""


def find_project_config(start: Path) -> Path | None:
    """The pyproject.toml of the project that ``start`` is in, or ``None``.

    The nearest ``pyproject.toml`` from ``start`` upward; the search stops at
    the repository root, so a checkout never picks up a file above itself.
    """
    directory = start.resolve()
    for candidate in (directory, *directory.parents):
        config = candidate / "pyproject.toml"
        if config.is_file():
            return config
        if any((candidate / marker).exists() for marker in _REPOSITORY_MARKERS):
            return None
    return None


def _forgegen_table(path: Path) -> object:
    """``[tool.forgegen]`` of ``path`` (``None`` when absent); raises ConfigError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    tool = data.get("tool")
    return tool.get("forgegen") if isinstance(tool, Mapping) else None


def ignored_spec_config(spec: Path, used: Path | None) -> Path | None:
    """The pyproject.toml beside ``spec`` when it has ``[tool.forgegen]`` but is not ``used``.

    Such a file belongs to the spec's folder, not to the user; it is reported so
    that nobody wonders why its options did nothing.  A file that cannot be
    parsed is not worth a report: it is ignored either way.
    """
    beside = spec.parent / "pyproject.toml"
    if not beside.is_file():
        return None
    if used is not None and beside.resolve() == used.resolve():
        return None
    try:
        table = _forgegen_table(beside)
    except ConfigError:
        return None
    return beside if table is not None else None


def load_config(path: Path, *, required: bool) -> dict[str, Any]:
    """The ``[tool.forgegen]`` table of ``path`` as option names -> values.

    Relative paths in it (``spec``, ``output``, ``cache-dir``, ``overlays``) are relative
    to the file.
    A missing file is an empty config unless ``required``.  Raises
    :class:`ConfigError` for a file that cannot be read or has unknown keys.
    """
    if not path.is_file():
        if required:
            raise ConfigError(f"config file {path} does not exist")
        return {}
    table = _forgegen_table(path)
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise ConfigError(f"{path}: [tool.forgegen] must be a table")
    options: dict[str, Any] = {}
    for key, value in table.items():
        option = CONFIG_KEYS.get(key)
        if option is None:
            known = ", ".join(sorted(k for k in CONFIG_KEYS if "_" not in k))
            raise ConfigError(f"{path}: unknown [tool.forgegen] key {key!r} (known: {known})")
        if option in ("spec", "output", "cache_dir"):
            if not isinstance(value, str):
                raise ConfigError(f"{path}: {key} must be a string")
            options[option] = path.parent / value
            continue
        if option == "overlays":
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ConfigError(f"{path}: overlays must be a list of file paths")
            options[option] = [path.parent / item for item in value]
            continue
        if option == "pagination" and not isinstance(value, Mapping):
            raise ConfigError(f"{path}: [tool.forgegen.pagination] must be a table")
        if option in ("allow_remote_refs", "strict") and not isinstance(value, bool):
            raise ConfigError(f"{path}: {key} must be true or false")
        elif option == "layout" and value not in ("package", "project"):
            raise ConfigError(f"{path}: layout must be 'package' or 'project'")
        elif option in ("package_name", "runtime", "project_version") and not isinstance(
            value, str
        ):
            raise ConfigError(f"{path}: {key} must be a string")
        elif option in LIMIT_KEYS.values() and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            raise ConfigError(f"{path}: {key} must be a positive integer")
        options[option] = value
    return options
