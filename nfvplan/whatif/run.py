"""One what-if run: plan the base and the changed scenario, and diff the two plans.

The front ends (`nfvplan whatif`, notebooks) call `run_whatif`; it never prints. The base side
is either a fresh plan of the base scenario or, with `current`, the deployment that runs today,
in which case the changed scenario is re-planned from it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from nfvplan.check import check_plan
from nfvplan.errors import InputError, Problem
from nfvplan.io import load_scenario
from nfvplan.model import Scenario
from nfvplan.plan import Plan, Status
from nfvplan.solver import SolveOptions, solve
from nfvplan.whatif.changes import ChangedScenario, Changes, apply_changes
from nfvplan.whatif.diff import PlanDiff, diff_plans


@dataclass(frozen=True)
class WhatIf:
    """Both scenarios, both plans and their diff."""

    base: Scenario
    changed: ChangedScenario
    base_plan: Plan
    changed_plan: Plan
    diff: PlanDiff

    @property
    def answered(self) -> bool:
        """True when both solves gave an answer: a plan, or a proof that there is none."""
        return all(
            plan.status is not Status.UNKNOWN for plan in (self.base_plan, self.changed_plan)
        )


def prepare(
    scenario_path: Path, changes: Changes, current: tuple[Path, Plan] | None = None
) -> tuple[Scenario, ChangedScenario]:
    """Load and change the scenario, and check a current deployment against the base.

    Everything that can be wrong with the input is found here, before any solve starts.
    """
    base = load_scenario(scenario_path)
    changed = apply_changes(scenario_path, changes)
    if current is not None:
        check_current(base, *current)
    return base, changed


def check_current(base: Scenario, path: Path, plan: Plan) -> None:
    """Refuse a current deployment that is not a valid plan of the base scenario.

    A plan of another scenario is the usual mistake (the wrong file); a plan that breaks the
    base scenario's rules would make every 'before' figure meaningless.
    """
    if plan.scenario != base.name:
        raise InputError.single(
            str(path),
            f"this is a plan of scenario {plan.scenario!r}, not of {base.name!r} "
            f"({base.source}); give the plan of the deployment that runs {base.name!r}",
            path="scenario",
        )
    if not plan.status.has_plan:
        raise InputError.single(
            str(path),
            f"this plan has no placements (status {plan.status.value}); a current deployment "
            "must be a plan that was found",
            path="status",
        )
    violations = check_plan(base, plan)
    if violations:
        raise InputError(
            [
                Problem(str(path), None, None, "", f"breaks rule [{v.rule}]: {v.message}")
                for v in violations
            ]
        )


def run_whatif(
    base: Scenario,
    changed: ChangedScenario,
    options: SolveOptions | None = None,
    current: Plan | None = None,
) -> WhatIf:
    """Plan both sides (each solve gets the full time limit) and diff them."""
    options = options or SolveOptions()
    base_plan = current if current is not None else solve(base, options)
    changed_options = options if current is None else _from_current(options, current)
    changed_plan = solve(changed.scenario, changed_options)
    diff = diff_plans(base_plan, changed_plan, changed.scenario, changed.notes)
    return WhatIf(base, changed, base_plan, changed_plan, diff)


def _from_current(options: SolveOptions, current: Plan) -> SolveOptions:
    """Options that re-plan from `current` (keeping instances where they are when it pays)."""
    return replace(options)
