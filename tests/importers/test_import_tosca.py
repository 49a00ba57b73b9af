"""SOL001 TOSCA VNFDs: one fixture per mapping rule, figures asserted exactly."""

from __future__ import annotations

import io
import zipfile

from import_helpers import Importer, warnings_text

from nfvplan.importers import ImportOptions, import_descriptors


def vnfd(nodes: str, policies: str = "", groups: str = "", extra: str = "") -> str:
    """A SOL001 VNFD around `nodes` (indented for node_templates)."""
    text = (
        "tosca_definitions_version: tosca_simple_yaml_1_3\n"
        "imports: [etsi_nfv_sol001_vnfd_types.yaml]\n"
        f"{extra}"
        "topology_template:\n"
        "  node_templates:\n" + "".join(f"    {line}\n" for line in nodes.strip("\n").splitlines())
    )
    if groups:
        text += "  groups:\n" + "".join(f"    {ln}\n" for ln in groups.strip("\n").splitlines())
    if policies:
        text += "  policies:\n" + "".join(f"    {ln}\n" for ln in policies.strip("\n").splitlines())
    return text


def compute(
    name: str,
    cpu: int = 4,
    mem: str = "8 GB",
    disks: str = "[{size_of_storage: 10 GB}]",
    cpu_extra: str = "",
    mem_extra: str = "",
    props: str = "",
) -> str:
    return f"""
{name}:
  type: tosca.nodes.nfv.Vdu.Compute
  properties:
    name: {name}
{props}
  capabilities:
    virtual_compute:
      properties:
        virtual_cpu: {{num_virtual_cpu: {cpu}{cpu_extra}}}
        virtual_memory: {{virtual_mem_size: {mem}{mem_extra}}}
        virtual_local_storage: {disks}
"""


def test_virtual_compute_figures_in_gib(importer: Importer) -> None:
    """Tests vCPUs, memory and summed local storage, MB/GB read as MiB/GiB."""
    got = importer.entries(
        "v.yaml",
        vnfd(compute("vdu1", 4, "512 MB", "[{size_of_storage: 1 GB}, {size_of_storage: 1536 MB}]")),
    )
    assert got["vdu1"]["flavor"] == {"vcpu": 4, "memory_gib": 0.5, "disk_gib": 2.5}
    assert got["vdu1"]["forms"] == ["vm"]
    assert got["vdu1"]["replicas"] == 1


def test_decimal_units_give_strict_tosca_sizes(importer: Importer) -> None:
    """Tests that --decimal-units reads 8 GB as 8e9 bytes: 7.4506 GiB (rounded up)."""
    got = importer.entries("v.yaml", vnfd(compute("vdu1", 2, "8 GB")), binary_si=False)
    assert got["vdu1"]["flavor"]["memory_gib"] == 7.4506
    assert got["vdu1"]["flavor"]["disk_gib"] == 9.3133  # 10e9 B = 9.31322... GiB


def test_exact_binary_units(importer: Importer) -> None:
    """Tests that MiB and GiB are exact: 1.75 GiB and 2560 MiB."""
    got = importer.entries(
        "v.yaml", vnfd(compute("vdu1", 1, "1.75 GiB", "[{size_of_storage: 2560 MiB}]"))
    )
    assert got["vdu1"]["flavor"] == {"vcpu": 1, "memory_gib": 1.75, "disk_gib": 2.5}


def test_pinning_policy_static_is_dedicated(importer: Importer) -> None:
    """Tests virtual_cpu_pinning_policy static -> cpu: dedicated."""
    extra = ", virtual_cpu_pinning: {virtual_cpu_pinning_policy: static}"
    got = importer.entries("v.yaml", vnfd(compute("dp", 8, cpu_extra=extra)))
    assert got["dp"]["cpu"] == "dedicated"


def test_extra_specs_pages_numa_and_cpu_policy(importer: Importer) -> None:
    """Tests Nova-style additional capabilities: 1GB pages, one NUMA node, dedicated CPU."""
    nodes = (
        compute("dp", 8, "16 GB")
        + """\
  requirements: []
"""
    )
    nodes = nodes.replace(
        "        virtual_local_storage:",
        "        requested_additional_capabilities:\n"
        "          epa:\n"
        "            requested_additional_capability_name: epa\n"
        "            support_mandatory: true\n"
        "            target_performance_parameters:\n"
        "              'hw:mem_page_size': 1GB\n"
        "              'hw:numa_nodes': '1'\n"
        "              'hw:cpu_policy': dedicated\n"
        "        virtual_local_storage:",
    )
    got = importer.entries("v.yaml", vnfd(nodes))["dp"]
    assert got["flavor"]["hugepages_gib"] == 16
    assert got["flavor"]["memory_gib"] == 0.0625
    assert got["cpu"] == "dedicated"
    assert got["numa"] == "aligned"


