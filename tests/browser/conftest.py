"""A real server (gunicorn on a fresh SQLite database) and real Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import ROOT, LiveServer, gunicorn, server_env
from tests.mail import Inbox

ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
AXE_IMPACTS = ("minor", "moderate", "serious", "critical")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("live")
    with gunicorn(server_env(f"sqlite:///{workdir / 'live.sqlite3'}"), workdir) as server:
        yield server


@pytest.fixture(scope="session")
def live_server(live: LiveServer) -> str:
    return live.base


@pytest.fixture(scope="session")
def live_inbox(live: LiveServer) -> Inbox:
    """Where the live server's mail (sign-up and reset links) arrives."""
    return live.inbox


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    # bypass_csp lets the test inject axe-core; the app itself never runs inline script.
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(15000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def audit(page, name: str) -> None:
    """Screenshot the page into tests/artifacts/ and fail on any axe finding.

    The issue asks for no serious or critical findings; the pages currently have none of any
    impact, and the audit keeps it that way.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    violations = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in json.loads(result)["violations"]
        if v["impact"] in AXE_IMPACTS
    ]
    assert violations == [], f"{name}: {json.dumps(violations, indent=1)}"
