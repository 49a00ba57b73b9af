"""`nfvplan import vnfd`: bad input exits 2 with nothing written, and the output solves."""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path

import pytest
from helpers import EXAMPLES, run_cli
from hypothesis import given
from hypothesis import strategies as st
from import_helpers import Importer

from nfvplan.errors import InputError
from nfvplan.importers import import_descriptors
from nfvplan.importers.quantities import QuantityError, k8s_quantity, tosca_size_gib

TOSCA = """\
tosca_definitions_version: tosca_simple_yaml_1_3
topology_template:
  node_templates:
    vdu1:
      type: tosca.nodes.nfv.Vdu.Compute
      capabilities:
        virtual_compute:
          properties:
            virtual_cpu: {num_virtual_cpu: 2}
            virtual_memory: {virtual_mem_size: MEM}
            virtual_local_storage: [{size_of_storage: 10 GB}]
"""

POD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: amf}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: amf}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - {labelSelector: {matchLabels: {app: amf}}, topologyKey: kubernetes.io/hostname}
      containers:
        - name: amf
          resources: {requests: {cpu: CPU, memory: 2Gi}, limits: {cpu: "2", memory: 2Gi}}
"""


def _bad(importer: Importer, tmp_path: Path, name: str, content: str | bytes) -> str:
    out = tmp_path / "out.yaml"
    result = run_cli("import", "vnfd", importer.write(name, content), "-o", out)
    assert result.exit_code == 2, result.output
    assert result.exception is None
    assert not out.exists()
    return result.stderr


def test_unknown_unit(importer: Importer, tmp_path: Path) -> None:
    """Tests `8 GX`: exit 2 at the line of the value, valid units listed."""
    err = _bad(importer, tmp_path, "v.yaml", TOSCA.replace("MEM", "8 GX"))
    assert "v.yaml:10:" in err and "unknown size unit 'GX'" in err and "GiB" in err


def test_negative_size(importer: Importer, tmp_path: Path) -> None:
    """Tests `-512 MB`: exit 2, located."""
    err = _bad(importer, tmp_path, "v.yaml", TOSCA.replace("MEM", "-512 MB"))
    assert "v.yaml:10:" in err and "negative" in err


def test_unparsable_kubernetes_quantity(importer: Importer, tmp_path: Path) -> None:
    """Tests cpu `two`: exit 2 at line 15, naming the field and the valid suffixes."""
    err = _bad(importer, tmp_path, "d.yaml", POD.replace("CPU", "two"))
    assert "d.yaml:15:" in err and "cannot parse quantity 'two'" in err and "Mi" in err


def test_vnfd_without_vdu(importer: Importer, tmp_path: Path) -> None:
    """Tests a VNFD with no VDU: exit 2."""
    text = (
        "tosca_definitions_version: tosca_simple_yaml_1_3\ntopology_template:\n"
        "  node_templates:\n    cp: {type: tosca.nodes.nfv.VduCp}\n"
    )
    err = _bad(importer, tmp_path, "v.yaml", text)
    assert "no VDU found" in err and "v.yaml:2" in err


def test_csar_without_metadata(importer: Importer, tmp_path: Path) -> None:
    """Tests a CSAR with Definitions/ but no TOSCA-Metadata: exit 2 naming TOSCA.meta."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Definitions/vnfd.yaml", TOSCA.replace("MEM", "1 GB"))
    err = _bad(importer, tmp_path, "p.csar", buffer.getvalue())
    assert "TOSCA-Metadata/TOSCA.meta" in err


def test_not_a_descriptor_is_located(importer: Importer, tmp_path: Path) -> None:
    """Tests a YAML file that is no descriptor (a scenario): exit 2 at line 1."""
    err = _bad(importer, tmp_path, "s.yaml", (EXAMPLES / "5g-core.yaml").read_text())
    assert "not a VNF descriptor or manifest" in err


