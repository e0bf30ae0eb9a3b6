"""The readiness report, role comparison and exports through the real stack."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from html import escape
from html import unescape as html_unescape

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.extensions import db
from app.models import User
from app.services import charts, export, skill_estimates
from app.services.charts import dated
from app.services.estimates import band_text
from tests.conftest import ROLE_SLUGS, get_user, login
from tests.seed import seed_submitted_attempts
from tests.text import spaced
from tests.web.quiz_helpers import answer_all, start


def test_new_user_report_says_what_to_do_first(user_client):
    response = user_client.get("/report")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Readiness for Production Manager" in html
    assert "not assessed" in html
    assert "Take the full Production Manager assessment" in html
    steps = html[html.index("Next steps") :]
    # One step for both kinds of years, and no "less than a month" for what is not logged.
    log_jobs = "Log the jobs held: years in production and managing people are counted from them"
    assert steps.count(log_jobs) == 1
    assert "no positions are logged yet" in " ".join(html.split())
    assert "less than a month" not in html
    compare = " ".join(user_client.get("/report/compare").text.split())
    assert "No experience is counted yet" in compare
    assert "less than a month" not in compare
    assert "Gain 3 more years" not in html
    assert "No submitted quizzes yet." in html
    assert "No milestones yet." in html


def test_no_score_out_of_100_before_there_is_evidence(app, user_client):
    """A new user reads "not measured yet", not 0/100; each half appears with its evidence."""
    pages = ("/dashboard", "/report", "/report/compare")
    for url in pages:
        html = user_client.get(url).get_data(as_text=True)
        assert "not measured yet" in html.lower(), url
        assert "0</strong>/100" not in html, url
    report = user_client.get("/report").get_data(as_text=True)
    assert "It needs a quiz to measure the skills and the education, jobs and certifications" in (
        " ".join(report.split())
    )
    assert "Log the education held (Production Manager asks for a" in report
    user_client.post(
        "/milestones/positions/new",
        data={"title": "Planner", "organisation": "ACME", "start_date": "2019-01-01"},
    )
    report = " ".join(user_client.get("/report").get_data(as_text=True).split())
    assert "Qualification readiness</dt><dd><strong>" in report  # measured now
    assert 'Skill readiness</dt><dd><span class="pending">not measured yet' in report
    assert "Overall readiness: not measured yet" in report


def test_the_report_lists_every_role_in_the_ladders_order(user_client):
    html = user_client.get("/report/head-of-production").get_data(as_text=True)
    section = html[html.index("Your readiness for each role on the ladder") :]
    names = ["Production Manager", "Head of Production", "Production Executive"]
    positions = [section.index(name) for name in [*names, "Chief Production Officer"]]
    assert positions == sorted(positions)
    assert "<strong>Head of Production</strong> (this report)" in section


def test_the_shared_report_speaks_of_its_owner(app, user_client):
    response = user_client.post("/report/production-manager/share", data={"expires": "7"})
    link = re.search(r'value="http://localhost(/shared/[^"]+)"', response.text).group(1)
    shared = " ".join(app.test_client().get(link).get_data(as_text=True).split())
    assert "Next steps suggested to Ada" in shared
    assert "where Ada stands" in shared
    assert "Ada\u2019s estimate per skill" in shared
    for second_person in ("where you stand", "Your estimate", "your attempts", "You meet"):
        assert second_person not in shared
    own = " ".join(user_client.get("/report").get_data(as_text=True).split())
    assert "where you stand" in own
    assert "Your estimate per skill" in own


def test_report_without_target_role_asks_for_one(client, make_user):
    make_user()
    login(client)
    response = client.get("/report")
    assert response.status_code == 302
    assert response.headers["Location"] == "/choose-role"


@pytest.mark.parametrize("slug", ROLE_SLUGS)
def test_report_for_any_role(user_client, slug):
    assert user_client.get(f"/report/{slug}").status_code == 200


def test_unknown_role_report_is_404(user_client):
    assert user_client.get("/report/astronaut").status_code == 404


def test_report_reflects_milestones_and_scores(app, user_client):
    user_client.post(
        "/milestones/positions/new",
        data={
            "title": "Planner",
            "organisation": "ACME",
            "start_date": "2019-01-01",
            "in_production": "y",
            "managed_people": "y",
            "people_managed": "4",
        },
    )
    user_client.post(
        "/milestones/education/new",
        data={
            "level": "bachelor",
            "field": "Engineering",
            "status": "completed",
            "end_date": "2018-06-01",
        },
    )
    attempt_id = start(user_client)
    answer_all(user_client, app, attempt_id)
    user_client.post(f"/attempts/{attempt_id}/submit")
    html = user_client.get("/report").get_data(as_text=True)
    assert "Bachelor&#39;s degree in Engineering" in html
    assert "Started as Planner, ACME" in html
    assert "<polyline" in html  # the chart
    assert 'id="progress-table"' in html  # and its table alternative
    with app.app_context():
        current = skill_estimates.current(get_user(app).id)
    assert set(current) == {"production-scheduling"}
    estimate = current["production-scheduling"].estimate
    assert estimate.answers == 9
    assert 75 < estimate.score < 100  # every answer right, but only nine of them
    assert estimate.low < estimate.score < estimate.high
    assert f'<td data-label="Estimate">{band_text(estimate)}</td>' in html
    assert 'class="band"' in html  # the band chart
    # The step names the certification in full, once: no editorial aside in the name.
    assert "Consider CPIM (Certified in Planning and Inventory Management)<" in html


def test_progress_table_has_a_row_per_attempt_with_every_score(app, user_client):
    with app.app_context():
        user_id = get_user(app).id
        cat = app.extensions["catalogue"]
        seed_submitted_attempts(cat, user_id, 3, "production-manager")
        skills = [rs.skill for rs in cat.roles["production-manager"].skills.items]
        attempts = db.session.execute(
            sa.text("SELECT id, overall_score FROM attempts WHERE user_id = :u ORDER BY id"),
            {"u": user_id},
        ).all()
    html = user_client.get("/report").get_data(as_text=True)
    table = html[
        html.index('id="progress-table"') : html.index(
            "</table>", html.index('id="progress-table"')
        )
    ]
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td class="quiz" data-label="Quiz">([^<]+)</td>'
        r"(.*?)</tr>",
        table,
    )
    assert len(rows) == len(attempts) == 3
    columns = re.findall(r'<th scope="col">([^<]+)</th>', table)
    assert columns[:3] == ["Date", "Quiz", "Overall (full assessments)"]
    assert sorted(columns[3:]) == sorted(escape(cat.skills[s].name) for s in skills)
    for (when, title, cells), (attempt_id, overall) in zip(rows, attempts, strict=True):
        assert title == "Full assessment"
        # seed_submitted_attempts submits them an hour apart on one day: told apart in order
        assert re.fullmatch(r"(1st|2nd|3rd) on 1 Jan 2024", spaced(when))
        labelled = re.findall(r'<td data-label="([^"]+)">([^<]*)</td>', cells)
        # Nothing between the cells, each named by its column (a card's line on a phone).
        assert "".join(f'<td data-label="{k}">{v}</td>' for k, v in labelled) == cells
        assert [k for k, _ in labelled] == columns[2:]
        values = [v for _, v in labelled]
        assert values[0] == str(round(overall))
        # seed_submitted_attempts scores skill k of attempt a as (a + k) % 100
        assert sorted(map(int, values[1:])) == sorted(
            (attempt_id + k) % 100 for k in range(len(skills))
        )
    # The overall line has a marker per attempt in both frames: one path, a circle per point.
    overall = re.findall(
        r'<g class="series emphasis"[^>]*>\s*<polyline[^>]*>\s*<path d="([^"]+)"', html
    )
    assert [len(re.findall(r"M[\d.]+ [\d.]+m-4 0a4", d)) for d in overall] == [3, 3]


def _series(html: str, frame: str) -> dict[str, int]:
    """{series label: markers drawn} for the progress chart's SVG in one frame, in legend order."""
    svg = re.search(
        rf'<svg class="chart-{frame}"[^>]*aria-describedby="progress-table".*?</svg>', html, re.S
    )
    assert svg is not None
    counts = [d.count("M") for d in re.findall(r'<path d="([^"]+)" stroke="#fff"', svg.group(0))]
    legend = re.search(r'<ul class="legend">(.*?)</ul>', html, re.S)
    assert legend is not None
    labels = re.findall(r"</svg> ([^<]+)</li>", legend.group(1))
    return dict(zip(labels, counts, strict=True))


