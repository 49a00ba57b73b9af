"""Refusing a plan that cannot be checked for resilience, with a located message.

A resilience report about a plan made for another scenario, or about a plan-less outcome, would
be nonsense; both are bad input (exit 2), reported at the plan file's `scenario:` or `status:`
line so that an editor can jump there.
"""

from __future__ import annotations

from pathlib import Path

from nfvplan.errors import InputError
from nfvplan.io.plan_io import MAX_PLAN_BYTES, MAX_PLAN_NODES
from nfvplan.io.yamlsrc import load_yaml_file
from nfvplan.model import Scenario
from nfvplan.plan import Plan


def _where(plan_file: Path, key: str) -> tuple[int | None, int | None]:
    """Line and column of a top-level key of the plan file (None when it cannot be found)."""
    try:
        root = load_yaml_file(plan_file, max_bytes=MAX_PLAN_BYTES, max_nodes=MAX_PLAN_NODES)
    except (InputError, OSError):
        return None, None
    node = root.value.get(key) if root.kind == "map" else None
    if node is None:
        return None, None
    return node.line, node.column


def require_plan_for(scenario: Scenario, plan: Plan, plan_file: Path) -> None:
    """Raise a located InputError unless `plan` is a plan (with placements) for `scenario`."""
    if plan.scenario != scenario.name:
        line, column = _where(plan_file, "scenario")
        where = f" ({scenario.source})" if scenario.source else ""
        raise InputError.single(
            str(plan_file),
            f"the plan is for scenario {plan.scenario!r}, but the scenario file{where} is "
            f"{scenario.name!r}; give the plan made for this scenario",
            path="scenario",
            line=line,
            column=column,
        )
    if not plan.status.has_plan:
        line, column = _where(plan_file, "status")
        raise InputError.single(
            str(plan_file),
            f"the plan's status is {plan.status.value!r}, so it places nothing to fail; "
            "expected a plan with status optimal or feasible",
            path="status",
            line=line,
            column=column,
        )