def test_xml_entities_refused(importer: Importer, tmp_path: Path) -> None:
    """Tests the billion-laughs shape: refused at the DOCTYPE, exit 2."""
    text = '<?xml version="1.0"?>\n<!DOCTYPE nfv [<!ENTITY a "aaaa">]>\n<nfv><vnfd/></nfv>\n'
    err = _bad(importer, tmp_path, "v.xml", text)
    assert "v.xml:2" in err and "DOCTYPE" in err


def test_all_unsized_exits_2(importer: Importer, tmp_path: Path) -> None:
    """Tests a VNFD whose only VDU names a VIM flavour (no figures): exit 2, nothing written."""
    text = (
        "tosca_definitions_version: tosca_simple_profile_for_nfv_1_0_0\n"
        "topology_template:\n  node_templates:\n"
        "    VDU1: {type: tosca.nodes.nfv.VDU.Tacker, properties: {flavor: m1.big}}\n"
    )
    err = _bad(importer, tmp_path, "v.yaml", text)
    assert "no VNF could be sized" in err and "m1.big" in err


@given(st.text(max_size=12))
def test_k8s_quantity_parses_or_refuses(text: str) -> None:
    """Tests that any text is a quantity >= 0 or a QuantityError, nothing else."""
    try:
        assert k8s_quantity(text, "q") >= 0
    except QuantityError as exc:
        assert "q:" in str(exc)


@given(
    st.decimals(min_value=0, max_value=10**6, places=3),
    st.sampled_from(["Mi", "Gi", "Ki", "M", "G", "k", ""]),
)
def test_k8s_quantity_values(number, suffix: str) -> None:  # type: ignore[no-untyped-def]
    """Tests that `<n><suffix>` is n times the suffix's factor, exactly."""
    factor = {"Mi": 2**20, "Gi": 2**30, "Ki": 2**10, "M": 10**6, "G": 10**9, "k": 10**3, "": 1}
    assert k8s_quantity(f"{number}{suffix}", "q") == number * factor[suffix]


@given(st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.none(), st.booleans()))
def test_tosca_size_parses_or_refuses(value: object) -> None:
    """Tests that any value is a size >= 0 GiB or a QuantityError."""
    with contextlib.suppress(QuantityError):
        assert tosca_size_gib(value).value >= 0


