"""What-if edits of a validated scenario: demand scaling and failures.

These act after validation because they are about the scenario's meaning, not its text:
a failed server keeps its id (`Scenario.out_of_service`), so the numbering of the others does
not shift, and a scaled demand must stay in whole Mbit/s as the loader demands.
Every refusal is an `InputError` naming the command-line argument and what would be valid.
"""

from __future__ import annotations

import math
from dataclasses import replace

from nfvplan.errors import InputError
from nfvplan.io.yamlsrc import MAX_AMOUNT, suggest
from nfvplan.model import Demand, Link, Scenario, Service

MBIT = 1000
"""Demands are planned in whole Mbit/s: Gbps times this must be a whole number."""


# ---------------------------------------------------------------------------------------------
# --scale-demand


def scale_demand(scenario: Scenario, argument: str, notes: list[str]) -> Scenario:
    """`--scale-demand F` (every demand) or `NAME=F` (the demands of service NAME) applied."""
    label = f"--scale-demand {argument}"
    name, equals, factor_text = argument.rpartition("=")
    factor = _factor(factor_text.strip(), label)
    name = name.strip()
    if equals and name not in scenario.services:
        raise InputError.single(
            label,
            f"unknown service {name!r}" + suggest(name, list(scenario.services), "services"),
        )
    services = dict(scenario.services)
    for service in scenario.services.values():
        if not equals or service.name == name:
            services[service.name] = _scale_service(service, factor, label, notes)
    return replace(scenario, services=services)


def _factor(text: str, label: str) -> float:
    try:
        factor = float(text)
    except ValueError:
        factor = math.nan
    if not math.isfinite(factor) or factor <= 0:
        raise InputError.single(
            label,
            f"the factor must be a number > 0, got {text!r}; give F (every demand) or "
            "SERVICE=F, like 1.5 or broadband=2",
        )
    return factor


def _scale_service(service: Service, factor: float, label: str, notes: list[str]) -> Service:
    demands = []
    for index, demand in enumerate(service.demands):
        exact = demand.gbps * factor
        mbit = max(1, round(exact * MBIT))
        scaled = mbit / MBIT
        where = f"services.{service.name}.demands[{index}]"
        if scaled > MAX_AMOUNT:
            raise InputError.single(
                label, f"{where}: {exact:g} Gbps is more than the format's {MAX_AMOUNT:g}"
            )
        if not math.isclose(scaled, exact, rel_tol=0, abs_tol=1e-9):
            notes.append(
                f"{label}: {where}: {demand.gbps:g} x {factor:g} = {exact:.6g} Gbps, planned as "
                f"{scaled:g} Gbps (demands are whole Mbit/s)"
            )
        demands.append(replace(demand, gbps=scaled))
    return replace(service, demands=tuple(demands))


# ---------------------------------------------------------------------------------------------
# --fail


FAIL_FORMS = "site:NAME, server:SITE/TYPE/N or link:SITE_A,SITE_B"


def fail(scenario: Scenario, argument: str, notes: list[str]) -> Scenario:
    """`--fail site:NAME | server:ID | link:A,B` applied."""
    label = f"--fail {argument}"
    kind, colon, target = argument.partition(":")
    target = target.strip()
    if not colon or not target or kind not in ("site", "server", "link"):
        raise InputError.single(label, f"expected {FAIL_FORMS}, like site:edge-a")
    if kind == "site":
        return _fail_site(scenario, _site(scenario, target, label), notes)
    if kind == "server":
        return _fail_server(scenario, target, label)
    return _fail_link(scenario, target, label)


def _site(scenario: Scenario, name: str, label: str) -> str:
    if name not in scenario.sites:
        raise InputError.single(
            label, f"unknown site {name!r}" + suggest(name, list(scenario.sites), "sites")
        )
    return name


def server_ids(scenario: Scenario, site_name: str) -> list[str]:
    """Every server id of a site, installed and purchasable, in the format's numbering."""
    return [server_id for server_id, _bought in scenario.sites[site_name].server_ids()]


def _fail_site(scenario: Scenario, name: str, notes: list[str]) -> Scenario:
    """Every server of the site out of service, its links gone, the traffic it ends lost."""
    links = tuple(link for link in scenario.links if name not in (link.a, link.b))
    services = {}
    for service in scenario.services.values():
        kept: list[Demand] = []
        for index, demand in enumerate(service.demands):
            if name in (demand.source, demand.target):
                end = "enters" if demand.source == name else "leaves"
                notes.append(
                    f"--fail site:{name}: services.{service.name}.demands[{index}] dropped: its "
                    f"{demand.gbps:g} Gbps {end} at the failed site, so it is lost"
                )
            else:
                kept.append(demand)
        services[service.name] = replace(service, demands=tuple(kept))
    return replace(
        scenario,
        links=links,
        services=services,
        out_of_service=scenario.out_of_service | frozenset(server_ids(scenario, name)),
    )


def _fail_server(scenario: Scenario, server_id: str, label: str) -> Scenario:
    parts = server_id.split("/")
    if len(parts) != 3:
        raise InputError.single(label, "a server id is SITE/TYPE/N, like core-1/r750-nfv/3")
    site_name = parts[0]
    _site(scenario, site_name, label)
    ids = server_ids(scenario, site_name)
    if server_id not in ids:
        raise InputError.single(
            label, f"no server {server_id!r}; {_id_patterns(scenario, site_name)}"
        )
    return replace(scenario, out_of_service=scenario.out_of_service | {server_id})


def _id_patterns(scenario: Scenario, site_name: str) -> str:
    """The valid ids of a site as ranges: 'core-1/r750-nfv/1..20, core-1/edge-1u/1..2'."""
    site = scenario.sites[site_name]
    ranges = []
    for type_name in site.type_order():
        total = site.servers.get(type_name, 0) + site.expand.get(type_name, 0)
        if total:
            ranges.append(f"{site_name}/{type_name}/" + ("1" if total == 1 else f"1..{total}"))
    if not ranges:
        return f"site {site_name!r} has no servers"
    return "servers at " + site_name + ": " + ", ".join(ranges)


def _fail_link(scenario: Scenario, target: str, label: str) -> Scenario:
    ends = [end.strip() for end in target.split(",")]
    if len(ends) != 2 or not all(ends):
        raise InputError.single(label, "a link is given by its two sites: link:SITE_A,SITE_B")
    a, b = (_site(scenario, end, label) for end in ends)
    pair = {a, b}
    kept: list[Link] = [link for link in scenario.links if {link.a, link.b} != pair]
    if len(kept) == len(scenario.links):
        touching = [f"{link.a},{link.b}" for link in scenario.links if a in (link.a, link.b)]
        listed = "; ".join(touching) if touching else "none"
        raise InputError.single(label, f"no link between {a} and {b}; links of {a}: {listed}")
    return replace(scenario, links=tuple(kept))
