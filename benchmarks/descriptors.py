"""Import the real, openly licensed descriptors in ../shared/descriptors and print what came out.

Not a test (the tests use fixtures written for each mapping rule): a check that the importers
read what vendors and projects actually publish. Each sample goes through the same library
call `nfvplan import vnfd` makes; per file it prints the VNFs (flavor, form, count, rules), the
number of warnings, or the exit-2 message for files that are no descriptor (Helm values).

Run: python benchmarks/descriptors.py [FOLDER]   (default /work/shared/descriptors)
"""

from __future__ import annotations

import sys
import tempfile
import zipfile
from pathlib import Path

from nfvplan.errors import InputError
from nfvplan.importers import import_descriptors
from nfvplan.importers.emit import summary

SAMPLES = [
    "openstack-tacker/samples/practical_vnf_package/Definitions/Node.yaml",
    "openstack-tacker/samples/tests/etc/samples/etsi/nfv/common_artifact/Definitions/"
    "helloworld3_top.vnfd.yaml",
    "openstack-tacker/samples/tosca-templates/vnfd/tosca-vnfd-hugepages.yaml",
    "openstack-tacker/samples/tosca-templates/vnfd/tosca-vnfd-cpu-dedicate.yaml",
    "openstack-tacker/samples/tosca-templates/vnfd/tosca-vnfd-numadefine.yaml",
    "openstack-tacker/samples/tosca-templates/vnfd/tosca-vnfd-sriov.yaml",
    "openstack-tacker/samples/tosca-templates/vnfd/tosca-placement-policy-anti-affinity.yaml",
    "kubevirt-kubevirt/examples/vmi-fedora-dedicated.yaml",
    "kubevirt-kubevirt/examples/vmi-fedora-isolated.yaml",
    "kubevirt-kubevirt/examples/vmi-sriov.yaml",
    "etsi-forge-NFV-SOL006/example-data/complex-vnfd.xml",
    "free5gc-free5gc-helm/charts/free5gc/charts/free5gc-amf/values.yaml",
    "free5gc-free5gc-helm/charts/free5gc/charts/free5gc-smf/values.yaml",
    "omec-project-sdcore-helm-charts/5g-control-plane/values.yaml",
]


def describe(folder: Path, sample: str) -> list[str]:
    """The report lines for one sample."""
    try:
        result = import_descriptors([folder / sample])
    except InputError as error:
        message = error.problems[0].message
        if "Helm chart values" in message:
            return [
                "  exit 2: Helm chart values, not a manifest (the message says to render the "
                "chart with helm template first)"
            ]
        return [f"  exit 2: {message[:160]}"]
    lines = []
    for vnf in result.vnfs:
        lines.append(f"  {summary(vnf)}")
    lines.append(f"  {len(result.warnings)} warning(s)")
    return lines


def csar_of(definitions: Path, entry: str, target: Path) -> Path:
    """A CSAR (SOL004 zip) of a Definitions/ folder, as a package would ship it: the shared
    copy keeps only Definitions/, and the upstream TOSCA.meta names `entry`."""
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(
            "TOSCA-Metadata/TOSCA.meta",
            f"TOSCA-Meta-File-Version: 1.0\nCSAR-Version: 1.1\nEntry-Definitions: "
            f"Definitions/{entry}\n",
        )
        for file in sorted(definitions.iterdir()):
            archive.write(file, f"Definitions/{file.name}")
    return target


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/descriptors")
    for sample in SAMPLES:
        print(sample)
        print("\n".join(describe(folder, sample)))
    with tempfile.TemporaryDirectory() as temp:
        package = csar_of(
            folder / "openstack-tacker/samples/practical_vnf_package/Definitions",
            "Node.yaml",
            Path(temp) / "practical_vnf_package.csar",
        )
        print("practical_vnf_package as a CSAR (zipped here, TOSCA.meta as upstream)")
        print("\n".join(describe(Path(temp), package.name)))


if __name__ == "__main__":
    main()
