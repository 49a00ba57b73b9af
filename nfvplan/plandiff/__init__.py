"""The plan diff shared by `nfvplan whatif` and `nfvplan diff`: what an apply would change."""

from nfvplan.plandiff.diff import (
    HOT_LINK,
    InstanceChange,
    LinkCrossing,
    PlanDiff,
    ServerChange,
    SiteChange,
    VnfChange,
    diff_plans,
    match_instances,
    pair_places,
    site_costs,
)

__all__ = [
    "HOT_LINK",
    "InstanceChange",
    "LinkCrossing",
    "PlanDiff",
    "ServerChange",
    "SiteChange",
    "VnfChange",
    "diff_plans",
    "match_instances",
    "pair_places",
    "site_costs",
]
