"""``python -m forgegen.conformance SPEC [SPEC ...] [--json OUT] [--port N]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .prism import PrismError, find_prism
from .report import format_report, write_json
from .runner import SpecResult, run_spec


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m forgegen.conformance",
        description="Call every operation of each spec's generated client against Prism.",
    )
    parser.add_argument("specs", nargs="+", metavar="SPEC", help="OpenAPI or Swagger 2.0 file")
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    parser.add_argument("--port", type=int, help="Prism's port (default: a free one)")
    parser.add_argument("--prism", metavar="PATH", help="prism executable or CLI index.js")
    parser.add_argument("--workers", type=int, default=4, help="concurrent calls (default 4)")
    parser.add_argument(
        "--startup-timeout", type=float, default=120.0, help="seconds Prism may take to start"
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="one Prism per tag on a part of the document (for documents too big for Prism)",
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument(
        "--min-pass-rate",
        type=float,
        default=0.0,
        help="exit 1 when a document passes fewer operations than this fraction (0-1)",
    )
    args = parser.parse_args(argv)
    try:
        command = find_prism(args.prism)
    except PrismError as error:
        print(f"forgegen.conformance: {error}", file=sys.stderr)
        return 2
    results: list[SpecResult] = []
    for spec in args.specs:
        print(f"forgegen.conformance: {spec}", file=sys.stderr, flush=True)
        try:
            result = run_spec(
                spec,
                port=args.port,
                prism_command=command,
                startup_timeout=args.startup_timeout,
                workers=args.workers,
                split=args.split,
            )
        except Exception as error:  # a document that does not parse or generate
            result = SpecResult(Path(spec).name, 0, error=f"{type(error).__name__}: {error}")
        results.append(result)
    print(format_report(results, markdown=args.markdown))
    if args.json:
        write_json(results, args.json)
    failed = any(r.error is not None or r.pass_rate < args.min_pass_rate for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
