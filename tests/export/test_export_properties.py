"""Property test: random valid scenarios (tests/strategies.py, every field of the format),
solved and checked, export to every target that applies, validate, keep the semantic rules and
round-trip through the read-back to a plan the checker passes.

Amounts come from grids with fractions (0.5 vCPU, 0.25 GiB of memory or hugepages), so the
rounding rules of the mapping (millicores, MiB, 2 MiB hugepages, whole Nova vCPUs) are
exercised; a dedicated VNF with a fractional vCPU count must be refused, naming the field.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from export_validation import schema_errors, semantic_problems
from helpers import parse
from hypothesis import HealthCheck, given, settings
from strategies import scenario_docs

from nfvplan.check import check_plan
from nfvplan.errors import InputError
from nfvplan.export import FORM_OF_TARGET, TARGETS, export_plan
from nfvplan.export.readback import read_export, verify_export
from nfvplan.export.writer import write_tree
from nfvplan.solver import SolveOptions, solve


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_docs())
def test_random_scenarios_export_validate_and_round_trip(doc) -> None:
    """Tests every applicable target of a random scenario's plan."""
    scenario = parse(doc.yaml())
    plan = solve(scenario, SolveOptions(time_limit_s=3, workers=1))
    if not plan.status.has_plan:
        return
    assert check_plan(scenario, plan) == []
    forms = {p.form for p in plan.placements}
    fractional = [
        v.name
        for v in scenario.vnfs.values()
        if v.dedicated_cpu and v.flavor.vcpu != int(v.flavor.vcpu)
    ]
    with tempfile.TemporaryDirectory() as base:
        readbacks = {}
        for target in (t for t in TARGETS if FORM_OF_TARGET[t] in forms):
            try:
                result = export_plan(scenario, plan, target)
            except InputError as error:
                assert fractional, error.render()
                assert "give a whole number" in error.render()
                return
            assert not fractional
            directory = Path(base) / target
            write_tree(directory, result.files)
            assert schema_errors(target, directory) == [], target
            assert semantic_problems(scenario, target, directory) == [], target
            readbacks[target] = read_export(directory)
        for vm_target in ("heat", "kubevirt", "terraform"):
            chosen = [readbacks[t] for t in (vm_target, "kubernetes") if t in readbacks]
            verification = verify_export(scenario, plan, chosen)
            assert verification.problems == []
            assert check_plan(scenario, verification.plan) == []
