"""Command line entry point; the full generator CLI arrives with the Generator issue."""

from __future__ import annotations

import sys

from . import __version__

__all__ = ["main"]


def main() -> None:
    """Print the version; generation is not available in this build yet."""
    if "--version" in sys.argv[1:]:
        print(f"forgegen {__version__}")
        return
    sys.stderr.write(
        "forgegen: code generation is not part of this build yet (runtime only); "
        "see `forgegen --version`\n"
    )
    raise SystemExit(2)
