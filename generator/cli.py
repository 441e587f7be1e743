"""``forgegen SPEC -o OUT``: the command line over :func:`forgegen.pipeline.generate`.

Exit codes: 0 done (or ``--check`` found the output fresh); 1 the spec cannot
be turned into a client, or ``--check`` found stale output; 2 the command was
used wrongly (bad option, bad package name, an output directory that is not
ours).  Spec errors are printed as ``file:line #/pointer: message``, never as a
traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from . import __version__
from .diagnostics import SpecError
from .pipeline import UsageError, generate
from .writer import OutputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

__all__ = ["load_config", "main"]

_EXAMPLES = """
\b
Examples:
  forgegen petstore.yaml -o src/petstore
  forgegen api.json -o clients/my-api --package-name my_api
  forgegen petstore.yaml -o src/petstore --check     # exit 1 if out of date
  forgegen petstore.yaml -o src/petstore --runtime package

\b
Options may also come from [tool.forgegen] in a pyproject.toml next to the
spec (or the file given by --config); the command line wins:
  [tool.forgegen]
  output = "src/petstore"
  package-name = "petstore"
  runtime = "vendored"
  [tool.forgegen.pagination]        # iterate() for list operations of a spec
  style = "cursor"                  # you cannot edit (x-forgegen-pagination)
  cursor_param = "starting_after"
  cursor_item_field = "id"
  has_more = "/has_more"
  items = "/data"
"""

#: ``[tool.forgegen]`` keys and the option each one sets.
_CONFIG_KEYS = {
    "output": "output",
    "package-name": "package_name",
    "package_name": "package_name",
    "runtime": "runtime",
    "allow-remote-refs": "allow_remote_refs",
    "allow_remote_refs": "allow_remote_refs",
    "cache-dir": "cache_dir",
    "cache_dir": "cache_dir",
    "pagination": "pagination",
}


def load_config(path: Path, *, required: bool) -> dict[str, Any]:
    """The ``[tool.forgegen]`` table of ``path`` as option names -> values.

    Relative paths in it (``output``, ``cache-dir``) are relative to the file.
    A missing file is an empty config unless ``required``.
    """
    if not path.is_file():
        if required:
            raise click.UsageError(f"config file {path} does not exist")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise click.UsageError(f"cannot read {path}: {exc}") from None
    table = data.get("tool", {}).get("forgegen", {})
    if not isinstance(table, Mapping):
        raise click.UsageError(f"{path}: [tool.forgegen] must be a table")
    options: dict[str, Any] = {}
    for key, value in table.items():
        option = _CONFIG_KEYS.get(key)
        if option is None:
            known = ", ".join(sorted(k for k in _CONFIG_KEYS if "_" not in k))
            raise click.UsageError(f"{path}: unknown [tool.forgegen] key {key!r} (known: {known})")
        if option in ("output", "cache_dir"):
            if not isinstance(value, str):
                raise click.UsageError(f"{path}: {key} must be a string")
            options[option] = path.parent / value
            continue
        if option == "pagination" and not isinstance(value, Mapping):
            raise click.UsageError(f"{path}: [tool.forgegen.pagination] must be a table")
        if option == "allow_remote_refs" and not isinstance(value, bool):
            raise click.UsageError(f"{path}: {key} must be true or false")
        elif option in ("package_name", "runtime") and not isinstance(value, str):
            raise click.UsageError(f"{path}: {key} must be a string")
        options[option] = value
    return options


@click.command(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=_EXAMPLES,
)
@click.argument(
    # Existence is checked by the loader, so a missing spec is a spec error (exit 1)
    # naming the file, like every other problem with the input.
    "spec",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="SPEC",
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
@click.option("--force", is_flag=True, help="Replace an output directory forgegen did not write.")
@click.option(
    "--allow-remote-refs", is_flag=True, default=None, help="Follow $refs to http(s) URLs."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A pyproject.toml with [tool.forgegen] (default: the one next to SPEC).",
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
@click.option("-q", "--quiet", is_flag=True, help="No progress output (warnings still shown).")
@click.version_option(__version__, "--version", prog_name="forgegen")
def main(  # noqa: PLR0917 -- click passes every option positionally
    spec: Path,
    output: Path | None,
    package_name: str | None,
    check: bool,
    runtime: str | None,
    force: bool,
    allow_remote_refs: bool | None,
    config_path: Path | None,
    cache_dir: Path | None,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Generate a typed Python client package from the OpenAPI document SPEC."""
    config = load_config(
        config_path if config_path is not None else spec.parent / "pyproject.toml",
        required=config_path is not None,
    )
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
        )
    except SpecError as error:
        click.echo(f"forgegen: error: {error}", err=True)
        raise SystemExit(1) from None
    except (UsageError, OutputError) as error:
        raise click.UsageError(str(error)) from None
    for warning in result.warnings:
        click.echo(f"forgegen: warning: {warning}", err=True)
    if check:
        if result.stale:
            click.echo(f"{output} is out of date; these files would change:", err=True)
            for line in result.changes.lines():
                click.echo(f"  {line}", err=True)
            raise SystemExit(1)
        if not quiet:
            click.echo(f"{output} is up to date", err=True)


if __name__ == "__main__":  # pragma: no cover - ``python -m forgegen.cli``
    main()
