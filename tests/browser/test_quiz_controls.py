"""Multiple-select counts, clearing an answer, discarding an attempt and the keyboard, in real
Chromium with JavaScript on and off. The tests share one account: sign-up is rate-limited per
address, and the browser suite signs up enough people already."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import audit
from tests.browser.test_journey import choose_role, register
from tests.mail import Inbox

SKILL_START = re.compile(r"^Start (?!Full)")


@pytest.fixture(scope="module")
def account(browser, live_server: str, live_inbox: Inbox, tmp_path_factory) -> str:
    """The signed-in browser state of this module's account."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    register(page, live_inbox, "Controls")
    choose_role(page)
    path = str(tmp_path_factory.mktemp("account") / "state.json")
    context.storage_state(path=path)
    context.close()
    return path


@pytest.fixture
def signed_in(browser, live_server: str, account: str) -> Iterator[Callable[..., Page]]:
    """Open a page as the account (context options as keywords); no JavaScript errors allowed."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_page(**options) -> Page:
        context = browser.new_context(base_url=live_server, storage_state=account, **options)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def discard(page: Page, attempt_url: str) -> None:
    page.goto(f"{attempt_url}/discard")
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Discard this attempt").click()
    expect(page.get_by_text(re.compile("^Discarded your attempt at"))).to_be_visible()


def open_multiple_select(page: Page) -> str:
    """Start a skill quiz until it asks a multiple-select question (discarding it when not), and
    open that question; its URL. (Quizzes sample their items; each skill has one such item.)"""
    for _ in range(20):
        page.goto("/quizzes")
        page.get_by_role("button", name=SKILL_START).first.click()
        total = int(re.search(r"Question 1 of (\d+)", page.content()).group(1))
        attempt_url = page.url.split("?")[0]
        for position in range(1, total + 1):
            page.goto(f"{attempt_url}?q={position}")
            if page.locator("input[type=checkbox]").count():
                return page.url
        discard(page, attempt_url)
    raise AssertionError("no skill quiz asked a multiple-select question")


def autosaved(page: Page, change) -> None:
    """Make a change and wait for autosave's request to answer."""
    with page.expect_response(lambda r: r.url.endswith("/answer")):
        change()


def ticked(page: Page) -> int:
    return page.locator("input[name=answer]:checked").count()


def test_choose_2_is_enforced_as_you_tick_and_unticking_clears(signed_in):
    page = signed_in()
    url = open_multiple_select(page)
    expect(page.locator(".question-meta .badge").last).to_have_text("Choose 2")
    expect(page.locator("legend")).to_contain_text("Choose 2.")
    boxes = page.locator("input[name=answer]")
    status = page.locator("[data-autosave-status]")
    counter = page.locator("span[data-answered-count]")
    before = int(counter.inner_text())
    autosaved(page, boxes.nth(0).check)
    expect(status).to_have_text("Saved, but not finished: choose 1 more.")  # as a reload says
    expect(counter).to_have_text(str(before + 1))  # the progress line follows the save
    expect(page.locator("[data-choose-status]")).to_have_text("1 of 2 chosen: choose 1 more.")
    autosaved(page, boxes.nth(1).check)
    expect(page.locator("[data-choose-status]")).to_have_text(
        "2 of 2 chosen: untick one to choose another."
    )
    for n in range(2, boxes.count()):
        expect(boxes.nth(n)).to_be_disabled()
    expect(status).to_have_text("Saved.")
    page.goto(url)
    assert ticked(page) == 2
    # Unticking one frees the others again; unticking both clears the saved answer.
    autosaved(page, boxes.nth(0).uncheck)
    expect(boxes.nth(2)).to_be_enabled()
    expect(status).to_have_text("Saved, but not finished: choose 1 more.")
    autosaved(page, boxes.nth(1).uncheck)
    expect(status).to_have_text("Answer cleared: this question counts as unanswered.")
    expect(counter).to_have_text(str(before))
    page.goto(url)
    assert ticked(page) == 0
    expect(page.locator("a[aria-current=step]")).to_have_class("unanswered")


