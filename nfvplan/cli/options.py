"""Command-line options shared by the commands that solve (`solve`, `compare`, ...).

One definition each, so that `--time-limit`, `--workers` and `--seed` mean and validate the same
thing everywhere: each overrides the scenario's `solver:` block for every solve it starts.
"""

from __future__ import annotations

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
