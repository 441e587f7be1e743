"""Write: the generated files into the output directory, all at once or not at all.

Everything is written into a temporary sibling of the output directory, which
is then swapped in (old renamed away, new renamed in, old deleted): a failure
at any point leaves the previous output as it was.  When only a few files of a
large tree change (a regeneration after a spec edit), just those are replaced,
through a journal: the new versions are written aside, the old ones moved into
a backup, the new ones moved in -- and any failure moves everything back.  Both
ways, a failed write leaves the old output as it was.  ``check=True`` writes
nothing and reports what would change.

Paths come from a spec (untrusted), so each one is validated: relative, no
``..``, no empty or ``.`` parts, no backslashes or NUL, and never through a
symlink.  A non-empty directory that forgeen did not write (no
``.forgegen.json``) is refused unless ``force=True``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

__all__ = [
    "MARKER",
    "Changes",
    "OutputError",
    "UnsafePathError",
    "compare",
    "validate_path",
    "write_files",
]

MARKER = ".forgegen.json"
#: Directories that appear in an output directory by using it, not by generating it.
_IGNORED_DIRS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})


class OutputError(Exception):
    """The output directory cannot be written as asked (not ours, not a directory, ...)."""


class UnsafePathError(OutputError):
    """A generated path would leave the output directory."""


@dataclass
class Changes:
    """What writing would change (or changed), as sorted relative paths."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.modified)

    def lines(self) -> list[str]:
        """``+ path`` / ``- path`` / ``~ path``, sorted by path."""
        marked = [
            *(("+", p) for p in self.added),
            *(("-", p) for p in self.removed),
            *(("~", p) for p in self.modified),
        ]
        return [f"{mark} {path}" for mark, path in sorted(marked, key=lambda item: item[1])]


_BACKSLASH_OR_CONTROL = re.compile(r"[\\\x00-\x1f]")


def validate_path(path: str) -> PurePosixPath:
    """``path`` as a safe relative path inside the output, or :class:`UnsafePathError`."""
    if not isinstance(path, str) or not path:
        raise UnsafePathError(f"empty or non-text output path {path!r}")
    if _BACKSLASH_OR_CONTROL.search(path):
        raise UnsafePathError(f"output path {path!r} has a backslash or control character")
    pure = PurePosixPath(path)
    if pure.is_absolute() or path.startswith("/"):
        raise UnsafePathError(f"output path {path!r} is absolute")
    raw_parts = path.split("/")
    if any(part in ("", ".", "..") for part in raw_parts):
        raise UnsafePathError(f"output path {path!r} has an empty, '.' or '..' part")
    if len(raw_parts[0]) >= 2 and raw_parts[0][1] == ":":  # a Windows drive
        raise UnsafePathError(f"output path {path!r} names a drive")
    return pure


def _encode(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


def _existing_files(root: Path) -> dict[str, Path]:
    """The regular files under ``root`` (symlinks are listed, never followed)."""
    found: dict[str, Path] = {}
    if not root.is_dir():
        return found
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _IGNORED_DIRS)
        base = Path(directory)
        for name in filenames:
            if name.endswith((".pyc", ".pyo")):
                continue
            full = base / name
            found[full.relative_to(root).as_posix()] = full
        for name in dirnames:  # a symlinked directory is one entry, not a tree
            full = base / name
            if full.is_symlink():
                found[full.relative_to(root).as_posix()] = full
    return found


def compare(out_dir: Path, files: Mapping[str, str | bytes]) -> Changes:
    """How ``out_dir`` differs from ``files`` (symlinks always count as different)."""
    for path in files:
        validate_path(path)
    return _compare(_existing_files(Path(out_dir)), files)


def _compare(existing: Mapping[str, Path], files: Mapping[str, str | bytes]) -> Changes:
    changes = Changes()
    for path in sorted(files):
        current = existing.get(path)
        if current is None:
            changes.added.append(path)
        elif current.is_symlink() or current.read_bytes() != _encode(files[path]):
            changes.modified.append(path)
    changes.removed = sorted(set(existing) - set(files))
    return changes


def _check_target(out_dir: Path, *, force: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} exists and is not a directory")
    ours = (out_dir / MARKER).is_file()
    if out_dir.is_dir() and not ours and not force and any(out_dir.iterdir()):
        raise OutputError(
            f"{out_dir} is not empty and was not generated by forgegen (no {MARKER}); "
            "pass --force to replace it"
        )


_PARALLEL_WRITES_MIN = 64
_WRITE_THREADS = 4


def _write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    resolved_root = root.resolve()
    # Each directory is created and checked once, not once per file: resolving
    # a path costs a system call per component, ~1,900 files times over.
    checked: set[Path] = set()
    targets: list[tuple[Path, str]] = []
    for path in sorted(files):
        target = root.joinpath(*validate_path(path).parts)
        directory = target.parent
        if directory not in checked:
            _make_directory(directory, resolved_root, path)
            checked.add(directory)
        targets.append((target, path))
    if len(targets) < _PARALLEL_WRITES_MIN:
        for target, path in targets:
            _write_file(target, _encode(files[path]))
        return
    # Creating a file waits on the file system, not the CPU (0.2-0.7 ms each
    # on this machine's disk): a few threads overlap those waits.
    with ThreadPoolExecutor(max_workers=_WRITE_THREADS) as pool:
        for future in [
            pool.submit(_write_file, target, _encode(files[path])) for target, path in targets
        ]:
            future.result()


