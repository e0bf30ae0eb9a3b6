"""Every page on a phone (390 px) and a laptop (1280 px), with real data: nothing scrolls the
page sideways, chart text renders at 11 px or more, no word in a table or date breaks across
lines, links and buttons in the header and the content are at least 44 x 44 px on the phone,
and axe finds nothing. Screenshots of every page at both sizes
land in tests/artifacts/layout-<page>-<width>.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import audit
from tests.browser.test_journey import choose_role, register
from tests.live import LiveServer, gunicorn, server_env
from tests.mail import Inbox

PHONE, LAPTOP = 390, 1280
MIN_TEXT_PX = 11
MIN_TARGET_PX = 44

CHART_TEXT = """() => [...document.querySelectorAll('svg[viewBox] text')].flatMap(t => {
  const svg = t.ownerSVGElement, box = svg.getBoundingClientRect();
  if (!box.width || !t.getClientRects().length) return [];  // the frame not shown at this width
  const px = parseFloat(getComputedStyle(t).fontSize) * box.width / svg.viewBox.baseVal.width;
  return px < %s ? [`"${t.textContent.trim()}" at ${px.toFixed(1)} px`] : [];
})""" % (MIN_TEXT_PX - 0.05)

# Targets in the header and <main> smaller than 44 x 44 px. Exempt, as WCAG 2.5.8 allows: a
# link inside a sentence, i.e. whose block holds other text than links and separators.
# Everything else (a header link, a link alone in a paragraph or table cell, a row of links,
# every button) must be big enough.
SMALL_TARGETS = """(min) => {
  const separators = /[\\s\\u00b7\\u203a|,.:;()\\u2013\\u2014\\u2192\\u2190-]+/g;
  const blockOf = el => {
    let p = el.parentElement;
    while (getComputedStyle(p).display.startsWith('inline')) p = p.parentElement;
    return p;
  };
  const targets = document.querySelectorAll(
    'header a[href], header button, main a[href], main button, main input[type=submit], ' +
    'main summary, main select, main .field.checkbox label');
  // A link that opens a list item stands alone, whatever follows it (a role's figure on
  // the ladder, a skill's state on the rater's list).
  const opensItem = el => el.parentElement.tagName === 'LI' && el === el.parentElement.firstChild;
  return [...targets].flatMap(el => {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || (r.width >= min && r.height >= min)) return [];
    let rest = el.matches('select, label') || opensItem(el) ? '' : blockOf(el).innerText;
    for (const link of blockOf(el).querySelectorAll('a, button')) {
      rest = rest.replace(link.innerText, '');
    }
    if (rest.replace(separators, '').length > 0) return [];  // inline in a sentence
    const size = `${r.width.toFixed(0)}x${r.height.toFixed(0)}`;
    return [`${el.tagName.toLowerCase()} "${el.innerText.trim()}" ${size}`];
  });
}"""

# Words broken across lines in tables and dates ("Producti/on", "2025-/09-01"). A table cell may
# break after a hyphen ("Decision-/making"); a date (<time>, .dates) may not break at all.
SPLIT_WORDS = """() => [...document.querySelectorAll('main th, main td, main time, main .dates')]
  .filter(el => el.getClientRects().length)
  .flatMap(el => {
    const words = el.matches('th, td') ? /[^\\s-]+-?/g : /\\S+/g;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const split = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(words)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) split.push(m[0]);
      }
    }
    return split;
  })"""


@dataclass(frozen=True)
class Account:
    """A member with a bit of everything, for pages that need data."""

    storage: dict
    full_attempt: int
    open_attempt: int
    shared_url: str
    milestone_edit: str


def _attempt_id(page: Page) -> int:
    match = re.search(r"/attempts/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


def _start(page: Page, quiz: str) -> int:
    page.goto("/quizzes")
    page.get_by_role("button", name=re.compile(f"(Start|Retake) {quiz}$")).click()
    expect(page.get_by_text(re.compile(r"Question 1 of \d+"))).to_be_visible()
    return _attempt_id(page)


CHOICES = re.compile(r'name="answer" type="(?:radio|checkbox)" value="([^"]+)"')
CHOOSE = re.compile(r'data-choose="(\d+)"')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _answer_and_submit(page: Page, attempt_id: int, offset: int) -> None:
    """Answer every question with the option `offset` places after its position (so each
    attempt scores differently and the charts draw real lines), posting each question's form
    as the page does but without drawing it (a full assessment has 48), then submit."""
    html = page.request.get(f"/attempts/{attempt_id}?q=1").text()
    total = int(re.search(r"Question 1 of (\d+)", html).group(1))
    token = CSRF.search(html).group(1)
    for position in range(1, total + 1):
        choices = CHOICES.findall(html)
        wanted = int(CHOOSE.search(html).group(1)) if CHOOSE.search(html) else 1
        picked = [choices[(position + offset + n) % len(choices)] for n in range(wanted)]
        html = page.request.post(  # follows the redirect to the next question
            f"/attempts/{attempt_id}/answer",
            data=urlencode(
                [("csrf_token", token), ("position", position)] + [("answer", v) for v in picked]
            ),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ).text()
    assert "Every question has an answer." in html
    page.goto(f"/attempts/{attempt_id}/review")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name=re.compile("Your result"))).to_be_visible()


def _add(page: Page, kind: str, fields: dict[str, str], checks: tuple[str, ...] = ()) -> None:
    page.goto(f"/milestones/{kind}/new")
    for label, value in fields.items():
        control = page.get_by_label(label, exact=True)
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    for label in checks:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(re.compile("^Added your"))).to_be_visible()


DEGREE = {
    "Level": "bachelor",
    "Field of study": "Engineering",
    "Status": "completed",
    "Completion date": "2018-06-30",
}
CPIM = {"Certification": "CPIM", "Date earned": "2025-09-01"}


@pytest.fixture(scope="module")
def account(browser: Browser, live_server: str, live_inbox: Inbox) -> Iterator[Account]:
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(15000)
    page = context.new_page()
    register(page, live_inbox, "Layout Tester")
    choose_role(page)
    _add(
        page,
        "positions",
        {
            "Job title": "Production supervisor",
            "Organisation": "Internationale Lebensmittelverarbeitungsgesellschaft",
            "Start date": "2019-03-01",
            "How many people (at most)": "12",
        },
        ("This job was in production or manufacturing", "I managed people in this job"),
    )
    _add(page, "education", DEGREE)
    _add(page, "certifications", CPIM)
    _add(
        page,
        "certifications",
        {"Certification": "CSCP", "Date earned": "2019-01-10", "Expiry date": "2024-01-10"},
    )
    page.goto("/milestones")
    milestone_edit = page.get_by_role("link", name="Edit this position").get_attribute("href")
    # Two full assessments (every one of the twelve skills scored), and three skill quizzes on
    # the same day: the chart's hard case, and a comparison with a figure in every cell.
    full = _start(page, "Full assessment: Production Manager")
    _answer_and_submit(page, full, 0)
    for offset, quiz in enumerate(
        ("Quality control", "Production scheduling and planning", "Quality control"), 1
    ):
        _answer_and_submit(page, _start(page, quiz), offset)
    _answer_and_submit(page, _start(page, "Full assessment: Production Manager"), 4)
    open_attempt = _start(page, "Supply chain and inventory")
    page.goto("/report/production-manager/share")
    page.get_by_label("Label (optional)").fill("For my mentor at the plant")
    page.get_by_role("button", name="Create a share link").click()
    shared_url = page.get_by_label("Link").input_value()
    page.goto("/profile")
    page.get_by_label("Token name").fill("spreadsheet sync")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Your new API token")).to_be_visible()
    yield Account(context.storage_state(), full, open_attempt, shared_url, milestone_edit)
    context.close()


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with its database away: a page that needs the database answers 503."""
    away = server_env("sqlite:////nonexistent-directory/prodready.sqlite3")
    with gunicorn(away, tmp_path_factory.mktemp("outage"), workers=1, migrate=False) as server:
        yield server


