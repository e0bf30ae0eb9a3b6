"""Times on the person's own clock (issue 24): the zone the browser reports (static/js/timezone.js
sets a cookie) until the person chooses one on their profile."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page, expect

from app.services.charts import dated
from tests.browser.test_journey import choose_role, register
from tests.mail import Inbox
from tests.text import spaced


def clock(zone: str) -> str:
    """What the pages show for this minute in `zone`, as a pattern (its spaces non-breaking)."""
    now = datetime.now(ZoneInfo(zone))
    return re.escape(spaced(f"{dated(now.date())}, {now:%H:%M %Z}")).replace(r"\ ", r"\s")


def start_and_see_when(page: Page, quiz: str, zone: str) -> None:
    """Start `quiz` and see /attempts say when, on the clock of `zone`."""
    before = clock(zone)
    page.goto("/quizzes")
    page.get_by_role("button", name=f"Start {quiz}").click()
    expect(page.get_by_text(re.compile(r"Question 1 of \d+"))).to_be_visible()
    after = clock(zone)
    page.goto("/attempts")
    expect(page.get_by_text(re.compile(f"^({before}|{after})$")).first).to_be_visible()


def test_the_browser_zone_is_detected_and_used_until_one_is_chosen(
    browser: Browser, live_server: str, live_inbox: Inbox
):
    context = browser.new_context(base_url=live_server, timezone_id="Asia/Tokyo")
    context.set_default_timeout(15000)
    page = context.new_page()
    register(page, live_inbox, "Tokyo")
    choose_role(page)
    page.goto("/profile")
    expect(page.get_by_label("Time zone")).to_have_value("")  # "My browser's time zone"
    expect(
        page.get_by_text("Your browser reports Asia/Tokyo, so times are shown in that zone.")
    ).to_be_visible()
    start_and_see_when(page, "Quality control", "Asia/Tokyo")

    page.goto("/profile")
    page.get_by_label("Time zone").select_option("America/New_York")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
    expect(page.get_by_text("Your browser reports Asia/Tokyo.")).to_be_visible()
    start_and_see_when(page, "Leadership", "America/New_York")

    page.goto("/profile")  # back to following the browser
    page.get_by_label("Time zone").select_option("")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_label("Time zone")).to_have_value("")
    start_and_see_when(page, "Supply chain and inventory", "Asia/Tokyo")
    context.close()
