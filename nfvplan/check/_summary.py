"""Rules about the plan's headline: status, summary figures and the objective value."""

from __future__ import annotations

from nfvplan.check._core import Context, Violation, close, num
from nfvplan.check._usage import all_usage, capacity
from nfvplan.model import Form, Objective
from nfvplan.plan import RESOURCE_KEYS, Summary


def check_status(ctx: Context) -> list[Violation]:
    """A plan-less status holds nothing but an explanation; a plan has an objective value."""
    plan = ctx.plan
    out: list[Violation] = []
    if plan.status.has_plan:
        if plan.objective.value is None:
            out.append(
                Violation("status", f"status {plan.status.value} but the objective has no value")
            )
        return out
    for what, items in (
        ("placements", plan.placements),
        ("servers", plan.servers),
        ("routes", plan.routes),
    ):
        if items:
            out.append(
                Violation(
                    "status",
                    f"status {plan.status.value} but the plan lists {len(items)} {what}",
                )
            )
    if not plan.explanation:
        out.append(Violation("status", f"status {plan.status.value} but no explanation is given"))
    return out


def check_scenario_name(ctx: Context) -> list[Violation]:
    """The plan names the scenario it was made for; another one's plan checks as nonsense."""
    if ctx.plan.scenario == ctx.scenario.name:
        return []
    return [
        Violation(
            "scenario",
            f"the plan is for scenario {ctx.plan.scenario!r}, "
            f"this scenario is {ctx.scenario.name!r}",
        )
    ]


def expected_summary(ctx: Context) -> Summary:
    """The summary recomputed from the placements (servers used = servers hosting something)."""
    usage = all_usage(ctx)
    used = [ctx.servers[sid] for sid in usage]
    licenses = sum(i.vnf.license_monthly for i in ctx.instances if i.vnf is not None)
    threads = sum(s.type.threads for s in used)
    memory = sum(s.type.memory_gib for s in used)
    return Summary(
        monthly_cost=sum(s.type.monthly_cost for s in used) + licenses,
        servers_used=len(used),
        servers_bought=sum(1 for s in used if s.bought),
        instances=len(ctx.instances),
        vms=sum(1 for i in ctx.instances if i.form is Form.VM),
        containers=sum(1 for i in ctx.instances if i.form in (Form.CONTAINER, Form.NESTED)),
        cpu_utilisation=sum(u["threads"] for u in usage.values()) / threads if threads else 0.0,
        memory_utilisation=(
            sum(u["memory_gib"] for u in usage.values()) / memory if memory else 0.0
        ),
    )


def check_summary(ctx: Context) -> list[Violation]:
    """Each summary figure against its recomputation."""
    expected = expected_summary(ctx)
    out: list[Violation] = []
    for name in Summary.__dataclass_fields__:
        got = getattr(ctx.plan.summary, name)
        want = getattr(expected, name)
        if not close(got, want):
            out.append(
                Violation("summary", f"summary {name} is {num(got)}, recomputed {num(want)}")
            )
    return out


def busiest_utilisation(ctx: Context) -> float:
    """The balance objective: the highest used/capacity over used servers and resources."""
    best = 0.0
    for sid, used in all_usage(ctx).items():
        cap = capacity(ctx.servers[sid].type)
        for key in RESOURCE_KEYS:
            if cap[key] > 0:
                best = max(best, used[key] / cap[key])
    return best


def check_objective(ctx: Context) -> list[Violation]:
    """The reported objective value equals the figure its name stands for, recomputed."""
    objective = ctx.plan.objective
    if not ctx.plan.status.has_plan or objective.value is None:
        return []
    try:
        kind = Objective(objective.name)
    except ValueError:
        known = ", ".join(o.value for o in Objective)
        return [Violation("objective", f"objective {objective.name!r} is not one of {known}")]
    if kind is Objective.COST:
        want = expected_summary(ctx).monthly_cost
    elif kind is Objective.SERVERS:
        want = float(expected_summary(ctx).servers_used)
    else:
        want = busiest_utilisation(ctx)
    if close(objective.value, want):
        return []
    return [
        Violation(
            "objective",
            f"objective {kind.value} reported as {num(objective.value)}, recomputed {num(want)}",
        )
    ]