def _make_directory(directory: Path, resolved_root: Path, path: str) -> None:
    """Create ``directory`` for output ``path``, refusing one that resolves outside the root."""
    directory.mkdir(parents=True, exist_ok=True)
    if not directory.resolve().is_relative_to(resolved_root):
        raise UnsafePathError(f"output path {path!r} leaves the output directory")


def _write_file(target: Path, data: bytes) -> None:
    # O_EXCL|O_NOFOLLOW: never write through something that appeared in between.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(target, flags, 0o644)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)


def write_files(
    out_dir: Path | str,
    files: Mapping[str, str | bytes],
    *,
    check: bool = False,
    force: bool = False,
) -> Changes:
    """Make ``out_dir`` hold exactly ``files``; return what changed.

    With ``check=True`` nothing is written and the return value lists what would
    change.  If ``out_dir`` is a symlink to a directory, that directory is
    replaced and the link kept.
    """
    for path in files:
        validate_path(path)
    target = Path(out_dir)
    if target.is_symlink():
        target = target.resolve()
    target = Path(os.path.abspath(target))
    _check_target(target, force=force)
    existing = _existing_files(target)  # walked once: compared, then checked for symlinks
    changes = _compare(existing, files)
    if check or (not changes.changed and target.is_dir()):
        return changes
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    if _few_changes(target, files, changes, existing):
        _replace_in_place(target, files, changes)
        return changes
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.forgegen-new-", dir=parent))
    try:
        os.chmod(staging, 0o755)  # noqa: S103 -- mkdtemp's 0o700 would stick to the output
        _write_tree(staging, files)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, target)
    return changes


#: In-place replacement pays off when the tree is large and few of its files change.
_IN_PLACE_MIN_FILES = 64
_IN_PLACE_MAX_SHARE = 8  # at most one changed file in eight


def _few_changes(
    target: Path, files: Mapping[str, str | bytes], changes: Changes, existing: Mapping[str, Path]
) -> bool:
    """Whether to replace only the changed files (else the whole tree is swapped)."""
    changed = len(changes.added) + len(changes.modified) + len(changes.removed)
    if not target.is_dir() or len(files) < _IN_PLACE_MIN_FILES:
        return False
    if changed * _IN_PLACE_MAX_SHARE > len(files):
        return False
    # A symlink anywhere in the old tree could redirect an in-place write: swap instead.
    return not any(path.is_symlink() for path in existing.values())


def _replace_in_place(target: Path, files: Mapping[str, str | bytes], changes: Changes) -> None:
    """Replace the changed files of ``target`` through a journal that is undone on failure."""
    new_paths = sorted([*changes.added, *changes.modified])
    old_paths = sorted([*changes.modified, *changes.removed])
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.forgegen-new-", dir=target.parent))
    backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.forgegen-old-", dir=target.parent))
    moved_away: list[tuple[Path, Path]] = []  # (original place, backup place)
    placed: list[Path] = []
    created: list[Path] = []  # directories this update made, undone on failure
    resolved_root = target.resolve()
    try:
        for index, path in enumerate(new_paths):
            _write_file(staging / str(index), _encode(files[path]))
        for index, path in enumerate(old_paths):
            original = target.joinpath(*validate_path(path).parts)
            os.rename(original, backup / str(index))
            moved_away.append((original, backup / str(index)))
        for index, path in enumerate(new_paths):
            destination = target.joinpath(*validate_path(path).parts)
            # recorded first: a refused directory is removed with the rest on rollback
            created.extend(reversed([d for d in destination.parents if not d.exists()]))
            _make_directory(destination.parent, resolved_root, path)
            os.rename(staging / str(index), destination)
            placed.append(destination)
    except BaseException:
        for destination in reversed(placed):
            destination.unlink(missing_ok=True)
        for original, saved in reversed(moved_away):
            os.rename(saved, original)
        for directory in reversed(created):
            shutil.rmtree(directory, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(backup, ignore_errors=True)
    _prune_empty_directories(target, changes.removed)


def _prune_empty_directories(root: Path, removed: list[str]) -> None:
    """Drop directories that removing files emptied (tool caches do not keep them alive)."""
    candidates = {parent for path in removed for parent in PurePosixPath(path).parents}
    for relative in sorted(candidates, key=lambda p: len(p.parts), reverse=True):
        if not relative.parts:
            continue
        directory = root.joinpath(*relative.parts)
        if not directory.is_dir() or directory.is_symlink():
            continue
        if all(entry.name in _IGNORED_DIRS for entry in directory.iterdir()):
            shutil.rmtree(directory)


def _swap(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.forgegen-old-", dir=target.parent))
    os.rmdir(retired)  # only the unique name is wanted
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired, target)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)