def test_the_overall_line_counts_full_assessments_only(app, user_client):
    """A quiz on one skill has no overall readiness: its score shows on its skill's line only."""
    with app.app_context():
        seed_submitted_attempts(
            app.extensions["catalogue"], get_user(app).id, 2, "production-manager"
        )
    attempt_id = start(user_client, "skill.quality-control")
    answer_all(user_client, app, attempt_id)
    assert user_client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    html = user_client.get("/report").get_data(as_text=True)
    for frame in ("wide", "narrow"):
        series = _series(html, frame)
        assert series["Overall (full assessments)"] == 2
        assert series["Quality control"] == 3  # two full assessments and the quiz
        assert series["Production scheduling and planning"] == 2
    rows = re.findall(
        r'<tr><th scope="row">[^<]+</th><td class="quiz" data-label="Quiz">([^<]+)</td>'
        r'<td data-label="[^"]+">([^<]*)</td>',
        html,
    )
    assert [(title, overall != "—") for title, overall in rows] == [
        ("Full assessment", True),
        ("Full assessment", True),
        ("Quality control", False),
    ]


def _seed_attempt_submitted_on(app, role: str, day) -> None:
    with app.app_context():
        user_id = get_user(app).id
        seed_submitted_attempts(app.extensions["catalogue"], user_id, 1, role)
        when = datetime.combine(day, time(9), tzinfo=UTC)
        db.session.execute(
            sa.text("UPDATE attempts SET started_at = :t, submitted_at = :t WHERE user_id = :u"),
            {"t": when, "u": user_id},
        )
        db.session.commit()


