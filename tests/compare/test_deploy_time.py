"""`nfvplan compare` shows the time to deploy each variant: image pulls, then boots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli, scenario_yaml

DEPLOY = scenario_yaml(
    """
    platform:
      vm: {boot_seconds: 45}
      container: {boot_seconds: 3}
      image_pull_gbps: 10
    server_types:
      s: {cores: 16, threads_per_core: 1, memory_gib: 64, disk_gib: 500, monthly_cost: 1000}
    sites:
      dc: {servers: {s: 1}}
    vnfs:
      a: {flavor: {vcpu: 2, memory_gib: 4}, forms: [vm, container], replicas: 2,
          image_gib: {vm: 10, container: 5}}
    """
)


def test_time_to_deploy_per_variant(tmp_path: Path) -> None:
    """One server. All-VM: the host pulls the 10 GiB VM image once (10 x 8 / 10 = 8 s) and both
    VMs copy it locally, then boot in 45 s: 53 s. All-container: 5 x 8 / 10 = 4 s + 3 s = 7 s.
    Mixed may take either, or one of each (the host pulls both images, 15 x 8 / 10 = 12 s, and
    the VM boots last: 57 s); all cost 1000."""
    site = tmp_path / "deploy.yaml"
    site.write_text(DEPLOY)
    result = run_cli("compare", site, "--format", "json")
    assert result.exit_code == 0, result.output
    vm, container, mixed = json.loads(result.stdout)["variants"]
    assert vm["deploy_s"] == pytest.approx(53.0)
    assert container["deploy_s"] == pytest.approx(7.0)
    assert mixed["deploy_s"] in (pytest.approx(53.0), pytest.approx(7.0), pytest.approx(57.0))
    table = run_cli("compare", site)
    assert "time to deploy            53 s                    7 s" in table.stdout
