"""Solving the three variants through the public `solve` API and judging the outcome.

The variants are solved one after the other, each with the full time limit (the meaning
`--time-limit` has for `nfvplan solve`). A variant whose scenario is identical to one already
solved (no VNF offers the form it forces) reuses that plan instead of solving again: same
scenario, same options, same plan, without paying the time twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from nfvplan.compare.metrics import Metrics, measure
from nfvplan.compare.variants import Variant, restrict, variants_for
from nfvplan.model import Scenario
from nfvplan.plan import Plan, Status
from nfvplan.solver import SolveOptions, solve
from nfvplan.wording import money, pct

TIE_TOLERANCE = 1e-6
"""Relative cost difference below which two variants tie."""


@dataclass(frozen=True)
class VariantResult:
    """One variant: the scenario solved, the plan found and, when there is one, its figures."""

    variant: Variant
    scenario: Scenario
    plan: Plan
    metrics: Metrics | None
    reused: str | None = None
    """The key of the variant whose plan this one reuses (identical scenarios), else None."""

    @property
    def reason(self) -> str | None:
        """Why there is no plan: the first reason of the explanation; None with a plan."""
        if self.plan.status.has_plan:
            return None
        reasons = self.plan.explanation or []
        return reasons[0] if reasons else f"no plan ({self.plan.status.value})"


@dataclass(frozen=True)
class Comparison:
    """The three variants of one scenario, in display order, and how they were solved."""

    scenario: str
    objective: str
    results: tuple[VariantResult, ...]
    time_limit_s: float
    workers: int
    seed: int
    wall_time_s: float

    def result(self, key: str) -> VariantResult:
        """The result of the variant named `key` (vm, container, mixed)."""
        return next(r for r in self.results if r.variant.key == key)

    @property
    def planned(self) -> list[VariantResult]:
        """The variants that have a plan, in display order."""
        return [r for r in self.results if r.metrics is not None]

    @property
    def exit_code(self) -> int:
        """0 when any variant has a plan; otherwise the mixed plan's `solve` exit code.

        With no plan anywhere the comparison answers nothing, and an operator scripting it
        expects what `nfvplan solve` says for the same file: 3 infeasible, 4 out of time.
        """
        if self.planned:
            return 0
        return self.result("mixed").plan.status.exit_code

    def cheapest(self) -> list[VariantResult]:
        """The variants tied at the lowest monthly cost (empty when none has a plan)."""
        planned = self.planned
        if not planned:
            return []
        low = min(cost(r) for r in planned)
        return [r for r in planned if cost(r) <= low + TIE_TOLERANCE * max(abs(low), 1.0)]

    def above_cheapest(self, result: VariantResult) -> float | None:
        """How much more `result` costs than the cheapest, as a share of it (0 when cheapest).

        None without a plan, or when the cheapest costs nothing (no share to speak of).
        """
        cheapest = self.cheapest()
        if result.metrics is None or not cheapest:
            return None
        low = cost(cheapest[0])
        if result in cheapest:
            return 0.0
        return (cost(result) - low) / low if low > 0 else None


def cost(result: VariantResult) -> float:
    """Monthly cost of a variant that has a plan."""
    assert result.metrics is not None
    return result.metrics.monthly_cost


VariantCallback = Callable[[Variant, int, int], None]
"""Told (variant, 1-based position, total) before each variant is solved."""


def compare(
    scenario: Scenario,
    options: SolveOptions | None = None,
    on_variant: VariantCallback | None = None,
) -> Comparison:
    """Solve the all-VM, all-container and mixed variants of `scenario` and measure each plan."""
    options = options or SolveOptions()
    started = time.perf_counter()
    results: list[VariantResult] = []
    variants = variants_for(scenario)
    for position, variant in enumerate(variants, start=1):
        restricted = restrict(scenario, variant.form)
        same = next((r for r in results if r.scenario == restricted), None)
        if same is not None:
            results.append(
                VariantResult(variant, restricted, same.plan, same.metrics, same.variant.key)
            )
            continue
        if on_variant is not None:
            on_variant(variant, position, len(variants))
        plan = solve(restricted, options)
        metrics = measure(restricted, plan) if plan.status.has_plan else None
        results.append(VariantResult(variant, restricted, plan, metrics))
    settings = scenario.solver
    return Comparison(
        scenario=scenario.name,
        objective=(options.objective or scenario.objective).value,
        results=tuple(results),
        time_limit_s=options.time_limit_s or settings.time_limit_s,
        workers=options.workers or settings.workers,
        seed=settings.seed if options.seed is None else options.seed,
        wall_time_s=time.perf_counter() - started,
    )


def verdict(comparison: Comparison) -> str:
    """One line: which variant is cheapest and by how much the others cost more.

    Variants without a plan are named with their status; a cheapest plan that is not proven
    optimal, or an objective other than cost, is said, because the margin then is not proven.
    """
    cheapest = comparison.cheapest()
    if not cheapest:
        mixed = comparison.result("mixed")
        return f"no variant has a plan ({mixed.plan.status.value}): {mixed.reason}"
    low = cost(cheapest[0])
    labels = [r.variant.label for r in cheapest]
    names = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    verb = "is cheapest" if len(cheapest) == 1 else "tie as cheapest"
    parts = [f"{names} {verb} at {money(low)} per month"]
    others = sorted((r for r in comparison.planned if r not in cheapest), key=lambda r: cost(r))
    more = []
    for result in others:
        share = comparison.above_cheapest(result)
        above = "" if share is None else f" (+{pct(share)})"
        more.append(f"{result.variant.label} costs {money(cost(result))}{above}")
    if more:
        parts.append("; ".join(more))
    lacking = [
        f"{r.variant.label} has no plan ({r.plan.status.value})"
        for r in comparison.results
        if r.metrics is None
    ]
    if lacking:
        parts.append("; ".join(lacking))
    caveats = [
        f"{r.variant.label} gap {gap_text(r.plan.objective.gap or 0.0)}"
        for r in comparison.planned
        if r.plan.status is Status.FEASIBLE
    ]
    line = "; ".join(parts)
    if caveats:
        line += f" (not proven optimal: {', '.join(caveats)})"
    if comparison.objective != "cost":
        line += f" (plans minimise {comparison.objective}, not cost)"
    return line


def gap_text(gap: float) -> str:
    """A relative gap as a percentage; a tiny non-zero one keeps two significant digits, so a
    `feasible` plan never reads as `gap 0.0%`."""
    if gap == 0 or gap >= 0.001:
        return f"{100 * gap:.1f}%"
    return f"{100 * gap:.2g}%"
