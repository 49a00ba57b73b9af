"""Planning for survival: a plan for which every single failure at a level passes the check.

Scenario generation, the classic way to solve a two-stage robust problem exactly: solve the
plain plan, run the resilience check, give the solver recovery variables for each failure the
check found fatal (`nfvplan.solver.survive`), solve again, check again, until every failure is
survivable, the solver proves that no plan survives the failures added so far, or the check
keeps failing a failure the model already covers (the model relaxes routing and NUMA, so that
can happen: the plan is then returned as *not proven*, never as survivable).

Because the recovery model is a relaxation of the check, the last solve's bound is a bound on
every survivable plan, and an optimum that passes the check is optimal among survivable plans.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from nfvplan.model import Form, Scenario
from nfvplan.plan import Plan, Status
from nfvplan.solver import SolveOptions, solve
from nfvplan.survive.check import CheckOptions, Outcome, ResilienceReport, check_resilience
from nfvplan.survive.failures import Failure, Level, dropped_demands

if TYPE_CHECKING:
    from nfvplan.solver.survive import FailureSpec

MAX_ROUNDS = 20
"""Check-and-resolve rounds at most; each round adds at least one failure to the model."""


@dataclass(frozen=True)
class SurvivalResult:
    """The survivable plan, the plain one it is compared with, and the proof (the report)."""

    level: Level
    plan: Plan
    plain: Plan
    report: ResilienceReport | None
    """The check of `plan`; None when there is no plan to check."""
    modelled: tuple[str, ...]
    """Failures that got recovery variables, in the order they were added."""
    rounds: int

    @property
    def proven(self) -> bool:
        """True when `plan` passed the resilience check for every single failure."""
        return self.report is not None and self.report.survivable

    @property
    def extra_cost(self) -> float | None:
        """Monthly cost of the survivable plan minus the plain plan's (None without both)."""
        if not (self.plan.status.has_plan and self.plain.status.has_plan):
            return None
        return round(self.plan.summary.monthly_cost - self.plain.summary.monthly_cost, 6)

    @property
    def extra_share(self) -> float | None:
        """`extra_cost` relative to the plain plan's monthly cost."""
        extra = self.extra_cost
        base = self.plain.summary.monthly_cost
        if extra is None or not base:
            return None
        return extra / base

    def cost_line(self) -> str:
        """`resilience costs +X/month (+Y %)`, or why there is no figure."""
        extra = self.extra_cost
        if extra is None:
            return "resilience cost: - (no survivable plan to compare)"
        share = self.extra_share
        pct = "" if share is None else f" ({100 * share:+.1f} %)"
        return f"resilience costs {extra:+,.2f}/month{pct}"

    @property
    def exit_code(self) -> int:
        """The plan's own code when proven (0); 6 when a plan exists whose survival is not
        proven; the plan's code (3, 4) when there is none."""
        if not self.plan.status.has_plan:
            return self.plan.status.exit_code
        return 0 if self.proven else 6


def unplanned_budgets(scenario: Scenario) -> str | None:
    """The warning for a plain solve of a scenario with recovery budgets: a budget is a promise
    about failures, planned for only with `--survive`; None when no VNF has one."""
    names = [n for n, vnf in scenario.vnfs.items() if vnf.max_recovery_seconds is not None]
    if not names:
        return None
    return (
        f"warning: max_recovery_seconds ({', '.join(names)}) is planned for only with "
        "--survive server|site; this plan was not planned for failures "
        "(nfvplan resilience checks it)"
    )


def failure_spec(scenario: Scenario, failure: Failure) -> FailureSpec:
    """The solver's description of a failure."""
    from nfvplan.solver.survive import FailureSpec  # OR-Tools only when planning

    del scenario  # the spec is self-contained; demands are dropped by the solver from the site
    return FailureSpec(failure.label, failure.servers, failure.site)


def plan_survivable(
    scenario: Scenario,
    level: Level,
    options: SolveOptions | None = None,
    check: CheckOptions | None = None,
) -> SurvivalResult:
    """Plan `scenario` so that every single `level` failure is survivable, and prove it."""
    options = options or SolveOptions()
    check = check or CheckOptions(options.time_limit_s, options.workers, options.seed)
    plain = solve(scenario, options)
    if not plain.status.has_plan:
        return SurvivalResult(level, plain, plain, None, (), 0)
    plan, report = plain, check_resilience(scenario, plain, level, check)
    specs: dict[str, FailureSpec] = {}
    rounds = 0
    while not report.survivable and rounds < MAX_ROUNDS:
        fatal = [r.failure for r in report.results if r.outcome is not Outcome.SURVIVABLE]
        new = [f for f in fatal if f.label not in specs]
        if not new:
            break  # the model already covers these: what blocks is beyond it (routing, NUMA)
        for failure in new:
            specs[failure.label] = failure_spec(scenario, failure)
        rounds += 1
        plan = solve(scenario, replace(options, explain=False, failures=tuple(specs.values())))
        if not plan.status.has_plan:
            plan = _no_survivable_plan(plan, level, list(specs), report, _nests(scenario))
            return SurvivalResult(level, plan, plain, None, tuple(specs), rounds)
        report = check_resilience(scenario, plan, level, check)
    result = SurvivalResult(level, plan, plain, report, tuple(specs), rounds)
    return replace(result, plan=_annotated(result, scenario))