def _context(browser: Browser, base: str, width: int, storage: dict | None = None):
    context = browser.new_context(
        base_url=base,
        viewport={"width": width, "height": 844 if width == PHONE else 900},
        bypass_csp=True,  # to inject axe-core
        storage_state=storage,
    )
    context.set_default_timeout(15000)
    return context


def _check(page: Page, name: str, width: int) -> list[str]:
    """What is wrong with the page as shown (its screenshot and axe audit included)."""
    problems = []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        problems.append(f"page is {scroll} px wide")
    problems += [f"chart text {t}" for t in page.evaluate(CHART_TEXT)]
    problems += [f"word broken across lines: {w}" for w in page.evaluate(SPLIT_WORDS)]
    if width == PHONE:
        problems += [f"small target {t}" for t in page.evaluate(SMALL_TARGETS, MIN_TARGET_PX)]
    try:
        audit(page, f"layout-{name}-{width}")
    except AssertionError as exc:
        problems.append(str(exc))
    return [f"{name} at {width} px: {p}" for p in problems]


ANONYMOUS = {
    "landing": "/",
    "login": "/login",
    "register": "/register",
    "forgot": "/forgot-password",
    "scoring": "/scoring",
    "roles": "/roles",
    "role-manager": "/roles/production-manager",
    "role-chief": "/roles/chief-production-officer",
    "role-head": "/roles/head-of-production",
    "role-executive": "/roles/production-executive",
    "error-404": "/no-such-page",
    "api-docs": "/api/v1/docs",
}
# Pages that draw themselves once loaded, and what shows they are done.
DRAWN = {"api-docs": ".opblock"}


