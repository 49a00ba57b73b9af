"""Fixtures of the report tests: real plans of the shipped examples and a headless Chromium.

The plans are the examples' shared solves (`tests.solved`, re-checked by the independent
checker), written to plan files; the pages come from real `nfvplan report` runs on those
files. The browser is the machine's Chromium (Debian's `chromium` or
`chromium-headless-shell`; `.ci/run` installs it) driven by playwright through
`executable_path`: no browser is ever downloaded. Without either, every browser test is
skipped with that reason, never passed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import EXAMPLES, run_nfvplan

from nfvplan.check import check_plan
from nfvplan.io import read_plan, write_plan
from nfvplan.model import Scenario
from nfvplan.plan import Plan
from tests.solved import example_plan

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-headless-shell")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Chromium's flags for these tests: nothing of its own reaches the network either."""

SKIP_REASON = (
    "browser tests need Chromium at /usr/bin/chromium (Debian: apt-get install chromium; "
    ".ci/run installs it) and the playwright package (pip install -e '.[test]')"
)

REPORTED = ("5g-core", "5g-abilene", "5g-edge-topology", "nested-tenants", "infeasible-racks")
"""The examples every browser test opens: no network, a real backbone, a metro ring with
routes, containers in worker VMs, and a scenario without a plan."""


def chromium_path() -> str | None:
    """The Chromium to drive: $NFVPLAN_CHROMIUM, else Debian's, else `chromium` on PATH."""
    given = os.environ.get("NFVPLAN_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


@dataclass(frozen=True)
class Reported:
    """An example, its checked plan, the report made of it by the CLI, and the files."""

    name: str
    scenario: Scenario
    plan: Plan
    scenario_file: Path
    plan_file: Path
    html: Path
    show: str = field(default="")
    """What `nfvplan show` prints for the pair: the CLI's rounding to compare the page with."""


@pytest.fixture(scope="session")
def reported(tmp_path_factory) -> dict[str, Reported]:
    """Every example of REPORTED solved and checked, its plan file reported through the real
    CLI."""
    folder = tmp_path_factory.mktemp("reports")
    out = {}
    for name in REPORTED:
        scenario_file = EXAMPLES / f"{name}.yaml"
        plan_file = folder / f"{name}.plan.yaml"
        html = folder / f"{name}.html"
        scenario, solved = example_plan(name)
        write_plan(solved, plan_file)
        plan = read_plan(plan_file)
        assert check_plan(scenario, plan) == [], name
        made = run_nfvplan("report", scenario_file, plan_file, "-o", html)
        assert made.exit_code == 0, made.output
        show = run_nfvplan("show", scenario_file, plan_file)
        out[name] = Reported(name, scenario, plan, scenario_file, plan_file, html, show.stdout)
    return out


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (session-wide: starting it is the slow part), or a skip."""
    executable = chromium_path()
    if executable is None:
        pytest.skip(SKIP_REASON)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(SKIP_REASON)
    profile = tempfile.mkdtemp(prefix="nfvplan-chromium-")
    with sync_playwright() as driver:
        launched = driver.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield launched
        finally:
            launched.close()
            shutil.rmtree(profile, ignore_errors=True)


@dataclass
class OpenedPage:
    """A report opened in the browser, with everything it logged and asked for."""

    page: object
    console: list[str]
    errors: list[str]
    requests: list[str]


@pytest.fixture
def open_report(browser):
    """Open a report file; every request other than the file itself is recorded and refused."""
    opened: list[OpenedPage] = []

    def open_(path: Path) -> OpenedPage:
        page = browser.new_page()
        result = OpenedPage(page, [], [], [])
        url = path.resolve().as_uri()
        page.on("console", lambda m: result.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: result.errors.append(str(e)))

        def route(request_route) -> None:
            if request_route.request.url == url:
                request_route.continue_()
            else:
                request_route.abort()

        page.route("**/*", route)  # refuse: a test machine may have a network after all
        page.on("request", lambda r: None if r.url == url else result.requests.append(r.url))
        page.goto(url, wait_until="load")
        opened.append(result)
        return result

    yield open_
    for result in opened:
        result.page.close()
