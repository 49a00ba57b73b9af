"""The closed sets of values the command line offers as options, free of any other import.

`nfvplan.model` (Objective) and `nfvplan.survive` (Level) use them as plain data; they live in
this module of their own because typer builds every command's options on each `nfvplan` run, and
the data model's dataclasses alone cost about as much to import as the rest of the CLI
(docs/performance.md, "Fast start").
"""

from __future__ import annotations

from enum import Enum


class Objective(str, Enum):
    """What the solver minimises."""

    COST = "cost"
    SERVERS = "servers"
    BALANCE = "balance"


class Level(str, Enum):
    """What fails in failure analysis: one server, or one whole site."""

    SERVER = "server"
    SITE = "site"
