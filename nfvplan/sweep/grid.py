"""The grid: the cartesian product of a sweep's axes, each case with a stable id.

A case id is a short hash of its axis labels (axis name → label, sorted), so the same case
gets the same id in every run, on every machine and whatever the axis order in the file: that
is what lets `--resume` find the cases an output file already holds.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

from nfvplan.errors import InputError, Problem
from nfvplan.sweep.spec import Delta, SweepSpec
from nfvplan.whatif.changes import Changes, apply_changes

ID_LENGTH = 10
"""Hex digits of a case id: 40 bits, so a collision in a 100 000-case grid is ~1 in 200 000
(and `expand` refuses one instead of merging two cases)."""


@dataclass(frozen=True)
class Case:
    """One point of the grid: its id, its position, its axis labels and its changes."""

    id: str
    index: int
    labels: dict[str, str]
    delta: Delta

    def changes(self) -> Changes:
        """The what-if changes of this case (the objective travels apart)."""
        return to_changes(self.delta)


def to_changes(delta: Delta) -> Changes:
    """`Changes` of a `Delta`: the two differ only by the objective, which `Changes` lacks."""
    return Changes(
        patches=tuple(Path(p) for p in delta.patches),
        sets=delta.sets,
        scale_demand=delta.scale_demand,
        fails=delta.fails,
    )


def case_id(labels: dict[str, str]) -> str:
    """The stable id of a case with these axis labels."""
    text = json.dumps(labels, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:ID_LENGTH]


def expand(spec: SweepSpec) -> list[Case]:
    """Every case of the grid, in file order (the last axis varies fastest)."""
    cases = []
    seen: dict[str, dict[str, str]] = {}
    for index, combo in enumerate(itertools.product(*(axis.values for axis in spec.axes))):
        labels = {axis.name: value.label for axis, value in zip(spec.axes, combo, strict=True)}
        delta = Delta()
        for value in combo:
            delta = delta + value.delta
        identifier = case_id(labels)
        if identifier in seen:  # pragma: no cover - a 40-bit collision
            raise InputError.single(
                str(spec.source), f"cases {seen[identifier]} and {labels} share id {identifier}"
            )
        seen[identifier] = labels
        cases.append(Case(identifier, index, labels, delta))
    return cases


def validate_cases(spec: SweepSpec, cases: list[Case]) -> None:
    """Apply every case's changes to the scenario; raise what fails, naming the case.

    Each value alone was applied by `load_sweep`; values that each apply may still clash
    together (a `set` on a VNF that a patch removes). Cases with the same changes (differing
    only by objective) are applied once.
    """
    problems: list[Problem] = []
    tried: set[Delta] = set()
    for case in cases:
        key = Delta(case.delta.patches, case.delta.sets, case.delta.scale_demand, case.delta.fails)
        if key in tried:
            continue
        tried.add(key)
        error = _try(spec.scenario, case.delta)
        if error is not None:
            first = spec.axes[0]
            what = ", ".join(f"{k}={v}" for k, v in case.labels.items())
            problems.extend(
                Problem(
                    str(spec.source),
                    first.line,
                    first.column,
                    "axes",
                    f"case {case.id} ({what}) cannot be applied to the scenario: {p}",
                )
                for p in error.problems
            )
    if problems:
        raise InputError(problems)


def _try(scenario: Path, delta: Delta) -> InputError | None:
    try:
        apply_changes(scenario, to_changes(delta))
    except InputError as error:
        return error
    return None
