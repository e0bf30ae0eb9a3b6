"""Autosave in real Chromium while the server cannot save: the answer is kept, the page says it
is not saved yet, and it goes out again until the server confirms it."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, Route, expect

from tests.browser.test_journey import choose_role, register
from tests.mail import Inbox

UNAVAILABLE = {
    "status": 503,
    "headers": {"Retry-After": "5", "Content-Type": "application/json"},
    "body": json.dumps({"error": "We cannot reach our database just now.", "retry": True}),
}


def start_quiz(page: Page, inbox: Inbox) -> None:
    register(page, inbox, "Outage")
    choose_role(page)
    page.goto("/quizzes")
    page.get_by_role("button", name="Start Quality control").click()
    expect(page.get_by_text("Question 1 of 9")).to_be_visible()


def test_an_unconfirmed_answer_is_retried_until_saved(page: Page, live_inbox: Inbox):
    start_quiz(page, live_inbox)
    refused: list[str] = []

    def outage(route: Route) -> None:
        if len(refused) < 2:  # the database is away for the first two tries
            refused.append(route.request.method)
            route.fulfill(**UNAVAILABLE)
        else:
            route.continue_()

    page.route(re.compile(r".*/attempts/\d+/answer$"), outage)
    page.get_by_label(re.compile("^4 — ")).check()
    expect(page.locator("[data-autosave-status]")).to_have_text("Not saved yet, retrying…")
    expect(page.locator("[data-autosave-status]")).to_have_text("Saved.", timeout=15000)
    assert refused == ["POST", "POST"]
    page.unroute(re.compile(r".*/attempts/\d+/answer$"))
    page.reload()  # the server has it: the first unanswered question is now the second
    expect(page.get_by_text("Question 2 of 9")).to_be_visible()
    assert page.evaluate("Object.keys(sessionStorage).length") == 0


def test_an_answer_left_unsaved_goes_out_from_the_next_page(page: Page, live_inbox: Inbox):
    start_quiz(page, live_inbox)
    answer_url = re.compile(r".*/attempts/\d+/answer$")
    page.route(answer_url, lambda route: route.abort("connectionrefused"))
    page.get_by_label(re.compile("^2 — ")).check()
    expect(page.locator("[data-autosave-status]")).to_have_text("Not saved yet, retrying…")
    assert page.evaluate("Object.keys(sessionStorage).length") == 1
    page.unroute(answer_url)
    # The person moves on before the retry; the next page sends what was kept.
    page.get_by_role("link", name=re.compile(r"^2 \(")).click()
    expect(page.get_by_text("Question 2 of 9")).to_be_visible()
    page.wait_for_function("Object.keys(sessionStorage).length === 0")
    page.get_by_role("link", name="← Previous question").click()
    expect(page.get_by_label(re.compile("^2 — "))).to_be_checked()
