"""Cache entries someone else wrote are never used: not copied into a client, not executed.

Each poisoning test fills a cache with a real generation of the petstore spec,
then replaces entries of every kind the cache holds -- format-cache texts, the
regeneration snapshot (its render-memo texts and its pickled IR) and Jinja's
template bytecode -- with code that writes a marker file: unsealed, sealed
under another user's key, sealed with the right key but for another entry,
truncated, owned by another user, not a regular file.  The regeneration must
give exactly the files of a ``--no-cache`` run, write no marker (at generation
nor at import of the client) and say what it ignored in ``result.notes``.

Every test points ``XDG_STATE_HOME`` at its own directory, so each has its own key.
"""

from __future__ import annotations

import builtins
import os
import pickle
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
from click.testing import CliRunner
from forgegen import cache_seal, incremental
from forgegen.cache_seal import KEY_BYTES, MAGIC, TAG_BYTES, CacheSeal, load_key
from forgegen.cli import main
from forgegen.incremental import Snapshot, SnapshotStore
from forgegen.pipeline import GenerationResult, generate
from forgegen.render import _environment

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "samples" / "specs" / "petstore.yaml"
IS_ROOT = os.getuid() == 0
#: Someone else (``nobody``): entries only root can give away.
OTHER_UID = 65534


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture
def key_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's key file (not created yet)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state" / "forgegen" / "cache.key"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The petstore client generated with ``--no-cache`` (which reads no key)."""
    out = tmp_path_factory.mktemp("reference") / "petstore"
    generate(SPEC, out, use_cache=False, quiet=True)
    return _tree(out)


class Cache:
    """One populated cache directory, its entries and how to forge them."""

    def __init__(self, root: Path, key_path: Path) -> None:
        self.root = root
        self.dir = root / "cache"
        self.out = root / "out" / "petstore"
        self.marker = root / "pwned"
        first = self.generate()
        assert first.incremental.lowering == "lowered"
        assert first.notes == []
        self.seal = CacheSeal(key_path.read_bytes())
        self.other = CacheSeal(b"\x01" * KEY_BYTES)  # another user's key
        self.store = SnapshotStore(self.dir, self.out, "petstore", self.seal)
        self.formats = sorted(p for p in self.dir.glob("??/*") if p.is_file())
        self.bytecodes = sorted((self.dir / "templates").glob("__jinja2_*.cache"))
        assert len(self.formats) > 8
        assert len(self.bytecodes) > 4
        assert self.store.path.is_file()

    def generate(self) -> GenerationResult:
        return generate(SPEC, self.out, cache_dir=self.dir, quiet=True)

    @property
    def code(self) -> str:
        """Python that leaves the marker file behind."""
        return f"open({str(self.marker)!r}, 'w').close()\n"

    def bucket(self, path: Path) -> bytes:
        """Jinja bytecode with the genuine entry's checksum that writes the marker when run."""
        genuine = self.seal.unseal("bytecode", _bucket_key(path), path.read_bytes())
        assert genuine is not None
        return _poisoned_bucket(genuine, self.code)

    def payload(self) -> bytes:
        """A pickle that runs a shell command on load."""
        return pickle.dumps(_System(f"touch {self.marker}"))

    def container(self) -> bytes:
        """A snapshot container in the current layout whose every memo text is the marker
        code and whose IR is a pickle that calls ``exec`` on load."""
        genuine = self.seal.read("snapshot", self.store.path.name, self.store.path)
        assert genuine is not None
        snapshot = incremental._decode(genuine)
        assert snapshot.lowering is not None
        assert snapshot.units
        lowering = incremental.Lowering(
            **{**snapshot.lowering.__dict__, "api": pickle.dumps(_Exec(self.code))}
        )
        units = dict.fromkeys(snapshot.units, self.code)
        return incremental._encode(Snapshot(lowering=lowering, units=units))


def _bucket_key(path: Path) -> str:
    return path.name[len("__jinja2_") : -len(".cache")]