def _visit(page: Page, name: str, url: str) -> None:
    page.goto(url)
    if name in DRAWN:
        page.locator(DRAWN[name]).first.wait_for()


def _member_pages(a: Account) -> dict[str, str]:
    return {
        "dashboard": "/dashboard",
        "choose-role": "/choose-role",
        "quizzes": "/quizzes",
        "history": "/attempts",
        "question": f"/attempts/{a.open_attempt}?q=1",
        "review": f"/attempts/{a.open_attempt}/review",
        "result": f"/attempts/{a.full_attempt}/result",
        "already-submitted": f"/attempts/{a.full_attempt}/discard",  # 409, with the way on
        "report": "/report",
        "report-every-line": "/report?chart=all",
        "report-executive": "/report/production-executive",
        "compare": "/report/compare",
        "share-form": "/report/production-manager/share",
        "milestones": "/milestones",
        "milestone-new-position": "/milestones/positions/new",
        "milestone-new-education": "/milestones/education/new",
        "milestone-new-certification": "/milestones/certifications/new",
        "milestone-new-activity": "/milestones/activities/new",
        "milestone-edit": a.milestone_edit,
        "profile": "/profile",
        "import": "/import",
        "delete": "/profile/delete",
        "discard": f"/attempts/{a.open_attempt}/discard",
        "member-404": "/attempts/999999",
    }


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_every_page_fits_and_passes(
    browser: Browser, live_server: str, account, outage: LiveServer, width: int
):
    problems: list[str] = []
    anonymous = _context(browser, live_server, width)
    page = anonymous.new_page()
    for name, url in {**ANONYMOUS, "shared-report": account.shared_url}.items():
        _visit(page, name, url)
        problems += _check(page, name, width)
    anonymous.close()

    member = _context(browser, live_server, width, account.storage)
    page = member.new_page()
    # The session cookie holds for the outage server too (same host and key), whose database
    # is away: its dashboard is the 503 page.
    outage_page = {"outage-503": f"{outage.base}/dashboard"}
    for name, url in {**_member_pages(account), **outage_page}.items():
        _visit(page, name, url)
        problems += _check(page, name, width)
    # Pages that only a POST shows: a form with errors, a new share link, a new token.
    page.goto("/milestones/positions/new")
    # Each click is followed by a wait for the page it leads to: checking while the browser
    # swaps documents finds no document element at all.
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_be_visible()
    problems += _check(page, "milestone-form-errors", width)
    page.goto("/report/production-manager/share")
    page.get_by_role("button", name="Create a share link").click()
    expect(page.get_by_role("heading", name="Your share link")).to_be_visible()
    problems += _check(page, "share-created", width)
    page.goto("/profile")
    page.get_by_label("Token name").fill(f"phone check {width}")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Your new API token")).to_be_visible()
    problems += _check(page, "token-created", width)
    member.close()
    assert problems == [], "\n".join(problems)


