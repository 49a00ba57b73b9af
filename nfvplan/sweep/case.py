"""Running one case: plain data in, one plain result row out, whatever happens.

`run_case` is what every engine ships to its workers, so it is a top-level function of plain
arguments (paths and strings in a dict), importable on a remote Dask worker, and it returns a
dict of strings and numbers. It never raises for its own case: a case that breaks is a row with
status `error` and the reason, and the rest of the sweep goes on.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path
from typing import Any

from nfvplan.check import check_plan
from nfvplan.io import write_plan
from nfvplan.model import Objective
from nfvplan.solver import SolveOptions, solve
from nfvplan.whatif.changes import Changes, apply_changes

RESULT_COLUMNS = (
    "status",
    "monthly_cost",
    "objective_value",
    "bound",
    "gap",
    "servers_used",
    "servers_bought",
    "instances",
    "violations",
    "wall_s",
    "plan",
    "notes",
    "error",
)
"""The columns every row has after `case` and the axis labels."""

ERROR = "error"
"""The status of a case that raised instead of producing a plan or an explanation."""


def run_case(payload: dict[str, Any]) -> dict[str, Any]:
    """Apply the case's changes, solve, re-check the plan, optionally write it; one row.

    `payload` keys: case, inputs, labels, scenario, patches, sets, scale_demand, fails, objective,
    time_limit_s, workers, seed, plans_dir (see `nfvplan.sweep.runner.payload`).
    """
    started = time.perf_counter()
    row: dict[str, Any] = {
        "case": payload["case"],
        "inputs": payload.get("inputs"),
        **payload["labels"],
    }
    row.update(dict.fromkeys(RESULT_COLUMNS))
    try:
        row.update(_solve_case(payload))
    except Exception as error:  # a case's failure is its row, never the sweep's end
        row["status"] = ERROR
        row["error"] = _describe(error)
    row["wall_s"] = round(time.perf_counter() - started, 3)
    return row


def _solve_case(payload: dict[str, Any]) -> dict[str, Any]:
    changes = Changes(
        patches=tuple(Path(p) for p in payload["patches"]),
        sets=tuple(payload["sets"]),
        scale_demand=tuple(payload["scale_demand"]),
        fails=tuple(payload["fails"]),
    )
    changed = apply_changes(Path(payload["scenario"]), changes)
    scenario = changed.scenario
    objective = payload["objective"]
    options = SolveOptions(
        time_limit_s=payload["time_limit_s"],
        workers=payload["workers"],
        seed=payload["seed"],
        objective=Objective(objective) if objective else None,
    )
    plan = solve(scenario, options)
    violations = check_plan(scenario, plan)
    plan_file = None
    if payload["plans_dir"]:
        plan_file = Path(payload["plans_dir"]) / f"{payload['case']}.yaml"
        write_plan(plan, plan_file, "yaml")
    has_plan = plan.status.has_plan
    summary = plan.summary
    notes = list(changed.notes)
    if not has_plan and plan.explanation:
        notes.extend(plan.explanation)
    return {
        "status": plan.status.value,
        "monthly_cost": summary.monthly_cost if has_plan else None,
        "objective_value": plan.objective.value,
        "bound": plan.objective.bound,
        "gap": plan.objective.gap,
        "servers_used": summary.servers_used if has_plan else None,
        "servers_bought": summary.servers_bought if has_plan else None,
        "instances": summary.instances if has_plan else None,
        "violations": len(violations),
        "plan": str(plan_file) if plan_file else None,
        "notes": "; ".join(notes) or None,
        "error": "; ".join(f"[{v.rule}] {v.message}" for v in violations) or None,
    }


def _describe(error: Exception) -> str:
    """The exception and the innermost line that raised it: enough to act on from a CSV cell."""
    message = " ".join(str(error).split()) or "(no message)"
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {message}{where}"
