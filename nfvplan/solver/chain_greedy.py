"""A routing-aware first plan: each demand along a cheap, latency-feasible chain path.

The packing greedy (`greedy.py`) places instance counts and ignores the network, so with
services its plan may break latency budgets, link capacities or NIC loads. This one routes.
Demands go one at a time, least latency slack first, then largest. For each, a shortest path on
the chain's *layered graph* picks where its chain runs: layer i holds the sites "after chain VNF
i"; inside a layer the edges are the physical links (those with enough residual Gbps), and an
edge from layer i-1 to layer i at a site means "VNF i processes the traffic here". That edge
costs nothing where instances already there have spare throughput, else what opening the
instances costs (licence, plus the cheapest server when no server in use at the site can take
one). Links cost their latency and a small congestion price (tie-breaks). The cheapest path may
break the demand's latency budget (its `max_latency_ms` less the chain's per-VNF `latency_ms`);
then a LARAC search (Lagrangian relaxation of the budget: minimise cost + lambda x latency,
lambda from the cheapest and the fastest path, a few rounds) looks for a cheap path that meets
it. Labels that can no longer reach the end within the budget are pruned. When no path has room
for the whole demand it is split along the fastest path's bottleneck. When a demand finds no
path at all because earlier ones filled its links, those are ripped up, it is routed, and they
are routed again; when that fails too, the run starts again with that demand first (squeaky
wheel, a few times at most) and links priced higher by their congestion.

Instances are opened through the packing greedy's own per-server state (`greedy._FirstFit`:
capacity, NUMA, trust domains, isolation, anti-affinity, allowed sites, per-slot bounds), so
those rules are written once; routed traffic is added to the servers' NIC load there too. VNFs
outside every chain, fixed-count VNFs and `redundancy` spares are placed by the same greedy.

No chain path is enumerated: per demand the work is one to a few Dijkstra runs over
(chain length + 1) x sites states, so it needs only `build_problem(..., routing=False)`.
The result is an `Incumbent` (counts per (kind, slot, NUMA node), flows per chain path, carried
traffic per (kind, slot)) that `result.build_plan` turns into a plan and a search can take as
its start. See docs/solver.md, "The routing-aware greedy".
"""

from __future__ import annotations

import heapq
import math
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from nfvplan.model import Demand, Objective
from nfvplan.network import link_key
from nfvplan.solver.data import COST_SCALE, NIC, scale_down
from nfvplan.solver.greedy import _FirstFit, _renumber_nodes, _threads
from nfvplan.solver.incumbent import Flow, Incumbent
from nfvplan.solver.nesting import pack
from nfvplan.solver.problem import Problem
from nfvplan.solver.routing import GBPS_UNITS, ChainPath, network_budget, processing_ms
from nfvplan.solver.start import first_level
from nfvplan.solver.stop import stop_requested

LinkKey = tuple[str, str]
State = tuple[int, str]
"""(layer, site): the traffic is at `site` and has been processed by the first `layer` VNFs."""

Guide = Mapping[tuple[str, str], int]
"""(VNF, site) → instances a relaxation opened there (`chain_greedy_plan`'s `guide`)."""

LATENCY_TIE = 1e-3
"""Cost units (cents) per ms in the cheapest-path search: only breaks ties between equal costs."""
COST_TIE = 1e-9
"""Ms per cost unit in the fastest-path search: only breaks ties between equal latencies."""
CONGESTION = 100.0
"""Cents a link traversal costs when the demand would fill what is left of it (less in
proportion): far below any server or licence, it steers equal-cost routes off nearly full links
so that later demands with tight budgets still find room."""
CONGESTION_GROWTH = 10.0
"""Each restart multiplies the congestion price: once it rivals a server's cost, demands that
can go elsewhere leave the links that a stuck demand needs (a server is 10^4-10^5 cents)."""
LARAC_ROUNDS = 6
"""Lagrangian rounds per demand; LARAC usually settles in two or three."""
MAX_SPLITS = 16
"""Parts one demand may be split into along bottleneck paths before the greedy gives up."""
RESTARTS = 10
"""Runs again with the demand that found no path moved to the front (squeaky wheel)."""
MAX_REPAIRS = 50
"""Rip-up-and-reroute repairs per run before a stuck demand ends it (then a restart follows)."""
VARIANTS = ((True, False), (True, True), (False, False), (False, True))
"""(fixed-count VNFs first, amortised server prices) of the runs tried while time allows.
Measured on the ladder's edge-to-core rungs, neither choice wins everywhere: amortising (an idle
server priced at the instance's share of it) made germany50 24 % cheaper and nobel-eu 17 %
dearer than charging the whole server to the instance that opens it."""
SERVER_WEIGHT = 10**9
"""For the `servers` objective: a server counts more than any licence (cents)."""


