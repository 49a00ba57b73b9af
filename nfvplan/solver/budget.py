"""The one time budget of a solve: its clock, every share of it, and how a phase is held to it.

The clock starts when `solve()` starts (building the problem counts), and every stage asks it
for its share. All the shares and floors of the solver live here, each with why; a stage never
keeps a clock or a percentage of its own. A phase that cannot watch the clock itself (a CP-SAT
search, a column-generation round in C++) runs under `stop_at(deadline)`, which requests a
`Stop` at the deadline: everything that obeys Ctrl-C obeys the deadline the same way.

The promise: `solve()` returns within `limit + MARGIN_S` in every phase (the explanation of an
infeasible outcome included), measured on the ladders of `benchmarks/scale.py` and
`benchmarks/network.py` and at 418-852 sites with up to 6 026 demands (docs/network-scale.md,
"The time limit, Ctrl-C and memory at operator scale").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from nfvplan.solver.stop import Stop, active_stop, stop_requested, stopping

MARGIN_S = 2.0
"""What a solve may run past its limit: the plan's read-back, naming and checking after the
search, and the last step of a phase that was told to stop (a CP-SAT search ends within
about 0.1 s of `stop_search`; building one large model row block takes up to a second)."""

# -- the whole-model strategy --------------------------------------------------------------
BOUND_SHARE = 0.4
"""Share of the limit the configuration LP (column generation, its integer master and dives)
may take before the CP-SAT search starts: on the packing benchmark it proves most optima on
its own, and the search needs the rest to improve plans the LP leaves open."""
PACKING_BOUND_SHARE = 0.9
"""The same share for a pure packing (`patterns.pure_packing`: no routing, no rule across
servers, no re-plan, no failures). There the configuration search is the search: a plan that
meets the bound is optimal, and CP-SAT on the aggregated model only gets what is left. On 21
120-item New-class packings with known optima (10 s, 2 workers, `benchmarks/vbp.py --families
New --sizes 60 120 --dims 3 5`, loaded machine) 0.4 proved 10, 0.9 proved 19
(docs/performance.md, "One column generation")."""
ROUTED_BOUND_SHARE = 0.2
"""The same share when the scenario has services: the LP then ignores routing, so its plans
are only hints and its bound only the routing-free one, and a plan can come from the search
alone. On the network ladder (1 000 generated instances per topology, 30 s, 2 workers:
`benchmarks/network.py --generated-ladder`) 0.4 left germany50 without a plan (the LP took 14 s) and
0.1 weakened every bound (abilene's gap 7 % -> 42 %); 0.2 gave the best plan and gap on all
five committed topologies (abilene 82 870 at 3.6 %, germany50 a plan at 55.6 %)."""
ROUTING_BOUND_SHARE = 0.15
"""Most of the limit the routing bound (`routing_bound.py`: facility location over sites,
CP-SAT) may take, before the configuration LP, when the scenario has services. The model is
small (a variable per site and kind, per site and latency-separated commodity) but its proof
takes time: on germany50 edge-to-core (loaded machine) 6 s gave 8 010, 10 s the optimum
8 460; when it is cut, the bound proven so far is kept (docs/network-scale.md, "The routing
bound")."""
ROUTING_BOUND_MAX_S = 40.0
"""...but never more than this: past the first seconds the bound creeps while the search needs
the time (TataNld two-per-site: 39 690 after 20 s, 39 970 after 40 s, 39 980 after 60 s)."""
CHAIN_GREEDY_SHARE = 0.2
"""Most of the limit the routing-aware greedy (`chain_greedy.py`) may take for its variants
before it keeps the best it has: it is the first plan of a routed scenario and the floor the
plan returned never falls below (docs/network-scale.md). It runs before chain paths are
enumerated, so a plan exists even when enumerating them outlasts the limit (on germany50 with a
full traffic matrix enumeration alone took 80 s)."""
DETERMINISTIC_SHARE = 0.3
"""Share of the search's time for CP-SAT's deterministic (interleaved) mode before the
free-running portfolio continues from its plan (docs/solver.md, "Determinism")."""
MIN_SEARCH_S = 0.5
"""A second, free-running search shorter than this is not started."""
STOP_S_PER_BUILD_S = 0.25
"""Seconds a CP-SAT search may take to end after `stop_search`, per second its model took to
build: the search ends this much before the deadline. CP-SAT checks the stop between presolve
steps and search batches, and one step of a large model is long: on backbone/americas_nosc
with a gravity matrix (6 026 demands; the model built in 22 s) a search stopped mid-presolve
ended 2.5-4 s later, and the solve ran 3.7 s past a 300 s limit. The time to build is the
model's size measured on this machine, under its current load, as the stop latency is."""
STOP_RESERVE_SHARE = 0.1
"""The most of the limit that reserve may take (it is an estimate: the search needs the rest)."""

# -- the large-neighbourhood search (lns.py) -------------------------------------------------
HOOD_DTIME = 2.0
"""CP-SAT deterministic time per neighbourhood: a deterministic limit, not a wall-clock one,
so a search that finishes (converges) before the time limit gives the same plan every run."""
HOOD_WALL_S = 6.0
"""Wall-clock cap per neighbourhood on top of `HOOD_DTIME`, for a loaded machine (and never
more than what is left of the limit)."""
MIN_HOOD_S = 0.3
"""A neighbourhood is not started with less than this left of the limit."""
GUIDED_SEARCH_SHARE = 0.7
"""Of the time left after the bound, what the guided neighbourhood may take (`lns.search_guided`:
the sites of the routing bound's best solution and the plan's, every demand through them
freed); it ends sooner when CP-SAT proves that neighbourhood. Measured alone by a scratch
script (not kept: `restrict` + the assignment model on the guided sites, 2 workers):
TataNld edge-to-core 23 040 -> 20 730 in 30 s, where the regional search reached 21 900 in
276 s; germany50 two-per-site 17 600 -> 14 370 in 14 s; TataNld two-per-site 44 630 -> 42 250
in 110 s and 41 140 in 200 s, still improving, where the regional search after it found
nothing in 165 s."""

# -- qualifying an outcome over restricted paths ------------------------------------------
MIN_RETRY_S = 1.0
"""A retry with a wider path set is only worth starting with at least this much time left."""
WIDEN_OPTIMUM_LEFT = 2 / 3
"""An optimum over restricted paths is re-solved over wider ones only while more than this
share of the limit is left (it is a confirmation, not a necessity: the plan stands)."""

# -- the site-by-site strategy --------------------------------------------------------------
GREEDY_SHARE = 0.1
"""Past this share of the limit the greedy tries no further ordering (one always runs: each
takes about 9 s at 100 000 instances, and a large solve needs some plan first)."""
DECOMPOSED_BOUND_SHARE = 0.2
"""Share of the limit the configuration LP solved part by part may take."""
BOUND_HARD = 1.5
"""Past this many times its share the part-by-part bound is stopped mid-step (it keeps to its
share between parts; one part's step can run over: 14-16 s for a 12 s share at 10 000
instances)."""
PARTS_SHARE = 0.5
"""Share of the time left after the bound that re-plans the unproven pooled parts."""
SITE_KEEP_BACK = 0.9
"""A site re-plan gets this fraction of its share: a one-site model takes a little longer
than its limit (build, presolve), so a tenth is kept back for the last site."""
MIN_SITE_S = 0.5
"""A site re-plan shorter than this is not worth starting."""
BUILD_S_PER_PAIR = 50e-6
"""Seconds a one-site assignment model takes to build per (kind, candidate server) pair, a
conservative figure. At 100 000 instances one core site had 466 620 pairs and a 1 s share, and
its re-plan took 63 s, all past the time limit: a site whose model would not even be built
within its share is not re-planned."""
MIN_PART_S = 0.3
"""Every part of the decomposed bound gets at least this much column generation (a part's
first round is cheap)."""

# -- explaining an infeasible outcome --------------------------------------------------------
EXPLAIN_S = 20.0
"""Most time the conflict search may take (on top of the solve's limit: it runs only once the
scenario is proven infeasible, and the core found so far is reported past it)."""
EXPLAIN_STEP_S = 5.0
"""Most time one deletion trial of the conflict search may take."""
EXPLAIN_MIN_STEP_S = 0.5
"""A deletion trial is not started with less than this left of `EXPLAIN_S`."""


@dataclass
class Budget:
    """The one clock of a solve: `limit_s` seconds from `started` (a perf_counter value)."""

    limit_s: float
    started: float = field(default_factory=time.perf_counter)
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent per stage, in the order they ran (for the benchmarks' overrun columns)."""

    @property
    def deadline(self) -> float:
        """The `time.perf_counter()` value at which the limit runs out."""
        return self.started + self.limit_s

    def elapsed(self) -> float:
        """Seconds since the solve started."""
        return time.perf_counter() - self.started

    def left(self) -> float:
        """Seconds left of the limit; 0 once a stop (Ctrl-C) was requested."""
        if stop_requested():
            return 0.0
        return max(0.0, self.deadline - time.perf_counter())

    def reserved(self, seconds: float) -> Budget:
        """The same clock with its deadline `seconds` earlier (a stage that needs time after
        its last step keeps it back); the stages' times still go to this budget's `phases`."""
        return Budget(max(0.0, self.limit_s - seconds), self.started, self.phases)

    def share(self, fraction: float) -> float:
        """`fraction` of the whole limit, but never more than what is left."""
        return min(fraction * self.limit_s, self.left())

    @contextmanager
    def phase(self, name: str, seconds: float | None = None) -> Iterator[None]:
        """Run one stage, held to `seconds` from now (default: the rest of the limit).

        The stage is stopped at its deadline even in the middle of a step (`stop_at`), and its
        time is recorded in `phases`.
        """
        began = time.perf_counter()
        end = self.deadline if seconds is None else min(self.deadline, began + seconds)
        try:
            with stop_at(end):
                yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - began


@contextmanager
def stop_at(deadline: float) -> Iterator[Stop]:
    """Run the block under a `Stop` requested at `deadline` (a `time.perf_counter()` value).

    Every CP-SAT search and column-generation loop obeys the active stop, so a phase ends at
    its deadline even in the middle of a step. A stop the caller had active (Ctrl-C) still
    reaches the block: it requests this one too, and stays set for the caller afterwards.
    """
    stop = Stop()
    outer = active_stop()
    timer = threading.Timer(max(0.0, deadline - time.perf_counter()), stop.request)
    timer.daemon = True
    with ExitStack() as stack:
        if outer is not None:
            stack.enter_context(outer.hook(stop.request))
            if outer.is_set():
                stop.request()
        stack.enter_context(stopping(stop))
        timer.start()
        try:
            yield stop
        finally:
            timer.cancel()
