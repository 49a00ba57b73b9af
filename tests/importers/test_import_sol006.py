"""SOL006 / OSM VNFDs in YAML, JSON and XML: one fixture per mapping rule."""

from __future__ import annotations

import json

from import_helpers import Importer, warnings_text

OSM_YAML = """\
vnfd:
  id: upf-vnf
  product-name: upf
  vdu:
    - id: dp
      name: dp
      virtual-compute-desc: dp-compute
      virtual-storage-desc: [dp-root, dp-logs]
      int-cpd:
        - id: n3
          virtual-network-interface-requirement:
            - name: n3
              virtual-interface: {type: SR-IOV}
        - id: n6
          virtual-network-interface-requirement:
            - name: n6
              virtual-interface: {type: SR-IOV}
        - id: mgmt
          virtual-network-interface-requirement:
            - name: mgmt
              virtual-interface: {type: VIRTIO}
  virtual-compute-desc:
    - id: dp-compute
      virtual-cpu:
        num-virtual-cpu: "8"
        pinning: {policy: static}
      virtual-memory:
        size: "16.0"
        mempage-size: LARGE
        numa-node-policy: {node-cnt: "1", mem-policy: STRICT}
  virtual-storage-desc:
    - id: dp-root
      size-of-storage: "20"
    - id: dp-logs
      block-storage-data: {size-of-storage: 5}
  df:
    - id: default-df
      vdu-profile:
        - id: dp
          min-number-of-instances: "2"
          max-number-of-instances: "4"
          affinity-or-anti-affinity-group: [{id: spread}]
      instantiation-level:
        - id: default
          vdu-level: [{vdu-id: dp, number-of-instances: "3"}]
      default-instantiation-level: default
      affinity-or-anti-affinity-group:
        - {id: spread, type: anti-affinity, scope: nfvi-pop}
"""


def test_osm_yaml_epa_quoted_numbers(importer: Importer) -> None:
    """Tests quoted numbers, pinning, LARGE pages, one NUMA node, two SR-IOV VFs, storage
    summed, the default level's count and nfvi-pop anti-affinity (site)."""
    got = importer.entries("upf.yaml", OSM_YAML)["dp"]
    assert got["flavor"] == {
        "vcpu": 8,
        "memory_gib": 0.0625,
        "hugepages_gib": 16,
        "disk_gib": 25,
        "sriov_vfs": 2,
    }
    assert got["cpu"] == "dedicated"
    assert got["numa"] == "aligned"
    assert got["replicas"] == 3
    assert got["anti_affinity"] == "site"
    assert got["trust"] == "upf"


def test_json_with_module_prefixes(importer: Importer) -> None:
    """Tests RFC 7951 JSON: `etsi-nfv-vnfd:vnfd` keys, numbers as strings."""
    doc = {
        "etsi-nfv-vnfd:vnfd": [
            {
                "id": "fw",
                "vdu": [{"id": "fw", "virtual-compute-desc": "c"}],
                "virtual-compute-desc": [
                    {
                        "id": "c",
                        "virtual-cpu": {"num-virtual-cpu": "2"},
                        "virtual-memory": {"size": "4"},
                    }
                ],
                "df": [{"id": "d", "vdu-profile": [{"id": "fw", "min-number-of-instances": 2}]}],
            }
        ]
    }
    got = importer.entries("fw.json", json.dumps(doc, indent=2))["fw"]
    assert got["flavor"] == {"vcpu": 2, "memory_gib": 4}
    assert got["replicas"] == 2


def test_json_with_tabs_falls_back_to_json(importer: Importer) -> None:
    """Tests a JSON file PyYAML cannot take (tab indentation) is still read."""
    doc = {
        "vnfd": {
            "id": "x",
            "vdu": {"id": "x", "virtual-compute-desc": "c"},
            "virtual-compute-desc": {
                "id": "c",
                "virtual-cpu": {"num-virtual-cpu": 1},
                "virtual-memory": {"size": 1},
            },
        }
    }
    text = json.dumps(doc, indent="\t")
    assert importer.entries("x.json", text)["x"]["flavor"] == {"vcpu": 1, "memory_gib": 1}


XML = """\
<?xml version="1.0"?>
<nfv xmlns="urn:etsi:nfv:yang:etsi-nfv-descriptors">
  <vnfd>
    <id>cp-vnf</id>
    <vdu><id>a</id><virtual-compute-desc>c</virtual-compute-desc></vdu>
    <vdu><id>b</id><virtual-compute-desc>c</virtual-compute-desc>
      <int-cpd><id>x</id><virtual-network-interface-requirement><name>x</name>
        <virtual-interface><type>PCI-PASSTHROUGH</type></virtual-interface>
      </virtual-network-interface-requirement></int-cpd>
    </vdu>
    <virtual-compute-desc><id>c</id>
      <virtual-memory><size>6.5</size></virtual-memory>
      <virtual-cpu><num-virtual-cpu>3</num-virtual-cpu></virtual-cpu>
    </virtual-compute-desc>
    <df><id>gold</id>
      <vdu-profile><id>a</id><min-number-of-instances>1</min-number-of-instances>
        <affinity-or-anti-affinity-group-id>g</affinity-or-anti-affinity-group-id></vdu-profile>
      <vdu-profile><id>b</id><min-number-of-instances>2</min-number-of-instances></vdu-profile>
      <affinity-or-anti-affinity-group><id>g</id>
        <affinityorAntiaffinity>anti-affinity</affinityorAntiaffinity>
        <scope>nfvi-node</scope></affinity-or-anti-affinity-group>
    </df>
    <df><id>silver</id>
      <vdu-profile><id>a</id><min-number-of-instances>1</min-number-of-instances></vdu-profile>
      <vdu-profile><id>b</id><min-number-of-instances>5</min-number-of-instances></vdu-profile>
    </df>
  </vnfd>
</nfv>
"""


def test_xml_single_elements_dfs_and_passthrough(importer: Importer) -> None:
    """Tests the XML encoding: one element as a list of one, the first df by default,
    vdu-profile minimum as replicas, nfvi-node -> host, PCI passthrough warned."""
    result = importer.run("cp.xml", XML)
    by_name = {v.name: v for v in result.vnfs}
    assert (by_name["a"].vcpu, by_name["a"].memory_gib, by_name["a"].replicas) == (3, 6.5, 1)
    assert by_name["a"].anti_affinity == "host"
    assert by_name["b"].replicas == 2 and by_name["b"].sriov_vfs == 1
    text = warnings_text(result)
    assert "2 deployment flavours (gold, silver)" in text
    assert "PCI device" in text
    assert result.warnings[0].line is not None


def test_xml_flavour_option(importer: Importer) -> None:
    """Tests --flavour silver picks the second df."""
    got = importer.entries("cp.xml", XML, flavour="silver")
    assert got["b"]["replicas"] == 5