def _nests(scenario: Scenario) -> bool:
    """True when some VNF may run as a container in a VM (the recovery model is then
    conservative for its restarts, `solver/survive.py`)."""
    return any(Form.NESTED in vnf.forms for vnf in scenario.vnfs.values())


def _no_survivable_plan(
    plan: Plan, level: Level, labels: list[str], report: ResilienceReport, nests: bool = False
) -> Plan:
    """Say why there is no plan: the failures that could not all be survived, and what blocked
    each in the last check (a recovery budget no restart meets, say), once per reason."""
    if plan.status is Status.INFEASIBLE and nests:
        reason = (
            f"no plan found that survives every single {level.value} failure with "
            f"{', '.join(labels)}: not proven impossible, the recovery model is conservative "
            "for container-in-vm restarts (a worker VM of its own each in capacity, only the "
            "room of workers running their VNF alone credited for a budget); "
            "nfvplan resilience on the plain plan shows what each failure lacks"
        )
    elif plan.status is Status.INFEASIBLE:
        reason = (
            f"no plan survives every single {level.value} failure: no plan obeys every rule "
            f"and can also restart what fails with {', '.join(labels)} (proven with routing "
            "and NUMA after the failure relaxed, so it holds with them too); "
            "nfvplan resilience on the plain plan shows what each failure lacks"
        )
    else:
        reason = (
            f"no plan found within the time limit that survives {', '.join(labels)}; "
            "not proven impossible: allow more time (--time-limit)"
        )
    blocked = [
        line
        for r in report.results
        if r.outcome is not Outcome.SURVIVABLE and r.failure.label in labels
        for line in r.blocking
    ]
    status = Status.UNKNOWN if plan.status is Status.INFEASIBLE and nests else plan.status
    return replace(plan, status=status, explanation=[reason, *_recovery_lines(blocked)])


def _recovery_lines(lines: list[str]) -> list[str]:
    """recovery: the check's sentences about recovery budgets, each once."""
    return list(dict.fromkeys(line for line in lines if "max_recovery_seconds" in line))


def _annotated(result: SurvivalResult, scenario: Scenario) -> Plan:
    """The plan with a note saying what it was planned for and whether that is proven.

    A plan whose survival is not proven cannot be called optimal: its status becomes
    `feasible` (it still obeys every rule of the scenario), and the note says which failures
    remain fatal.
    """
    plan, report = result.plan, result.report
    assert report is not None
    level = result.level.value
    if result.proven:
        note = (
            f"planned to survive every single {level} failure: proven by the resilience check "
            f"({len(report.results)} failures, all survivable); {result.cost_line()} over the "
            f"plain plan ({result.plain.summary.monthly_cost:,.2f}/month)"
        )
        lost = sorted(
            {d.describe() for r in report.results for d in dropped_demands(scenario, r.failure)}
        )
        if lost:
            note += "; traffic entering or leaving a failed site is lost: " + ", ".join(lost)
        status = plan.status
        if status is Status.OPTIMAL and _nests(scenario):
            status = Status.FEASIBLE  # the recovery model restricts nested restarts
            note += (
                "; not proven cheapest: the recovery model gives each restarted "
                "container-in-vm instance a worker VM of its own, so a plan whose restarts "
                "share workers could cost less"
            )
        notes = (*plan.stats.notes, note)
        return replace(plan, status=status, stats=replace(plan.stats, notes=notes))
    fatal = [r.failure.label for r in report.results if r.outcome is not Outcome.SURVIVABLE]
    note = (
        f"planned for single {level} failures but NOT proven survivable: the resilience check "
        f"still fails {', '.join(fatal)} (beyond what the recovery model captures, or out of "
        "rounds); run nfvplan resilience for the details"
    )
    return replace(
        plan,
        status=Status.FEASIBLE,
        stats=replace(plan.stats, notes=(*plan.stats.notes, note)),
    )
