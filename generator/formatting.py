"""Format: black, in-process, with fixed settings, a content-hash cache and a process pool.

Every user gets the same bytes for the same input: the mode is fixed here
(line length 100, Python 3.10+ targets) and never read from the user's
configuration.  black costs ~4,500 lines/s per core, so:

* generated files go through :mod:`forgegen.long_statements`: the templates
  emit black's layout themselves (:mod:`forgegen.layout`), and black runs only
  on the statements still longer than the line length -- the result is what
  black gives on the whole file (``exact=True`` runs black on whole files, and
  tests compare the two);
* a file whose formatted text is cached (keyed by the sha256 of its input,
  black's version and the mode) is not formatted again -- regenerating after a
  small spec change re-formats only the files that changed.  A cached text is
  copied into the generated package as it is, so each entry is sealed with the
  user's key (:mod:`forgegen.cache_seal`): an entry this user's forgegen did not
  write for that very key is a miss, formatted again and overwritten;
* much uncached work is spread over a ``ProcessPoolExecutor``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from .cache_seal import CacheSeal, current_seal
from .layout import LINE_LENGTH
from .long_statements import format_batch

if TYPE_CHECKING:
    from black.mode import Mode

__all__ = [
    "FormatError",
    "FormatStats",
    "black_mode",
    "default_cache_dir",
    "format_source",
    "format_sources",
]

#: The settings black runs with; part of the cache key.  black itself (~80 ms
#: to import) is imported only when something is left to format, so a
#: regeneration served from the cache never loads it.
MODE_DESCRIPTION = (
    f"line_length={LINE_LENGTH} target=py310 string_normalization magic_trailing_comma"
)


@cache
def black_mode() -> Mode:
    """black's mode for generated code: fixed here, never read from the user's configuration."""
    from black.mode import Mode, TargetVersion  # noqa: PLC0415 -- see MODE_DESCRIPTION

    return Mode(
        target_versions={TargetVersion.PY310},
        line_length=LINE_LENGTH,
        string_normalization=True,
        magic_trailing_comma=True,
    )


@cache
def black_version() -> str:
    """The installed black's version (part of every format cache key).

    Read from the ``black-<version>.dist-info`` directory beside the package when
    there is exactly one: ``importlib.metadata`` costs ~25 ms to import, a
    noticeable share of a warm regeneration.
    """
    spec = importlib.util.find_spec("black")
    if spec is not None and spec.origin is not None:
        site = Path(spec.origin).parent.parent
        found = [p.name for p in site.glob("black-*.dist-info")]
        if len(found) == 1:
            return found[0][len("black-") : -len(".dist-info")]
    from importlib import metadata  # noqa: PLC0415 - the general (slower) way

    return metadata.version("black")


#: Below this many uncached lines a pool costs more (worker start-up) than it saves.
PARALLEL_MIN_LINES = 12_000
#: Files per task handed to a worker: one black call formats a chunk's long statements.
CHUNK_FILES = 48


class FormatError(ValueError):
    """black could not parse a generated file: a generator bug, reported with the file."""


@dataclass
class FormatStats:
    """What one :func:`format_sources` call did (for progress output and tests)."""

    files: int = 0
    cached: int = 0
    formatted: int = 0
    lines_formatted: int = 0
    workers: int = 1


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/forgegen/black`` (``~/.cache/forgegen/black``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "forgegen" / "black"


#: Part of the cache key: bump when :mod:`forgegen.long_statements` changes what it gives.
FORMATTER_REVISION = "statements-1"


def _cache_key(source: str, exact: bool) -> str:
    digest = hashlib.sha256()
    digest.update(black_version().encode())
    digest.update(b"\0")
    digest.update(MODE_DESCRIPTION.encode())
    digest.update(b"\0")
    digest.update(b"exact" if exact else FORMATTER_REVISION.encode())
    digest.update(b"\0")
    digest.update(source.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def format_source(source: str, path: str = "<generated>") -> str:
    """``source`` formatted by black with the fixed :func:`black_mode`."""
    import black  # noqa: PLC0415 -- see MODE_DESCRIPTION

    try:
        return black.format_str(source, mode=black_mode())
    except Exception as exc:  # black raises InvalidInput and friends
        raise FormatError(f"black cannot format generated file {path}: {exc}") from exc


def _format_chunk(chunk: tuple[list[tuple[str, str]], bool]) -> list[tuple[str, str]]:
    """One worker task: whole files through black (``exact``) or their long statements."""
    items, exact = chunk
    if exact:
        return [(path, format_source(source, path)) for path, source in items]
    return format_batch(
        items, line_length=LINE_LENGTH, black_format=format_source, whole_file=format_source
    )


#: The kind that format-cache entries are sealed as.
SEAL_KIND = "format"


def _entry(cache_dir: Path, key: str) -> Path:
    return cache_dir / key[:2] / key


def _read_cache(seal: CacheSeal | None, cache_dir: Path, key: str) -> str | None:
    if seal is None:
        return None
    data = seal.read(SEAL_KIND, key, _entry(cache_dir, key), where=cache_dir)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # sealed by this key, so not reached unless the code changed
        return None


def _write_cache(seal: CacheSeal | None, cache_dir: Path, key: str, text: str) -> None:
    if seal is not None:
        seal.write(SEAL_KIND, key, _entry(cache_dir, key), text.encode("utf-8"))


def format_sources(
    files: Mapping[str, str],
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    workers: int | None = None,
    stats: FormatStats | None = None,
    exact: bool = False,
    seal: CacheSeal | None = None,
) -> dict[str, str]:
    """``files`` with every ``.py`` file black-formatted; other files unchanged.

    By default a file is assumed to be template output, black's layout except
    for over-long statements (see the module docstring); ``exact=True`` runs
    black on whole files, for any input.  ``cache_dir`` defaults to
    :func:`default_cache_dir`; ``use_cache=False`` formats everything.
    ``seal`` authenticates the entries (default: :func:`~forgegen.cache_seal.current_seal`;
    when the user's key is unusable nothing is cached).  ``workers`` caps the
    process pool (default: CPU count).
    """
    stats = stats if stats is not None else FormatStats()
    cache = cache_dir or default_cache_dir()
    seal = (seal or current_seal()) if use_cache else None
    result: dict[str, str] = dict(files)
    pending: list[tuple[str, str]] = []
    keys: dict[str, str] = {}
    for path, source in files.items():
        if not path.endswith(".py"):
            continue
        stats.files += 1
        key = _cache_key(source, exact)
        cached = _read_cache(seal, cache, key)
        if cached is not None:
            result[path] = cached
            stats.cached += 1
            continue
        keys[path] = key
        pending.append((path, source))
    lines = sum(source.count("\n") for _, source in pending)
    stats.lines_formatted += lines
    stats.formatted += len(pending)
    available = workers if workers is not None else (os.cpu_count() or 1)
    parallel = min(available, len(pending))
    # Biggest first, so one large module does not finish last on its own.
    pending.sort(key=lambda item: (-len(item[1]), item[0]))
    size = CHUNK_FILES if not exact else 4
    chunks = [(pending[start : start + size], exact) for start in range(0, len(pending), size)]
    formatted: list[tuple[str, str]] = []
    if parallel > 1 and lines >= PARALLEL_MIN_LINES * (1 if exact else 4):
        stats.workers = parallel
        try:
            with ProcessPoolExecutor(max_workers=parallel, mp_context=get_context("spawn")) as pool:
                for done in pool.map(_format_chunk, chunks):
                    formatted.extend(done)
        except BrokenProcessPool:
            # A spawned worker re-imports the caller's main module; a script that
            # calls generate() at top level (no ``if __name__ == "__main__":``)
            # makes every worker die starting up.  Format here instead: slower,
            # never wrong.
            stats.workers = 1
            formatted = [item for chunk in chunks for item in _format_chunk(chunk)]
    else:
        for chunk in chunks:
            formatted.extend(_format_chunk(chunk))
    for path, text in formatted:
        result[path] = text
        _write_cache(seal, cache, keys[path], text)
    return result
