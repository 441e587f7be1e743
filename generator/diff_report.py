"""``forgegen diff`` output: text for a terminal, Markdown for a PR comment, JSON for tools."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Literal

from .api_diff import Change, semver_bump

__all__ = ["Format", "render_report"]

Format = Literal["text", "markdown", "json"]


def render_report(changes: Sequence[Change], *, old: str, new: str, output: Format) -> str:
    """The report of ``changes`` from spec ``old`` to spec ``new`` (names as given)."""
    breaking = [change for change in changes if change.breaking]
    compatible = [change for change in changes if not change.breaking]
    bump = semver_bump(changes)
    if output == "json":
        document = {
            "old": old,
            "new": new,
            "semver": bump,
            "breaking": [asdict(change) for change in breaking],
            "compatible": [asdict(change) for change in compatible],
        }
        return json.dumps(document, indent=2) + "\n"
    summary = (
        f"{len(breaking)} breaking, {len(compatible)} compatible change"
        f"{'s' if len(compatible) != 1 else ''}; suggested version bump: {bump}"
    )
    if output == "markdown":
        return _markdown(breaking, compatible, old, new, summary)
    lines = [f"{old} -> {new}: {summary}"]
    for title, group in (("breaking", breaking), ("compatible", compatible)):
        for change in group:
            lines.append(f"{title:10} {change.kind}: {change.symbol}{_suffix(change)}")
    return "\n".join(lines) + "\n"


def _suffix(change: Change) -> str:
    parts = [change.detail] if change.detail else []
    pointers = [p for p in (change.old_pointer, change.new_pointer) if p]
    if change.old_pointer and change.new_pointer and change.old_pointer == change.new_pointer:
        pointers = [change.old_pointer]
    if pointers:
        parts.append(" / ".join(pointers))
    return f" ({'; '.join(parts)})" if parts else ""


def _cell(text: str | None) -> str:
    """``text`` safe inside a Markdown table cell (pipes and line breaks escaped)."""
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _markdown(
    breaking: list[Change], compatible: list[Change], old: str, new: str, summary: str
) -> str:
    lines = [f"### Client API changes: `{_cell(old)}` -> `{_cell(new)}`", "", summary, ""]
    for title, group in (("Breaking", breaking), ("Compatible", compatible)):
        if not group:
            continue
        lines += [
            f"#### {title}",
            "",
            "| change | symbol | detail | old | new |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {_cell(c.kind)} | `{_cell(c.symbol)}` | {_cell(c.detail)} "
            f"| {_cell(c.old_pointer)} | {_cell(c.new_pointer)} |"
            for c in group
        ]
        lines.append("")
    return "\n".join(lines)
