"""What a case's result depends on, as a short digest stored in its row.

A case id names a point of the grid by its axis labels only, so it survives reordering the axes
and re-running on another machine. But a label does not pin what it stands for: edit the
scenario, a patch file, the `solver:` block or what a label expands to, and `--resume` would
keep rows computed from the old inputs next to rows from the new ones, in one file that looks
whole. The `inputs` column closes that gap: `--resume` runs again every case whose digest
differs, and says how many.

The scenario enters as its *loaded* form (topology file included, comments and formatting
not), so reformatting the YAML does not invalidate a sweep but changing a number does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

from nfvplan.sweep.grid import Case
from nfvplan.sweep.spec import SweepSpec

DIGEST_LENGTH = 12
"""Hex digits kept: 48 bits, far past any chance of two different inputs looking the same."""


class InputsDigest:
    """Digests of the cases of one sweep; each file is read and hashed once."""

    def __init__(self, spec: SweepSpec) -> None:
        self.spec = spec
        self._files: dict[str, str] = {}
        base = spec.base
        # `source` is where the file sits, not what it says; out_of_service is empty on a
        # loaded file, and a frozenset's repr order would depend on the hash seed.
        meaning = repr(replace(base, source=None, out_of_service=frozenset())) if base else ""
        self._common = {
            "scenario": hashlib.sha256(meaning.encode("utf-8")).hexdigest(),
            "solver": [spec.solver.time_limit_s, spec.solver.workers, spec.solver.seed],
        }

    def of(self, case: Case) -> str:
        """The digest of everything `case`'s row is computed from."""
        delta = case.delta
        data = {
            **self._common,
            "patches": [self._file(p) for p in delta.patches],
            "sets": list(delta.sets),
            "scale_demand": list(delta.scale_demand),
            "fails": list(delta.fails),
            "objective": delta.objective,
        }
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]

    def _file(self, path: str) -> str:
        if path not in self._files:
            self._files[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        return self._files[path]
