"""Failure survival (N+1): checking a plan against single failures, and planning for them.

- `check_resilience(scenario, plan, level)`: for every single server or site failure, can the
  failed instances be re-placed on the surviving capacity without moving anything else?
- `plan_survivable(scenario, level, options)`: a plan for which every single failure at that
  level passes that same check, and what it costs against the plain plan.

Only the public solver API (`nfvplan.solver.solve`) and the checker are used; see
docs/resilience.md for what "survivable" means exactly.
"""

from nfvplan.survive.check import (
    EXIT_NOT_SURVIVABLE,
    EXIT_UNDECIDED,
    CheckOptions,
    FailureResult,
    Outcome,
    ResilienceReport,
    check_failure,
    check_resilience,
)
from nfvplan.survive.failures import Failure, Level, enumerate_failures, failed_scenario
from nfvplan.survive.inputs import require_plan_for
from nfvplan.survive.planner import SurvivalResult, plan_survivable, unplanned_budgets
from nfvplan.survive.report import FORMATS, format_report, format_survival, report_dict
from nfvplan.survive.shortfall import Shortfall

__all__ = [
    "EXIT_NOT_SURVIVABLE",
    "EXIT_UNDECIDED",
    "FORMATS",
    "CheckOptions",
    "Failure",
    "FailureResult",
    "Level",
    "Outcome",
    "ResilienceReport",
    "Shortfall",
    "SurvivalResult",
    "check_failure",
    "check_resilience",
    "enumerate_failures",
    "failed_scenario",
    "format_report",
    "format_survival",
    "plan_survivable",
    "report_dict",
    "require_plan_for",
    "unplanned_budgets",
]
