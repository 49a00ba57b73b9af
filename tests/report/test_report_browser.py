"""The HTML report opened in a real headless Chromium: clean load, the plan's numbers, the map.

Every page is made by `nfvplan report` from a real, checked plan (conftest). The expected
figures come from the plan file and from what `nfvplan show` prints for the same files, so the
page must agree with both the data and the CLI's rounding.
"""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest

from nfvplan.review.figures import amount, money, pct

pytestmark = pytest.mark.usefixtures("browser")

WITH_PLAN = ("5g-core", "5g-abilene", "5g-edge-topology", "nested-tenants")


def figures(page, name: str) -> list[str]:
    return [t.strip() for t in page.locator(f'[data-figure="{name}"]').all_inner_texts()]


@pytest.mark.parametrize("name", [*WITH_PLAN, "infeasible-racks"])
def test_page_loads_without_console_error_or_request(reported, open_report, name):
    opened = open_report(reported[name].html)
    assert opened.errors == []
    assert [m for m in opened.console if m.startswith(("error", "warning"))] == []
    assert opened.requests == []
    assert opened.page.title() == f"nfvplan report: {reported[name].plan.scenario}"


@pytest.mark.parametrize("name", WITH_PLAN)
def test_headline_figures_equal_the_plan_and_the_cli(reported, open_report, name):
    r = reported[name]
    page = open_report(r.html).page
    summary = r.plan.summary
    assert figures(page, "status") == [r.plan.status.value]
    assert figures(page, "monthly_cost") == [money(summary.monthly_cost)]
    # The CLI's own line, digit for digit.
    cli_cost = re.search(r"monthly cost: ([\d,.]+)", r.show).group(1)
    cli_cpu, cli_memory = re.search(r"CPU ([\d.]+%), memory ([\d.]+%)", r.show).groups()
    assert figures(page, "monthly_cost") == [cli_cost]
    assert figures(page, "cpu_utilisation") == [cli_cpu]
    assert figures(page, "memory_utilisation") == [cli_memory]
    assert figures(page, "objective-line") == [" ".join(r.show.splitlines()[1].split())]
    assert figures(page, "servers") == [f"{summary.servers_used} ({summary.servers_bought})"]
    assert figures(page, "instances") == [
        f"{summary.instances} ({summary.vms} / {summary.containers})"
    ]
    parts = [
        float(figures(page, key)[0].replace(",", ""))
        for key in ("cost_installed", "cost_purchases", "cost_licences")
    ]
    assert sum(parts) == pytest.approx(summary.monthly_cost)


@pytest.mark.parametrize("name", WITH_PLAN)
def test_every_used_server_appears_with_its_instances_and_usage(reported, open_report, name):
    r = reported[name]
    page = open_report(r.html).page
    cards = page.locator("section.server")
    shown = cards.evaluate_all("els => els.map(e => e.dataset.server)")
    assert shown == [s.id for s in r.plan.servers]
    heat = page.locator("table.heat td[data-server]").evaluate_all(
        "els => els.map(e => [e.dataset.server, e.dataset.resource, e.textContent])"
    )
    on_server = Counter(p.server for p in r.plan.placements)
    for server in r.plan.servers:
        card = page.locator(f'section.server[data-server="{server.id}"]')
        instances = card.locator("table.instances tbody tr td:first-child").all_inner_texts()
        assert sorted(instances) == sorted(
            p.instance for p in r.plan.placements if p.server == server.id
        )
        assert len(instances) == on_server[server.id]
        stype = r.scenario.server_types[server.type]
        threads = card.locator('[data-figure="used"][data-resource="threads"]').inner_text()
        assert threads == amount(server.used["threads"])
        memory = card.locator('[data-figure="used"][data-resource="memory_gib"]').inner_text()
        assert memory == amount(server.used["memory_gib"])
        share = server.used["threads"] / stype.threads
        assert [server.id, "threads", pct(share)] in heat
    assert card.locator(".warn").count() == 0


@pytest.mark.parametrize("name", WITH_PLAN)
def test_map_has_one_mark_per_site_and_one_line_per_link(reported, open_report, name):
    r = reported[name]
    page = open_report(r.html).page
    sites = page.locator("#netmap g.site").evaluate_all(
        "els => els.map(e => [e.dataset.site, Number(e.dataset.servers)])"
    )
    used = Counter(s.site for s in r.plan.servers)
    assert sites == [[site, used[site]] for site in r.scenario.sites]
    links = page.locator("#netmap path.link").evaluate_all(
        "els => els.map(e => [e.dataset.link, Number(e.dataset.share)])"
    )
    assert sorted(pair for pair, _ in links) == sorted(
        f"{link.a}|{link.b}" for link in r.scenario.links
    )
    loads = {f"{link.a}|{link.b}": link.utilisation for link in r.plan.links}
    for pair, share in links:
        assert share == pytest.approx(loads.get(pair, 0.0), abs=1e-6)
    # Every site disc and every link is inside the drawing, labels included.
    box = page.locator("#netmap").bounding_box()
    for label in page.locator("#netmap g.site text").all():
        inner = label.bounding_box()
        assert inner["x"] >= box["x"] - 0.5
        assert inner["x"] + inner["width"] <= box["x"] + box["width"] + 0.5
        assert inner["y"] >= box["y"] - 0.5
        assert inner["y"] + inner["height"] <= box["y"] + box["height"] + 0.5