def test_unmapped_capability_is_a_warning(importer: Importer) -> None:
    """Tests that a named capability nfvplan cannot inspect is a located warning."""
    nodes = compute("vdu1").replace(
        "        virtual_local_storage:",
        "        requested_additional_capabilities:\n"
        "          properties:\n"
        "            requested_additional_capability_name: gold_flavor\n"
        "        virtual_local_storage:",
    )
    result = importer.run("v.yaml", vnfd(nodes))
    assert "additional capability 'gold_flavor' is not mapped" in warnings_text(result)
    assert result.warnings[0].line is not None


def test_legacy_tacker_epa(importer: Importer) -> None:
    """Tests legacy nfv_compute: num_cpus, mem_size, disk_size, cpu_affinity, mem_page_size
    large (all RAM as hugepages) and a single NUMA node (aligned)."""
    text = """\
    tosca_definitions_version: tosca_simple_profile_for_nfv_1_0_0
    metadata: {template_name: upf}
    topology_template:
      node_templates:
        VDU1:
          type: tosca.nodes.nfv.VDU.Tacker
          capabilities:
            nfv_compute:
              properties:
                num_cpus: 6
                mem_size: 4096 MB
                disk_size: 20 GB
                mem_page_size: large
                cpu_allocation: {cpu_affinity: dedicated}
                numa_nodes:
                  node0: {id: 0, vcpus: [0, 1, 2, 3, 4, 5], mem_size: 4096}
        CP1:
          type: tosca.nodes.nfv.CP.Tacker
          properties: {type: sriov}
          requirements:
            - virtualBinding: {node: VDU1}
    """
    got = importer.entries("legacy.yaml", text)["VDU1"]
    assert got["flavor"] == {
        "vcpu": 6,
        "memory_gib": 0.0625,
        "hugepages_gib": 4,
        "disk_gib": 20,
        "sriov_vfs": 1,
    }
    assert got["cpu"] == "dedicated"
    assert got["numa"] == "aligned"
    assert got["trust"] == "upf"


def test_legacy_two_numa_nodes_not_aligned(importer: Importer) -> None:
    """Tests that a guest spread over two NUMA nodes is not numa: aligned."""
    text = """\
    tosca_definitions_version: tosca_simple_profile_for_nfv_1_0_0
    topology_template:
      node_templates:
        VDU1:
          type: tosca.nodes.nfv.VDU.Tacker
          capabilities:
            nfv_compute:
              properties:
                num_cpus: 6
                mem_size: 4096 MB
                numa_nodes:
                  node0: {id: 0, vcpus: [0, 1], mem_size: 1024}
                  node1: {id: 1, vcpus: [2, 3, 4, 5], mem_size: 3072}
    """
    result = importer.run("legacy.yaml", text)
    assert "numa" not in importer.entries("legacy.yaml", text)["VDU1"]
    assert any("spread over 2 NUMA nodes" in n for n in result.vnfs[0].notes)


def test_block_storage_adds_to_disk(importer: Importer) -> None:
    """Tests Vdu.VirtualBlockStorage attached by virtual_storage: 10 + 30 GiB."""
    nodes = (
        compute("vdu1")
        + """\
  requirements:
    - virtual_storage: vol1
vol1:
  type: tosca.nodes.nfv.Vdu.VirtualBlockStorage
  properties:
    virtual_block_storage_data: {size_of_storage: 30 GB}
"""
    )
    assert importer.entries("v.yaml", vnfd(nodes))["vdu1"]["flavor"]["disk_gib"] == 40


