"""What a formulation hands back: solver-independent numbers, no OR-Tools objects.

Any formulation (the assignment model today, a pattern model tomorrow) fills a `Solution`; the
result builder turns it into a `Plan`. That seam is what lets a stronger formulation replace
the first one without touching the loader, the plan or the checker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from nfvplan.plan import Status

if TYPE_CHECKING:  # annotations only: importing them would pull networkx into `import nfvplan`
    from nfvplan.solver.problem import Problem
    from nfvplan.solver.routing import ChainPath

Placement = tuple[int, int, int | None]
"""(kind index, slot index, NUMA node or None)."""


@dataclass(frozen=True)
class Progress:
    """A new best plan found during the search, in the objective's own units."""

    elapsed_s: float
    value: float
    bound: float


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class RunLimits:
    """How long and how wide one search may go."""

    time_limit_s: float
    workers: int
    seed: int
    progress: ProgressCallback | None = None


@dataclass(frozen=True)
class Flow:
    """Traffic (in Mbit/s) a formulation sends along one candidate chain path of a demand."""

    service: str
    demand: int
    units: int
    path: ChainPath


@dataclass
class Solution:
    """The outcome of one formulation run."""

    status: Status
    value: float | None = None
    bound: float | None = None
    counts: dict[Placement, int] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    traffic: dict[tuple[int, int], int] = field(default_factory=dict)
    """(kind, slot) → Mbit/s the instances of that kind on that server carry together."""
    wall_time_s: float = 0.0
    relaxation_bound: float | None = None
    """A bound that holds whatever paths are allowed (the configuration LP ignores routing)."""
    notes: list[str] = field(default_factory=list)
    conflict: list[tuple[str, str]] = field(default_factory=list)
    """For an infeasible run with requirements relaxable: the requirement keys in conflict."""


class Formulation(Protocol):
    """A way to solve a `Problem` exactly; one implementation per module."""

    name: str

    def solve(self, problem: Problem, limits: RunLimits) -> Solution:
        """Search for the best plan within `limits`."""
        ...
