"""Command-line options shared by the commands that solve (`solve`, `compare`, ...).

One definition each, so that `--time-limit`, `--workers` and `--seed` mean and validate the same
thing everywhere: each overrides the scenario's `solver:` block for every solve it starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

TimeLimitOption = Annotated[
    float | None, typer.Option("--time-limit", min=0.01, help="Seconds (overrides solver:).")
]
WorkersOption = Annotated[
    int | None, typer.Option("--workers", min=1, help="Search threads (overrides solver:).")
]
SeedOption = Annotated[
    int | None, typer.Option("--seed", min=0, help="Random seed (overrides solver:).")
]

ScenarioArg = Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario file (YAML).")]
PlannedScenarioArg = Annotated[
    Path, typer.Argument(metavar="SCENARIO", help="Scenario file the plan was made for.")
]
PlanArg = Annotated[Path, typer.Argument(metavar="PLAN", help="Plan file (YAML or JSON).")]
"""The positional files, one definition each so that every usage line reads `SCENARIO PLAN`."""