def test_choose_2_without_javascript(signed_in):
    page = signed_in(java_script_enabled=False)
    url = open_multiple_select(page)
    position = int(url.rsplit("=", 1)[1])
    boxes = page.locator("input[name=answer]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    with page.expect_navigation():  # saved before the page is asked for again
        page.get_by_role("button", name="Save and continue").click()
    page.goto(url)
    assert ticked(page) == 2
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    boxes.nth(2).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Choose 2: you ticked 3. Untick 1, then save again.")).to_be_visible()
    expect(page.get_by_text("Your saved answer, ticked above, has not changed.")).to_be_visible()
    expect(page.get_by_text("Saved.", exact=True)).to_have_count(0)
    assert ticked(page) == 2
    expect(boxes.nth(2)).not_to_be_checked()
    boxes.nth(0).uncheck()
    boxes.nth(1).uncheck()
    page.get_by_role("button", name="Save and continue").click()
    expect(
        page.get_by_text(
            f"Nothing is chosen, so question {position} has no answer: choose 2, or skip it "
            "for now."
        )
    ).to_be_visible()
    assert ticked(page) == 0
    page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_role("link", name=f"Question {position}", exact=True)).to_be_visible()


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {tag: e.tagName, type: e.type || '', name: e.name || '',
                           value: e.value || '', cls: e.className}; }"""
    )


def test_a_whole_skill_quiz_by_keyboard_alone(signed_in):
    """Every question page loads with the focus on its answers, the stem still in view, so a
    question takes at most 6 key presses: tick, (Tab, tick,) Tab to Save, Enter."""
    page = signed_in(viewport={"width": 390, "height": 700})
    page.goto("/quizzes")
    page.get_by_role("button", name=SKILL_START).first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Question 1 of 9")).to_be_visible()
    # The text shows while the page is still loading: the focus is placed by a deferred
    # script, so wait for the load, as expect_navigation below does for the next pages.
    page.wait_for_load_state()
    presses = []
    while page.get_by_text(re.compile(r"^Question \d+ of 9")).count():
        count = 0
        legend_top = page.evaluate("document.querySelector('legend').getBoundingClientRect().top")
        assert legend_top > -1, "the focused answer scrolled the question out of view"
        start = focused(page)
        assert start["name"] == "answer", start
        group = page.locator("[data-choose]")
        wanted = int(group.get_attribute("data-choose")) if group.count() else 1
        for n in range(wanted):
            if n:
                page.keyboard.press("Tab")
                count += 1
            page.keyboard.press("Space")
            count += 1
        page.keyboard.press("Tab")
        count += 1
        assert focused(page)["value"] == "Save and continue", focused(page)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        count += 1
        presses.append(count)
    assert len(presses) == 9
    assert max(presses) <= 6, presses
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    expect(page.get_by_text("9 of 9 questions answered.")).to_be_visible()
    for _ in range(30):
        page.keyboard.press("Tab")
        if focused(page)["value"] == "Submit my answers":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Your result"))).to_be_visible()


def test_discarding_an_attempt(signed_in):
    page = signed_in(bypass_csp=True)  # for axe-core
    page.goto("/quizzes")
    page.get_by_role("button", name=SKILL_START).first.click()
    attempt_path = urlsplit(page.url).path
    page.get_by_role("link", name="Review and submit").click()
    page.get_by_role("link", name="Discard this attempt").click()
    expect(page.get_by_role("heading", name="Discard this attempt?")).to_be_visible()
    audit(page, "20-discard")
    page.get_by_role("button", name="Discard this attempt").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("Tick the box to confirm.")
    audit(page, "21-discard-refused")
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Discard this attempt").click()
    expect(page.get_by_text(re.compile("^Discarded your attempt at"))).to_be_visible()
    page.goto("/attempts")
    links = f"a[href='{attempt_path}'], a[href='{attempt_path}/discard']"
    expect(page.locator(links)).to_have_count(0)


def test_row_links_are_big_enough_to_tap_on_a_phone(signed_in):
    page = signed_in(viewport={"width": 390, "height": 844})
    page.goto("/milestones/certifications/new")
    page.get_by_label("Certification", exact=True).fill("CPIM")
    page.get_by_label("Date earned").fill("2021-05-01")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Added your certification.")).to_be_visible()
    page.goto("/quizzes")
    page.get_by_role("button", name=SKILL_START).first.click()
    targets = {
        "/milestones": ["link"],  # Delete leads to its confirmation page
        "/attempts": ["link"],
    }
    for url, roles in targets.items():
        page.goto(url)
        for role in roles:
            found = page.get_by_role(role, name=re.compile("^(Edit|Delete|Discard)")).all()
            assert found, (url, role)
            for target in found:
                box = target.bounding_box()
                assert box["width"] >= 44, (url, box)
                assert box["height"] >= 44, (url, box)
