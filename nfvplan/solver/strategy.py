"""The one strategy decision of a solve: one model of everything, or site by site.

docs/solver.md, "Which strategy", says the same in prose, and tests/solver/test_strategy.py
checks each kind of scenario against it:

- routing (services), a re-plan, planning for failures, or fewer than `LARGE_INSTANCES`
  instances: the **whole** model (configuration-LP bound over every server, then CP-SAT on the
  aggregated assignment of every VNF to every server);
- otherwise (large, without routing): **site by site** (the configuration LP part by part,
  then each site re-planned exactly with its instance counts fixed).
"""

from __future__ import annotations

from dataclasses import dataclass

from nfvplan.solver.problem import Problem
from nfvplan.solver.sitewise import use_sitewise
from nfvplan.wording import count


@dataclass(frozen=True)
class Strategy:
    """How the bound and search stages treat a problem; `name` is what plans report."""

    name: str
    decomposed: bool
    """Bound part by part and search site by site, instead of one model of everything."""


WHOLE = Strategy("aggregated-assignment + configuration-LP bound", decomposed=False)
SITEWISE = Strategy("site-by-site assignment + configuration-LP bound", decomposed=True)


def choose_strategy(problem: Problem) -> Strategy:
    """Site by site for large problems without routing (nor moves, nor failures), else whole."""
    if use_sitewise(problem):
        return SITEWISE
    if problem.failures:
        failures = count(len(problem.failures), "failure")
        return Strategy(f"{WHOLE.name} + recovery for {failures}", False)
    return WHOLE
