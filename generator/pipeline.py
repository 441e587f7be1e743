"""The whole generator: parse -> lower -> render -> format -> write.

``generate`` is what the CLI calls and what tests and tools call in-process.
Progress (stage, counts, timings) goes to stderr unless ``quiet``; warnings
are collected in :class:`~forgegen.diagnostics.Diagnostics` and returned.
"""

from __future__ import annotations

import keyword
import os
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from .cache_seal import CacheSeal, open_seal, sealing
from .diagnostics import Diagnostic, Diagnostics, SpecError
from .formatting import FormatStats, default_cache_dir, format_sources
from .incremental import IncrementalStats, Lowering, Snapshot, SnapshotStore, lowering_key
from .render import RuntimeMode, render
from .render_memo import RenderMemo
from .writer import MARKER, Changes, write_files

if TYPE_CHECKING:
    from .ir import Api
    from .limits import Limits
    from .parse import ParsedSpec

__all__ = [
    "GenerationResult",
    "StrictModeError",
    "UsageError",
    "generate",
    "lower_spec",
    "package_name_for",
]


class UsageError(ValueError):
    """The command was called wrongly (bad package name, bad option value)."""


class StrictModeError(SpecError):
    """``strict`` generation met warnings: each is an error, and nothing was written.

    For teams that own their spec and gate it in CI, a degraded construct is a
    defect to fix, not something to generate around.
    """

    def __init__(self, warnings: list[Diagnostic]) -> None:
        count = len(warnings)
        super().__init__(
            f"{count} warning{'s' if count != 1 else ''} with --strict; nothing was written"
        )
        self.warnings = warnings


@dataclass
class GenerationResult:
    """What one generation did."""

    out_dir: Path
    package_name: str
    files: dict[str, str]
    changes: Changes
    warnings: list[Diagnostic]
    timings: dict[str, float] = field(default_factory=dict)
    format_stats: FormatStats = field(default_factory=FormatStats)
    incremental: IncrementalStats = field(default_factory=IncrementalStats)
    checked: bool = False
    #: What was ignored on the way (cache entries that failed their checks...),
    #: one line per kind: printed under ``--verbose``.
    notes: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        """Under ``check``: the output differs from what would be generated."""
        return self.changes.changed


def _refuse_enclosing_output(out_dir: Path, spec_path: Path) -> None:
    """Refuse an output directory that holds the working directory or the spec.

    Writing swaps the whole output directory for a new one, so ``-o .`` (or a
    parent of the spec) would replace the user's project with a client package.
    """
    target = out_dir.resolve()
    for protected in (Path.cwd().resolve(), spec_path.resolve().parent):
        if protected == target or target in protected.parents:
            raise UsageError(
                f"output directory {out_dir} contains {protected}; "
                "generate into a directory of its own (e.g. -o src/petstore)"
            )


def package_name_for(out_dir: Path | str, package_name: str | None = None) -> str:
    """The import name: ``package_name`` or the output directory's name, checked."""
    name = package_name if package_name is not None else Path(os.path.abspath(out_dir)).name
    if not name.isidentifier() or not name.isascii():
        source = "--package-name" if package_name is not None else "the output directory's name"
        raise UsageError(
            f"{source} {name!r} is not a valid Python package name; "
            "pass --package-name with an identifier such as 'petstore'"
        )
    if keyword.iskeyword(name):
        raise UsageError(f"package name {name!r} is a Python keyword")
    return name


def _located(
    warning: Diagnostic, locate: Callable[[str], tuple[str | None, int | None]]
) -> Diagnostic:
    """``warning`` with file and line filled in from its pointer where they are missing."""
    if warning.file is not None or not warning.pointer:
        return warning
    try:
        file, line = locate(warning.pointer)
    except Exception:  # a pointer the locator does not know: keep the bare pointer
        return warning
    return Diagnostic(message=warning.message, pointer=warning.pointer, file=file, line=line)


class _Progress:
    """Times each stage and reports it on a stream (``None``: silent)."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.timings: dict[str, float] = {}
        self._started = 0.0

    def start(self) -> None:
        self._started = time.perf_counter()

    def done(self, stage: str, message: str) -> None:
        elapsed = time.perf_counter() - self._started
        self.timings[stage] = elapsed
        if self.stream is not None:
            self.stream.write(f"forgegen: {stage:<6} {message} ({elapsed:.2f}s)\n")
            self.stream.flush()


def _check_pagination_rule(rule: Mapping[str, object] | None) -> None:
    """A user's pagination rule is checked up front: its mistakes are theirs to fix."""
    if rule is None:
        return
    from .lower.pagination import RULE_KEYS, rule_problem  # noqa: PLC0415 - lower loads late

    unknown = sorted(set(rule) - set(RULE_KEYS))
    if unknown:
        raise UsageError(
            f"pagination: unknown key(s) {', '.join(unknown)} (known: {', '.join(RULE_KEYS)})"
        )
    problem = rule_problem(rule)
    if problem is not None:
        raise UsageError(f"pagination: {problem}")