def test_vnic_direct_is_vf_and_direct_physical_is_warned(importer: Importer) -> None:
    """Tests vnic_type direct -> 1 VF each; direct-physical counted as 1 VF with a warning."""
    nodes = (
        compute("vdu1")
        + """\
cp1:
  type: tosca.nodes.nfv.VduCp
  properties: {vnic_type: direct, layer_protocols: [ipv4]}
  requirements: [{virtual_binding: vdu1}]
cp2:
  type: tosca.nodes.nfv.VduCp
  properties: {vnic_type: direct, layer_protocols: [ipv4]}
  requirements: [{virtual_binding: vdu1}]
cp3:
  type: tosca.nodes.nfv.VduCp
  properties: {vnic_type: direct-physical, layer_protocols: [ipv4]}
  requirements: [{virtual_binding: vdu1}]
cp4:
  type: tosca.nodes.nfv.VduCp
  properties: {vnic_type: normal, layer_protocols: [ipv4]}
  requirements: [{virtual_binding: vdu1}]
"""
    )
    result = importer.run("v.yaml", vnfd(nodes))
    assert result.vnfs[0].sriov_vfs == 3
    assert "direct-physical" in warnings_text(result)


def test_anti_affinity_scopes(importer: Importer) -> None:
    """Tests nfvi_node -> host and zone -> site; a group over two VDUs warns."""
    nodes = compute("a") + compute("b") + compute("c")
    policies = """\
- r1:
    type: tosca.policies.nfv.AntiAffinityRule
    targets: [g1]
    properties: {scope: nfvi_node}
- r2:
    type: tosca.policies.nfv.AntiAffinityRule
    targets: [c]
    properties: {scope: zone}
- r3:
    type: tosca.policies.nfv.AffinityRule
    targets: [c]
    properties: {scope: nfvi_pop}
"""
    groups = "g1: {type: tosca.groups.nfv.PlacementGroup, members: [a, b]}"
    result = importer.run("v.yaml", vnfd(nodes, policies, groups))
    scopes = {v.name: v.anti_affinity for v in result.vnfs}
    assert scopes == {"a": "host", "b": "host", "c": "site"}
    text = warnings_text(result)
    assert "cross-VNF part is not enforced" in text
    assert "affinity group 'r3'" in text


def test_default_instantiation_level_gives_replicas(importer: Importer) -> None:
    """Tests replicas = the default level's count (3), min/max kept as a comment."""
    nodes = compute(
        "w", props="    vdu_profile: {min_number_of_instances: 2, max_number_of_instances: 6}"
    )
    policies = """\
- levels:
    type: tosca.policies.nfv.InstantiationLevels
    properties:
      levels: {small: {}, large: {}}
      default_level: large
- w_levels:
    type: tosca.policies.nfv.VduInstantiationLevels
    properties:
      levels: {small: {number_of_instances: 2}, large: {number_of_instances: 3}}
    targets: [w]
"""
    result = importer.run("v.yaml", vnfd(nodes, policies))
    assert result.vnfs[0].replicas == 3
    assert any("min 2 / max 6 instances" in n for n in result.vnfs[0].notes)


def test_zero_instances_written_commented_out(importer: Importer) -> None:
    """Tests that a VDU with 0 instances at the default level is kept, commented out."""
    from nfvplan.importers.emit import render_section

    nodes = compute("keep") + compute(
        "spare", props="    vdu_profile: {min_number_of_instances: 0, max_number_of_instances: 1}"
    )
    result = importer.run("v.yaml", vnfd(nodes))
    text = render_section(result.vnfs, [])
    assert "  # NOT IMPORTED: no instance at the default level (it has 0); fill in" in text
    assert "  # spare:" in text
    assert "\n  keep:" in text


def test_flavours_in_imports_and_choice(importer: Importer) -> None:
    """Tests that each imported file with VDUs is a flavour; --flavour picks one."""
    importer.write(
        "df_small.yaml",
        vnfd(compute("vdu", 2), extra="").replace(
            "topology_template:\n",
            "topology_template:\n  substitution_mappings:\n    properties: {flavour_id: small}\n",
            1,
        ),
    )
    importer.write(
        "df_big.yaml",
        vnfd(compute("vdu", 16)).replace(
            "topology_template:\n",
            "topology_template:\n  substitution_mappings:\n    properties: {flavour_id: big}\n",
            1,
        ),
    )
    top = importer.write(
        "top.yaml",
        "tosca_definitions_version: tosca_simple_yaml_1_3\nimports: [df_small.yaml, df_big.yaml]\n",
    )
    first = import_descriptors([top])
    assert first.vnfs[0].vcpu == 2
    assert "2 deployment flavours (small, big)" in warnings_text(first)
    assert import_descriptors([top], ImportOptions(flavour="big")).vnfs[0].vcpu == 16


