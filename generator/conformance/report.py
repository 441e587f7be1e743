"""The harness's output: a table per document and a total, and the same as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .runner import OUTCOMES, SpecResult

__all__ = ["format_report", "to_json", "write_json"]

_COLUMNS = ("document", "operations", *OUTCOMES, "pass rate", "prism start s", "run s")


def _row(spec: SpecResult) -> list[str]:
    if spec.error is not None:
        counts = ["-"] * len(OUTCOMES)
        rate = "not run"
    else:
        counts = [str(spec.count(outcome)) for outcome in OUTCOMES]
        rate = f"{spec.pass_rate:.1%}"
    startup = f"{spec.prism_startup_seconds:.1f}" if spec.prism_startup_seconds is not None else "-"
    return [spec.spec, str(spec.operations), *counts, rate, startup, f"{spec.seconds:.1f}"]


def _total(specs: Sequence[SpecResult]) -> list[str]:
    run = [spec for spec in specs if spec.error is None]
    operations = sum(spec.operations for spec in run)
    counts = [sum(spec.count(outcome) for spec in run) for outcome in OUTCOMES]
    rate = f"{counts[0] / operations:.1%}" if operations else "-"
    return [
        f"total ({len(run)} of {len(specs)} run)",
        str(operations),
        *map(str, counts),
        rate,
        "-",
        f"{sum(spec.seconds for spec in specs):.1f}",
    ]


def format_report(specs: Sequence[SpecResult], *, markdown: bool = False) -> str:
    """A table with one row per document and a total, then every failure with its reason."""
    rows = [list(_COLUMNS), *(_row(spec) for spec in specs), _total(specs)]
    lines: list[str] = []
    if markdown:
        lines.append("| " + " | ".join(rows[0]) + " |")
        lines.append("|" + "---|" * len(rows[0]))
        lines.extend("| " + " | ".join(row) + " |" for row in rows[1:])
    else:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            lines.append(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            )
            if index in (0, len(rows) - 2):
                lines.append("  ".join("-" * width for width in widths))
    for spec in specs:
        if spec.error is not None:
            lines.append("")
            lines.append(f"{spec.spec}: not run: {spec.error}")
            continue
        failures = [result for result in spec.results if result.outcome != "passed"]
        if not failures:
            continue
        lines.append("")
        lines.append(f"{spec.spec}: {len(failures)} not passed")
        for result in failures:
            status = f" [{result.status}]" if result.status is not None else ""
            kind = f" {result.prism_type}" if result.prism_type else ""
            prefix = "- " if markdown else "  "
            lines.append(
                f"{prefix}{result.outcome}{kind}{status} {result.operation} "
                f"({result.method} {result.path}): {result.reason}"
            )
    return "\n".join(lines)


def to_json(specs: Sequence[SpecResult]) -> dict[str, Any]:
    """The results as plain data: ``documents`` (with per-operation results) and ``total``."""
    documents = []
    for spec in specs:
        data = asdict(spec)
        data["counts"] = {outcome: spec.count(outcome) for outcome in OUTCOMES}
        data["pass_rate"] = spec.pass_rate
        documents.append(data)
    run = [spec for spec in specs if spec.error is None]
    total = {outcome: sum(spec.count(outcome) for spec in run) for outcome in OUTCOMES}
    return {
        "documents": documents,
        "total": {"operations": sum(spec.operations for spec in run), **total},
    }


def write_json(specs: Sequence[SpecResult], path: str | Path) -> None:
    Path(path).write_text(json.dumps(to_json(specs), indent=2) + "\n", encoding="utf-8")
