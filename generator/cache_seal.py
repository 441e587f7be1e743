"""Sealed cache entries: only what this user's forgegen wrote is read back.

Cached text goes into the generated package as it is, and cached template
bytecode is executed, so an entry that someone else put in the cache directory
(a spec bundle, a CI cache restored from another branch, a shared home) would
run their code at generation or when the client is imported.  Every entry is
therefore *sealed*: written as ``MAGIC``, an HMAC-SHA256 tag and the content,
the tag computed over the entry's kind, its cache key and its content with a
per-user secret.  Binding kind and key means a genuine entry moved to another
key's file (or read as another kind) fails like a forged one.

The secret is 32 random bytes in ``$XDG_STATE_HOME/forgegen/cache.key``
(``~/.local/state/forgegen/cache.key``): outside every cache directory, so
restoring, sharing or shipping a cache never ships the key.  A key file that is
not the user's own, or that group or others may read or write, is not used:
then no cache is read or written (see :func:`open_seal`).

Reading an entry also checks that the file is the current user's (``fstat`` of
the opened file) and a regular file.  An entry that fails a check is a miss --
the caller computes the content again and overwrites it -- and is counted by
kind and reason, so a run can say what it ignored (:meth:`CacheSeal.notes`).
"""

from __future__ import annotations

import contextvars
import errno
import hashlib
import hmac
import os
import secrets
import stat
import struct
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "KEY_BYTES",
    "CacheKeyError",
    "CacheSeal",
    "current_seal",
    "default_key_path",
    "load_key",
    "make_private_dirs",
    "open_seal",
    "sealing",
]

#: Every sealed entry starts with this; a file without it was not written by this scheme.
MAGIC = b"forgegen-sealed-1\n"
TAG_BYTES = hashlib.sha256().digest_size
KEY_BYTES = 32

#: How each kind of entry is named in a note: (one, many).
_LABELS = {
    "format": ("format-cache entry", "format-cache entries"),
    "snapshot": ("regeneration snapshot", "regeneration snapshots"),
    "bytecode": ("template bytecode entry", "template bytecode entries"),
}
#: Why an entry was ignored, as said in a note: (of one, of many).
_REASONS = {
    "forged": ("that failed authentication",) * 2,
    "unsealed": ("with no seal (written by an older forgegen, or not by forgegen)",) * 2,
    "foreign": ("owned by another user",) * 2,
    "special": ("that is not a regular file", "that are not regular files"),
}


class CacheKeyError(Exception):
    """The key file cannot be used; the message says why and what to do."""


def default_key_path() -> Path:
    """``$XDG_STATE_HOME/forgegen/cache.key`` (a relative ``XDG_STATE_HOME`` is ignored,
    as the XDG spec asks), else ``~/.local/state/forgegen/cache.key``."""
    base = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "forgegen" / "cache.key"


def make_private_dirs(directory: Path) -> None:
    """Create ``directory`` and its missing parents with mode 0700.

    Only directories created here are chmodded (the umask may have taken bits
    away, never added them); existing ones, such as a user's ``--cache-dir`` and
    its parents, keep their mode.
    """
    if directory.is_dir():
        return
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue  # made meanwhile by another process: not ours to chmod
        os.chmod(path, 0o700)


def _read_key(path: Path) -> bytes:
    """The key in ``path`` after checking owner, mode and size; raises ``CacheKeyError``."""
    # O_NONBLOCK: a FIFO planted in place of the key must not hang the run.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise CacheKeyError(f"key file {path} is not a regular file")
        if info.st_uid != os.getuid():
            raise CacheKeyError(f"key file {path} is not owned by you (delete it for a new one)")
        if info.st_mode & 0o077:
            raise CacheKeyError(
                f"key file {path} is readable or writable by group or others"
                " (chmod 600 it, or delete it for a new one)"
            )
        key = stream.read(KEY_BYTES + 1)
    if len(key) != KEY_BYTES:
        raise CacheKeyError(f"key file {path} does not hold {KEY_BYTES} bytes (delete it)")
    return key


def _create_key(path: Path) -> None:
    """Publish a new key at ``path`` unless one is there; losing a race is fine.

    The key is written to a private temporary file first and then hard-linked
    into place, which fails if ``path`` exists: the file appears complete or not
    at all, and of two processes creating it at once both end up reading the
    winner's.  Where hard links are not supported the key is written through
    ``O_CREAT | O_EXCL`` directly (a racing reader may then see it short for a
    moment; :func:`load_key` retries).
    """
    make_private_dirs(path.parent)
    key = secrets.token_bytes(KEY_BYTES)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-key-")  # mode 0600
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(key)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
                raise
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return
            with os.fdopen(fd, "wb") as stream:
                stream.write(key)
    finally:
        os.unlink(temporary)