@dataclass
class _Built:
    """What lower -> render -> format made, and the snapshot to keep for the next run."""

    files: dict[str, str]
    format_stats: FormatStats
    incremental: IncrementalStats
    store: SnapshotStore | None
    snapshot: Snapshot
    #: why the caches were not used, or what they held that was ignored
    notes: list[str] = field(default_factory=list)


def _cache_root(cache_dir: Path | str | None) -> Path:
    """``--cache-dir``, else the directory that holds the default format cache."""
    return Path(cache_dir) if cache_dir is not None else default_cache_dir().parent


def _lower(
    parsed: ParsedSpec,
    *,
    name: str,
    diagnostics: Diagnostics,
    pagination: Mapping[str, str] | None,
    previous: Lowering | None,
    key: str,
    incremental: IncrementalStats,
) -> tuple[Api, Lowering | None, list[Diagnostic]]:
    """The IR: the previous run's when only prose changed, else lowered now.

    ``key`` is :func:`lowering_key` of ``name`` and ``pagination``.  Returns the
    IR, the reused lowering (``None``: lowered now) and lower's warnings.
    """
    if previous is not None:
        reused = previous.reuse(parsed.document, key)
        if reused is not None:
            api, changed = reused
            warnings = previous.diagnostics()
            diagnostics.extend(warnings)
            incremental.lowering = f"reused, {changed} prose change(s)"
            return api, previous, warnings
    from .lower import lower  # noqa: PLC0415 - see generate()

    first_warning = len(diagnostics.warnings)
    try:
        api = lower(
            None,
            parsed.document,
            package_name=name,
            diagnostics=diagnostics,
            pagination_rule=pagination,
        )
    except SpecError as error:
        raise error.located(parsed.locate) from error.__cause__
    return api, None, diagnostics.warnings[first_warning:]


def _build(
    parsed: ParsedSpec,
    *,
    name: str,
    out_dir: Path | str,
    runtime: RuntimeMode,
    diagnostics: Diagnostics,
    steps: _Progress,
    cache_dir: Path | str | None,
    use_cache: bool,
    pagination: Mapping[str, str] | None,
) -> _Built:
    """lower -> render -> format: the files of the package, formatted.

    Every cache entry is sealed with the user's key (:mod:`forgegen.cache_seal`);
    without a usable key no cache is read or written, and a note says why.
    """
    cache_root = _cache_root(cache_dir)
    notes: list[str] = []
    seal: CacheSeal | None = None
    if use_cache:
        opened = open_seal()
        if isinstance(opened, str):
            notes.append(opened)
            use_cache = False
        else:
            seal = opened
    store = SnapshotStore(cache_root, out_dir, name, seal) if seal is not None else None
    previous = store.load() if store is not None else Snapshot()
    incremental = IncrementalStats()
    key = lowering_key(name, pagination)

    steps.start()
    api, lowering, lower_warnings = _lower(
        parsed,
        name=name,
        diagnostics=diagnostics,
        pagination=pagination,
        previous=previous.lowering,
        key=key,
        incremental=incremental,
    )
    if store is not None and lowering is None:
        # Recorded before rendering: recording corrects the pointers of prose that
        # normalising moved, and the render keys should see the corrected ones.
        lowering = Lowering.record(api, parsed.document, key, lower_warnings)
    operations = sum(len(tag.operations) for tag in api.tags)
    steps.done(
        "lower",
        f"{operations} operations in {len(api.tags)} tags, {len(api.models)} models, "
        f"{len(api.enums)} enums, {len(api.aliases)} aliases, {len(diagnostics)} warnings"
        f" ({incremental.lowering})",
    )

    steps.start()
    # Compiled templates live beside the format cache (``--cache-dir``/templates).
    template_cache = cache_root / "templates"
    memo = RenderMemo(previous.units) if store is not None else None
    # The template cache takes the seal from the context (render has no seal parameter).
    with sealing(seal) if seal is not None else nullcontext():
        rendered = render(
            api,
            runtime=runtime,
            spec_sha256=parsed.source_sha256,
            template_cache=template_cache if use_cache else None,
            options=_recorded_options(parsed, pagination),
            memo=memo,
        )
    reused = memo.reused if memo is not None else set()
    incremental.units_reused = len(reused)
    incremental.units_rendered = len(memo.keys) - len(reused) if memo is not None else 0
    lines = sum(text.count("\n") for text in rendered.values())
    steps.done(
        "render",
        f"{len(rendered)} files, {lines} lines, {incremental.units_reused} modules unchanged",
    )

    steps.start()
    stats = FormatStats()
    # The vendored runtime is copied byte for byte; it is black-formatted already.
    # Modules from the render memo were formatted when they were made.
    generated = {
        path: text
        for path, text in rendered.items()
        if not path.startswith("_runtime/") and path not in reused
    }
    formatted = format_sources(
        generated,
        cache_dir=Path(cache_dir) if cache_dir is not None else None,
        use_cache=use_cache,
        stats=stats,
        seal=seal,
    )
    files = dict(sorted({**rendered, **formatted}.items()))
    steps.done(
        "format",
        f"{stats.formatted} formatted ({stats.lines_formatted} lines, {stats.workers} "
        f"worker(s)), {stats.cached} from cache",
    )
    units = memo.learned(files) if memo is not None else {}
    if seal is not None:
        notes.extend(seal.notes())
    snapshot = Snapshot(lowering=lowering, units=units)
    return _Built(files, stats, incremental, store, snapshot, notes)


