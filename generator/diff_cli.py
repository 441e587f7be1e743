"""``forgegen diff OLD NEW``: what regenerating from NEW does to code written against OLD's client.

Exit codes: 0 the report was printed (whatever it says); 1 with
``--fail-on-breaking`` when a change breaks; 2 bad input (a spec that cannot
be read, a wrong option), the same as the generating command's usage errors.
"""

from __future__ import annotations

from pathlib import Path

import click

from .api_diff import compare_apis
from .diagnostics import SpecError
from .diff_report import Format, render_report
from .pipeline import lower_spec

__all__ = ["diff_command"]


@click.command(
    "diff",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for a pull request comment, json for tools.",
)
@click.option("--fail-on-breaking", is_flag=True, help="Exit 1 when any change is breaking.")
@click.option(
    "--overlay",
    "overlays",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="An OpenAPI Overlay applied to both specs (repeatable, in order).",
)
def diff_command(
    old: Path, new: Path, output: Format, fail_on_breaking: bool, overlays: tuple[Path, ...]
) -> None:
    """Compare the Python clients OLD and NEW generate, as calling code sees them."""
    apis = []
    for spec in (old, new):
        try:
            api, _ = lower_spec(spec, overlays=overlays)
        except SpecError as error:
            click.echo(f"forgegen: error: {error}", err=True)
            raise SystemExit(2) from None
        apis.append(api)
    changes = compare_apis(apis[0], apis[1])
    click.echo(render_report(changes, old=str(old), new=str(new), output=output), nl=False)
    if fail_on_breaking and any(change.breaking for change in changes):
        raise SystemExit(1)
