"""``--strict`` and the grouped warning report, through the command line.

A team that owns its spec gates it with ``--strict``: any warning fails the run
and nothing is written.  Everyone else reads the warnings, so many of one kind
are shown as a count and their first places, with a summary line at the end,
and ``--verbose`` lists every one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from forgegen.diagnostics import Diagnostic
from forgegen.pipeline import StrictModeError, generate
from forgegen.warning_report import group_warnings, report_lines, warning_kind

from tests.support.cli import run_forgegen, tree_digests

CLEAN = {
    "openapi": "3.0.3",
    "info": {"title": "W", "version": "1"},
    "paths": {
        "/x": {"get": {"operationId": "getX", "responses": {"204": {"description": "none"}}}}
    },
}


def _with_unknown_formats(count: int) -> dict[str, object]:
    properties = {f"p{i}": {"type": "string", "format": f"fmt{i}"} for i in range(count)}
    ok = {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/m"}}}}
    document = json.loads(json.dumps(CLEAN))
    document["paths"]["/x"]["get"]["responses"] = {"200": ok}
    document["components"] = {"schemas": {"M": {"type": "object", "properties": properties}}}
    ok["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/M"}
    return document


def _spec(tmp_path: Path, document: dict[str, object]) -> Path:
    path = tmp_path / "spec" / "w.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_strict_turns_every_warning_into_an_error_and_writes_nothing(tmp_path: Path) -> None:
    spec = _spec(tmp_path, CLEAN)
    assert run_forgegen(tmp_path, str(spec), "-o", "out/w", "--strict")[0] == 0
    before = tree_digests(tmp_path / "out" / "w")

    spec = _spec(tmp_path, _with_unknown_formats(2))
    code, stderr = run_forgegen(tmp_path, str(spec), "-o", "out/w", "--strict")
    assert code == 1
    assert "forgegen: error: 2 x unknown format" in stderr
    assert "#/components/schemas/M/properties/p1/format: unknown format 'fmt1'" in stderr
    assert stderr.rstrip().endswith(
        "forgegen: error: 2 warnings with --strict; nothing was written"
    )
    assert "Traceback" not in stderr
    assert tree_digests(tmp_path / "out" / "w") == before

    code, stderr = run_forgegen(tmp_path, str(spec), "-o", "out/w")
    assert code == 0
    assert "forgegen: warning: 2 x unknown format" in stderr
    assert tree_digests(tmp_path / "out" / "w") != before


def test_strict_from_the_project_config(tmp_path: Path) -> None:
    spec = _spec(tmp_path, _with_unknown_formats(1))
    (tmp_path / "pyproject.toml").write_text("[tool.forgegen]\nstrict = true\n")
    code, stderr = run_forgegen(tmp_path, str(spec), "-o", "out/w")
    assert code == 1
    assert "1 warning with --strict; nothing was written" in stderr
    assert not (tmp_path / "out").exists()
    (tmp_path / "pyproject.toml").write_text('[tool.forgegen]\nstrict = "yes"\n')
    code, stderr = run_forgegen(tmp_path, str(spec), "-o", "out/w")
    assert code == 2
    assert "strict must be true or false" in stderr


def test_the_api_raises_with_every_warning_located(tmp_path: Path) -> None:
    spec = _spec(tmp_path, _with_unknown_formats(3))
    with pytest.raises(StrictModeError) as caught:
        generate(spec, tmp_path / "out" / "w", quiet=True, use_cache=False, strict=True)
    warnings = caught.value.warnings
    assert [w.pointer for w in warnings] == [
        f"#/components/schemas/M/properties/p{i}/format" for i in range(3)
    ]
    assert all(w.file is not None and w.file.endswith("w.json") for w in warnings)
    assert not (tmp_path / "out").exists()


def test_many_warnings_of_one_kind_are_counted_and_verbose_lists_them(tmp_path: Path) -> None:
    spec = _spec(tmp_path, _with_unknown_formats(7))
    code, stderr = run_forgegen(tmp_path, str(spec), "-o", "out/w")
    assert code == 0
    lines = stderr.splitlines()
    assert lines[0] == "forgegen: warning: 7 x unknown format …; read as its plain type"
    assert [line.split(" #/")[1].split(":")[0] for line in lines[1:4]] == [
        f"components/schemas/M/properties/p{i}/format" for i in range(3)
    ]
    assert lines[4] == "  ... and 4 more"
    assert lines[-1] == "forgegen: 7 warnings of 1 kind; 4 not shown (--verbose lists every one)"

    code, stderr = run_forgegen(tmp_path, str(spec), "-o", "out/w", "--verbose")
    assert code == 0
    assert sum("unknown format 'fmt" in line for line in stderr.splitlines()) == 7
    assert "forgegen: 7 warnings of 1 kind" in stderr
    assert "not shown" not in stderr


def test_a_warning_of_its_own_kind_keeps_its_one_line() -> None:
    lone = Diagnostic("the path '/a/{b' has an unbalanced '{'", "#/paths/~1a~1{b", "s.yaml", 4)
    many = [
        Diagnostic(f"unknown format 'f{i}'; read as its plain type", f"#/p{i}", "s.yaml", i)
        for i in range(2)
    ]
    lines = list(report_lines([lone, *many], verbose=False, label="w: "))
    assert lines == [
        "w: s.yaml:4 #/paths/~1a~1{b: the path '/a/{b' has an unbalanced '{'",
        "w: 2 x unknown format …; read as its plain type",
        "  s.yaml:0 #/p0: unknown format 'f0'; read as its plain type",
        "  s.yaml:1 #/p1: unknown format 'f1'; read as its plain type",
        "forgegen: 3 warnings of 2 kinds",
    ]
    assert list(report_lines([], verbose=True, label="w: ")) == []


def test_kinds_blank_names_numbers_placeholders_and_pointers() -> None:
    assert warning_kind("path parameter 'itemKey' does not appear in the path '/x/{id}'") == (
        "path parameter … does not appear in the path …"
    )
    assert warning_kind('enum "A" lists 12 values past #/components/x') == (
        "enum … lists … values past …"
    )
    assert warning_kind("the path has a placeholder {x} that no parameter declares") == (
        "the path has a placeholder … that no parameter declares"
    )
    groups = group_warnings(
        [Diagnostic("a 'x'"), Diagnostic("b"), Diagnostic("a 'y'"), Diagnostic("b")]
    )
    assert [(group.kind, len(group.warnings)) for group in groups] == [("a …", 2), ("b", 2)]
