"""The resilience check: for each single failure, can the failed instances be re-placed on the
surviving capacity without moving anything else, with every rule holding?

Each failure is one re-plan through the public solver: the failed scenario (see
`failures.failed_scenario`) with the plan as `current` and `keep_current=True`, so every
placement on a server still up stays where it is and only the failed instances are placed
again. Every re-placement the solver finds is re-verified before it counts: by `check_plan`
against the failed scenario, and here, for keeping every surviving placement and for the
recovery budgets (`max_recovery_seconds`, `late_restarts`: lifecycle arithmetic on the plan,
nothing of the solver's model).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum

from nfvplan.check import check_plan
from nfvplan.lifecycle import Restart, recovery_restarts, slowest_seconds
from nfvplan.model import Scenario
from nfvplan.plan import Placement, Plan, Status
from nfvplan.solver import SolveOptions, solve
from nfvplan.survive.failures import (
    DroppedDemand,
    Failure,
    Level,
    dropped_demands,
    enumerate_failures,
    failed_scenario,
    hit_instances,
)
from nfvplan.survive.shortfall import Shortfall, shortfalls

EXIT_NOT_SURVIVABLE = 6
"""Some single failure is proven not survivable (takes precedence over undecided ones)."""
EXIT_UNDECIDED = 4
"""No failure is proven fatal, but some re-placement was neither found nor ruled out in time."""


class Outcome(str, Enum):
    """The verdict on one failure."""

    SURVIVABLE = "survivable"
    NOT_SURVIVABLE = "not survivable"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class CheckOptions:
    """Limits of each re-placement search (one per failure)."""

    time_limit_s: float | None = None
    workers: int | None = None
    seed: int | None = None


@dataclass(frozen=True)
class FailureResult:
    """What one failure does to the plan and whether it can be recovered from."""

    failure: Failure
    outcome: Outcome
    hit: tuple[Placement, ...]
    dropped: tuple[DroppedDemand, ...] = ()
    replaced: tuple[tuple[str, str, str], ...] = ()
    """(vnf, form, server) of every instance the recovery starts, one entry per instance."""
    recovery_s: float | None = None
    """Seconds until the failed instances run again: each receiving host pulls the images it
    does not hold yet, then boots them, in parallel with the other hosts (`lifecycle`). None
    when not survivable, when a form they start in has no `boot_seconds`, or when a receiving
    host cannot reach the registry."""
    restarts: tuple[Restart, ...] = ()
    """Per instance started (as `replaced`): its host, pull and boot seconds (`lifecycle`)."""
    shortfalls: tuple[Shortfall, ...] = ()
    blocking: tuple[str, ...] = ()
    """The solver's explanation when the failure is not survivable (or undecided)."""
    recovery_plan: Plan | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ResilienceReport:
    """Every single failure at one level, checked against one plan."""

    scenario: str
    level: Level
    results: tuple[FailureResult, ...]
    idle: tuple[str, ...]
    """Failures that hit nothing (unused servers, untouched sites)."""
    budgets: dict[str, float] = field(default_factory=dict)
    """VNF → its `max_recovery_seconds`, for the VNFs that have one (the report shows them)."""

    def count(self, outcome: Outcome) -> int:
        """How many failures ended with `outcome`."""
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def survivable(self) -> bool:
        """True when every single failure is survivable."""
        return all(r.outcome is Outcome.SURVIVABLE for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 all survivable · 6 some proven not survivable · 4 some undecided in time."""
        if self.count(Outcome.NOT_SURVIVABLE):
            return EXIT_NOT_SURVIVABLE
        if self.count(Outcome.UNDECIDED):
            return EXIT_UNDECIDED
        return 0

    @property
    def worst(self) -> FailureResult | None:
        """The worst failure: not survivable first, then undecided, then the slowest recovery;
        ties go to the one that hits the most instances, then to the first."""
        rank = {Outcome.NOT_SURVIVABLE: 0, Outcome.UNDECIDED: 1, Outcome.SURVIVABLE: 2}
        if not self.results:
            return None
        return min(
            self.results,
            key=lambda r: (rank[r.outcome], -(r.recovery_s or 0.0), -len(r.hit)),
        )


def check_resilience(
    scenario: Scenario, plan: Plan, level: Level, options: CheckOptions | None = None
) -> ResilienceReport:
    """Check every single failure at `level` against `plan` (which must hold for `scenario`)."""
    options = options or CheckOptions()
    failures, idle = enumerate_failures(scenario, plan, level)
    results = tuple(check_failure(scenario, plan, failure, options) for failure in failures)
    budgets = {
        name: vnf.max_recovery_seconds
        for name, vnf in scenario.vnfs.items()
        if vnf.max_recovery_seconds is not None
    }
    return ResilienceReport(scenario.name, level, results, tuple(idle), budgets)


def check_failure(
    scenario: Scenario, plan: Plan, failure: Failure, options: CheckOptions
) -> FailureResult:
    """Re-place what `failure` hits, keeping everything else; the verdict with its numbers."""
    hit = tuple(hit_instances(plan, failure))
    dropped = tuple(dropped_demands(scenario, failure))
    failed = failed_scenario(scenario, plan, failure)
    recovery = solve(
        failed,
        SolveOptions(
            time_limit_s=options.time_limit_s,
            workers=options.workers,
            seed=options.seed,
            current=plan,
            keep_current=True,
        ),
    )
    if recovery.status.has_plan:
        violations = check_plan(failed, recovery)
        if violations:
            shown = "; ".join(f"[{v.rule}] {v.message}" for v in violations[:5])
            raise RuntimeError(f"the re-placement for {failure.label} breaks rules: {shown}")
        started = _started_instances(plan, recovery, failure)
        restarts = recovery_restarts(failed, plan, started)
        late = late_restarts(scenario, restarts)
        if late:
            shown = "; ".join(late[:5])
            raise RuntimeError(f"the re-placement for {failure.label} misses budgets: {shown}")
        return FailureResult(
            failure,
            Outcome.SURVIVABLE,
            hit,
            dropped,
            tuple(started),
            slowest_seconds(restarts),
            tuple(restarts),
            recovery_plan=recovery,
        )
    outcome = Outcome.NOT_SURVIVABLE if recovery.status is Status.INFEASIBLE else Outcome.UNDECIDED
    short = tuple(shortfalls(scenario, plan, failure, list(hit)))
    return FailureResult(
        failure,
        outcome,
        hit,
        dropped,
        shortfalls=short,
        blocking=tuple(recovery.explanation or ()),
        recovery_plan=recovery,
    )


BUDGET_EPSILON = 1e-6
"""Seconds of float noise allowed over a budget (the solver rounds to whole milliseconds)."""


def late_restarts(scenario: Scenario, restarts: list[Restart]) -> list[str]:
    """The recovery-budget rule, checked on the instances a recovery starts: each instance of
    a VNF with `max_recovery_seconds` runs within it, its host's pulls plus its boot (an
    unknown pull, a host the registry cannot reach, is late). One line per late instance."""
    late = []
    for restart in restarts:
        vnf = scenario.vnfs.get(restart.vnf)
        budget = vnf.max_recovery_seconds if vnf is not None else None
        if budget is None:
            continue
        total = restart.total_s
        if total is None or total > budget + BUDGET_EPSILON:
            took = "the registry is out of reach" if total is None else f"takes {total:g} s"
            late.append(
                f"{restart.vnf} ({restart.form}) on {restart.server} {took}, over its "
                f"max_recovery_seconds {budget:g}"
            )
    return late


def _started_instances(plan: Plan, recovery: Plan, failure: Failure) -> list[tuple[str, str, str]]:
    """The instances the recovery starts: its placements beyond the surviving ones.

    Also the independent proof of "nothing else moved": every surviving placement's
    (vnf, form, server) must still be there as often as before.
    """
    kept = Counter(
        (p.vnf, p.form, p.server) for p in plan.placements if p.server not in failure.servers
    )
    now = Counter((p.vnf, p.form, p.server) for p in recovery.placements)
    moved = kept - now
    if moved:
        shown = ", ".join(f"{vnf} ({form}) on {server}" for vnf, form, server in moved)
        raise RuntimeError(f"the re-placement for {failure.label} moved {shown}")
    return sorted((now - kept).elements())
