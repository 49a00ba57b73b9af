"""Errors a user can cause, each pointing at the place in their file that caused it.

The CLI turns `InputError` into exit code 2 and prints every `Problem` on its own line in the
`file:line:column: path: message` form compilers use, so editors can jump to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from nfvplan.wording import count

MAX_REPORTED_PROBLEMS = 20
"""More errors than this are counted, not listed: the first few are what a user fixes first."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file. `line` and `column` are 1-based."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field_part = f" {self.path}:" if self.path else ""
        return f"{where}:{field_part} {self.message}"


class InputError(Exception):
    """Bad input or usage: the run stops before solving (exit code 2)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(self.render())

    @classmethod
    def single(
        cls,
        file: str,
        message: str,
        *,
        path: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> InputError:
        """An error with one problem."""
        return cls([Problem(file, line, column, path, message)])

    def render(self) -> str:
        """All problems, capped, one per line."""
        shown = [str(p) for p in self.problems[:MAX_REPORTED_PROBLEMS]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(f"... and {count(hidden, 'more error')} not shown")
        return "\n".join(shown)