def load_key(path: Path | None = None) -> bytes:
    """The user's cache key (``path`` defaults to :func:`default_key_path`), created when missing.

    Raises :class:`CacheKeyError` when the file is unusable or cannot be made.
    """
    path = path if path is not None else default_key_path()
    for attempt in range(5):
        try:
            return _read_key(path)
        except FileNotFoundError:
            try:
                _create_key(path)
            except OSError as error:
                raise CacheKeyError(
                    f"cannot create key file {path} ({error.strerror or error})"
                ) from error
        except CacheKeyError:
            # A key being written through the O_EXCL fallback is short for a moment.
            if attempt == 4 or not _is_short(path):
                raise
            time.sleep(0.02)
        except OSError as error:
            raise CacheKeyError(
                f"cannot read key file {path} ({error.strerror or error})"
            ) from error
    raise CacheKeyError(f"key file {path} keeps changing")


def _is_short(path: Path) -> bool:
    try:
        return path.stat().st_size < KEY_BYTES
    except OSError:
        return False


class CacheSeal:
    """Seals and opens cache entries with one key; tallies the entries it refused."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a cache key is {KEY_BYTES} bytes")
        self._key = key
        #: (kind, reason, directory) -> how many entries were ignored
        self.rejected: Counter[tuple[str, str, str]] = Counter()

    def _tag(self, kind: str, name: str, content: bytes | memoryview) -> bytes:
        mac = hmac.new(self._key, digestmod=hashlib.sha256)
        for part in (kind.encode(), name.encode()):
            # Length-prefixed, so no (kind, name) pair can be spelt as another.
            mac.update(struct.pack(">I", len(part)))
            mac.update(part)
        mac.update(content)
        return mac.digest()

    def seal(self, kind: str, name: str, content: bytes) -> bytes:
        """The bytes of an entry holding ``content`` as ``kind``'s entry ``name``."""
        return MAGIC + self._tag(kind, name, content) + content

    def unseal(self, kind: str, name: str, data: bytes, where: Path | str = "") -> bytes | None:
        """The content of entry ``data`` if this key sealed it as ``kind``'s ``name``; else
        ``None``, counted against ``where`` (the directory named in the note)."""
        start = len(MAGIC) + TAG_BYTES
        return self._verified(kind, name, data[:start], data[start:], where)

    def _verified(
        self, kind: str, name: str, head: bytes, content: bytes, where: Path | str
    ) -> bytes | None:
        if not head or not (head.startswith(MAGIC) or MAGIC.startswith(head)):
            self.rejected[kind, "unsealed", str(where)] += 1
            return None
        # Shorter than a seal (a truncated entry) fails here too.
        if not hmac.compare_digest(self._tag(kind, name, content), head[len(MAGIC) :]):
            self.rejected[kind, "forged", str(where)] += 1
            return None
        return content

    def read(self, kind: str, name: str, path: Path, where: Path | str = "") -> bytes | None:
        """The content of the entry file ``path``, or ``None``: missing (not counted),
        unreadable, not the user's, not a regular file or not sealed by this key."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None
        with open(fd, "rb", buffering=0) as stream:
            try:
                info = os.fstat(stream.fileno())
                if not stat.S_ISREG(info.st_mode):
                    self.rejected[kind, "special", str(where)] += 1
                    return None
                if info.st_uid != os.getuid():
                    self.rejected[kind, "foreign", str(where)] += 1
                    return None
                # Head and content apart: a snapshot is megabytes, not worth a copy.
                head = stream.read(len(MAGIC) + TAG_BYTES)
                content = stream.readall()
            except OSError:
                return None
        return self._verified(kind, name, head, content, where)

    def write(self, kind: str, name: str, path: Path, content: bytes) -> None:
        """Write the sealed entry atomically (mode 0600, directories 0700); a cache that
        cannot be written only costs time."""
        try:
            make_private_dirs(path.parent)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(MAGIC)
                    stream.write(self._tag(kind, name, content))
                    stream.write(content)
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return

    def notes(self) -> list[str]:
        """One line per (kind, reason, directory) of ignored entries, for ``--verbose``."""
        lines = []
        for (kind, reason, where), count in sorted(self.rejected.items()):
            index = 0 if count == 1 else 1
            label = _LABELS.get(kind, (f"{kind} entry", f"{kind} entries"))[index]
            place = f" (cache dir {where})" if where else ""
            lines.append(f"cache: ignored {count} {label} {_REASONS[reason][index]}{place}")
        return lines


def open_seal(key_path: Path | None = None) -> CacheSeal | str:
    """A seal with the user's key, or the note saying why no cache can be used."""
    try:
        return CacheSeal(load_key(key_path))
    except CacheKeyError as error:
        return f"cache: not used this run: {error}"


_active: contextvars.ContextVar[CacheSeal | None] = contextvars.ContextVar(
    "forgegen_cache_seal", default=None
)


@contextmanager
def sealing(seal: CacheSeal) -> Iterator[CacheSeal]:
    """Within the block, :func:`current_seal` is ``seal``: how a generation hands its seal
    (and so its tally) to code it calls without a seal parameter."""
    token = _active.set(seal)
    try:
        yield seal
    finally:
        _active.reset(token)


def current_seal() -> CacheSeal | None:
    """The seal of the generation in progress, else a new one with the user's key
    (``None`` when the key file is unusable: then use no cache)."""
    active = _active.get()
    if active is not None:
        return active
    opened = open_seal()
    return opened if isinstance(opened, CacheSeal) else None
