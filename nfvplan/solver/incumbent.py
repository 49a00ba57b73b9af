"""What the stages of `solve()` hand each other: the best plan so far and what is proven.

Every stage takes an `Incumbent` and returns one: start plans fill `counts`, the bound stage
raises `bound`, the search replaces the plan when it finds a better one (and may prove it),
qualifying adds notes. None of them sets `status`: `status.decide` does, once, at the end.
Plain numbers only: no OR-Tools object leaves the solver package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nfvplan.model import Objective
from nfvplan.plan import Status
from nfvplan.solver.data import BALANCE_UNITS, COST_SCALE

if TYPE_CHECKING:  # annotations only: importing them would pull networkx into `import nfvplan`
    from nfvplan.solver.routing import ChainPath

Placement = tuple[int, int, int | None]
"""(kind index, slot index, NUMA node or None)."""
Counts = dict[Placement, int]


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
    """Traffic (in Mbit/s) a plan sends along one candidate chain path of a demand."""

    service: str
    demand: int
    units: int
    path: ChainPath


@dataclass
class Incumbent:
    """The best plan so far, its value and bound on the first objective level, and proofs.

    `counts` is a plan only when it obeys every rule (with routing, only the search's plans
    do, as only they carry flows); `hint` is where the next search starts from.
    """

    status: Status = Status.UNKNOWN
    """Decided by `status.decide` at the end of the pipeline, never by a stage."""
    value: float | None = None
    """First objective level of `counts`, in the objective's own units."""
    bound: float | None = None
    """A proven lower bound on the first objective level (over the model searched)."""
    counts: Counts = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    traffic: dict[tuple[int, int], int] = field(default_factory=dict)
    """(kind, slot) → Mbit/s the instances of that kind on that server carry together."""
    workers: dict = field(default_factory=dict)
    """The nested form's worker VMs of `counts` (`nesting.Workers`), when a stage knows them;
    `result.py` packs them itself when they do not match `counts` (`nesting.pack`)."""
    hint: Counts = field(default_factory=dict)
    """A starting plan for the search (may be partial or ignore routing)."""
    bound_name: str = ""
    """Which bound the bound stage kept (`bound.named`; "" for the configuration LP's)."""
    relaxation_bound: float | None = None
    """A bound that holds whatever paths are allowed (the configuration LP ignores routing)."""
    proven: bool = False
    """The search proved `counts` optimal on every level of the objective, over its model."""
    open_levels: list[str] | None = None
    """The objective levels the search's bound leaves unproven (None: not searched)."""
    infeasible: bool = False
    """The search proved its model has no plan (over the paths it was given)."""
    whatever_paths: bool = False
    """The infeasibility proof holds whatever paths are allowed (a necessary condition)."""
    opened: dict[tuple[str, str], int] = field(default_factory=dict)
    """(VNF, site) → instances in the routing bound's best solution, the guided greedy's
    guide (`start.guided_start`); empty when it has none."""
    notes: list[str] = field(default_factory=list)
    conflict: list[tuple[str, str]] = field(default_factory=list)
    """For an infeasible run with requirements relaxable: the requirement keys in conflict."""
    wall_time_s: float = 0.0

    @property
    def has_plan(self) -> bool:
        """True when `counts` is a complete plan (an empty scenario's plan is empty)."""
        return self.value is not None


def natural(objective: Objective, first: int) -> float:
    """A first-level value (cents, servers, millionths) in the objective's own units."""
    if objective is Objective.COST:
        return first / COST_SCALE
    if objective is Objective.SERVERS:
        return float(first)
    return first / BALANCE_UNITS