def _as_project(
    files: dict[str, str],
    name: str,
    out_dir: Path | str,
    document: Mapping[str, Any],
    version: str | None,
) -> dict[str, str]:
    """The package's files inside an installable project (see :mod:`.project_layout`)."""
    from .codegen import RenderError  # noqa: PLC0415 - only for this layout
    from .project_layout import (  # noqa: PLC0415
        ProjectInfo,
        distribution_name,
        project_files,
        project_version,
    )

    info = document.get("info")
    info = info if isinstance(info, Mapping) else {}
    title = str(info.get("title") or name)
    try:
        project = ProjectInfo(
            distribution=distribution_name(Path(os.path.abspath(out_dir)).name),
            version=project_version(str(info.get("version", "")), version),
            summary=f"A typed Python client for {title}, generated by forgegen",
        )
        return project_files(files, name, project, MARKER)
    except RenderError as error:
        raise UsageError(str(error)) from None


def lower_spec(
    spec_path: Path | str,
    *,
    package_name: str = "client",
    allow_remote_refs: bool = False,
    limits: Limits | None = None,
    overlays: Sequence[Path | str] = (),
) -> tuple[Api, list[Diagnostic]]:
    """The IR of the client ``spec_path`` generates, and the warnings: nothing rendered or written.

    What ``forgegen diff`` compares.  The document is read, repaired and
    lowered exactly as :func:`generate` does, without its caches.
    """
    from .lower import lower  # noqa: PLC0415 - see generate()
    from .parse import parse_spec  # noqa: PLC0415

    diagnostics = Diagnostics()
    parsed = parse_spec(
        spec_path,
        allow_remote_refs=allow_remote_refs,
        diagnostics=diagnostics,
        validate="background",
        limits=limits,
        overlays=overlays,
    )
    repairs = _repairs_if_invalid(parsed)
    if repairs is not None:
        diagnostics.extend(repairs.warnings)
    try:
        api = lower(None, parsed.document, package_name=package_name, diagnostics=diagnostics)
    except SpecError as error:
        raise error.located(parsed.locate) from error.__cause__
    return api, [_located(warning, parsed.locate) for warning in diagnostics.warnings]


def _repairs_if_invalid(parsed: ParsedSpec) -> Diagnostics | None:
    """``None`` for a valid document; else degrade it in place (see :mod:`.degrade`).

    Returns the warnings of the repairs; raises the validation's
    :class:`SpecError` when the defect is the document's own.
    """
    try:
        parsed.check()
    except SpecError as error:
        from .degrade import degrade_until_valid  # noqa: PLC0415 - only for invalid documents

        repairs = Diagnostics()
        degrade_until_valid(parsed.document, parsed.validation.problems, repairs, error)
        return repairs
    return None


def _recorded_options(
    parsed: ParsedSpec, pagination: Mapping[str, str] | None
) -> dict[str, Any] | None:
    """Options that shape the output beyond the spec, for ``.forgegen.json``.

    A pagination rule and the overlays change what is generated, so the package
    records them; an overlay by its file name and digest (not its path, which
    differs between machines regenerating the same client).
    """
    options: dict[str, Any] = {}
    if pagination:
        options["pagination"] = dict(sorted(pagination.items()))
    if parsed.overlays:
        options["overlays"] = [
            {"file": Path(overlay.name).name, "sha256": overlay.sha256}
            for overlay in parsed.overlays
        ]
    return options or None


