"""How `nfvplan --help` lists the commands: in the order a user needs them, never cut off.

click lists commands in registration order and truncates each description to what fits on one
line ("Compare all-VM, all-container and mixed plans: cost,..."). A new user reads the list top
to bottom as a workflow: plan, verify, look, then ask questions of the plan. The order is kept
here, in one tuple, so a command registered anywhere slots in by adding its name; a command not
named here is listed after these, in registration order.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from typer.core import TyperGroup

WORKFLOW_ORDER = (
    "solve",
    "check",
    "refresh",
    "show",
    "report",
    "compare",
    "whatif",
    "resilience",
    "sweep",
    "generate",
    "topology",
    "import",
    "export",
    "diff",
)
"""Plan, verify (and refresh a hand-edited plan), look at it, then the questions a design review
asks of it, then scale studies and the inputs around the scenario."""


_BRACED = re.compile(r"^\{(.+)\}$")


def _plain_usage(command: Any) -> None:
    """Make `command` (and, for a group, its commands) print `SCENARIO PLAN` in its usage line.

    typer >= 0.2x writes a required argument as `{SCENARIO}`, a notation no Unix tool uses and a
    user reads as literal braces; click's own convention is the bare metavar.
    """
    if getattr(command, "_nfvplan_plain_usage", False):
        return
    pieces = command.collect_usage_pieces

    def collect_usage_pieces(ctx: typer.Context) -> list[str]:
        return [_BRACED.sub(r"\1", piece) for piece in pieces(ctx)]

    command.collect_usage_pieces = collect_usage_pieces
    command._nfvplan_plain_usage = True
    if hasattr(command, "commands") and not isinstance(command, WorkflowGroup):
        # A nested group (`topology`) lists its own commands: whole descriptions there too.
        command.format_commands = lambda ctx, formatter: _format_whole(command, ctx, formatter)
    for sub in getattr(command, "commands", {}).values():
        _plain_usage(sub)


def _format_whole(group: Any, ctx: typer.Context, formatter: Any) -> None:
    """One row per visible command of `group`; the description wraps instead of ending in
    `...` (click cuts it to what fits on one line)."""
    rows = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is not None and not command.hidden:
            rows.append((name, command.get_short_help_str(limit=1_000)))
    if rows:
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class WorkflowGroup(TyperGroup):
    """The top-level group: commands in `WORKFLOW_ORDER`, each with its whole first sentence,
    and usage lines without typer's braces."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        _plain_usage(self)

    def list_commands(self, ctx: typer.Context) -> list[str]:
        """Known commands in workflow order, then any others as registered."""
        rank = {name: index for index, name in enumerate(WORKFLOW_ORDER)}
        names = list(self.commands)
        return sorted(names, key=lambda name: (rank.get(name, len(rank)), names.index(name)))

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:
        """One row per visible command; the description wraps instead of ending in `...`."""
        _format_whole(self, ctx, formatter)
