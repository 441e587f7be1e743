"""The ``forgegen diff`` report, proven by the type checker.

For each spec pair, a probe file that uses every part of the OLD client
(``tests/support/usage_probe.py``) type-checks against the OLD package and is
then checked against the NEW one: every mypy error must be explained by a
breaking item of the report, and every breaking item must produce a mypy
error, unless it is a break only a running server shows (listed below).  The
agreement table is printed (``-s`` shows it).
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from forgegen.api_diff import Change, compare_apis
from forgegen.pipeline import generate, lower_spec

from tests.generator.test_api_diff import OLD, _new
from tests.support.usage_probe import candidates, usage_file

#: Breaking changes no type checker can see: the code still type-checks, the
#: server then refuses the call.
RUNTIME_ONLY = {"new credential required": "the server answers 401 without the new credential"}

_ERROR = re.compile(r"^probe\.py:(\d+): error: (.*?)(?:  \[[a-z-]+\])?$")


def _pairs() -> dict[str, tuple[str, str]]:
    single = textwrap.dedent(OLD)
    return {
        "every kind of edit": (single, _new()),
        "parameter removed, enum value added": (
            single,
            single.replace(
                "        - {name: owner, in: query, schema: {type: string}}\n", ""
            ).replace(
                "enum: [available, sold, pending]", "enum: [available, sold, pending, adopted]"
            ),
        ),
        "a field widened, another made Any": (
            single,
            single.replace(
                "        tag: {type: string}",
                "        tag: {anyOf: [{type: string}, {type: integer}]}",
            ).replace("        name: {type: string}", "        name: {}"),
        ),
        "return type widened": (
            single,
            single.replace(
                'schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}',
                'schema: {oneOf: [{type: array, items: {$ref: "#/components/schemas/Pet"}},'
                " {type: string}]}",
            ),
        ),
    }


def _mypy(directory: Path, cache: Path) -> list[tuple[int, str]]:
    done = subprocess.run(
        # Only the probe's own errors count: the client is checked by its own tests.
        [
            *(sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent"),
            *("--cache-dir", str(cache), "probe.py"),
        ],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = []
    for line in done.stdout.splitlines():
        match = _ERROR.match(line)
        if match:
            errors.append((int(match.group(1)), match.group(2)))
    assert errors or done.returncode == 0, done.stdout[-3000:]
    return errors


def _follows_a_removal(change: Change, breaking: list[Change]) -> bool:
    """A type change whose old type names a removed model: mypy reports the removal instead.

    Once the import of a removed class fails, mypy takes the name as ``Any``,
    so the uses of it type-check; the removal itself is the error that shows.
    """
    removed = {c.symbol.removeprefix("models.") for c in breaking if c.kind.endswith(" removed")}
    old_type = change.detail.split(" -> ", 1)[0]
    return any(re.search(rf"\b{re.escape(name)}\b", old_type) for name in removed)


def _covers(breaking: str, candidate: str) -> bool:
    stem = breaking.removesuffix("()")
    return candidate == breaking or candidate.startswith((stem + ".", stem + "("))


@pytest.mark.parametrize("pair", list(_pairs()))
def test_every_mypy_error_is_a_reported_break_and_back(pair: str, tmp_path: Path) -> None:
    old_text, new_text = _pairs()[pair]
    specs = {}
    for side, text in (("old", old_text), ("new", new_text)):
        spec = tmp_path / f"{side}.yaml"
        spec.write_text(text, encoding="utf-8")
        generate(spec, tmp_path / side / "client", quiet=True, use_cache=False)
        specs[side] = spec
    old_api, _ = lower_spec(specs["old"])
    new_api, _ = lower_spec(specs["new"])
    changes = compare_apis(old_api, new_api)
    breaking: list[Change] = [change for change in changes if change.breaking]
    probe = usage_file(old_api, "client")
    text, symbols = probe.render()
    for side in ("old", "new"):
        (tmp_path / side / "probe.py").write_text(text, encoding="utf-8")

    assert _mypy(tmp_path / "old", tmp_path / "cache-old") == []
    errors = _mypy(tmp_path / "new", tmp_path / "cache-new")

    unexplained = []
    seen: set[str] = set()
    for line, message in errors:
        found = candidates(symbols.get(line), message, probe.aliases)
        seen |= found
        if not any(_covers(c.symbol, f) for c in breaking for f in found):
            unexplained.append(f"line {line} ({symbols.get(line)}): {message}")
    unconfirmed = [
        f"{change.kind}: {change.symbol}"
        for change in breaking
        if change.kind not in RUNTIME_ONLY
        and not any(_covers(change.symbol, f) for f in seen)
        and not _follows_a_removal(change, breaking)
    ]
    rows = [
        f"{'runtime-only' if c.kind in RUNTIME_ONLY else 'confirmed'}  {c.kind}: {c.symbol}"
        for c in breaking
    ]
    print(f"\n{pair}: {len(breaking)} breaking, {len(errors)} mypy errors", *rows, sep="\n  ")
    assert breaking, "each pair makes at least one breaking change"
    assert unexplained == [], "mypy errors the report does not explain"
    assert unconfirmed == [], "reported breaks mypy does not see"
