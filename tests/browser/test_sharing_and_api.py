"""Sharing a report, creating an API token and reading the API docs in real Chromium."""

from __future__ import annotations

import json
import re
import urllib.request

from playwright.sync_api import Page, expect

from tests.browser.conftest import audit
from tests.browser.test_journey import choose_role, register
from tests.mail import Inbox


def test_share_link_opens_without_an_account_and_dies_when_revoked(
    page: Page, browser, live_server, live_inbox: Inbox
):
    register(page, live_inbox, "Sharer")
    choose_role(page)
    page.get_by_role("link", name="Report", exact=True).click()
    page.get_by_role("link", name="Share with a mentor").click()
    expect(page.get_by_role("heading", name=re.compile("^Share your"))).to_be_visible()
    audit(page, "20-share-form")
    page.get_by_label("Label (optional)").fill("For my mentor")
    page.get_by_label("Link expires after").select_option("7")
    page.get_by_role("button", name="Create a share link").click()
    expect(page.get_by_role("heading", name="Your share link")).to_be_visible()
    audit(page, "21-share-created")
    url = page.get_by_label("Link").input_value()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == url
    assert url.startswith(live_server + "/shared/")

    stranger = browser.new_context(base_url=live_server)
    other = stranger.new_page()
    response = other.goto(url)
    assert response is not None
    assert response.status == 200
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    expect(other.get_by_role("heading", name="Readiness for Production Manager")).to_be_visible()
    expect(other.get_by_text("@example.com")).to_have_count(0)
    expect(other.get_by_role("link", name="Log out")).to_have_count(0)

    page.goto("/profile")
    page.get_by_role("button", name="Revoke the link For my mentor").click()
    expect(page.get_by_text("No active share links.")).to_be_visible()
    response = other.goto(url)
    assert response is not None
    assert response.status == 410
    expect(other.get_by_text("has withdrawn the link")).to_be_visible()
    stranger.close()


def test_token_works_against_the_api_and_the_docs_render_under_the_csp(
    page: Page, browser, live_server, live_inbox: Inbox
):
    register(page, live_inbox, "Builder")
    choose_role(page)
    page.goto("/profile")
    page.get_by_label("Token name").fill("my dashboard")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Your new API token")).to_be_visible()
    audit(page, "22-token-created")
    secret = page.locator("#token").input_value()

    request = urllib.request.Request(
        f"{live_server}/api/v1/report/production-manager",
        headers={"Authorization": f"Bearer {secret}"},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        report = json.load(reply)
    assert report["role_name"] == "Production Manager"
    assert report["next_steps"], "a new account still gets next steps"

    # No bypass_csp here: Swagger UI must run under the app's own Content-Security-Policy.
    strict = browser.new_context(base_url=live_server)
    docs = strict.new_page()
    problems: list[str] = []
    docs.on("pageerror", lambda exc: problems.append(str(exc)))
    docs.on(
        "console",
        lambda msg: problems.append(msg.text) if msg.type == "error" else None,
    )
    docs.goto("/api/v1/docs")
    expect(
        docs.locator(".opblock-summary-path", has_text="/api/v1/report/{slug}").first
    ).to_be_visible()
    expect(docs.get_by_text("ProdReady API").first).to_be_visible()
    assert problems == [], problems
    strict.close()