def test_the_report_says_which_weights_changed_since_the_first_attempt(app, user_client):
    revision = app.extensions["catalogue"].roles["head-of-production"].skills.revisions[0]
    _seed_attempt_submitted_on(app, "head-of-production", revision.changed_on - timedelta(days=30))
    html = user_client.get("/report/head-of-production").get_data(as_text=True)
    changed = dated(revision.changed_on)
    assert f"The skill weights of Head of Production changed on {changed}" in html
    assert "Health, safety and compliance: not weighted → 10" in html
    assert "Supply chain and inventory: 15 → 12" in html
    assert "Leadership:" not in html  # unchanged weights are not listed
    assert escape(revision.why) in html
    # The other roles changed too, and their reports say so for this person as well.
    assert "The skill weights of Production Manager changed" in user_client.get(
        "/report/production-manager"
    ).get_data(as_text=True)


def test_no_weight_notice_when_every_attempt_is_newer_than_the_weights(app, user_client):
    assert "skill weights of" not in user_client.get("/report").get_data(as_text=True)
    revision = app.extensions["catalogue"].roles["head-of-production"].skills.revisions[0]
    _seed_attempt_submitted_on(app, "head-of-production", revision.changed_on + timedelta(days=1))
    html = user_client.get("/report/head-of-production").get_data(as_text=True)
    assert "skill weights of" not in html


def test_compare_shows_all_four_roles(user_client):
    html = user_client.get("/report/compare").get_data(as_text=True)
    for name in (
        "Production Manager",
        "Head of Production",
        "Production Executive",
        "Chief Production Officer",
    ):
        assert name in html
    assert "Overall readiness" in html