def test_worker_vms_appear_on_their_servers_with_their_containers(reported, open_report):
    """Tests the nested example's page: each server lists exactly the plan's worker VMs on it
    with their trust domain and containers, the instance rows name their worker, the summary
    counts the nested containers and their workers, and the sites table counts them as
    containers."""
    r = reported["nested-tenants"]
    page = open_report(r.html).page
    assert r.plan.workers, "the example must nest something"
    nested = [p for p in r.plan.placements if p.worker is not None]
    assert figures(page, "workers") == [f"{len(nested)} in {len(r.plan.workers)}"]
    for server in r.plan.servers:
        card = page.locator(f'section.server[data-server="{server.id}"]')
        rows = card.locator("table.workers tbody tr").evaluate_all(
            "els => els.map(e => [e.dataset.worker,"
            " ...Array.from(e.cells).map(c => c.textContent)])"
        )
        expected = [w for w in r.plan.workers if w.server == server.id]
        assert [row[0] for row in rows] == [w.id for w in expected]
        for row, worker in zip(rows, expected, strict=True):
            assert row[2] == worker.trust
            assert row[3] == worker.flavor
            held = [p.instance for p in nested if p.worker == worker.id]
            assert row[-1] == ", ".join(held)
        forms = card.locator("table.instances tbody tr td:nth-child(3)").all_inner_texts()
        assert sorted(f for f in forms if "in worker" in f) == sorted(
            f"container-in-vm in {p.worker}" for p in nested if p.server == server.id
        )
    sites = page.locator("#sites + table tbody tr td").all_inner_texts()
    assert sites[6] == str(r.plan.summary.containers)
    assert sites[7] == str(len(r.plan.workers))


def test_service_routes_are_selectable(reported, open_report):
    r = reported["5g-edge-topology"]
    page = open_report(r.html).page
    routes = page.locator("#netmap polyline.route")
    drawn = [x for x in r.plan.routes if len(x.path) > 1]
    assert routes.count() == len(drawn) > 0
    assert all(not route.is_visible() for route in routes.all())  # none until chosen
    service = drawn[0].service
    page.select_option("#service-select", service)
    visible = [x.get_attribute("data-service") for x in routes.all() if x.is_visible()]
    assert visible == [x.service for x in drawn if x.service == service]
    rows = page.locator("tr[data-service]")
    shown = [x.get_attribute("data-service") for x in rows.all() if x.is_visible()]
    assert set(shown) == {service}
    page.select_option("#service-select", "*")
    assert all(route.is_visible() for route in routes.all())


def test_tables_sort_by_a_clicked_column(reported, open_report):
    r = reported["5g-abilene"]
    page = open_report(r.html).page
    page.locator("table.heat th", has_text="CPU").click()
    shares = page.locator('table.heat td[data-resource="threads"]').evaluate_all(
        "els => els.map(e => Number(e.dataset.value))"
    )
    assert shares == sorted(shares) and len(set(shares)) > 1
    page.locator("table.heat th", has_text="CPU").click()
    again = page.locator('table.heat td[data-resource="threads"]').evaluate_all(
        "els => els.map(e => Number(e.dataset.value))"
    )
    assert again == sorted(shares, reverse=True)


def test_infeasible_report_explains_why(reported, open_report):
    r = reported["infeasible-racks"]
    page = open_report(r.html).page
    assert figures(page, "status") == ["infeasible"]
    assert figures(page, "reason") == r.plan.explanation
    assert page.locator("section.server").count() == 0
    assert page.locator("#netmap").count() == 0


def _ink_share(png: bytes) -> tuple[float, int]:
    """The share of pixels that are not the background, and the number of distinct colours."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    background = max(colours)[1]
    total = image.width * image.height
    ink = sum(n for n, colour in colours if colour != background)
    return ink / total, len(colours)


@pytest.mark.parametrize("name", ["5g-core", "5g-abilene", "infeasible-racks"])
def test_screenshot_is_not_blank(reported, open_report, name):
    page = open_report(reported[name].html).page
    share, colours = _ink_share(page.screenshot(full_page=True))
    assert share > 0.02 and colours > 50
    if name != "infeasible-racks":
        share, colours = _ink_share(page.locator("#netmap").screenshot())
        assert share > 0.005 and colours > 10


def test_prints_to_pdf_without_the_controls(reported, open_report):
    page = open_report(reported["5g-edge-topology"].html).page
    page.emulate_media(media="print")
    assert not page.locator(".controls").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > 2


def test_the_guards_catch_a_request_and_a_console_error(tmp_path, open_report):
    """The harness itself: a page that fetches or logs an error is seen doing so."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body>"
        '<img src="http://example.invalid/x.png"><script>console.error("boom")</script>'
        "</body></html>",
        encoding="utf-8",
    )
    opened = open_report(page)
    assert opened.requests == ["http://example.invalid/x.png"]
    assert any(m == "error: boom" for m in opened.console)