def _poisoned_bucket(genuine: bytes, code: str) -> bytes:
    """``genuine`` bucket bytes with its code object replaced by ``code`` compiled."""
    bucket = jinja2.bccache.Bucket(jinja2.Environment(), "k", "")
    head = len(jinja2.bccache.bc_magic)
    assert genuine[:head] == jinja2.bccache.bc_magic
    checksum = pickle.loads(genuine[head:])  # the rest is the marshalled code, ignored
    bucket.checksum = checksum
    bucket.code = compile(code, "<poison>", "exec")
    return bucket.bytecode_to_string()


class _System:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[Callable[[str], int], tuple[str]]:
        return (os.system, (self.command,))


class _Exec:
    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[str]]:
        return (builtins.exec, (self.code,))


def _note(count: int, what: str, reason: str, where: Path) -> str:
    return f"cache: ignored {count} {what} {reason} (cache dir {where})"


UNSEALED = "with no seal (written by an older forgegen, or not by forgegen)"
FORGED = "that failed authentication"
FOREIGN = "owned by another user"


def _poison_formats(cache: Cache) -> list[str]:
    """Poison format-cache entries, one per way; the notes that must say so."""
    entries = iter(cache.formats)
    code = cache.code.encode()
    # unsealed: what any older cache, or a planted file, looks like
    next(entries).write_bytes(code)
    forged = 0
    # sealed, but with another user's key
    entry = next(entries)
    entry.write_bytes(cache.other.seal("format", entry.name, code))
    forged += 1
    # sealed with the right key for another entry, and moved here
    entry = next(entries)
    entry.write_bytes(cache.seal.seal("format", "0" * 64, code))
    forged += 1
    # sealed with the right key and name, but as another kind of entry
    entry = next(entries)
    entry.write_bytes(cache.seal.seal("bytecode", entry.name, code))
    forged += 1
    # truncated: half a genuine entry, and a cut inside the seal's header
    for cut in (lambda data: data[: len(data) // 2], lambda data: data[:10]):
        entry = next(entries)
        entry.write_bytes(cut(entry.read_bytes()))
        forged += 1
    # a genuine entry with its body cut away after the seal
    entry = next(entries)
    entry.write_bytes(entry.read_bytes()[: len(MAGIC) + TAG_BYTES])
    forged += 1
    # not a regular file: a FIFO must neither hang the run nor count as a hit
    entry = next(entries)
    entry.unlink()
    os.mkfifo(entry)
    notes = [
        _note(1, "format-cache entry", UNSEALED, cache.dir),
        _note(forged, "format-cache entries", FORGED, cache.dir),
        _note(1, "format-cache entry", "that is not a regular file", cache.dir),
    ]
    if IS_ROOT:
        # sealed with the right key and name, but the file is someone else's
        entry = next(entries)
        entry.write_bytes(cache.seal.seal("format", entry.name, code))
        os.chown(entry, OTHER_UID, OTHER_UID)
        notes.append(_note(1, "format-cache entry", FOREIGN, cache.dir))
    return notes


def _poison_bytecode(cache: Cache) -> list[str]:
    """Poison Jinja bytecode entries with marshalled code that writes the marker."""
    entries = iter(cache.bytecodes)
    where = cache.dir / "templates"
    entry = next(entries)
    entry.write_bytes(cache.bucket(entry))
    forged = 0
    entry = next(entries)
    entry.write_bytes(cache.other.seal("bytecode", _bucket_key(entry), cache.bucket(entry)))
    forged += 1
    entry, victim = next(entries), next(entries)
    victim.write_bytes(cache.seal.seal("bytecode", _bucket_key(entry), cache.bucket(entry)))
    forged += 1
    entry = next(entries)
    entry.write_bytes(entry.read_bytes()[:-7])
    forged += 1
    return [
        _note(1, "template bytecode entry", UNSEALED, where),
        _note(forged, "template bytecode entries", FORGED, where),
    ]


def _unsealed_pickle(cache: Cache) -> tuple[bytes, str]:
    """The old layout (a pickle), planted: what ran code before entries were sealed."""
    return pickle.dumps({"fingerprint": _System(f"touch {cache.marker}"), "units": {}}), UNSEALED


def _other_key(cache: Cache) -> tuple[bytes, str]:
    return cache.other.seal("snapshot", cache.store.path.name, cache.container()), FORGED


def _moved(cache: Cache) -> tuple[bytes, str]:
    """Sealed with this user's key -- as the snapshot of another output directory."""
    elsewhere = SnapshotStore(cache.dir, cache.root / "elsewhere" / "petstore", "petstore")
    assert elsewhere.path.name != cache.store.path.name
    return cache.seal.seal("snapshot", elsewhere.path.name, cache.container()), FORGED


def _memo_text_edited(cache: Cache) -> tuple[bytes, str]:
    """The genuine file, one render-memo text replaced in place (the seal kept)."""
    data = cache.store.path.read_bytes()
    genuine = cache.seal.read("snapshot", cache.store.path.name, cache.store.path)
    assert genuine is not None
    texts = (text.encode() for text in incremental._decode(genuine).units.values())
    text = next(text for text in texts if data.count(text) == 1)
    return data.replace(text, cache.code.encode().ljust(len(text), b"#")), FORGED


def _ir_replaced(cache: Cache) -> tuple[bytes, str]:
    """The genuine file with its pickled IR swapped for one that calls ``exec``."""
    genuine = cache.seal.read("snapshot", cache.store.path.name, cache.store.path)
    assert genuine is not None
    lowering = incremental._decode(genuine).lowering
    assert lowering is not None
    data = cache.store.path.read_bytes()
    assert data.count(lowering.api) == 1
    return data.replace(lowering.api, pickle.dumps(_Exec(cache.code))), FORGED


def _truncated(cache: Cache) -> tuple[bytes, str]:
    data = cache.store.path.read_bytes()
    return data[: len(data) // 2], FORGED


def _foreign(cache: Cache) -> tuple[bytes, str]:
    """Sealed with this user's key for this very place -- in a file someone else owns."""
    return cache.seal.seal("snapshot", cache.store.path.name, cache.container()), FOREIGN


SNAPSHOT_POISONS = {
    "unsealed-pickle": _unsealed_pickle,
    "other-users-key": _other_key,
    "moved-from-another-output": _moved,
    "memo-text-edited": _memo_text_edited,
    "ir-pickle-replaced": _ir_replaced,
    "truncated": _truncated,
    "owned-by-another-user": _foreign,
}


def _import_every_module(out: Path) -> None:
    """Import the generated package and all its modules in a fresh interpreter."""
    script = (
        "import importlib, pkgutil, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "package = importlib.import_module('petstore')\n"
        "for module in pkgutil.walk_packages(package.__path__, 'petstore.'):\n"
        "    importlib.import_module(module.name)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(out.parent)], check=True, cwd=out.parent)


@pytest.mark.parametrize("poison", list(SNAPSHOT_POISONS))
def test_poisoned_entries_of_every_kind_are_ignored(
    poison: str, tmp_path: Path, key_path: Path, reference: dict[str, bytes]
) -> None:
    if poison == "owned-by-another-user" and not IS_ROOT:
        pytest.skip("only root can give a file to another user")
    cache = Cache(tmp_path, key_path)
    expected = _poison_formats(cache) + _poison_bytecode(cache)
    data, reason = SNAPSHOT_POISONS[poison](cache)
    cache.store.path.write_bytes(data)
    if poison == "owned-by-another-user":
        os.chown(cache.store.path, OTHER_UID, OTHER_UID)
    snapshot = "regeneration snapshot"
    expected.append(_note(1, snapshot, reason, cache.dir / "incremental"))

    result = cache.generate()

    assert not cache.marker.exists()
    assert result.incremental.lowering == "lowered"
    assert result.incremental.units_reused == 0
    assert _tree(cache.out) == reference
    assert sorted(result.notes) == sorted(expected)
    _import_every_module(cache.out)
    assert not cache.marker.exists()
    # Each ignored entry was overwritten with a good one: the next run reuses all.
    again = cache.generate()
    assert again.notes == []
    assert again.incremental.lowering == "reused, 0 prose change(s)"
    assert again.format_stats.formatted == 0
    assert _tree(cache.out) == reference


def test_the_poisons_run_code_when_trusted(tmp_path: Path, key_path: Path) -> None:
    """What the poisoning test plants does run code through the plain loaders
    (Jinja's ``FileSystemBytecodeCache``, ``pickle``): it proves something."""
    cache = Cache(tmp_path, key_path)
    env = _environment(None)
    plain = jinja2.FileSystemBytecodeCache(str(tmp_path / "plain"))
    env.bytecode_cache = plain
    name = "errors.py.jinja"
    source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    bucket = plain.get_bucket(env, name, None, source)
    genuine = next(path for path in cache.bytecodes if _bucket_key(path) == bucket.key).read_bytes()
    poisoned = _poisoned_bucket(genuine[len(MAGIC) + TAG_BYTES :], cache.code)
    (tmp_path / "plain").mkdir()
    Path(plain._get_cache_filename(bucket)).write_bytes(poisoned)
    with pytest.raises(Exception):  # noqa: B017, PT011 -- the poison is no real template
        env.get_template(name)
    assert cache.marker.exists()
    cache.marker.unlink()
    pickle.loads(cache.payload())  # the point of the test
    assert cache.marker.exists()


def test_warm_regeneration_reuses_every_cache(
    tmp_path: Path, key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path, key_path)
    compiled: list[str | None] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, **kw: Any) -> Any:
        compiled.append(name)
        return real(self, source, name, **kw)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    result = cache.generate()
    assert result.notes == []
    assert result.incremental.lowering == "reused, 0 prose change(s)"
    assert result.incremental.units_rendered == 0
    assert result.incremental.units_reused > 10
    assert result.format_stats.cached == result.format_stats.files > 0
    assert result.format_stats.formatted == 0
    assert compiled == []  # every template came from the bytecode cache


def test_the_key_is_private_and_outside_the_cache(tmp_path: Path, key_path: Path) -> None:
    cache = Cache(tmp_path, key_path)
    info = key_path.stat()
    assert stat.S_IMODE(info.st_mode) == 0o600
    assert info.st_size == KEY_BYTES
    assert info.st_uid == os.getuid()
    assert cache.dir not in key_path.parents
    assert stat.S_IMODE(key_path.parent.stat().st_mode) == 0o700
    leftovers = [p.name for p in key_path.parent.iterdir() if p != key_path]
    assert leftovers == []  # the temporary file it was linked from is gone


def test_created_cache_directories_are_private(tmp_path: Path, key_path: Path) -> None:
    common = tmp_path / "common"
    common.mkdir()
    common.chmod(0o755)
    root = common / "new" / "cache"  # neither part exists: both are forgegen's to create
    generate(SPEC, tmp_path / "a" / "petstore", cache_dir=root, quiet=True)
    created = [root.parent, root, *(p for p in root.rglob("*") if p.is_dir())]
    assert {p.name for p in root.iterdir()} >= {"incremental", "templates"}
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in created} == {"0o700"}
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {"0o600"}
    assert stat.S_IMODE(common.stat().st_mode) == 0o755

    existing = tmp_path / "mine"  # a --cache-dir the user made keeps its mode
    existing.mkdir()
    existing.chmod(0o750)
    generate(SPEC, tmp_path / "b" / "petstore", cache_dir=existing, quiet=True)
    assert stat.S_IMODE(existing.stat().st_mode) == 0o750
    assert stat.S_IMODE((existing / "incremental").stat().st_mode) == 0o700


def _snapshot_of(directory: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(directory)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("flaw", ["group-readable", "world-writable", "another-users"])
def test_an_unsafe_key_file_disables_the_caches_with_a_note(
    flaw: str, tmp_path: Path, key_path: Path
) -> None:
    if flaw == "another-users" and not IS_ROOT:
        pytest.skip("only root can give a file to another user")
    cache = Cache(tmp_path, key_path)
    if flaw == "group-readable":
        key_path.chmod(0o640)
        why = "is readable or writable by group or others"
    elif flaw == "world-writable":
        key_path.chmod(0o602)
        why = "is readable or writable by group or others"
    else:
        os.chown(key_path, OTHER_UID, OTHER_UID)
        why = "is not owned by you"
    before = _snapshot_of(cache.dir)

    result = cache.generate()

    assert len(result.notes) == 1
    assert result.notes[0].startswith(f"cache: not used this run: key file {key_path} {why}")
    assert result.incremental.lowering == "lowered"  # nothing read...
    assert result.format_stats.cached == 0
    assert _snapshot_of(cache.dir) == before  # ...and nothing written
    fresh = tmp_path / "fresh-cache"
    generate(SPEC, tmp_path / "fresh" / "petstore", cache_dir=fresh, quiet=True)
    assert not fresh.exists()


def test_verbose_prints_the_notes(tmp_path: Path, key_path: Path) -> None:
    cache = Cache(tmp_path, key_path)
    # Without the snapshot every module is formatted through the format cache;
    # with it, a memoised module's text is reused and its entry never read.
    cache.store.path.unlink()
    cache.formats[0].write_bytes(b"planted = True\n")
    args = [str(SPEC), "-o", str(cache.out), "--cache-dir", str(cache.dir), "-q"]
    result = CliRunner().invoke(main, [*args, "--verbose"])
    assert result.exit_code == 0, result.output
    line = f"forgegen: note: {_note(1, 'format-cache entry', UNSEALED, cache.dir)}"
    assert line in result.output.splitlines()


def test_processes_creating_the_key_at_once_end_with_one_key(tmp_path: Path) -> None:
    state = tmp_path / "state"
    script = "from forgegen.cache_seal import load_key; print(load_key().hex())"
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    running = [
        subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE)
        for _ in range(6)
    ]
    keys = {process.communicate()[0].decode().strip() for process in running}
    assert all(process.returncode == 0 for process in running)
    assert keys == {(state / "forgegen" / "cache.key").read_bytes().hex()}


def test_losing_the_race_to_create_the_key_uses_the_winners(
    key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process creates the key between our miss and our link: we use its key."""
    winner = bytes(range(KEY_BYTES))
    real_link = os.link

    def link_after_the_winner(source: str, target: str, **kw: Any) -> None:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, winner)
        os.close(fd)
        real_link(source, target, **kw)

    monkeypatch.setattr(cache_seal.os, "link", link_after_the_winner)
    assert load_key() == winner
    assert key_path.read_bytes() == winner
    monkeypatch.setattr(cache_seal.os, "link", real_link)
    assert load_key() == winner


def test_threads_creating_the_key_at_once_end_with_one_key(key_path: Path) -> None:
    barrier = threading.Barrier(8)
    found: list[bytes] = []

    def create() -> None:
        barrier.wait()
        found.append(load_key())

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [key_path.read_bytes()] * 8


def test_a_seal_binds_its_key_kind_and_name() -> None:
    seal = CacheSeal(b"k" * KEY_BYTES)
    entry = seal.seal("format", "abc", b"text")
    assert seal.unseal("format", "abc", entry) == b"text"
    assert seal.rejected == {}
    assert seal.unseal("format", "abd", entry) is None
    assert seal.unseal("bytecode", "abc", entry) is None
    assert CacheSeal(b"K" * KEY_BYTES).unseal("format", "abc", entry) is None
    # the length prefix: ("fo", "rmatabc") is not ("format", "abc")
    assert seal.unseal("fo", "rmatabc", entry) is None
    assert seal.unseal("format", "abc", entry[:-1]) is None
    assert seal.unseal("format", "abc", b"text") is None
    assert seal.notes() == [
        "cache: ignored 1 template bytecode entry that failed authentication",
        "cache: ignored 1 fo entry that failed authentication",
        "cache: ignored 2 format-cache entries that failed authentication",
        f"cache: ignored 1 format-cache entry {UNSEALED}",
    ]
