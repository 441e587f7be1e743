"""``forgegen SPEC -o OUT``: the command line over :func:`forgegen.pipeline.generate`.

Exit codes: 0 done (or ``--check`` found the output fresh); 1 the spec cannot
be turned into a client, or ``--check`` found stale output; 2 the command was
used wrongly (bad option, bad package name, an output directory that is not
ours).  Spec errors are printed as ``file:line #/pointer: message``, never as a
traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import ConfigError, find_project_config, ignored_spec_config, load_config
from .diagnostics import SpecError
from .limits import DEFAULT_LIMITS, Limits, option_name
from .pipeline import StrictModeError, UsageError, generate
from .stale_diff import stale_diff
from .warning_report import report_lines
from .writer import OutputError

__all__ = ["main"]

_EXAMPLES = """
\b
Examples:
  forgegen petstore.yaml -o src/petstore
  forgegen api.json -o clients/my-api --package-name my_api
  forgegen petstore.yaml -o src/petstore --check     # exit 1 if out of date
  forgegen petstore.yaml -o src/petstore --check --diff   # ... and show how
  forgegen petstore.yaml -o src/petstore --runtime package
  forgegen diff old.yaml new.yaml --format markdown   # what the new spec breaks

\b
Options may also come from [tool.forgegen] in the pyproject.toml of the
project forgegen runs in (the nearest one from the current directory up to the
repository root), or the file given by --config; the command line wins.  A
pyproject.toml that only sits beside the spec is never read:
  [tool.forgegen]
  spec = "specs/petstore.yaml"      # SPEC when the command line names none
  output = "src/petstore"
  package-name = "petstore"
  runtime = "vendored"
  overlays = ["fixes.overlay.yaml"]  # OpenAPI Overlays, applied in order
  strict = true                     # every warning is an error
  [tool.forgegen.pagination]        # iterate() for list operations of a spec
  style = "cursor"                  # you cannot edit (x-forgegen-pagination)
  cursor_param = "starting_after"
  cursor_item_field = "id"
  has_more = "/has_more"
  items = "/data"
  max-nodes = 1000000               # any --max-... limit, for a truly huge spec
"""


def _user_config(spec: Path | None, config_path: Path | None) -> tuple[Path, dict[str, Any]]:
    """The spec, and options from ``--config`` or the project forgegen runs in (see :mod:`.config`).

    Without SPEC on the command line the config's ``spec`` names it (what a
    pre-commit hook or a CI job runs).  A ``[tool.forgegen]`` beside the spec
    that is neither config is named in one line and ignored.
    """
    used = config_path if config_path is not None else find_project_config(Path.cwd())
    try:
        options = {} if used is None else load_config(used, required=config_path is not None)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    if spec is None:
        spec = options.get("spec")
        if spec is None:
            raise click.UsageError("missing SPEC (or spec in [tool.forgegen])")
    ignored = ignored_spec_config(spec, used)
    if ignored is not None:
        click.echo(
            f"forgegen: note: ignoring [tool.forgegen] in {ignored}: options come only from the "
            "command line, --config and the pyproject.toml of the project forgegen runs in",
            err=True,
        )
    return spec, options


def _limit_options(command: Callable[..., None]) -> Callable[..., None]:
    """A ``--max-...`` option for each field of :class:`~forgegen.limits.Limits`."""
    for limit in reversed(fields(Limits)):
        default = getattr(DEFAULT_LIMITS, limit.name)
        command = click.option(
            option_name(limit.name),
            limit.name,
            type=click.IntRange(min=1),
            metavar="N",
            help=f"{limit.metadata['help']} Default {default:,}.",
        )(command)
    return command


class _GenerateOrDiff(click.Command):
    """The generating command, handing ``forgegen diff OLD NEW`` to :mod:`.diff_cli`.

    One program with a positional SPEC cannot also be a click group, so the
    word ``diff`` in first place is looked for here (a spec file named
    ``diff`` is still reachable as ``./diff``).
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        arguments = list(sys.argv[1:] if args is None else args)
        if arguments[:1] == ["diff"]:
            from .diff_cli import diff_command  # noqa: PLC0415 - only for this subcommand

            return diff_command.main(
                arguments[1:],
                f"{prog_name or 'forgegen'} diff",
                complete_var,
                standalone_mode,
                **extra,
            )
        return super().main(arguments, prog_name, complete_var, standalone_mode, **extra)


