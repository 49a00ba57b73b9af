"""The what-if API: a scenario file plus changes in, the changed scenario and notes out.

`nfvplan whatif` and `nfvplan sweep` both build on `apply_changes`. Changes apply in a fixed
order, whatever the order of the options: patches (in order), then `--set`s (in order) on the
raw document, then validation, then demand scaling, then failures. Text edits first, so the
loader sees the operator's final file; meaning edits after, on the validated scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nfvplan.io.scenario import scenario_from_tree
from nfvplan.io.yamlsrc import load_yaml_file
from nfvplan.model import Scenario
from nfvplan.whatif.document import apply_set, load_patch, merge_patch
from nfvplan.whatif.edits import fail, scale_demand

__all__ = ["ChangedScenario", "Changes", "apply_changes"]


@dataclass(frozen=True)
class Changes:
    """What to change in a scenario, as the command line gives it."""

    patches: tuple[Path, ...] = ()
    """JSON Merge Patch files (RFC 7396), in YAML or JSON; `null` deletes a key."""
    sets: tuple[str, ...] = ()
    """`PATH=VALUE`, like `vnfs.upf.replicas=8` or `services.web.demands.0.gbps=3`."""
    scale_demand: tuple[str, ...] = ()
    """`F` (every demand) or `SERVICE=F`; factors multiply."""
    fails: tuple[str, ...] = ()
    """`site:NAME`, `server:SITE/TYPE/N` or `link:A,B`."""

    @property
    def empty(self) -> bool:
        """True when nothing would change."""
        return not (self.patches or self.sets or self.scale_demand or self.fails)


@dataclass(frozen=True)
class ChangedScenario:
    """The scenario after the changes, and what they did that the operator should know."""

    scenario: Scenario
    notes: tuple[str, ...]


def apply_changes(scenario_path: Path, changes: Changes) -> ChangedScenario:
    """The scenario at `scenario_path` with `changes` applied and validated.

    Raises `InputError` for a bad scenario or a bad change, each problem located in the file
    or the command-line argument that caused it; never any other exception for bad input.
    """
    notes: list[str] = []
    root = load_yaml_file(scenario_path)
    for patch in changes.patches:
        root = merge_patch(root, load_patch(Path(patch)), notes)
    for argument in changes.sets:
        root = apply_set(root, argument)
    scenario = scenario_from_tree(root, str(scenario_path), Path(scenario_path).parent)
    for argument in changes.scale_demand:
        scenario = scale_demand(scenario, argument, notes)
    for argument in changes.fails:
        scenario = fail(scenario, argument, notes)
    return ChangedScenario(scenario, tuple(notes))
