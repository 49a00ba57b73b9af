"""Checks on the files a report is made from, located like every other input error."""

from __future__ import annotations

from pathlib import Path

from nfvplan.errors import InputError
from nfvplan.model import Scenario
from nfvplan.plan import Plan


def require_same_scenario(scenario: Scenario, plan: Plan, plan_file: Path) -> None:
    """InputError unless `plan` was made for `scenario` (a report of another scenario's plan
    would show empty servers and wrong costs as if they were true)."""
    if plan.scenario == scenario.name:
        return
    from nfvplan.io.plan_io import plan_places

    where = plan_places(plan_file).get(("scenario",))
    raise InputError.single(
        str(plan_file),
        f"the plan is for scenario {plan.scenario!r}, but {scenario.source or 'the scenario'} "
        f"is {scenario.name!r}; give the plan made for this scenario",
        path="scenario",
        line=where[0] if where else None,
        column=where[1] if where else None,
    )
