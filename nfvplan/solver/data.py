"""The scenario turned into the integer, index-based data a CP-SAT formulation consumes.

CP-SAT only handles integers, while the format speaks in fractional threads (a shared vCPU is
1/overcommit of a thread) and GiB. Every demand is scaled and rounded *up*, every capacity
rounded *down*, so a plan the solver finds always satisfies the exact rules the checker applies.
Identical servers and interchangeable instances are grouped here so formulations can break the
symmetry without re-deriving it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from nfvplan.model import Form, Scenario, ServerType, Site, Vnf
from nfvplan.usage import instance_usage, reserve_usage

THREADS, MEMORY, DISK, NIC, VFS = range(5)
SCALE = (1000, 1024, 1024, 1000, 1)
"""Integer units per format unit: milli-threads, MiB, MiB of disk, Mbit/s, VFs.

The thread unit is refined per scenario by `resource_units` so that shared vCPUs divided by
the overcommit ratio stay exact (three 1-vCPU instances at overcommit 3 fill one thread)."""
NUMA_RESOURCES = (THREADS, MEMORY, VFS)
"""What a NUMA node splits evenly; disk and NIC belong to the whole server."""
COST_SCALE = 100
"""Costs are optimised in cents so that fractional monthly costs stay exact enough."""
BALANCE_UNITS = 1_000_000
"""The busiest server's share is optimised in millionths (ties below that are broken by cost)."""


def resource_units(scenario: Scenario) -> tuple[int, ...]:
    """Integer units per format unit for this scenario (see `SCALE`)."""
    ratio = Fraction(scenario.platform.cpu_overcommit).limit_denominator(1000)
    return (SCALE[THREADS] * ratio.numerator, *SCALE[1:])


def scale_up(value: float, resource: int, units: tuple[int, ...] = SCALE) -> int:
    """A demand in integer units, rounded up (never under-counts)."""
    return math.ceil(round(value * units[resource], 6))


def scale_down(value: float, resource: int, units: tuple[int, ...] = SCALE) -> int:
    """A capacity in integer units, rounded down (never over-promises)."""
    return math.floor(round(value * units[resource], 6))


@dataclass(frozen=True)
class Slot:
    """One concrete server the plan may use: installed, or purchasable under `expand`."""

    index: int
    id: str
    site: Site
    type: ServerType
    number: int
    rack: int
    bought: bool
    capacity: tuple[int, ...]
    cost: int


def server_capacity(server_type: ServerType, units: tuple[int, ...]) -> tuple[int, ...]:
    """A server type's five capacities in integer units."""
    values = (
        server_type.threads,
        server_type.memory_gib,
        server_type.disk_gib,
        server_type.nic_gbps,
        server_type.sriov_vfs,
    )
    return tuple(scale_down(v, r, units) for r, v in enumerate(values))


def build_slots(scenario: Scenario, units: tuple[int, ...]) -> list[Slot]:
    """Every server of every site: per type installed ones first, then the purchasable ones.

    Numbering and racks follow FORMAT.md section 2: `site/type/n`, rack `(n - 1) % racks + 1`.
    Out-of-service servers are left out but keep their numbers, so the others' ids never shift.
    """
    slots: list[Slot] = []
    for site in scenario.sites.values():
        for type_name in site.type_order():
            server_type = scenario.server_types[type_name]
            installed = site.servers.get(type_name, 0)
            total = installed + site.expand.get(type_name, 0)
            capacity = server_capacity(server_type, units)
            cost = round(server_type.monthly_cost * COST_SCALE)
            for number in range(1, total + 1):
                server_id = f"{site.name}/{type_name}/{number}"
                if server_id in scenario.out_of_service:
                    continue
                slots.append(
                    Slot(
                        index=len(slots),
                        id=server_id,
                        site=site,
                        type=server_type,
                        number=number,
                        rack=site.rack_of(number),
                        bought=number > installed,
                        capacity=capacity,
                        cost=cost,
                    )
                )
    return slots


def instance_demand(
    scenario: Scenario, vnf: Vnf, form: Form, units: tuple[int, ...]
) -> tuple[int, ...]:
    """`instance_usage` in integer units, rounded up."""
    usage = instance_usage(scenario, vnf, form)
    return tuple(scale_up(v, r, units) for r, v in enumerate(usage))


def host_reserve(
    scenario: Scenario, form: Form, server_type: ServerType, units: tuple[int, ...]
) -> tuple[int, ...]:
    """`reserve_usage` in integer units, rounded up."""
    values = reserve_usage(scenario, form, server_type)
    return tuple(scale_up(v, r, units) for r, v in enumerate(values))


def fits(
    demand: tuple[int, ...], reserve: tuple[int, ...], capacity: tuple[int, ...], numa_nodes: int
) -> bool:
    """True when one instance fits an otherwise empty server (on one NUMA node if `numa_nodes`).

    `numa_nodes` is 1 for a NUMA-blind instance; for an aligned one, the node's share must hold
    the instance plus the node's share of the reserve, i.e. `k*demand + reserve <= capacity`.
    """
    for r in range(len(capacity)):
        factor = numa_nodes if r in NUMA_RESOURCES else 1
        if factor * demand[r] + reserve[r] > capacity[r]:
            return False
    return True


def max_copies(demand: tuple[int, ...], reserve: tuple[int, ...], capacity: tuple[int, ...]) -> int:
    """How many instances of one kind an empty server could hold at most (a variable bound)."""
    best = math.inf
    for r, need in enumerate(demand):
        if need > 0:
            best = min(best, (capacity[r] - reserve[r]) // need)
    return 0 if best < 0 else int(min(best, 10**6))