BESIDE_ITS_LABEL = """(box) => {
  const label = document.querySelector(`label[for="${box.id}"]`);
  const b = box.getBoundingClientRect(), l = label.getBoundingClientRect();
  const field = box.closest('.field').getBoundingClientRect();
  return {
    beside: b.right <= l.left && b.top < l.top + 30 && b.bottom > l.top,
    share: l.width / (field.width - b.width),
  };
}"""


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_checkboxes_sit_beside_labels_that_use_the_width(
    browser: Browser, live_server: str, account, width: int
):
    """Review's "Submit anyway" was alone above its label; the delete page squeezed its
    confirmation into a narrow column."""
    context = _context(browser, live_server, width, account.storage)
    page = context.new_page()
    for url, label in (
        (f"/attempts/{account.open_attempt}/review", "Submit anyway"),
        ("/profile/delete", "I understand"),
    ):
        page.goto(url)
        box = page.get_by_label(re.compile(label))
        layout = box.evaluate(BESIDE_ITS_LABEL)
        assert layout["beside"], f"{url}: the checkbox is not beside its label"
        assert layout["share"] > 0.8, f"{url}: the label has {layout['share']:.0%} of the row"
    context.close()


# Scroll regions whose content is wider than the region, by their accessible name.
SCROLLING = """() => [...document.querySelectorAll('.table-scroll')]
  .filter(box => box.scrollWidth > box.clientWidth + 1)
  .map(box => `${box.getAttribute('aria-label')}: ${box.scrollWidth} px in ${box.clientWidth}`)"""
# A matrix of every attempt by every skill: a spreadsheet, wider than any screen by design.
MATRIX = "Scores by attempt, scrollable"


@pytest.mark.parametrize("width", [640, 800])
def test_tables_fit_without_scrolling_between_phone_and_laptop(
    browser: Browser, live_server: str, account, width: int
):
    """Between the phone's cards and a laptop (a tablet, a narrow window) the comparison
    scrolled sideways inside its box; every table but the attempts-by-skills matrix fits."""
    context = _context(browser, live_server, width, account.storage)
    page = context.new_page()
    scrolling = []
    for name, url in _member_pages(account).items():
        _visit(page, name, url)
        boxes = [b for b in page.evaluate(SCROLLING) if not b.startswith(MATRIX)]
        scrolling += [f"{name}: {b}" for b in boxes]
    context.close()
    assert scrolling == []


def test_role_cards_keep_their_text_inside_at_laptop_width(browser: Browser, live_server: str):
    context = _context(browser, live_server, LAPTOP)
    page = context.new_page()
    page.goto("/roles")
    cards = page.locator(".role-card")
    expect(cards).to_have_count(4)
    overflowing = cards.evaluate_all(
        "cards => cards.filter(c => c.scrollWidth > c.clientWidth).map(c => c.innerText)"
    )
    assert overflowing == []
    context.close()


# Cells of a table, and texts of an SVG, that do not lie fully inside the page's width.
OFF_SCREEN = """(cells, width) => cells.filter(c => c.getClientRects().length).flatMap(c => {
  const r = c.getBoundingClientRect(), text = c.textContent.trim().slice(0, 40);
  const where = `${r.left.toFixed(0)}-${r.right.toFixed(0)}`;
  return r.left < 0 || r.right > width ? [`${text}: ${where}`] : [];
})"""
LABEL = "(cell) => getComputedStyle(cell, '::before').content"


