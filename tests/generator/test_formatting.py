"""black in-process: fixed settings, deterministic, cached by content, parallel when big.

``UGLY`` is not template output, so these tests run black on whole files
(``exact=True``); ``test_long_statements.py`` covers the default mode.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from forgegen import formatting
from forgegen.cache_seal import CacheSeal, load_key
from forgegen.formatting import FormatError, FormatStats, format_source, format_sources


@pytest.fixture(autouse=True)
def _own_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache entries here are sealed with a key of this test's, not the user's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


UGLY = "x = {  'a':1,\n'b' :2}\ndef f( a,b ):\n  return a+b\n"
PRETTY = 'x = {"a": 1, "b": 2}\n\n\ndef f(a, b):\n    return a + b\n'


def test_formats_python_files_only(tmp_path: Path) -> None:
    files = {"a.py": UGLY, "README.md": UGLY, ".forgegen.json": "{}\n"}
    result = format_sources(files, cache_dir=tmp_path, exact=True)
    assert result == {"a.py": PRETTY, "README.md": UGLY, ".forgegen.json": "{}\n"}


def test_line_length_100_and_py310_regardless_of_user_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 40\n")
    monkeypatch.chdir(tmp_path)
    long_call = "result = some_function(argument_one, argument_two, argument_three, arg_4)\n"
    assert len(long_call) < 100
    assert format_source(long_call) == long_call
    match_statement = "match x:\n    case 1:\n        pass\n"
    assert format_source(match_statement) == match_statement


def test_deterministic(tmp_path: Path) -> None:
    files = {f"m{i}.py": UGLY.replace("a", f"a{i}") for i in range(5)}
    first = format_sources(files, use_cache=False, exact=True)
    second = format_sources(files, cache_dir=tmp_path / "c", exact=True)
    third = format_sources(files, cache_dir=tmp_path / "c", exact=True)
    assert first == second == third


def test_cache_hits_skip_black(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"a.py": UGLY, "b.py": UGLY.replace("a", "c")}
    first = FormatStats()
    format_sources(files, cache_dir=tmp_path, stats=first, exact=True)
    assert (first.formatted, first.cached) == (2, 0)

    calls: list[str] = []
    real = formatting.format_source

    def counting(source: str, path: str = "<generated>") -> str:
        calls.append(path)
        return real(source, path)

    monkeypatch.setattr(formatting, "format_source", counting)
    second = FormatStats()
    changed = {**files, "b.py": files["b.py"] + "z=1\n"}
    result = format_sources(changed, cache_dir=tmp_path, stats=second, exact=True)
    assert (second.formatted, second.cached) == (1, 1)
    assert calls == ["b.py"]
    assert result["b.py"].endswith("z = 1\n")

    third = FormatStats()
    format_sources(changed, cache_dir=tmp_path, stats=third, exact=True)
    assert (third.formatted, third.cached) == (0, 2)
    assert calls == ["b.py"]


def test_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    formatted = format_sources({"a.py": UGLY}, cache_dir=blocker / "cache", exact=True)
    assert formatted == {"a.py": PRETTY}


def test_invalid_source_names_the_file() -> None:
    with pytest.raises(FormatError, match=r"api/broken\.py"):
        format_sources({"api/broken.py": "def (:\n"}, use_cache=False)


def test_process_pool_gives_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formatting, "PARALLEL_MIN_LINES", 0)
    files = {f"m{i}.py": UGLY.replace("a", f"a{i}") for i in range(6)}
    stats = FormatStats()
    parallel = format_sources(files, use_cache=False, workers=2, stats=stats, exact=True)
    assert stats.workers == 2
    assert parallel == format_sources(files, use_cache=False, workers=1, exact=True)


def test_black_version_read_from_dist_info_matches_the_installed_metadata() -> None:
    from importlib import metadata

    from forgegen.formatting import black_version

    assert black_version() == metadata.version("black")


def test_an_entry_this_user_did_not_seal_is_formatted_again_and_overwritten(
    tmp_path: Path,
) -> None:
    files = {"a.py": UGLY}
    format_sources(files, cache_dir=tmp_path / "c", exact=True)
    (entry,) = (p for p in (tmp_path / "c").rglob("*") if p.is_file())
    genuine = entry.read_bytes()
    entry.write_bytes(b"import os\n")  # a planted text, no seal
    stats = FormatStats()
    seal = CacheSeal(load_key())
    result = format_sources(files, cache_dir=tmp_path / "c", exact=True, stats=stats, seal=seal)
    assert result == {"a.py": PRETTY}
    assert (stats.cached, stats.formatted) == (0, 1)
    assert entry.read_bytes() == genuine
    assert seal.notes() == [
        f"cache: ignored 1 format-cache entry with no seal (written by an older forgegen,"
        f" or not by forgegen) (cache dir {tmp_path / 'c'})"
    ]


def test_a_script_without_a_main_guard_still_formats(tmp_path: Path) -> None:
    # Spawned format workers re-import the caller's main module; without
    # ``if __name__ == "__main__":`` each one dies starting up, and formatting
    # must go on in the caller's process instead of failing with BrokenProcessPool.
    script = tmp_path / "format_many.py"
    script.write_text(
        "from forgegen.formatting import FormatStats, format_sources\n"
        "files = {f'm{i}.py': 'x = [1,2,3]\\n' * 2_000 for i in range(30)}\n"
        "stats = FormatStats()\n"
        "out = format_sources(files, use_cache=False, workers=2, stats=stats, exact=True)\n"
        "print(stats.workers, len(out), out['m0.py'].splitlines()[0])\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", "30", "x", "=", "[1,", "2,", "3]"]  # formatted here
