"""What-if's diff is the shared plan diff (`nfvplan.plandiff`), also behind `nfvplan diff`.

Kept as a module so that `from nfvplan.whatif.diff import ...` goes on working.
"""

from nfvplan.plandiff.diff import (
    HOT_LINK,
    LinkCrossing,
    PlanDiff,
    SiteChange,
    VnfChange,
    diff_plans,
    match_instances,
)

__all__ = [
    "HOT_LINK",
    "LinkCrossing",
    "PlanDiff",
    "SiteChange",
    "VnfChange",
    "diff_plans",
    "match_instances",
]
