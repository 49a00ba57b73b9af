"""The rules TOSCA and SOL006 share: instance counts from levels, and placement groups.

Both models describe a deployment flavour the same way (IFA011): each VDU has a profile with
min/max instances, instantiation levels give the count per VDU, one level is the default,
and affinity / anti-affinity groups carry a scope. Mapped once, here:

- `replicas` is the VDU's count at the default level (else the first level, else the
  initial delta, else the profile minimum); min/max and the other levels become comments.
- Anti-affinity scope `nfvi_node` is nfvplan's `host`; `zone` and `nfvi_pop` are a `site`;
  `zone_group` (several zones) is wider than any nfvplan unit and is mapped to `site` with a
  warning. nfvplan's anti-affinity keeps the replicas of *one* VNF apart, so a group over
  several VDUs gives each member its own rule, and the cross-VDU part is a warning.
- Affinity (keep together) has no nfvplan counterpart: always a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nfvplan.importers.model import Collector, ImportedVnf

SCOPES = {
    "nfvi_node": "host",
    "nfvi-node": "host",
    "zone": "site",
    "nfvi_pop": "site",
    "nfvi-pop": "site",
    "zone_group": "site",
    "zone-group": "site",
}
_WIDER = {"zone_group", "zone-group"}


@dataclass
class Counts:
    """What a flavour says about one VDU's instance count."""

    minimum: int | None = None
    maximum: int | None = None
    initial_delta: int | None = None
    levels: dict[str, int] = field(default_factory=dict)


def apply_counts(
    vnf: ImportedVnf, counts: Counts, default_level: str | None, col: Collector, line: int | None
) -> None:
    """Set `vnf.replicas` from `counts` and note how, as the module docstring says."""
    how: str
    if counts.levels and default_level in counts.levels:
        vnf.replicas = counts.levels[default_level]
        how = f"count at the default instantiation level {default_level}"
    elif counts.levels:
        first = next(iter(counts.levels))
        vnf.replicas = counts.levels[first]
        how = f"count at level {first} (no default level given: the first one)"
        if default_level:
            col.warn(
                line,
                vnf.where,
                f"default level {default_level!r} does not list this VDU; used level {first!r}",
            )
    elif counts.initial_delta is not None:
        vnf.replicas = counts.initial_delta
        how = "initial delta"
    elif counts.minimum is not None:
        vnf.replicas = counts.minimum
        how = "vdu_profile minimum"
    else:
        vnf.replicas = 1
        how = "no profile given: 1"
    parts = [f"replicas: {how}"]
    if counts.minimum is not None or counts.maximum is not None:
        parts.append(f"min {_show(counts.minimum)} / max {_show(counts.maximum)} instances")
    if len(counts.levels) > 1 or (counts.levels and how.startswith("initial")):
        parts.append("levels " + ", ".join(f"{k} {v}" for k, v in counts.levels.items()))
    vnf.notes.append("; ".join(parts))
    if counts.maximum is not None:
        over = {k: v for k, v in counts.levels.items() if v > counts.maximum}
        if over:
            col.warn(
                line,
                vnf.where,
                f"{'instantiation level' if len(over) == 1 else 'instantiation levels'} "
                f"{', '.join(over)} {'exceeds' if len(over) == 1 else 'exceed'} the "
                f"profile maximum of {counts.maximum} instances (inconsistent descriptor)",
            )


def _show(value: int | None) -> str:
    return "?" if value is None else str(value)


def apply_group(
    members: list[ImportedVnf],
    affinity: bool,
    scope: str | None,
    name: str,
    col: Collector,
    line: int | None,
    where: str,
) -> None:
    """Map one affinity or anti-affinity group over `members` (see the module docstring)."""
    labels = ", ".join(m.name for m in members) or "no VDU"
    if affinity:
        col.warn(
            line,
            where,
            f"affinity group {name!r} ({labels}, scope {scope}) not mapped: "
            "nfvplan has no keep-together rule",
        )
        return
    mapped = SCOPES.get((scope or "").lower())
    if mapped is None:
        col.warn(
            line,
            where,
            f"anti-affinity group {name!r} has scope {scope!r}; known scopes: "
            "nfvi_node, zone, zone_group, nfvi_pop; not mapped",
        )
        return
    if (scope or "").lower() in _WIDER:
        col.warn(
            line,
            where,
            f"anti-affinity group {name!r}: scope {scope} is wider than a "
            "site; mapped to site (the widest nfvplan unit)",
        )
    for member in members:
        member.anti_affinity = _stricter(member.anti_affinity, mapped)
        member.notes.append(f"anti_affinity: group {name} (scope {scope})")
    if len(members) > 1:
        col.warn(
            line,
            where,
            f"anti-affinity group {name!r} keeps {labels} apart from each "
            f"other; nfvplan keeps only each VNF's own replicas apart ({mapped}), so the "
            "cross-VNF part is not enforced",
        )


def _stricter(current: str | None, new: str) -> str:
    order = ["host", "rack", "site"]
    if current is None:
        return new
    return max(current, new, key=order.index)
