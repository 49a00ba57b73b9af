"""What-if analysis: change a scenario (patch, set, scale, fail), re-plan, and diff the plans."""

from nfvplan.whatif.changes import ChangedScenario, Changes, apply_changes

__all__ = ["ChangedScenario", "Changes", "apply_changes"]
