"""The console script's entry point: Ctrl-C while the command is still importing.

Why: `nfvplan.cli.main` imports typer and every command module at load time (0.2 s and more),
before its `main()` can catch KeyboardInterrupt, so a Ctrl-C that early printed a Python
traceback. This module imports nothing heavy itself and catches it around that import.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Import the command line (Ctrl-C meanwhile: "interrupted", exit 130), then run it."""
    try:
        from nfvplan.cli.main import main as run
    except KeyboardInterrupt:
        from nfvplan.cli.errors import EXIT_INTERRUPTED

        sys.stderr.write("interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    run()
