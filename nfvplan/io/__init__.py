"""Reading and writing nfvplan files: scenarios and topologies in, plans in and out.

Everything here raises `nfvplan.errors.InputError` for anything wrong with a file, with the
file, line, column and field of every problem; never any other exception for bad input.
"""

from nfvplan.io.plan_io import dump_plan, plan_to_dict, read_plan, write_plan
from nfvplan.io.scenario import load_scenario, parse_scenario
from nfvplan.io.topology import (
    FIBRE_MS_PER_KM,
    Topology,
    TopologySite,
    load_topology,
    parse_topology,
)

__all__ = [
    "FIBRE_MS_PER_KM",
    "Topology",
    "TopologySite",
    "dump_plan",
    "load_scenario",
    "load_topology",
    "parse_scenario",
    "parse_topology",
    "plan_to_dict",
    "read_plan",
    "write_plan",
]