@click.command(
    cls=_GenerateOrDiff,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=_EXAMPLES,
)
@click.argument(
    # Existence is checked by the loader, so a missing spec is a spec error (exit 1)
    # naming the file, like every other problem with the input.
    "spec",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="SPEC",
    required=False,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory that becomes the package (its name is the import name).",
)
@click.option("--package-name", help="Import name when the directory's name is not one.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and list files if stale.")
@click.option(
    "--runtime",
    type=click.Choice(["vendored", "package"]),
    default=None,
    help="Vendor the runtime into _runtime/ (default) or import the installed requestforge.",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="With --check: also print a unified diff of the stale files (capped).",
)
@click.option(
    "--layout",
    type=click.Choice(["package", "project"]),
    default=None,
    help="package: OUTPUT is the package (default). project: OUTPUT is an installable project"
    " (pyproject.toml, src/PACKAGE).",
)
@click.option(
    "--project-version",
    metavar="VERSION",
    help="With --layout project: the project's version (default: the spec's info.version).",
)
@click.option("--force", is_flag=True, help="Replace an output directory forgegen did not write.")
@click.option(
    "--allow-remote-refs", is_flag=True, default=None, help="Follow $refs to http(s) URLs."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A pyproject.toml with [tool.forgegen] (default: the current project's, never one"
    " that only sits beside SPEC).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where formatted files and regeneration snapshots are kept (default ~/.cache/forgegen).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write any cache: lower, render and format everything.",
)
@click.option(
    "--overlay",
    "overlays",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="An OpenAPI Overlay (1.0) to apply to SPEC first; repeat to apply several in order.",
)
@click.option(
    "--strict",
    is_flag=True,
    default=None,
    help="Treat every warning as an error: exit 1 and write nothing.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress output (warnings still shown).")
@click.option(
    "-v", "--verbose", is_flag=True, help="Also say what was ignored (cache entries and the like)."
)
@_limit_options
@click.version_option(__version__, "--version", prog_name="forgegen")
def main(  # noqa: PLR0917 -- click passes every option positionally
    spec: Path | None,
    output: Path | None,
    package_name: str | None,
    check: bool,
    show_diff: bool,
    layout: str | None,
    project_version: str | None,
    runtime: str | None,
    force: bool,
    allow_remote_refs: bool | None,
    config_path: Path | None,
    cache_dir: Path | None,
    no_cache: bool,
    overlays: tuple[Path, ...],
    strict: bool | None,
    quiet: bool,
    verbose: bool,
    **limits: int | None,
) -> None:
    """Generate a typed Python client package from the OpenAPI document SPEC."""
    spec, config = _user_config(spec, config_path)
    output = output if output is not None else config.get("output")
    if output is None:
        raise click.UsageError("missing -o/--output (or output in [tool.forgegen])")
    runtime = runtime if runtime is not None else config.get("runtime", "vendored")
    if runtime not in ("vendored", "package"):
        raise click.UsageError(f"runtime must be 'vendored' or 'package', got {runtime!r}")
    try:
        result = generate(
            spec,
            output,
            package_name=package_name if package_name is not None else config.get("package_name"),
            runtime="package" if runtime == "package" else "vendored",
            check=check,
            force=force,
            allow_remote_refs=bool(
                allow_remote_refs
                if allow_remote_refs is not None
                else config.get("allow_remote_refs", False)
            ),
            quiet=quiet,
            cache_dir=cache_dir if cache_dir is not None else config.get("cache_dir"),
            use_cache=not no_cache,
            pagination=config.get("pagination"),
            limits=DEFAULT_LIMITS.overridden(
                **{name: config.get(name) for name in limits}
            ).overridden(**limits),
            overlays=overlays or config.get("overlays", ()),
            strict=bool(strict if strict is not None else config.get("strict", False)),
            layout="project" if (layout or config.get("layout")) == "project" else "package",
            project_version=project_version or config.get("project_version"),
        )
    except StrictModeError as error:
        for line in report_lines(error.warnings, verbose=verbose, label="forgegen: error: "):
            click.echo(line, err=True)
        click.echo(f"forgegen: error: {error}", err=True)
        raise SystemExit(1) from None
    except SpecError as error:
        click.echo(f"forgegen: error: {error}", err=True)
        raise SystemExit(1) from None
    except (UsageError, OutputError) as error:
        raise click.UsageError(str(error)) from None
    for line in report_lines(result.warnings, verbose=verbose, label="forgegen: warning: "):
        click.echo(line, err=True)
    if verbose:
        for note in result.notes:
            click.echo(f"forgegen: note: {note}", err=True)
    if check:
        if result.stale:
            click.echo(f"{output} is out of date; these files would change:", err=True)
            for line in result.changes.lines():
                click.echo(f"  {line}", err=True)
            if show_diff:
                for line in stale_diff(result.out_dir, result.files, result.changes):
                    click.echo(line)
            raise SystemExit(1)
        if not quiet:
            click.echo(f"{output} is up to date", err=True)


if __name__ == "__main__":  # pragma: no cover - ``python -m forgegen.cli``
    main()
