"""Scenario snippets that several test modules build on, written once.

Each is YAML text: a top-level section to pass to `tests.helpers.scenario_yaml` beside the
test's own servers and VNFs (`PLAIN`, `NO_OVERHEAD`), or a whole scenario file (`SMALL`,
or `ROUTED_PAIR` through `scenario_yaml`).
The figures a test derives from one of them are argued in the docstring under it, so a change
here shows which hand calculations it touches.
"""

from __future__ import annotations

PLAIN = """
platform:
  cpu_overcommit: 1
"""
"""No overheads, no reserves, no overcommit: an instance takes exactly its flavor."""

NO_OVERHEAD = """
platform:
  vm: {}
  container: {}
"""
"""A platform where forms cost nothing: the arithmetic of a test is only its flavors."""

SMALL = """\
nfvplan: 1
name: small
platform:
  cpu_overcommit: 1
server_types:
  s: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}
  big: {cores: 16, threads_per_core: 1, memory_gib: 64, monthly_cost: 250}
sites:
  dc-a: {servers: {s: 3, big: 1}}
  dc-b: {servers: {s: 2}}
vnfs:
  amf: {flavor: {vcpu: 5, memory_gib: 4}, replicas: 3, anti_affinity: host, license_monthly: 10}
  nrf: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 2, anti_affinity: site}
"""
"""The command-line tests' scenario file. Optimum 330 by hand. amf (5 threads) needs 3 hosts
(host anti-affinity; 2 x 5 > 8 anyway); nrf needs one instance per site and fits next to an
amf (5 + 1 <= 8 threads). So three `s` servers (300), two in one site and one in the other,
plus 3 x 10 amf licences: 330. No plan uses fewer than 3 servers, so `--objective servers`
gives 3. dc-a installs 3 `s` and 1 `big`, dc-b 2 `s`; nothing may be bought."""

ROUTED_PAIR = """
platform: {cpu_overcommit: 1}
server_types:
  box: {cores: 8, threads_per_core: 1, memory_gib: 64, nic_gbps: 100, monthly_cost: 100}
sites:
  a: {servers: {box: 2}}
  b: {servers: {box: 2}}
links:
  - {between: [a, b], gbps: 100, latency_ms: 1}
vnfs:
  upf: {flavor: {vcpu: 2, memory_gib: 4}, throughput_gbps: 10}
services:
  web:
    chain: [upf]
    demands: [{from: a, to: b, gbps: 15}]
"""
"""The smallest routed scenario: 15 Gbps from site a to site b through 10 Gbps UPFs, so two
UPFs (ceil(15 / 10)), which fit on one box (2 x 2 of 8 threads): the optimum is one box, 100.
Its model has chain paths and link traffic, the levels a routing-free scenario lacks."""
