"""How every command reports a user's mistake: on stderr, located, with exit code 2.

One place, so that `solve`, `compare`, `whatif`, `sweep`, `resilience`, `generate` and `topology`
print bad input the same way (FORMAT.md section 3) and no command drifts into a traceback.
"""

from __future__ import annotations

from typing import NoReturn

import typer

from nfvplan.errors import InputError

EXIT_INPUT = 2
EXIT_INTERRUPTED = 130
"""Ctrl-C: 128 + SIGINT, as shells report it (`solve` and `sweep` keep what they finished)."""


def fail_input(error: InputError) -> NoReturn:
    """Print every located problem (one on the `error:` line, several below it) and exit 2."""
    typer.echo(f"error: {error.render()}" if len(error.problems) == 1 else "error:", err=True)
    if len(error.problems) > 1:
        typer.echo(error.render(), err=True)
    raise typer.Exit(EXIT_INPUT)


def fail_usage(message: str) -> NoReturn:
    """A mistake in the command line itself (conflicting options...): say so and exit 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_INPUT)
