"""One what-if run: plan the base and the changed scenario, and diff the two plans.

The front ends (`nfvplan whatif`, notebooks) call `run_whatif`; it never prints. The base side
is either a fresh plan of the base scenario or, with `current`, the deployment that runs today,
in which case the changed scenario is re-planned from it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from nfvplan.io import load_scenario
from nfvplan.migration import validate_current
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
        validate_current(base, current[1], str(current[0]))
    return base, changed


def run_whatif(
    base: Scenario,
    changed: ChangedScenario,
    options: SolveOptions | None = None,
    current: Plan | None = None,
) -> WhatIf:
    """Plan both sides (each solve gets the full time limit) and diff them.

    The changed scenario is always re-planned from the base side's plan (the `current`
    deployment, or else the fresh base plan) with `options.move_cost` (0 by default: the
    cheapest plan, with the fewest moves among equally cheap ones). Two independent solves
    would break ties differently and the diff would list moves that no change asked for.
    """
    options = options or SolveOptions()
    base_plan = current if current is not None else solve(base, replace(options, current=None))
    changed_options = options
    if base_plan.status.has_plan:
        changed_options = replace(options, current=base_plan)
    changed_plan = solve(changed.scenario, changed_options)
    diff = diff_plans(base_plan, changed_plan, changed.scenario, changed.notes)
    return WhatIf(base, changed, base_plan, changed_plan, diff)