@given(st.binary(max_size=300))
def test_random_bytes_are_refused_cleanly(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    """Tests that random bytes import or raise InputError, never anything else."""
    path = tmp_path_factory.mktemp("b") / "x.yaml"
    path.write_bytes(data)
    with contextlib.suppress(InputError):
        import_descriptors([path])


SCENARIO = """\
nfvplan: 1
name: imported
server_types:
  s1: {cores: 16, threads_per_core: 2, memory_gib: 64, disk_gib: 500, sriov_vfs: 8,
       numa_nodes: 1, monthly_cost: 100}
sites:
  dc: {servers: {s1: 4}}
vnfs:
  # an existing VNF; its comment must survive
  web:
    flavor: {vcpu: 2, memory_gib: 2}
    forms: [vm, container]
    replicas: 1

objective: cost
"""


def test_into_scenario_solves_and_checks(importer: Importer, tmp_path: Path) -> None:
    """Tests --into: the new scenario keeps the old VNF and comments, adds the imported ones,
    solves (a real CP-SAT run) and the checker accepts the plan. Hand optimum: the amf's 3
    replicas need 3 hosts (anti-affinity host); web and vdu1 ride along as VMs (a container
    of another trust domain could not share an amf host), so 3 servers, cost 300."""
    scenario = importer.write("site.yaml", SCENARIO)
    vnfd = importer.write("v.yaml", TOSCA.replace("MEM", "4 GB"))
    pod = importer.write("amf.yaml", POD.replace("CPU", '"2"'))
    new = tmp_path / "new.yaml"
    result = run_cli("import", "vnfd", vnfd, pod, "--into", scenario, "-o", new)
    assert result.exit_code == 0, result.output
    text = new.read_text()
    assert "# an existing VNF; its comment must survive" in text
    assert "  # vdu1 <- " in text and "  # amf <- " in text
    plan = tmp_path / "plan.yaml"
    solved = run_cli("solve", new, "-o", plan)
    assert solved.exit_code == 0, solved.output
    checked = run_cli("check", new, plan)
    assert checked.exit_code == 0, checked.output
    import yaml

    doc = yaml.safe_load(plan.read_text())
    assert doc["summary"]["servers_used"] == 3
    assert doc["objective"]["value"] == 300


def test_section_output_and_stdout(importer: Importer, tmp_path: Path) -> None:
    """Tests -o writes a vnfs: section that names its source, and without -o it is printed."""
    vnfd = importer.write("v.yaml", TOSCA.replace("MEM", "4 GB"))
    out = tmp_path / "vnfs.yaml"
    result = run_cli("import", "vnfd", vnfd, "-o", out)
    assert result.exit_code == 0, result.output
    assert "vdu1: vcpu 2, memory_gib 4, disk_gib 10; vm x1" in result.stdout
    printed = run_cli("import", "vnfd", vnfd)
    assert printed.stdout == out.read_text()
    assert "#   memory 4 GB = 4 GiB (GB read as GiB, as Tacker/Nova do)" in printed.stdout


def test_sol006_without_vdu(importer: Importer, tmp_path: Path) -> None:
    """Tests a SOL006 VNFD without any vdu: exit 2 naming the VNFD."""
    err = _bad(importer, tmp_path, "v.yaml", "vnfd:\n  id: empty\n  product-name: empty\n")
    assert "VNFD 'empty' has no vdu" in err and "v.yaml:2" in err


def test_duplicate_key_is_a_warning_first_wins(importer: Importer) -> None:
    """Tests tolerant reading: a duplicated key warns (located), the first value is kept."""
    text = TOSCA.replace("MEM", "2 GB").replace(
        "            virtual_cpu: {num_virtual_cpu: 2}\n",
        "            virtual_cpu: {num_virtual_cpu: 2}\n"
        "            virtual_cpu: {num_virtual_cpu: 9}\n",
    )
    result = importer.run("v.yaml", text)
    assert result.vnfs[0].vcpu == 2
    assert "duplicate key 'virtual_cpu'" in str(result.warnings[0])
    assert result.warnings[0].line == 10


def test_into_scenario_without_vnfs_block_or_flow_style(importer: Importer, tmp_path: Path) -> None:
    """Tests --into a scenario whose vnfs are flow style: the old entry is kept and loads."""
    scenario = importer.write(
        "flow.yaml",
        SCENARIO.replace(
            "vnfs:\n  # an existing VNF; its comment must survive\n  web:\n"
            "    flavor: {vcpu: 2, memory_gib: 2}\n    forms: [vm, container]\n    replicas: 1\n",
            "vnfs: {web: {flavor: {vcpu: 2, memory_gib: 2}, replicas: 1}}\n",
        ),
    )
    vnfd = importer.write("v.yaml", TOSCA.replace("MEM", "4 GB"))
    new = tmp_path / "new.yaml"
    result = run_cli("import", "vnfd", vnfd, "--into", scenario, "-o", new)
    assert result.exit_code == 0, result.output
    from nfvplan.io import load_scenario

    assert sorted(load_scenario(new).vnfs) == ["vdu1", "web"]


def test_into_refuses_a_flavor_no_server_holds(importer: Importer, tmp_path: Path) -> None:
    """Tests --into with a 64-vCPU pinned VDU on 32-thread servers: exit 2, nothing written."""
    scenario = importer.write("site.yaml", SCENARIO)
    big = TOSCA.replace("MEM", "4 GB").replace(
        "num_virtual_cpu: 2}",
        "num_virtual_cpu: 64, virtual_cpu_pinning: {virtual_cpu_pinning_policy: static}}",
    )
    new = tmp_path / "new.yaml"
    result = run_cli("import", "vnfd", importer.write("v.yaml", big), "--into", scenario, "-o", new)
    assert result.exit_code == 2, result.output
    assert "vnfs.vdu1" in result.stderr and not new.exists()


def test_name_clash_with_the_scenario_gets_the_product_prefix(
    importer: Importer, tmp_path: Path
) -> None:
    """Tests that an imported VNF named like an existing one is renamed, not merged."""
    scenario = importer.write("site.yaml", SCENARIO)
    text = TOSCA.replace("MEM", "1 GB").replace("    vdu1:", "    web:")
    new = tmp_path / "new.yaml"
    result = run_cli(
        "import", "vnfd", importer.write("shop.yaml", text), "--into", scenario, "-o", new
    )
    assert result.exit_code == 0, result.output
    from nfvplan.io import load_scenario

    assert sorted(load_scenario(new).vnfs) == ["shop-web", "web"]


def test_shipped_import_examples_into_5g_core(tmp_path: Path) -> None:
    """Tests the README's import example: the shipped SOL001 VNFD and rendered manifest, added
    to examples/5g-core.yaml; the new scenario loads, keeps its own VNFs, and checks out."""
    new = tmp_path / "my-5g.yaml"
    folder = EXAMPLES / "import"
    result = run_cli(
        "import",
        "vnfd",
        folder / "upf-vnfd.yaml",
        folder / "cp-rendered.yaml",
        "--into",
        EXAMPLES / "5g-core.yaml",
        "-o",
        new,
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    from nfvplan.io import load_scenario

    scenario = load_scenario(new)
    original = load_scenario(EXAMPLES / "5g-core.yaml")
    assert set(scenario.vnfs) == set(original.vnfs) | {"upf-dp", "core-amf", "core-smf"}
    upf = scenario.vnfs["upf-dp"]
    assert (upf.flavor.vcpu, upf.flavor.hugepages_gib, upf.flavor.sriov_vfs) == (8, 16, 2)
    assert upf.dedicated_cpu and upf.numa_aligned and upf.replicas == 2


def test_warnings_are_kept_in_the_written_file(importer: Importer, tmp_path: Path) -> None:
    """Tests that what could not be mapped is listed in the output file's header, located, as
    well as on stderr."""
    text = TOSCA.replace("MEM", "1 GB").replace(
        "            virtual_local_storage:",
        "            virtual_cpu_clock: 3 GHz\n            virtual_local_storage:",
    )
    out = tmp_path / "vnfs.yaml"
    result = run_cli("import", "vnfd", importer.write("v.yaml", text), "-o", out)
    assert result.exit_code == 0, result.output
    assert "virtual_cpu_clock is not mapped" in result.stderr
    written = out.read_text()
    assert "# Not mapped or mapped by a stated guess (1):" in written
    assert "v.yaml:11: " in written and "virtual_cpu_clock is not mapped" in written


@pytest.mark.parametrize("vnfs_text", ["", "vnfs:\n", "vnfs: {}\n"])
def test_into_a_scenario_with_no_vnfs_yet(
    importer: Importer, tmp_path: Path, vnfs_text: str
) -> None:
    """Tests --into a scenario that has servers and sites but no VNFs yet (no key, an empty
    key, an empty mapping): the imported VNFs become its vnfs and it loads."""
    base = SCENARIO[: SCENARIO.index("vnfs:")] + vnfs_text + "\nobjective: cost\n"
    scenario = importer.write("empty.yaml", base)
    new = tmp_path / "new.yaml"
    vnfd = importer.write("v.yaml", TOSCA.replace("MEM", "4 GB"))
    result = run_cli("import", "vnfd", vnfd, "--into", scenario, "-o", new)
    assert result.exit_code == 0, result.output
    from nfvplan.io import load_scenario

    loaded = load_scenario(new)
    assert list(loaded.vnfs) == ["vdu1"]
    assert loaded.objective.value == "cost"