def _csar(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_csar_resolves_imports_inside_the_package(importer: Importer) -> None:
    """Tests a CSAR: TOSCA.meta names the entry, whose import is read from the zip."""
    data = _csar(
        {
            "TOSCA-Metadata/TOSCA.meta": "TOSCA-Meta-File-Version: 1.0\n"
            "Entry-Definitions: Definitions/top.yaml\n",
            "Definitions/top.yaml": "tosca_definitions_version: tosca_simple_yaml_1_3\n"
            "imports: [df.yaml]\n",
            "Definitions/df.yaml": vnfd(compute("vdu", 3, "3 GB")),
        }
    )
    result = importer.run("pkg.csar", data)
    assert result.vnfs[0].vcpu == 3 and result.vnfs[0].memory_gib == 3
    assert result.vnfs[0].source.endswith("pkg.csar!Definitions/df.yaml")


def test_tolerant_reading_of_a_strictly_invalid_vnfd(importer: Importer) -> None:
    """Tests that a requirement in the wrong shape (a strict parser refuses it) and an unknown
    node type do not stop the import of the VDU."""
    nodes = (
        compute("vdu1")
        + """\
  requirements:
    - virtual_storage: [a, b, c]
weird:
  type: vendor.nodes.Unknown
"""
    )
    result = importer.run("v.yaml", vnfd(nodes))
    assert result.vnfs[0].vcpu == 4


def test_os_container_deployable_unit(importer: Importer) -> None:
    """Tests a SOL001 v3.3+ CNF: a deployable unit of two OsContainers, requests summed
    (250 + 750 milli-CPU = 1 vCPU, 128 + 384 MiB = 0.5 GiB), shared (requests < limits)."""
    nodes = """\
web:
  type: tosca.nodes.nfv.Vdu.OsContainerDeployableUnit
  properties:
    name: web
    vdu_profile: {min_number_of_instances: 2, max_number_of_instances: 5}
  requirements:
    - container: app
    - container: proxy
app:
  type: tosca.nodes.nfv.Vdu.OsContainer
  properties:
    requested_cpu_resources: 250
    cpu_resource_limit: 500
    requested_memory_resources: 128 MiB
    memory_resource_limit: 256 MiB
proxy:
  type: tosca.nodes.nfv.Vdu.OsContainer
  properties:
    requested_cpu_resources: 750
    requested_memory_resources: 384 MiB
    requested_ephemeral_storage_resources: 2 GiB
"""
    got = importer.entries("cnf.yaml", vnfd(nodes))["web"]
    assert got["flavor"] == {"vcpu": 1, "memory_gib": 0.5, "disk_gib": 2}
    assert got["forms"] == ["container"]
    assert got["replicas"] == 2
    assert "cpu" not in got


def test_os_container_guaranteed_whole_cpus_is_dedicated(importer: Importer) -> None:
    """Tests requests = limits with 2000 milli-CPU and 1 GiB hugepages: dedicated."""
    nodes = """\
upf:
  type: tosca.nodes.nfv.Vdu.OsContainerDeployableUnit
  properties: {name: upf}
  requirements: [{container: dp}]
dp:
  type: tosca.nodes.nfv.Vdu.OsContainer
  properties:
    requested_cpu_resources: 2000
    cpu_resource_limit: 2000
    requested_memory_resources: 2 GiB
    memory_resource_limit: 2 GiB
    hugepages_resources: {1Gi: 4 GiB}
"""
    got = importer.entries("cnf.yaml", vnfd(nodes))["upf"]
    assert got["flavor"] == {"vcpu": 2, "memory_gib": 2, "hugepages_gib": 4}
    assert got["cpu"] == "dedicated"


def test_requirement_with_too_many_occurrences_still_imports(importer: Importer) -> None:
    """Tests a port bound to two VDUs (virtual_binding has occurrences [1, 1], so a strict
    TOSCA parser rejects the file): both VDUs import, each counting the VF."""
    nodes = (
        compute("a")
        + compute("b")
        + """\
cp:
  type: tosca.nodes.nfv.VduCp
  properties: {vnic_type: direct, layer_protocols: [ipv4]}
  requirements:
    - virtual_binding: a
    - virtual_binding: b
"""
    )
    result = importer.run("v.yaml", vnfd(nodes))
    assert [(v.name, v.sriov_vfs) for v in result.vnfs] == [("a", 1), ("b", 1)]
