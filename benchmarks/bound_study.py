"""Two studies behind docs/network-scale.md, "Open findings" (issue 13), on ladder rungs.

Why: they decide what to build next, so their figures must come from a command, not from a
notebook. Neither changes what `nfvplan solve` does.

- `cut`: per demand target, the demands' total against the largest flow the physical links
  carry from their sources into it (networkx `maximum_flow`, each link's Gbps in each
  direction; latency and chains ignored, so a total above it proves that no plan exists).
- `bound`: the routing bound's model (`solver/routing_bound.py`) solved by CP-SAT as the
  pipeline solves it (`routing_bound`, one worker), and the same model handed to SCIP through
  OR-Tools' model_builder, its spare-spread product linearised exactly (binary expansion of
  the host count) or by its McCormick envelope (a weaker relaxation).

    python benchmarks/bound_study.py cut backbone/americas_nosc two-per-site
    python benchmarks/bound_study.py bound sndlib/germany50 two-per-site --seconds 20 60
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import ladder
import networkx as nx


def _scenario(network: str, model: str, folder: Path):
    from nfvplan.io.scenario import load_scenario

    path, _sites = ladder.scenario_file(network, model, "abilene", folder)
    return load_scenario(path)


def cut(scenario) -> list[tuple[str, float, float]]:
    """(target, Gbps its demands need, most Gbps the links carry into it) per target."""
    graph = nx.DiGraph()
    for link in scenario.links:
        for u, v in ((link.a, link.b), (link.b, link.a)):
            before = graph.get_edge_data(u, v, {"capacity": 0.0})["capacity"]
            graph.add_edge(u, v, capacity=before + link.gbps)
    needs: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for service in scenario.services.values():
        for demand in service.demands:
            if demand.target and demand.target != demand.source:
                needs[demand.target][demand.source] += demand.gbps
    rows = []
    for target, sources in sorted(needs.items()):
        flow = graph.copy()
        for source, gbps in sources.items():
            flow.add_edge("_from", source, capacity=gbps)
        most, _ = nx.maximum_flow(flow, "_from", target)
        rows.append((target, sum(sources.values()), most))
    return rows


def _as_mip(proto, relaxed: bool):
    """The CP-SAT model as a model_builder MIP (linear rows and the one product kind)."""
    from ortools.linear_solver.python import model_builder as mb

    mip = mb.Model()
    xs = []
    for i, var in enumerate(proto.variables):
        domain = list(var.domain)
        xs.append(mip.new_int_var(domain[0], domain[-1], f"x{i}"))

    def expr(linear):
        """A linear row, expression or objective (the last two may carry an offset)."""
        terms = zip(linear.vars, linear.coeffs, strict=True)
        return sum(c * xs[v] for v, c in terms) + getattr(linear, "offset", 0)

    def span(linear) -> tuple[int, int]:
        domain = list(proto.variables[linear.vars[0]].domain)
        return domain[0], domain[-1]

    for ct in proto.constraints:
        if ct.has_linear():
            domain = list(ct.linear.domain)
            total = expr(ct.linear)
            if domain[0] > -(2**62):
                mip.add(total >= domain[0])
            if domain[-1] < 2**62:
                mip.add(total <= domain[-1])
        elif ct.has_int_prod():  # room = hosts x spare (`_Model._spread`)
            room, (hosts, spare) = expr(ct.int_prod.target), ct.int_prod.exprs
            (hl, hu), (sl, su) = span(hosts), span(spare)
            a, b = expr(hosts), expr(spare)
            if relaxed:
                mip.add(room <= hu * b + sl * a - hu * sl)
                mip.add(room <= hl * b + su * a - hl * su)
                continue
            digits = [mip.new_bool_var("bit") for _ in range(max(1, hu.bit_length()))]
            mip.add(a == sum((1 << j) * d for j, d in enumerate(digits)))
            parts = []
            for j, d in enumerate(digits):
                w = mip.new_int_var(0, su, "w")
                mip.add(w <= su * d)
                mip.add(w <= b)
                mip.add(w >= b - su * (1 - d))
                parts.append((1 << j) * w)
            mip.add(room == sum(parts))
        else:
            raise SystemExit(f"constraint kind not handled: {ct}")
    objective = proto.objective
    mip.minimize(expr(objective))
    return mip


def bound(scenario, seconds: list[float]) -> list[tuple[str, float, str, str]]:
    """(solver, seconds, best bound, best solution) rows, in the objective's currency."""
    from ortools.linear_solver.python import model_builder as mb

    from nfvplan.solver import routing_bound as rb
    from nfvplan.solver.data import COST_SCALE
    from nfvplan.solver.problem import build_problem

    problem = build_problem(scenario, scenario.objective, routing=False)
    rows = []
    for limit in seconds:
        found = rb.routing_bound(problem, limit, seed=1)
        value = "-" if found is None else f"{found.bound / COST_SCALE:,.0f}"
        rows.append(("CP-SAT (routing_bound)", limit, value, "-"))
        model = rb._Model(problem, rb.commodities(problem) or [])
        model.objective()
        for relaxed in (False, True):
            mip = _as_mip(model.cp.Proto(), relaxed)
            solver = mb.Solver("scip")
            solver.set_time_limit_in_seconds(limit)
            started = time.perf_counter()
            status = solver.solve(mip)
            name = "SCIP, McCormick product" if relaxed else "SCIP, exact product"
            ok = status in (mb.SolveStatus.OPTIMAL, mb.SolveStatus.FEASIBLE)
            best = f"{solver.best_objective_bound / COST_SCALE:,.0f}" if ok else "-"
            plan = f"{solver.objective_value / COST_SCALE:,.0f}" if ok else "-"
            rows.append((f"{name} ({time.perf_counter() - started:.1f} s)", limit, best, plan))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=["cut", "bound"])
    parser.add_argument("network", help="a topohub network of the ladder, e.g. sndlib/germany50")
    parser.add_argument("model", choices=["edge-to-core", "two-per-site", "gravity"])
    parser.add_argument("--seconds", type=float, nargs="+", default=[20.0])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        scenario = _scenario(args.network, args.model, Path(folder))
        if args.study == "cut":
            for target, need, most in cut(scenario):
                verdict = "NO PLAN (cut)" if need > most + 1e-9 else "ok"
                print(f"{target}: demands {need:,.0f} Gbps, links carry {most:,.0f}: {verdict}")
        else:
            for name, limit, best, plan in bound(scenario, args.seconds):
                print(f"{limit:>5.0f} s  {name:<36} bound {best:>8}  best solution {plan:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
