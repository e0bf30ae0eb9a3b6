"""The whole user journey in real Chromium, with an accessibility audit on every page."""

from __future__ import annotations

import json
import re
import uuid

from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, audit
from tests.mail import Inbox

PASSWORD = "a long browser passphrase"


def register(page: Page, inbox: Inbox, name: str = "Robin") -> str:
    """Sign up as a person does: the form, the mailed link, then the password."""
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_role("button", name="Email me a sign-up link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(inbox.wait_link(email))
    expect(page.get_by_label("Display name")).to_have_value(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Choose your target role")).to_be_visible()
    return email


def choose_role(page: Page, name: str = "Production Manager") -> None:
    page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Save my target role").click()
    expect(page.get_by_role("heading", name=re.compile("Hello"))).to_be_visible()


def tick_answer(page: Page, value: str | None = None) -> None:
    """Answer the question on the page as a person would: the option `value` where it has one
    (a level of a self-rating), else the first options, as many as a "Choose 2" asks."""
    preferred = page.locator(f"input[name=answer][value='{value}']")
    if value is not None and preferred.count():
        preferred.check()
        return
    group = page.locator("[data-choose]")
    wanted = int(group.get_attribute("data-choose")) if group.count() else 1
    for n in range(wanted):
        page.locator("input[name=answer]").nth(n).check()


def test_full_journey(page: Page, live_inbox: Inbox):
    page.goto("/")
    audit(page, "01-landing")
    page.goto("/roles")
    audit(page, "02-roles")
    page.goto("/roles/production-executive")
    expect(page.get_by_text("$97,140")).to_be_visible()
    audit(page, "03-role-detail")

    register(page, live_inbox)
    audit(page, "04-choose-role")
    choose_role(page)
    expect(page.get_by_text("Your target role: Production Manager")).to_be_visible()
    audit(page, "05-dashboard")

    # Quizzes: start a skill quiz, answer with the keyboard, let autosave work.
    page.get_by_role("link", name="Quizzes").click()
    expect(page.get_by_role("link", name="Quizzes")).to_have_attribute("aria-current", "page")
    audit(page, "06-quizzes")
    page.get_by_role("button", name="Start Production scheduling and planning").click()
    expect(page.get_by_text("Question 1 of 9")).to_be_visible()
    audit(page, "07-question")
    page.get_by_label(re.compile("^3 — ")).focus()
    page.keyboard.press("Space")
    expect(page.locator("[data-autosave-status]")).to_have_text("Saved.")
    page.reload()  # autosaved without a click, so a reload moves on to the first unanswered
    expect(page.get_by_text("Question 2 of 9")).to_be_visible()
    page.get_by_role("link", name="← Previous question").click()
    expect(page.get_by_label(re.compile("^3 — "))).to_be_checked()

    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Question 2 of 9")).to_be_visible()
    page.get_by_label(re.compile("^4 — ")).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Question 3 of 9")).to_be_visible()

    # Leave and come back: the attempt resumes at the first unanswered question.
    page.goto("/dashboard")
    page.get_by_role("link", name="Resume where you left off").click()
    expect(page.get_by_text("Question 3 of 9")).to_be_visible()
    expect(page.get_by_text("2 answered")).to_be_visible()

    for n in range(3, 10):
        tick_answer(page)
        page.get_by_role("button", name="Save and continue").click()
        # Tick only once the next page is there: ticks sent to the page being left are lost.
        if n < 9:
            expect(page.get_by_text(f"Question {n + 1} of 9")).to_be_visible()
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    audit(page, "08-review")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name=re.compile("Your result"))).to_be_visible()
    expect(page.get_by_text("Scores by skill")).to_be_visible()
    audit(page, "09-result")

    # Milestones.
    page.get_by_role("link", name="Milestones").click()
    expect(page.get_by_role("heading", name="Your milestones")).to_be_visible()
    audit(page, "10-milestones-empty")
    page.get_by_role("link", name="Add position").click()
    page.get_by_label("Job title").fill("Production supervisor")
    page.get_by_label("Organisation").fill("ACME Foods")
    page.get_by_label("Start date").fill("2020-03-01")
    page.get_by_label("End date").fill("2019-01-01")
    page.get_by_label("This job was in production or manufacturing").check()
    page.get_by_label("I managed people in this job").check()
    page.get_by_label("How many people (at most)").fill("9")
    page.get_by_role("button", name="Save").click()
    # The error summary takes the focus and links to the field to fix.
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="The end date must be on or after the start date.").click()
    expect(page.get_by_label("End date")).to_be_focused()
    expect(page.get_by_label("Job title")).to_have_value("Production supervisor")
    audit(page, "11-milestone-form-error")
    page.get_by_label("End date").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Added your position.")).to_be_visible()
    page.get_by_role("link", name="Add education").click()
    page.get_by_label("Level").select_option("mba")
    page.get_by_label("Field of study").fill("Business administration")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Completion date").fill("2027-06-30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("in progress")).to_be_visible()
    audit(page, "12-milestones")

    # Report, print preview, compare, exports.
    page.get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", name="Readiness for Production Manager")).to_be_visible()
    expect(page.locator("#progress-table")).to_be_visible()
    expect(page.get_by_text("Started as Production supervisor, ACME Foods")).to_be_visible()
    audit(page, "13-report")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "14-report-print.png"), full_page=True)
    page.pdf(path=str(ARTIFACTS / "14-report-print.pdf"))
    page.emulate_media(media="screen")
    expect(page.get_by_role("button", name="Print")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export JSON").click()
    exported = json.loads(download_info.value.path().read_text())
    assert exported["attempts"][0]["status"] == "submitted"
    assert exported["milestones"]["positions"][0]["title"] == "Production supervisor"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    assert download_info.value.path().read_text().startswith("section,record,field,value")

    page.get_by_role("link", name="Compare all roles").click()
    expect(page.get_by_role("heading", name="All four roles side by side")).to_be_visible()
    audit(page, "15-compare")

    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    audit(page, "16-profile")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    page.goto("/dashboard")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    audit(page, "17-login")


def test_everything_works_with_javascript_off(browser, live_server, live_inbox: Inbox):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    register(page, live_inbox, "NoJS")
    choose_role(page, "Head of Production")
    page.goto("/quizzes")
    page.get_by_role("button", name="Start Lean and continuous improvement").click()
    page.get_by_label(re.compile("^2 — ")).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Question 2 of 9")).to_be_visible()
    page.get_by_role("link", name="Review and submit").click()
    page.get_by_role("button", name="Submit my answers").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()  # autofocus: no JavaScript needed
    expect(summary).to_contain_text("8 questions are unanswered")
    page.get_by_label(re.compile("Submit anyway")).check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name=re.compile("Your result"))).to_be_visible()
    page.goto("/report")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    # Both charts are server-drawn SVG, each in a wide and a narrow frame of which one shows.
    expect(page.locator("svg[role=img]")).to_have_count(4)
    expect(page.locator("svg[role=img]:visible")).to_have_count(2)
    expect(
        page.get_by_role("img", name="Your estimate and its 80 % band for each skill")
    ).to_be_visible()
    context.close()


def test_phone_layout(browser, live_server, live_inbox: Inbox):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    page = context.new_page()
    register(page, live_inbox, "Phone")
    choose_role(page)
    page.goto("/quizzes")
    page.get_by_role("button", name="Start Full assessment: Production Manager").click()
    expect(page.get_by_text("Question 1 of 48")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    audit(page, "18-phone-question")
    page.goto("/report")
    audit(page, "19-phone-report")
    context.close()
