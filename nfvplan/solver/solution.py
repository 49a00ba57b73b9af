"""The old name of the stages' hand-over type, kept for callers written before the pipeline:
`Solution` is `incumbent.Incumbent`."""

from __future__ import annotations

from nfvplan.solver.incumbent import Flow, Incumbent, Placement, Progress, RunLimits

Solution = Incumbent

__all__ = ["Flow", "Incumbent", "Placement", "Progress", "RunLimits", "Solution"]