def test_report_tables_and_comparison_read_on_a_phone(browser: Browser, live_server: str, account):
    """At 390 px the comparison showed one and a half of its four roles, and the report's skill
    table and attempts table ran off-screen (the latter some 1600 px wide). Each is now a card
    per row: every value inside the screen, named by its column (a role, a skill)."""
    context = _context(browser, live_server, PHONE, account.storage)
    page = context.new_page()
    page.goto("/report/compare")
    cells = page.locator("table.compare td")
    assert cells.count() > 4 * 20
    assert cells.evaluate_all(OFF_SCREEN, PHONE) == []
    first_row = page.locator("table.compare tbody tr").first
    expect(first_row.locator("th")).to_have_text("Overall readiness")
    labels = [first_row.locator("td").nth(i).evaluate(LABEL) for i in range(4)]
    assert labels == [
        '"Production Manager"',
        '"Head of Production"',
        '"Production Executive"',
        '"Chief Production Officer"',
    ]
    scroller = page.locator(".table-scroll").first
    assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing to scroll
    for name in ("Production Manager", "Chief Production Officer"):
        expect(
            page.get_by_role("navigation", name="Each role's full report").get_by_role(
                "link", name=name
            )
        ).to_be_visible()

    page.goto("/report")
    for table in ("#skills-table", "#progress-table"):
        cells = page.locator(f"{table} th, {table} td")
        assert cells.evaluate_all(OFF_SCREEN, PHONE) == [], table
        width = page.locator(table).evaluate("t => t.getBoundingClientRect().width")
        assert width <= PHONE, f"{table} is {width} px wide"
    first_skill = page.locator("#skills-table tbody tr").first
    assert [first_skill.locator("td").nth(i).evaluate(LABEL) for i in (2, 3)] == [
        '"Updated: "',
        '"Points missing: "',
    ]
    # A full assessment's card lists every skill's score; a skill quiz's, only its skill.
    full = page.locator("#progress-table tbody tr").first
    expect(full.locator("td:visible")).to_have_count(1 + 1 + 12)
    quiz = page.locator("#progress-table tbody tr").nth(1)
    expect(quiz.locator("td:visible")).to_have_count(1 + 1 + 1)
    # The chart on a phone: seven lines, no two alike in colour or in marker.
    series = page.locator("svg.chart-narrow g.series")
    expect(series).to_have_count(7)
    looks = series.evaluate_all(
        "gs => gs.map(g => g.getAttribute('stroke') + ' ' + "
        "g.querySelector('path').getAttribute('d').split('m')[1])"
    )
    assert len(set(looks)) == 7
    assert len({look.split()[0] for look in looks}) == 7
    expect(page.locator(".legend li")).to_have_count(7)
    expect(page.locator(".timeline")).to_contain_text("CSCP expired")
    context.close()


OVERLAPS = """(texts) => {
  const boxes = texts.map(t => [t.textContent, t.getBoundingClientRect()]);
  const svg = texts[0].ownerSVGElement.getBoundingClientRect();
  const out = boxes.filter(([, b]) => b.left < svg.left || b.right > svg.right
    || b.top < svg.top || b.bottom > svg.bottom).map(([t]) => `${t} outside the chart`);
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [ta, a] = boxes[i], [tb, b] = boxes[j];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
      out.push(`${ta} overlaps ${tb}`);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("url", ["/report", "/report?chart=all"])
def test_chart_names_its_lines_at_their_ends_on_a_laptop(
    browser: Browser, live_server: str, account, url: str
):
    """Direct labels, as the browser draws them: every line named, no two names overlapping,
    and none outside the chart (its text wider than charts.py reckons would be cut off)."""
    context = _context(browser, live_server, LAPTOP, account.storage)
    page = context.new_page()
    page.goto(url)
    names = page.locator("svg.chart-wide text.end-label")
    expect(names).to_have_count(page.locator("svg.chart-wide g.series").count())
    assert names.count() == (7 if url == "/report" else 13)
    assert names.evaluate_all(OVERLAPS) == []
    context.close()


def test_a_milestone_change_says_so_where_the_phone_lands(
    browser: Browser, live_server: str, live_inbox: Inbox
):
    """A delete took the person to its section (/milestones#certifications) while its message
    and Undo stood at the top of the page, some 950 px above the screen on a phone."""
    context = _context(browser, live_server, PHONE)
    page = context.new_page()
    register(page, live_inbox, "Undo Tester")
    choose_role(page)
    _add(
        page,
        "positions",
        {"Job title": "Planner", "Organisation": "ACME", "Start date": "2019-03-01"},
    )
    _add(page, "education", DEGREE)
    _add(page, "certifications", CPIM)
    page.goto("/milestones")
    page.get_by_role("link", name=re.compile("^Delete this certification")).click()
    page.get_by_role("button", name="Delete it").click()
    expect(page.get_by_text("Deleted the certification.")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Undo the delete")).to_be_in_viewport()
    page.get_by_role("button", name="Undo the delete").click()
    expect(page.get_by_text("The certification is back.")).to_be_in_viewport()
    context.close()