@dataclass(frozen=True)
class _Path:
    """One chain path found by a search, with its cost (cents) and network latency (ms)."""

    states: tuple[State, ...]
    links: tuple[LinkKey, ...]
    cost: float
    latency: float

    def weight(self, lam: float) -> float:
        return self.cost + lam * self.latency


@dataclass
class _Job:
    """One demand to route."""

    service: str
    index: int
    demand: Demand
    chain: tuple[str, ...]
    units: int
    budget: float


def chain_greedy_plan(
    problem: Problem, deadline: float | None = None, guide: Guide | None = None
) -> Incumbent | None:
    """A plan that routes every demand, as an `Incumbent` (`status.decide` gives it its
    status); None when the greedy gets stuck (some demand or instance fits nowhere, or its
    plan breaks a rule it does not model: spread spares, container images on a host's disk) or
    `deadline` (a `time.perf_counter()` value) or Ctrl-C comes first.

    Fixed-count VNFs in chains open where the routes need them, up to their count. While time
    allows, `VARIANTS` are tried: the other fixed-count VNFs before the routing (the routes'
    instances then share their servers) or after it (they fill gaps), and an idle server priced
    whole or at the opening instance's share; the cheapest plan wins.

    `guide` (VNF, site) → instances says where a relaxation opened them (the routing bound's
    best solution): up to that many open there without paying for an idle server, so the
    routes gather where the relaxation found the servers pay (`_open_price`).
    """
    started = time.perf_counter()
    best: Incumbent | None = None
    for fixed_first, amortise in VARIANTS:
        first: list[tuple[str, int]] = []
        for _restart in range(RESTARTS + 1):
            if best is not None and deadline is not None:
                spent = time.perf_counter() - started
                if time.perf_counter() + spent > deadline:
                    break
            congestion = CONGESTION * CONGESTION_GROWTH**_restart
            run = _ChainGreedy(problem, deadline, congestion, amortise, guide)
            found = run.run(fixed_first, first)
            if found is not None and not _whole(problem, found):
                break  # a rule its server filling does not model: this variant has no plan
            if found is not None:
                if best is None or problem.plan_cost(found.counts) < problem.plan_cost(best.counts):
                    best = found
                break
            if run.stuck is None or run.gave_up or first[:1] == [run.stuck]:
                break  # stuck placing instances, out of time, or stuck though routed first
            # squeaky wheel: the demand that failed goes first next time, before earlier ones
            first = [run.stuck, *(key for key in first if key != run.stuck)]
    if best is not None:
        best.wall_time_s = time.perf_counter() - started
    return best


def _whole(problem: Problem, found: Incumbent) -> bool:
    """True when the plan holds the rules the server filling leaves to the model: spares spread
    over hosts (`redundancy`), each host's pulled container images on its disk, and nested
    containers packed into worker VMs that fit (`nesting.pack`)."""
    if not (problem.spares_spread(found.counts) and problem.images_fit(found.counts)):
        return False
    if problem.nesting is None:
        return True
    workers = pack(problem, found.counts)
    found.workers = workers or {}
    return workers is not None


