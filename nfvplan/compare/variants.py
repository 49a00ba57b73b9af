"""The scenarios a VM-vs-container comparison solves, built from the validated one: all-VM,
all-container, containers in VMs (when the scenario offers `container-in-vm`) and mixed.

Only the `forms` of VNFs change, so every other rule (trust, isolation, anti-affinity, sites,
licences, network) holds unchanged in every variant, and a plan of any variant is a valid plan
of the scenario as written (its forms are a subset of what the file allows): `nfvplan check`
accepts it against the original file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from nfvplan.model import Form, Scenario


@dataclass(frozen=True)
class Variant:
    """One way of running the scenario: `form` forced where offered, or None for free choice."""

    key: str
    """Short name used in file names (`plan-KEY.yaml`) and machine-readable output."""
    label: str
    """What a human reads in tables and the verdict."""
    form: Form | None


VARIANTS: tuple[Variant, ...] = (
    Variant("vm", "all-VM", Form.VM),
    Variant("container", "all-container", Form.CONTAINER),
    Variant("nested", "containers in VMs", Form.NESTED),
    Variant("mixed", "mixed", None),
)
"""In display order: the pure policies first, then the planner's free choice."""


def variants_for(scenario: Scenario) -> tuple[Variant, ...]:
    """The variants worth solving: containers in VMs only when some VNF offers
    `container-in-vm` (elsewhere it would be the mixed plan again, under another name)."""
    nested = any(Form.NESTED in vnf.forms for vnf in scenario.vnfs.values())
    return tuple(v for v in VARIANTS if nested or v.form is not Form.NESTED)


def restrict(scenario: Scenario, form: Form | None) -> Scenario:
    """`scenario` with every VNF that offers `form` limited to it.

    A VNF that does not offer `form` keeps its own forms: a product that only ships as a VM
    stays a VM in the all-container variant, as it would in a real all-container roll-out.
    `None` returns the scenario unchanged (the mixed variant).
    """
    if form is None:
        return scenario
    vnfs = {
        name: replace(vnf, forms=(form,)) if form in vnf.forms else vnf
        for name, vnf in scenario.vnfs.items()
    }
    return replace(scenario, vnfs=vnfs)