def test_exports_contain_all_own_data_and_nothing_else(app, user_client, make_user):
    attempt_id = start(user_client)
    answer_all(user_client, app, attempt_id)
    user_client.post(f"/attempts/{attempt_id}/submit")
    user_client.post(
        "/milestones/certifications/new",
        data={"name": "CPIM", "issuer": "ASCM", "earned_on": "2021-01-01"},
    )
    make_user("eve@example.com", "Eve", role="production-manager")
    eve = app.test_client()
    login(eve, "eve@example.com")
    eve_attempt = start(eve, "skill.leadership")

    response = user_client.get("/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.json
    assert data["profile"]["email"] == "ada@example.com"
    assert [a["id"] for a in data["attempts"]] == [attempt_id]
    assert len(data["attempts"][0]["answers"]) == 9
    assert data["attempts"][0]["skill_scores"][0]["combined_score"] == 100
    [estimate] = data["skill_estimates"]
    assert estimate["skill_id"] == "production-scheduling"
    assert estimate["answers"] == 9
    assert estimate["band_low"] < estimate["estimate"] < estimate["band_high"]
    assert all(a["credit"] == 1.0 for a in data["attempts"][0]["answers"])
    assert data["milestones"]["certifications"][0]["name"] == "CPIM"
    assert eve_attempt not in [a["id"] for a in data["attempts"]]

    response = user_client.get("/export.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["section", "record", "field", "value"]
    assert ["profile", "", "email", "ada@example.com"] in rows
    assert ["certifications", rows[-1][1], "name", "CPIM"] in rows
    assert sum(1 for r in rows if r[0] == "answer" and r[2] == "item_id") == 9
    estimate_fields = {r[2] for r in rows if r[0] == "skill_estimate"}
    assert {"estimate", "band_low", "band_high", "answers"} <= estimate_fields
    assert not any("eve@example.com" in ",".join(r) for r in rows)


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_the_csv_export_neutralises_formulas(user_client, start):
    """OWASP's CSV injection rule: a cell that a spreadsheet would run starts with an
    apostrophe, so it shows as the text that was typed (forms strip a leading tab or carriage
    return; `test_spreadsheet_safe` covers those)."""
    typed = f'{start}HYPERLINK("http://evil.example","Click")'
    response = user_client.post(
        "/milestones/certifications/new",
        data={"name": typed, "issuer": "@SUM(1+1)", "earned_on": "2021-01-01"},
    )
    assert response.status_code == 302, response.text
    rows = list(csv.reader(io.StringIO(user_client.get("/export.csv").get_data(as_text=True))))
    values = {r[2]: r[3] for r in rows if r[0] == "certifications"}
    assert values["name"] == "'" + typed
    assert values["issuer"] == "'@SUM(1+1)"
    assert values["earned_on"] == "2021-01-01"
    assert user_client.get("/export.json").json["milestones"]["certifications"][0]["name"] == typed


def test_spreadsheet_safe():
    for text in ("=1+1", "+1", "-1", "@A1", "\tX", "\rX"):
        assert export.spreadsheet_safe(text) == "'" + text
    assert export.spreadsheet_safe("Plant manager") == "Plant manager"
    assert export.spreadsheet_safe(-3) == -3  # numbers are numbers, not formulas
    assert export.spreadsheet_safe(None) is None


def test_report_pages_need_login(client):
    for url in ("/report", "/report/compare", "/export.json", "/export.csv"):
        assert client.get(url).status_code == 302


@contextmanager
def counting_queries(app) -> Iterator[list[str]]:
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def seed_attempts(app, email: str, n: int) -> None:
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
        seed_submitted_attempts(app.extensions["catalogue"], user_id, n, "production-manager")


@pytest.mark.parametrize("url", ["/report", "/report/compare", "/quizzes", "/export.json"])
def test_query_count_does_not_grow_with_history(app, user_client, make_user, url):
    make_user("heavy@example.com", "Heavy", role="production-manager")
    heavy = app.test_client()
    login(heavy, "heavy@example.com")
    seed_attempts(app, "ada@example.com", 20)
    seed_attempts(app, "heavy@example.com", 2000)
    with counting_queries(app) as light_queries:
        assert user_client.get(url).status_code == 200
    with counting_queries(app) as heavy_queries:
        assert heavy.get(url).status_code == 200
    assert len(light_queries) == len(heavy_queries)
    assert len(heavy_queries) <= 12


def test_chart_labels_are_escaped_though_the_geometry_is_not(app):
    """The charts render their numbers unescaped; the names beside them must still be escaped."""
    name = 'R&D <script>alert("x")</script>'
    with app.test_request_context():
        html = app.jinja_env.from_string(
            '{% from "_chart.html" import line_chart, band_chart %}'
            "{{ line_chart(line, 'Progress', 'p') }}{{ band_chart(bands, 'Skills', 's') }}"
        ).render(
            line=charts.line_charts(["1 Jan", "2 Jan"], [(name, [40.0, 60.0])], emphasis=name),
            bands=charts.band_charts([(name, (50.0, 40.0, 60.0))]),
        )
    assert "<script>" not in html
    # The legend, and the band chart's row in each frame.
    assert html.count("R&amp;D &lt;script&gt;") == 3
    # The wide frame's direct label, wrapped into lines, each escaped.
    assert re.search(r'<tspan x="[\d.]+">R&amp;D</tspan><tspan [^>]+>&lt;script&gt;alert\(', html)
    assert 'points="40.0,140.4 420.0,97.6"' in html  # the line itself, as computed


def _skill_rows(html: str) -> list[tuple[str, str]]:
    """(skill, its cells) for each row of the report's skill table, heaviest first."""
    start = html.index('id="skills-table"')
    table = html[start : html.index("</table>", start)]
    return re.findall(r'<tr>\s*<th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S)


def test_the_skill_table_names_each_value_for_a_phone(user_client):
    """On a phone the table is a card per skill (.reflow): each value says which column it is,
    so "Updated" and "Points missing" are read beside the skill, not off-screen."""
    html = user_client.get("/report").get_data(as_text=True)
    assert 'class="data reflow skills-table" id="skills-table"' in html
    rows = _skill_rows(html)
    assert len(rows) == 12  # every skill of a Production Manager
    for _, cells in rows:
        assert re.findall(r'<td data-label="([^"]+)">', cells) == [
            "Weight",
            "Estimate",
            "Updated",
            "Points missing",
        ]


def _legend(html: str) -> list[str]:
    legend = re.search(r'<ul class="legend">(.*?)</ul>', html, re.S)
    assert legend is not None
    return [html_unescape(name) for name in re.findall(r"</svg> ([^<]+)</li>", legend.group(1))]


def _svg(html: str, frame: str) -> str:
    svg = re.search(
        rf'<svg class="chart-{frame}"[^>]*aria-describedby="progress-table".*?</svg>', html, re.S
    )
    assert svg is not None
    return svg.group(0)


def test_the_chart_draws_the_heaviest_skills_and_the_table_keeps_every_one(app, user_client):
    """Thirteen lines (the overall one and twelve skills) could not all be told apart: the
    chart draws the overall line and the six heaviest skills, each in a colour and a marker
    of its own and named at its end; the table keeps all twelve, and a link draws them all."""
    with app.app_context():
        seed_submitted_attempts(
            app.extensions["catalogue"], get_user(app).id, 3, "production-manager"
        )
    html = user_client.get("/report").get_data(as_text=True)
    heaviest = [html_unescape(name) for name, _ in _skill_rows(html)]
    assert _legend(html) == ["Overall (full assessments)", *heaviest[:6]]
    for frame in ("wide", "narrow"):
        svg = _svg(html, frame)
        looks = re.findall(r'<g class="series[^"]*" stroke="([^"]+)"[^>]*>\s*<polyline', svg)
        markers = re.findall(r'<path d="M[\d.]+ [\d.]+(m[^M"]+)M', svg)
        assert len(set(looks)) == len(set(markers)) == 7
    # Named at their ends where the chart is wide; on a phone the legend under it names them.
    wide_names = re.findall(r'class="end-label">(.*?)</text>', _svg(html, "wide"))
    assert len(wide_names) == 7
    assert "end-label" not in _svg(html, "narrow")
    text = " ".join(html.split())
    assert "draws the 6 most heavily weighted of the 12 skills with scores" in text
    assert 'href="/report?chart=all#progress">Draw all 12 skills in the chart</a>' in text
    start = html.index('id="progress-table"')
    table = html[start : html.index("</table>", start)]
    assert len(re.findall(r'<th scope="col">', table)) == 2 + 1 + 12  # nothing left out

    every = user_client.get("/report?chart=all").get_data(as_text=True)
    assert _legend(every) == ["Overall (full assessments)", *heaviest]
    assert len(re.findall(r'class="end-label"', _svg(every, "wide"))) == 13
    assert 'href="/report#progress">Draw only the 6 most heavily weighted</a>' in every
    # The shared report offers the same choice, on its own address.
    response = user_client.post("/report/production-manager/share", data={"expires": "7"})
    link = re.search(r'value="http://localhost(/shared/[^"]+)"', response.text).group(1)
    shared = app.test_client().get(link).get_data(as_text=True)
    assert f'href="{link}?chart=all#progress"' in shared
    assert len(_legend(app.test_client().get(f"{link}?chart=all").get_data(as_text=True))) == 13


def test_compare_names_every_value_by_its_role(user_client):
    """On a phone the comparison is a card per measure, each value named by its role; the
    links to each role's report sit above the table, whose head a phone does not show."""
    html = user_client.get("/report/compare").get_data(as_text=True)
    roles = ["Production Manager", "Head of Production", "Production Executive"]
    roles.append("Chief Production Officer")
    nav = re.search(r'<nav aria-label="Each role.s full report".*?</nav>', html, re.S)
    assert nav is not None
    assert re.findall(r'<a href="/report/[a-z-]+">([^<]+)</a>', nav.group(0)) == roles
    start = html.index('<table class="data reflow pairs compare">')
    table = html[start : html.index("</table>", start)]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)
    assert len(rows) > 20  # the readiness figures, the requirements, every skill, a next step
    for measure, cells in rows:
        assert re.findall(r'<td(?: class="long")? data-label="([^"]+)">', cells) == roles, measure
    # A skill's estimate is the same for every role: said once, beside the skill's name, and
    # each role's cell says how much that role weighs it.
    skill = next(cells for measure, cells in rows if measure.startswith("Leadership "))
    assert 'Leadership <span class="measure-note">Your estimate: not assessed</span>' in table
    assert re.findall(r'">([^<]+)</td>', skill) == [
        "weight 6",
        "weight 5",
        "weight 10",
        "weight 14",
    ]
    assert "not weighted" in html  # a skill one role does not weigh, said in words


def test_the_timeline_shows_when_a_certification_expired(app, user_client):
    """An expired certification was shown only as earned: its expiry is an event of its own,
    and one still to come is shown as such."""
    for name, earned, expires in (
        ("CPIM", "2019-05-01", "2023-05-01"),
        ("CSCP", "2024-02-01", "2099-02-01"),
    ):
        data = {"name": name, "earned_on": earned, "expires_on": expires}
        assert user_client.post("/milestones/certifications/new", data=data).status_code == 302
    response = user_client.post("/report/production-manager/share", data={"expires": "7"})
    link = re.search(r'value="http://localhost(/shared/[^"]+)"', response.text).group(1)
    for html in (
        user_client.get("/report").get_data(as_text=True),
        app.test_client().get(link).get_data(as_text=True),
    ):
        timeline = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S).group(1)
        events = re.findall(
            r'<time datetime="([^"]+)">[^<]+</time> <span class="badge">([^<]+)</span> ([^<]+)<',
            timeline,
        )
        assert events == [  # newest first
            ("2099-02-01", "Certification", "CSCP expires"),
            ("2024-02-01", "Certification", "Earned CSCP"),
            ("2023-05-01", "Certification", "CPIM expired"),
            ("2019-05-01", "Certification", "Earned CPIM"),
        ]