class _ChainGreedy:
    """One run: the network's residual capacities and the instances' spare throughput."""

    def __init__(
        self,
        problem: Problem,
        deadline: float | None,
        congestion: float,
        amortise: bool = False,
        guide: Guide | None = None,
    ) -> None:
        self.problem = problem
        self.guide = guide or {}
        self.state = _FirstFit(problem, None)
        self.floor = self._spread_as_guided()
        self.congestion = congestion
        self.amortise = amortise
        self.scenario = scenario = problem.scenario
        self.deadline = deadline
        self.adjacent: dict[str, list[tuple[str, float, LinkKey]]] = defaultdict(list)
        self.residual: dict[LinkKey, int] = {}
        for link in scenario.links:
            key = link_key(link.a, link.b)
            if key in self.residual or link.a == link.b:
                continue  # the checker reads the first declaration of a pair
            self.residual[key] = scale_down(link.gbps, NIC)
            self.adjacent[link.a].append((link.b, link.latency_ms, key))
            self.adjacent[link.b].append((link.a, link.latency_ms, key))
        self.licence = {
            name: round(vnf.license_monthly * COST_SCALE) for name, vnf in scenario.vnfs.items()
        }
        servers = problem.objective is Objective.SERVERS
        self.server_cost = [
            SERVER_WEIGHT + slot.cost if servers else slot.cost for slot in problem.slots
        ]
        rank = self.state.rank
        self.options: dict[tuple[str, str], list[tuple[int, int]]] = {}
        """(VNF, site) → (kind, slot) where an instance may open, cheapest server first."""
        for name in scenario.vnfs:
            per_site: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
            for k in problem.kinds_of(name):
                for s in problem.candidates[k]:
                    per_site[problem.slots[s].site.name].append((int(rank[s]), k, s))
            for site, entries in per_site.items():
                self.options[(name, site)] = [(k, s) for _r, k, s in sorted(entries)]
        self.carrying: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        """(VNF, site) → (kind, slot) holding instances of the VNF there, in opening order."""
        self.instances: dict[tuple[int, int], int] = defaultdict(int)
        self.carried: dict[tuple[int, int], int] = defaultdict(int)
        self.flows: dict[tuple[str, int, ChainPath], int] = defaultdict(int)
        self.version: dict[str, int] = defaultdict(int)
        self._open_cost: dict[tuple[str, str], tuple[int, float]] = {}
        self._to_target: dict[str, dict[str, float]] = {}
        self.routed: dict[tuple[str, int], list[tuple[ChainPath, int, list]]] = defaultdict(list)
        """(service, demand index) → its flows: (chain path, Mbit/s, (kind, slot, Mbit/s) taken)."""
        self.jobs: dict[tuple[str, int], _Job] = {}
        self.repairs = 0
        self.stuck: tuple[str, int] | None = None
        """(service, demand index) of the demand no path was found for, when that ended a run."""
        self.gave_up = False
        """True when the deadline or Ctrl-C ended the run."""

    # -- the run --------------------------------------------------------------------------------

    def run(self, fixed_first: bool, first: list[tuple[str, int]]) -> Incumbent | None:
        """The plan, or None with `stuck` naming the demand that found no path (if one did);
        the demands of `first` (service, index) are routed before the others, in that order."""
        problem = self.problem
        chained = {name for service in self.scenario.services.values() for name in service.chain}
        # Fixed-count VNFs in chains open where the routes want them (up to their count); the
        # others either before the routing (sharing servers) or after it (filling gaps).
        fixed = [n for n in problem.vnf_names if not problem.scales_with_traffic(n)]
        if fixed_first and not self.state.complete([n for n in fixed if n not in chained]):
            return None
        jobs = self._jobs(first)
        self.jobs = {(job.service, job.index): job for job in jobs}
        for job in jobs:
            if self._late():
                self.gave_up = True
                return None
            if not self._route_or_repair(job):
                self.stuck = (job.service, job.index)
                return None
        if not self.state.complete(at_least=self.floor):
            return None
        return self._solution()

    def _spread_as_guided(self) -> dict[str, int]:
        """VNF → instances the plan keeps at least: for a VNF whose spares must survive any
        host, the guide's total, whose spares (total - needed) allow as many instances on one
        server (without a guide, one server holds at most `redundancy` of them)."""
        floor: dict[str, int] = {}
        for name in self.problem.vnf_names:
            needed = self.problem.needed_after_failure(name)
            total = sum(count for (vnf, _site), count in self.guide.items() if vnf == name)
            if needed is None or total - needed <= self.state.cap.get(name, 0):
                continue
            self.state.cap[name] = total - needed
            floor[name] = total
        return floor

    def _late(self) -> bool:
        return stop_requested() or (
            self.deadline is not None and time.perf_counter() > self.deadline
        )

    def _jobs(self, first: list[tuple[str, int]]) -> list[_Job]:
        """Every demand: those of `first`, then the least latency slack first (budget less the
        fastest source-to-target latency: those with no room to detour take the short links
        before the others fill them), then the largest (first-fit decreasing), file order."""
        jobs = []
        for name, service in self.scenario.services.items():
            processing = processing_ms(self.scenario, service.chain)
            for index, demand in enumerate(service.demands):
                units = round(demand.gbps * GBPS_UNITS)
                budget = network_budget(demand, processing)
                jobs.append(_Job(name, index, demand, service.chain, units, budget))
        front = {key: i for i, key in enumerate(first)}

        def order(job: _Job) -> tuple[int, float, int]:
            slack = job.budget - self._remaining(job.demand.target, job.demand.source)
            return (front.get((job.service, job.index), len(front)), round(slack, 1), -job.units)

        return sorted(jobs, key=order)

    # -- spare throughput and the price of opening ---------------------------------------------

    def _each(self, name: str) -> float:
        """Mbit/s one instance of the VNF may carry (a fixed-count VNF: only its NIC limits)."""
        vnf = self.scenario.vnfs[name]
        if vnf.throughput_gbps is None:
            return math.inf
        return scale_down(vnf.throughput_gbps, NIC)

    def _nic_room(self, s: int) -> int:
        return int(self.state.capacity[s, NIC] - self.state.load[s, NIC])

    def _spare(self, name: str, site: str) -> list[tuple[int, int, int]]:
        """(kind, slot, Mbit/s) the VNF's instances at the site can still take, per server at
        most its NIC's room (shared by the kinds on it)."""
        each = self._each(name)
        per_slot: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for k, s in self.carrying.get((name, site), ()):
            left = self.instances[(k, s)] * each - self.carried[(k, s)]
            if left > 0:
                per_slot[s].append((k, left))
        spare = []
        for s, entries in per_slot.items():
            room = self._nic_room(s)
            for k, left in entries:
                take = int(min(left, room))
                if take > 0:
                    spare.append((k, s, take))
                    room -= take
        return spare

    def _opening(self, name: str, site: str) -> tuple[int, int, object] | None:
        """Where one more instance of the VNF would open at the site: a server in use where it
        fits and leaves NIC room for traffic first, else the cheapest idle one."""
        options = self.options.get((name, site), ())
        bounds = self.problem.bounds
        idle = None
        for k, s in options:
            if self.instances[(k, s)] >= bounds[(k, s)]:
                continue
            in_use = bool(self.state.instances[s])
            if not in_use and idle is not None:
                continue
            fit = self.state.try_at(k, s)
            if not fit.fits:
                continue
            if self._nic_room(s) - self.problem.kinds[k].demand[NIC] <= 0:
                continue
            if in_use:
                return k, s, fit
            idle = (k, s, fit)
        return idle

    def _open_price(self, name: str, site: str) -> float:
        """Cost (cents) of one more instance of the VNF at the site; inf when none fits."""
        key = (name, site)
        cached = self._open_cost.get(key)
        if cached is not None and cached[0] == self.version[site]:
            return cached[1]
        where = self._opening(name, site)
        if where is None:
            price = math.inf
        else:
            k, s = where[0], where[1]
            price = self.licence[name]
            if not self.state.instances[s] and not self._guided(name, site):
                price += self.server_cost[s] * self._share(k, s)
        self._open_cost[key] = (self.version[site], price)
        return price

    def _guided(self, name: str, site: str) -> bool:
        """True while the site holds fewer instances of the VNF than the guide opened there."""
        wanted = self.guide.get((name, site), 0)
        if not wanted:
            return False
        return sum(self.instances[key] for key in self.carrying.get((name, site), ())) < wanted

    def _share(self, k: int, s: int) -> float:
        """The part of an idle server's cost one instance is charged: all of it at first
        (`amortise` off), else its largest share of the server, so that a route opening a
        server where more instances will fit is not priced as if it alone paid for it."""
        if not self.amortise:
            return 1.0
        demand, capacity = self.problem.kinds[k].demand, self.problem.slots[s].capacity
        return max((d / c for d, c in zip(demand, capacity, strict=True) if c > 0), default=1.0)

    def _processing_cost(self, name: str, site: str, units: int) -> float:
        """What carrying `units` through the VNF at the site would cost: 0 on spare throughput,
        else the instances to open (one at the price of the next, the others at licence)."""
        short = units - sum(take for _k, _s, take in self._spare(name, site))
        if short <= 0:
            return 0.0
        each = self._each(name)
        if each <= 0:
            return math.inf
        if each == math.inf:  # a fixed-count VNF: its licences are paid anyway
            if not self._may_open(name):
                return math.inf
            return self._open_price(name, site) - self.licence[name]
        price = self._open_price(name, site)
        if price == math.inf:
            return math.inf
        return price + (math.ceil(short / each) - 1) * self.licence[name]

    def _may_open(self, name: str) -> bool:
        """A traffic-sized VNF may always open one more; a fixed-count one up to its count."""
        return self._each(name) < math.inf or self.state.placed[name] < self.problem.counts[name]

    # -- search ---------------------------------------------------------------------------------

    def _remaining(self, target: str | None, site: str) -> float:
        """A lower bound on the latency from `site` to the demand's end (0 without a target)."""
        if target is None:
            return 0.0
        if target not in self._to_target:
            self._to_target[target] = self._fastest_from(target)
        return self._to_target[target].get(site, math.inf)

    def _fastest_from(self, source: str) -> dict[str, float]:
        """Latency of the fastest path from `source` to every site (links of any capacity)."""
        best = {source: 0.0}
        heap = [(0.0, source)]
        while heap:
            d, u = heapq.heappop(heap)
            if d > best[u]:
                continue
            for v, latency, _key in self.adjacent.get(u, ()):
                nd = d + latency
                if nd < best.get(v, math.inf):
                    best[v] = nd
                    heapq.heappush(heap, (nd, v))
        return best

    def _search(self, job: _Job, units: int, cost_w: float, latency_w: float) -> _Path | None:
        """Minimum cost_w x cost + latency_w x latency over the layered graph, pruning labels
        that cannot end within the budget; links need `units` of residual capacity."""
        chain, n = job.chain, len(job.chain)
        source, target, budget = job.demand.source, job.demand.target, job.budget
        prices: dict[tuple[str, str], float] = {}
        start: State = (0, source)
        best: dict[State, float] = {start: 0.0}
        label: dict[State, tuple[float, float, State | None, LinkKey | None]] = {
            start: (0.0, 0.0, None, None)
        }
        heap: list[tuple[float, int, State]] = [(0.0, 0, start)]
        pushed = 1
        while heap:
            w, _t, state = heapq.heappop(heap)
            if w > best[state]:
                continue
            layer, site = state
            cost, latency, _prev, _key = label[state]
            if layer == n and (target is None or site == target):
                return self._unwind(label, state)
            moves: list[tuple[State, float, float, LinkKey | None]] = []
            if layer < n:
                name = chain[layer]
                if (name, site) in self.options or (name, site) in self.carrying:
                    key = (name, site)
                    if key not in prices:
                        prices[key] = self._processing_cost(name, site, units)
                    if prices[key] < math.inf:
                        moves.append(((layer + 1, site), prices[key], 0.0, None))
            if not (layer == n and target is None):
                for v, hop, link in self.adjacent.get(site, ()):
                    left = self.residual[link]
                    if left >= units:
                        moves.append(((layer, v), self.congestion * units / left, hop, link))
            for nxt, extra_cost, extra_latency, link in moves:
                nl = latency + extra_latency
                if nl + self._remaining(target, nxt[1]) > budget + 1e-9:
                    continue
                nc = cost + extra_cost
                nw = cost_w * nc + latency_w * nl
                if nw < best.get(nxt, math.inf) - 1e-12:
                    best[nxt] = nw
                    label[nxt] = (nc, nl, state, link)
                    heapq.heappush(heap, (nw, pushed, nxt))
                    pushed += 1
        return None

    @staticmethod
    def _unwind(
        label: dict[State, tuple[float, float, State | None, LinkKey | None]], end: State
    ) -> _Path:
        states: list[State] = []
        links: list[LinkKey] = []
        state: State | None = end
        cost, latency = label[end][0], label[end][1]
        while state is not None:
            states.append(state)
            _c, _l, prev, link = label[state]
            if link is not None:
                links.append(link)
            state = prev
        states.reverse()
        links.reverse()
        return _Path(tuple(states), tuple(links), cost, latency)

    def _cheap_path(self, job: _Job, units: int) -> _Path | None:
        """LARAC: the cheapest path if it meets the budget, else a cheap one that does."""
        cheap = self._search(job, units, 1.0, LATENCY_TIE)
        if cheap is not None and cheap.latency <= job.budget + 1e-9:
            return cheap
        # One label per state: the cheapest label may have been pruned where a faster one would
        # have fitted the budget, so only the fastest search decides that none does.
        fast = self._search(job, units, COST_TIE, 1.0)
        if fast is None or fast.latency > job.budget + 1e-9:
            return None
        if cheap is None:
            return fast
        for _ in range(LARAC_ROUNDS):
            if cheap.latency <= fast.latency:
                break
            lam = (fast.cost - cheap.cost) / (cheap.latency - fast.latency)
            if lam <= 0:
                break
            found = self._search(job, units, 1.0, lam)
            if found is None or found.weight(lam) >= cheap.weight(lam) - 1e-9:
                break
            if found.latency <= job.budget + 1e-9:
                fast = found
            else:
                cheap = found
        return fast

    # -- committing -----------------------------------------------------------------------------

    def _route(self, job: _Job) -> bool:
        """Carry the whole demand, split along bottlenecks when no path holds all of it."""
        left = job.units
        for _ in range(MAX_SPLITS):
            if left <= 0:
                return True
            path = self._cheap_path(job, left)
            part = left
            if path is None:
                fast = self._search(job, 1, COST_TIE, 1.0)
                if fast is None:
                    return False
                part = min(self._bottleneck(fast.links), left)
                path = self._cheap_path(job, part) or fast
            part = min(part, self._bottleneck(path.links))
            if part <= 0:
                return False
            for _attempt in range(3):
                if self._commit(job, path, part):
                    break
                path = self._cheap_path(job, part)
                if path is None:
                    return False
            else:
                return False
            left -= part
        return left <= 0

    def _bottleneck(self, links: tuple[LinkKey, ...]) -> int:
        """Most Mbit/s a path can carry: per link its residual over its traversals."""
        uses: dict[LinkKey, int] = defaultdict(int)
        for key in links:
            uses[key] += 1
        return min((self.residual[key] // count for key, count in uses.items()), default=10**12)

    def _commit(self, job: _Job, path: _Path, units: int) -> bool:
        """Carry `units` along `path`: spare throughput first, new instances for the rest.
        False (traffic taken back, instances opened kept: spares are allowed) when an instance
        the search priced cannot open after all."""
        taken: list[tuple[int, int, int]] = []
        stops = [
            site
            for (layer, site), (nxt, _s) in zip(path.states, path.states[1:], strict=False)
            if nxt == layer + 1
        ]
        for name, site in zip(job.chain, stops, strict=True):
            rest = units
            for k, s, room in self._spare(name, site):
                take = min(rest, room)
                self._carry(k, s, take, taken)
                rest -= take
                if rest == 0:
                    break
            while rest > 0:
                where = self._opening(name, site) if self._may_open(name) else None
                if where is None:
                    for k, s, amount in taken:
                        self._carry(k, s, -amount, None)
                    return False
                k, s, fit = where
                self.state.add(k, s, fit)  # type: ignore[arg-type]
                if self.instances[(k, s)] == 0:
                    self.carrying[(name, site)].append((k, s))
                self.instances[(k, s)] += 1
                self.version[site] += 1
                take = int(min(rest, self._each(name), self._nic_room(s)))
                if take <= 0:  # a throughput below one Mbit/s: no count of instances carries it
                    for k2, s2, amount in taken:
                        self._carry(k2, s2, -amount, None)
                    return False
                self._carry(k, s, take, taken)
                rest -= take
        for key in path.links:
            self.residual[key] -= units
        sites = [path.states[0][1]]
        for _layer, site in path.states[1:]:
            if site != sites[-1]:
                sites.append(site)
        chain_path = ChainPath(tuple(sites), tuple(stops), path.latency, path.links)
        self.flows[(job.service, job.index, chain_path)] += units
        self.routed[(job.service, job.index)].append((chain_path, units, taken))
        return True

    # -- repair: rip up what blocks a stuck demand, route it, route the others again -----------

    def _route_or_repair(self, job: _Job) -> bool:
        """`_route`, and when the demand finds no path: take back the demands whose flows fill
        the links of its fastest path (as if links were empty), route it first, then them."""
        if self._route(job):
            return True
        key = (job.service, job.index)
        self._release(key)
        if self.repairs >= MAX_REPAIRS:
            return False
        self.repairs += 1
        saved = dict(self.residual)
        for link in self.residual:
            self.residual[link] = 10**15
        fastest = self._search(job, job.units, COST_TIE, 1.0)
        self.residual = saved
        if fastest is None:
            return False  # latency or servers, not links: nothing to rip up
        uses: dict[LinkKey, int] = defaultdict(int)
        for link in fastest.links:
            uses[link] += 1
        full = {link for link, n in uses.items() if self.residual[link] < n * job.units}
        victims = [
            other
            for other, entries in self.routed.items()
            if any(link in full for path, _u, _t in entries for link in path.links)
        ]
        for other in victims:
            self._release(other)
        if not self._route(job):
            return False
        return all(self._route(self.jobs[other]) for other in victims)

    def _release(self, key: tuple[str, int]) -> None:
        """Take a demand's flows back: link capacity and instance throughput (instances stay)."""
        service, index = key
        for path, units, taken in self.routed.pop(key, []):
            for link in path.links:
                self.residual[link] += units
            for k, s, amount in taken:
                self._carry(k, s, -amount, None)
            self.flows[(service, index, path)] -= units
            if not self.flows[(service, index, path)]:
                del self.flows[(service, index, path)]

    def _carry(self, k: int, s: int, units: int, log: list[tuple[int, int, int]] | None) -> None:
        if units == 0:
            return
        self.carried[(k, s)] += units
        self.state.add_nic(s, units)
        self.version[self.problem.slots[s].site.name] += 1
        if log is not None:
            log.append((k, s, units))

    # -- the outcome ----------------------------------------------------------------------------

    def _solution(self) -> Incumbent:
        """The plan in the solver's terms, servers relabelled into the model's symmetry order."""
        problem = self.problem
        counts = dict(self.state.counts)
        rename = _symmetry_order(problem, counts)
        result: dict[tuple[int, int, int | None], int] = {}
        per_slot: dict[int, dict[tuple[int, int | None], int]] = defaultdict(dict)
        for (k, s, node), count in counts.items():
            if count:
                per_slot[rename.get(s, s)][(k, node)] = count
        for s, fill in per_slot.items():
            for (k, node), count in _renumber_nodes(problem, fill).items():
                result[(k, s, node)] = count
        traffic = {
            (k, rename.get(s, s)): units for (k, s), units in self.carried.items() if units > 0
        }
        flows = [
            Flow(service, index, units, path)
            for (service, index, path), units in sorted(
                self.flows.items(), key=lambda item: (item[0][0], item[0][1], item[0][2].sites)
            )
        ]
        # The first objective level in the solver's integer units (cents, servers or, for
        # `balance`, which the greedy does not aim at, the busiest share without the traffic).
        value = first_level(problem, result)
        return Incumbent(  # no status: `status.decide` gives one (`solve()`, or its caller)
            value=value,
            counts=result,
            flows=flows,
            traffic=traffic,
            notes=["plan of the routing-aware greedy (chain_greedy)"],
        )


def _symmetry_order(
    problem: Problem, counts: dict[tuple[int, int, int | None], int]
) -> dict[int, int]:
    """Old slot → new slot so that, within each group of interchangeable servers, the busiest
    comes first (the order the CP-SAT model's symmetry rows demand of a start plan)."""
    per_slot: dict[int, dict[tuple[int, int | None], int]] = defaultdict(dict)
    for (k, s, node), count in counts.items():
        per_slot[s][(k, node)] = count
    rename: dict[int, int] = {}
    for group in problem.symmetry_groups():
        members = [s for s in group if s in per_slot]
        if not members:
            continue
        ordered = sorted(group, key=lambda s: (-_threads(problem, per_slot.get(s, {})), s))
        for new, old in zip(group, ordered, strict=True):
            if new != old:
                rename[old] = new
    return rename
