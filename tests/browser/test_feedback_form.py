"""Issue 25's check in Chromium: a person invites five raters (a manager, three peers, a mentor);
four answer from fresh browsers without an account, one on a phone without JavaScript; after
closing, the report shows the manager's and the mentor's ratings and the blind spots, and with
two peers only no peer number or comment appears. Every rater page passes the layout checks and
axe at 390 and 1280 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_journey import choose_role, register, tick_answer
from tests.browser.test_layout import LAPTOP, PHONE, _check, _context
from tests.mail import Inbox


def _check_at(page: Page, name: str, width: int) -> list[str]:
    page.set_viewport_size({"width": width, "height": 844 if width == PHONE else 900})
    return _check(page, name, width)


def _invite(page: Page, relationship: str, name: str) -> str:
    page.goto("/feedback")
    page.get_by_label(relationship, exact=True).check()
    page.get_by_label("Their name (only you see it)").fill(name)
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("heading", name=f"The link for {name}")).to_be_visible()
    return page.get_by_label("Link").input_value()


def _answer(
    browser: Browser, base: str, link: str, level: str, comment: str, width: int, js: bool
) -> list[str]:
    """Rate every item at `level` (the level's number starts its label) from a fresh browser;
    returns what the layout checks found on each kind of page (with JavaScript only: axe runs
    as a script)."""
    context = _context(browser, base, width)
    if not js:
        context.close()
        context = browser.new_context(
            base_url=base,
            viewport={"width": width, "height": 844},
            java_script_enabled=False,
            bypass_csp=True,
        )
        context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name=re.compile("^Feedback for "))).to_be_visible()
    check = _check if js else (lambda *_: [])
    problems = check(page, "rater-start", width)
    page.get_by_role("link", name="Start").click()
    first = True
    position = 1
    while True:
        # The click only starts the navigation: wait for this skill's page and its deferred
        # autosave script before ticking, or the ticks land on the page being left.
        expect(page.get_by_text(re.compile(rf"^Skill {position} of \d+\."))).to_be_visible()
        page.wait_for_load_state("load")
        position += 1
        for group in page.locator("fieldset.rater-item").all():
            group.locator(f"input[value='{level}']").check()
        page.get_by_label("Comment (optional)").fill(comment)
        if first:
            problems += check(page, "rater-skill", width)
            first = False
        if js:
            expect(page.locator("[data-autosave-status]")).to_have_text("Saved.")
        button = page.get_by_role("button", name=re.compile("^Save and (continue|review)$"))
        last = button.get_attribute("value") == "Save and review"
        button.click()
        if last:
            break
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    problems += check(page, "rater-review", width)
    page.get_by_role("button", name="Submit my feedback").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    page.goto(link)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    context.close()
    return problems


@pytest.fixture(scope="module")
def owner(browser: Browser, live_server: str, live_inbox: Inbox):
    context = browser.new_context(base_url=live_server, bypass_csp=True)  # axe is injected
    context.set_default_timeout(15000)
    page = context.new_page()
    register(page, live_inbox, "Feedback Tester")
    choose_role(page)
    # Her own view of scheduling: level 5 on every self-rating of a skill quiz.
    page.goto("/quizzes")
    page.get_by_role("button", name=re.compile("Start Production scheduling and planning$")).click()
    expect(page.get_by_text(re.compile(r"Question 1 of \d+"))).to_be_visible()
    attempt = re.search(r"/attempts/(\d+)", page.url).group(1)
    total = int(re.search(r"Question 1 of (\d+)", page.content()).group(1))
    for position in range(1, total + 1):
        page.goto(f"/attempts/{attempt}?q={position}")
        tick_answer(page, "5")
        with page.expect_navigation():  # the save has landed before the next page is asked for
            page.get_by_role("button", name="Save and continue").click()
    page.goto(f"/attempts/{attempt}/review")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name=re.compile("Your result"))).to_be_visible()
    yield page
    context.close()


def test_four_raters_answer_and_the_report_shows_what_it_may(
    browser: Browser, live_server: str, owner: Page
):
    page = owner
    links = {
        "manager": _invite(page, "Manager", "Grace"),
        "peer1": _invite(page, "Peer", "Sam"),
        "peer2": _invite(page, "Peer", "Kim"),
        "peer3": _invite(page, "Peer", "Lee"),
        "mentor": _invite(page, "Mentor", "Lin"),
    }
    page.goto("/feedback")
    expect(page.get_by_text("Grace")).to_be_visible()
    problems = _check_at(page, "feedback-owner", PHONE) + _check_at(page, "feedback-owner", LAPTOP)
    raters = [
        ("manager", "2", "Manager saw this", LAPTOP, True),
        ("mentor", "3", "Mentor saw this", PHONE, False),
        ("peer1", "4", "Peer note one", PHONE, True),
        ("peer2", "1", "Peer note two", LAPTOP, True),
    ]
    for key, level, comment, width, js in raters:
        problems += _answer(browser, live_server, links[key], level, comment, width, js)
    assert problems == [], "\n".join(problems)

    page.goto("/feedback")
    expect(page.get_by_text("Manager saw this")).to_have_count(0)  # nothing until closed
    page.get_by_role("link", name="Close the round and see the results").click()
    expect(page.get_by_text(re.compile("not shown"))).to_be_visible()
    page.get_by_role("button", name="Close the round").click()
    for url in ("/feedback", "/report"):
        page.goto(url)
        table = page.locator("table.feedback-table")
        expect(table.locator("thead")).to_contain_text("Manager")
        expect(table.locator("thead")).to_contain_text("Mentor")
        expect(table.locator("thead")).not_to_contain_text("Peers")
        expect(page.get_by_text("Manager saw this").first).to_be_visible()
        expect(page.get_by_text("Peer note")).to_have_count(0)
        expect(page.get_by_text(re.compile("Blind spot")).first).to_be_visible()
    assert _check_at(page, "report-with-feedback", PHONE) == []