def generate(
    spec_path: Path | str,
    out_dir: Path | str,
    *,
    package_name: str | None = None,
    runtime: RuntimeMode = "vendored",
    check: bool = False,
    force: bool = False,
    allow_remote_refs: bool = False,
    quiet: bool = False,
    cache_dir: Path | str | None = None,
    use_cache: bool = True,
    progress: TextIO | None = None,
    pagination: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    overlays: Sequence[Path | str] = (),
    strict: bool = False,
    layout: Literal["package", "project"] = "package",
    project_version: str | None = None,
) -> GenerationResult:
    """Generate the client for ``spec_path`` into ``out_dir`` (or compare, with ``check``).

    ``pagination`` is a document-wide ``x-forgegen-pagination`` rule (the keys of
    ``[tool.forgegen.pagination]``) that replaces the document's own.  ``limits``
    bound how big a spec may be (default :data:`~forgegen.limits.DEFAULT_LIMITS`).
    ``overlays`` (OpenAPI Overlay files) are applied to the spec in order before
    anything reads it; the package records each one's digest, so ``check``
    finds the output stale when an overlay changes.  With ``strict`` every
    warning is an error (:class:`StrictModeError`) and nothing is written.
    ``layout="project"`` makes ``out_dir`` an installable project with the
    package under ``src/`` (:mod:`.project_layout`); its version is
    ``project_version`` or the spec's ``info.version``.

    Raises :class:`SpecError` (exit 1), :class:`UsageError` and
    :class:`~forgegen.writer.OutputError` (exit 2).
    """
    if runtime not in ("vendored", "package"):
        raise UsageError(f"--runtime must be 'vendored' or 'package', got {runtime!r}")
    if layout not in ("package", "project"):
        raise UsageError(f"--layout must be 'package' or 'project', got {layout!r}")
    if layout == "project" and package_name is None:
        # A project directory is named like a distribution (petstore-client).
        package_name = re.sub(r"[-.]+", "_", Path(os.path.abspath(out_dir)).name).lower()
    name = package_name_for(out_dir, package_name)
    _refuse_enclosing_output(Path(out_dir), Path(spec_path))
    _check_pagination_rule(pagination)
    # The front end and lower are imported here, not at module level: the back
    # end (render/format/write) stays importable and testable on its own.
    from .parse import parse_spec  # noqa: PLC0415

    steps = _Progress(None if quiet else (progress if progress is not None else sys.stderr))
    diagnostics = Diagnostics()

    steps.start()
    # Validation runs on the second core while this one lowers, renders and
    # formats; its verdict is collected before anything is written.
    parsed = parse_spec(
        spec_path,
        allow_remote_refs=allow_remote_refs,
        diagnostics=diagnostics,
        validate="background",
        limits=limits,
        overlays=overlays,
    )
    steps.done("parse", f"{Path(spec_path).name}: OpenAPI {parsed.original_version}")

    def build(into: Diagnostics) -> _Built:
        return _build(
            parsed,
            name=name,
            out_dir=out_dir,
            runtime=runtime,
            diagnostics=into,
            steps=steps,
            cache_dir=cache_dir,
            use_cache=use_cache,
            pagination=pagination,
        )

    parse_warnings = list(diagnostics.warnings)
    built: _Built | None = None
    failure: Exception | None = None
    try:
        built = build(diagnostics)
    except Exception as error:  # an invalid document explains a failure better than its symptom
        failure = error
    repairs = _repairs_if_invalid(parsed)
    if repairs is not None:
        # The document was degraded to validity: build again from it, keeping the
        # parse stage's warnings and the repairs' (not the first build's).
        diagnostics = Diagnostics()
        diagnostics.extend([*parse_warnings, *repairs.warnings])
        built = build(diagnostics)
    elif failure is not None:
        raise failure
    assert built is not None
    warnings = [_located(warning, parsed.locate) for warning in diagnostics.warnings]
    if strict and warnings:
        raise StrictModeError(warnings)
    files = built.files
    if layout == "project":
        files = _as_project(files, name, out_dir, parsed.document, project_version)
    if built.store is not None:
        built.store.save(built.snapshot)

    steps.start()
    changes = write_files(out_dir, files, check=check, force=force)
    steps.done(
        "check" if check else "write",
        f"{len(changes.added)} added, {len(changes.modified)} modified, "
        f"{len(changes.removed)} removed{' (would change)' if check else ''}: {out_dir}",
    )
    return GenerationResult(
        out_dir=Path(out_dir),
        package_name=name,
        files=files,
        changes=changes,
        warnings=warnings,
        timings=steps.timings,
        format_stats=built.format_stats,
        incremental=built.incremental,
        checked=check,
        notes=built.notes,
    )
