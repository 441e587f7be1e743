"""Atomic writes, --check, refusing foreign directories and paths that escape."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from forgegen import writer
from forgegen.writer import MARKER, OutputError, UnsafePathError, compare, write_files

FILES = {MARKER: "{}\n", "__init__.py": "x = 1\n", "api/__init__.py": "", "api/op.py": "y = 2\n"}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_writes_into_a_new_directory(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "pkg"
    changes = write_files(out, FILES)
    assert _tree(out) == {k: v.encode() for k, v in FILES.items()}
    assert changes.added == sorted(FILES)
    assert not [p for p in (tmp_path / "deep").iterdir() if p.name != "pkg"]  # no leftovers


def test_regenerating_replaces_removes_and_keeps_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    write_files(out, FILES)
    (out / "__pycache__").mkdir()
    (out / "__pycache__" / "x.pyc").write_bytes(b"")
    new = {**FILES, "api/op.py": "y = 3\n", "api/new.py": ""}
    del new["api/__init__.py"]
    changes = write_files(out, new)
    assert changes.added == ["api/new.py"]
    assert changes.modified == ["api/op.py"]
    assert changes.removed == ["api/__init__.py"]
    assert _tree(out) == {k: v.encode() for k, v in new.items()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


def test_check_writes_nothing_and_lists_changes(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    assert write_files(out, FILES, check=True).added == sorted(FILES)
    assert not out.exists()
    write_files(out, FILES)
    fresh = write_files(out, FILES, check=True)
    assert not fresh.changed
    (out / "api" / "op.py").write_text("edited\n")
    (out / "stray.py").write_text("")
    stale = write_files(out, FILES, check=True)
    assert stale.modified == ["api/op.py"]
    assert stale.removed == ["stray.py"]
    assert stale.lines() == ["~ api/op.py", "- stray.py"]
    assert (out / "api" / "op.py").read_text() == "edited\n"


def test_failure_mid_write_leaves_previous_output_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "pkg"
    write_files(out, FILES)
    before = _tree(out)
    written: list[Path] = []
    real = writer._write_file

    def failing(target: Path, data: bytes) -> None:
        if len(written) == 2:
            raise OSError("disk full")
        written.append(target)
        real(target, data)

    monkeypatch.setattr(writer, "_write_file", failing)
    with pytest.raises(OSError, match="disk full"):
        write_files(out, {k: v + "# new\n" for k, v in FILES.items()})
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]  # staging cleaned up


def test_failure_during_swap_restores_the_old_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "pkg"
    write_files(out, FILES)
    before = _tree(out)
    real_rename = os.rename
    calls: list[tuple[str, str]] = []

    def rename(src: str | Path, dst: str | Path) -> None:
        calls.append((str(src), str(dst)))
        if len(calls) == 2:  # old moved away; moving the new one in fails
            raise OSError("rename failed")
        real_rename(src, dst)

    monkeypatch.setattr(writer.os, "rename", rename)
    with pytest.raises(OSError, match="rename failed"):
        write_files(out, {**FILES, "api/op.py": "z\n"})
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


def test_foreign_directory_refused_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    with pytest.raises(OutputError, match="--force"):
        write_files(out, FILES)
    assert (out / "precious.txt").read_text() == "keep me"
    write_files(out, FILES, force=True)
    assert not (out / "precious.txt").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    write_files(empty, FILES)  # an empty directory is fine
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(OutputError, match="not a directory"):
        write_files(a_file, FILES)


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "../escape.py",
        "api/../../escape.py",
        "api/./op.py",
        "api//op.py",
        "",
        "api\\..\\x.py",
        "nul\x00.py",
        "line\nbreak.py",
        "unit\x1fseparator.py",
        "C:/x.py",
        "a/",
    ],
)
def test_unsafe_paths_refused_before_anything_is_written(tmp_path: Path, path: str) -> None:
    out = tmp_path / "pkg"
    with pytest.raises(UnsafePathError):
        write_files(out, {**FILES, path: "evil"})
    assert not out.exists()
    with pytest.raises(UnsafePathError):
        compare(out, {path: "evil"})


def test_symlinks_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "pkg"
    write_files(out, FILES)
    (out / "api" / "op.py").unlink()
    (out / "api" / "op.py").symlink_to(outside / "target.py")
    (outside / "target.py").write_text("y = 2\n")
    assert write_files(out, FILES, check=True).modified == ["api/op.py"]
    write_files(out, FILES)
    assert not (out / "api" / "op.py").is_symlink()
    assert (outside / "target.py").read_text() == "y = 2\n"


def test_symlinked_output_directory_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    write_files(real, FILES)
    link = tmp_path / "link"
    link.symlink_to(real)
    write_files(link, {**FILES, "api/op.py": "new\n"})
    assert link.is_symlink()
    assert (real / "api" / "op.py").read_text() == "new\n"


BIG = {
    MARKER: "{}\n",
    **{f"api/tag{t}/op{o}.py": f"x = {t * 100 + o}\n" for t in range(20) for o in range(10)},
}


def _inode(path: Path) -> int:
    return path.stat().st_ino


def test_few_changes_in_a_large_tree_replace_only_those_files(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    write_files(out, BIG)
    untouched = _inode(out / "api" / "tag5" / "op5.py")
    (out / "api" / "tag9" / "__pycache__").mkdir()
    (out / "api" / "tag9" / "__pycache__" / "op0.cpython-311.pyc").write_bytes(b"")
    new = {**BIG, "api/tag1/op1.py": "changed\n", "api/fresh/deep/new.py": "new\n"}
    for o in range(10):
        del new[f"api/tag9/op{o}.py"]  # a whole tag goes away
    changes = write_files(out, new)
    assert changes.added == ["api/fresh/deep/new.py"]
    assert changes.modified == ["api/tag1/op1.py"]
    assert len(changes.removed) == 10
    assert _tree(out) == {k: v.encode() for k, v in new.items()}
    assert not (out / "api" / "tag9").exists()  # emptied (a bytecode cache does not count)
    assert _inode(out / "api" / "tag5" / "op5.py") == untouched  # not rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]  # journal cleaned up


def test_failure_during_an_in_place_update_puts_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "pkg"
    write_files(out, BIG)
    before = _tree(out)
    real_rename = os.rename
    calls: list[str] = []

    def rename(src: str | Path, dst: str | Path) -> None:
        calls.append(str(dst))
        if len(calls) == 4:  # two old files moved away, one new one placed, then a failure
            raise OSError("rename failed")
        real_rename(src, dst)

    monkeypatch.setattr(writer.os, "rename", rename)
    new = {**BIG, "api/tag1/op1.py": "a\n", "api/tag2/op2.py": "b\n", "api/new/x.py": "c\n"}
    with pytest.raises(OSError, match="rename failed"):
        write_files(out, new)
    monkeypatch.undo()
    assert _tree(out) == before
    assert not (out / "api" / "new").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


def test_a_symlink_in_the_old_tree_makes_the_update_a_full_swap(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "pkg"
    write_files(out, BIG)
    (out / "api" / "tag3").rename(tmp_path / "outside" / "tag3")
    (out / "api" / "tag3").symlink_to(outside / "tag3")
    untouched = _inode(out / "api" / "tag5" / "op5.py")
    write_files(out, {**BIG, "api/tag3/op3.py": "changed\n"})
    assert not (out / "api" / "tag3").is_symlink()
    assert (out / "api" / "tag3" / "op3.py").read_text() == "changed\n"
    assert (outside / "tag3" / "op3.py").read_text() == "x = 303\n"  # never written through
    assert _inode(out / "api" / "tag5" / "op5.py") != untouched  # the whole tree was rewritten
