"""The last step of every solve: the independent checker re-checks the plan.

`nfvplan.check` knows nothing of the solver (it reads the scenario and the plan only), so a
violation here is a solver bug, never the user's: `solve()` raises instead of returning a wrong
plan, and the CLI reports it as an internal error (exit 1) asking for a bug report.
"""

from __future__ import annotations

from nfvplan.check import check_plan
from nfvplan.model import Scenario
from nfvplan.plan import Plan

MAX_LISTED = 5
"""Violations named in the error; the rest are counted."""


class PlanCheckError(RuntimeError):
    """The solver produced a plan that breaks a rule of its own scenario (a bug)."""

    def __init__(self, scenario: str, messages: list[str]) -> None:
        self.messages = messages
        listed = "; ".join(messages[:MAX_LISTED])
        more = f" (and {len(messages) - MAX_LISTED} more)" if len(messages) > MAX_LISTED else ""
        super().__init__(
            f"the plan found for scenario {scenario!r} fails the independent check: "
            f"{listed}{more}; no plan was written"
        )


def check_own_plan(scenario: Scenario, plan: Plan) -> None:
    """Raise `PlanCheckError` when the independent checker finds any violation in `plan`."""
    violations = check_plan(scenario, plan)
    if violations:
        raise PlanCheckError(scenario.name, [f"[{v.rule}] {v.message}" for v in violations])
