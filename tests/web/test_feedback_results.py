"""What a closed feedback round shows, and where, through the real stack: the report of the
round's own role only, the named groups' and the all-raters' columns, the rater's start and
opt-out pages in every state, round-over-time headings, and the privacy of /r/ error pages."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import FeedbackInvitation, FeedbackRound
from tests.conftest import login
from tests.text import spaced
from tests.web.test_feedback import (
    ROLE,
    close,
    feedback_section,
    invite,
    rate,
    shared_page,
)

OTHER_ROLE = "head-of-production"


def test_a_round_shows_only_on_the_report_of_its_role(app: Flask, user_client: FlaskClient) -> None:
    rate(app, invite(user_client, "manager", "Grace"), 2, comment="Plans ahead")
    close(user_client)
    assert "Plans ahead" in feedback_section(user_client.get(f"/report/{ROLE}").text)
    other = feedback_section(user_client.get(f"/report/{OTHER_ROLE}").text)
    assert "feedback-round" not in other
    assert "No feedback yet" in other
    assert feedback_section(shared_page(app, user_client, OTHER_ROLE, include_feedback="y")) == ""


def test_two_managers_are_one_figure_and_say_so(app: Flask, user_client: FlaskClient) -> None:
    first, second = invite(user_client, "manager", "Grace"), invite(user_client, "manager", "Bo")
    start = app.test_client().get(first).text
    assert "shown to Ada as their manager's" in start
    assert "If Ada asked more than one manager, your ratings of a skill are shown together" in start
    assert "not combined with anyone" not in start
    rate(app, first, 1)
    rate(app, second, 5)
    page = close(user_client)
    assert '<th scope="col">Manager (2)</th>' in page
    assert '<td data-label="Manager (2)">3.0</td>' in page
    assert (
        '"Manager (2)" is the mean of the 2 managers who answered, for each skill of those who '
        "observed it" in " ".join(page.split())
    )


def test_other_colleagues_and_all_raters_are_told_apart(
    app: Flask, user_client: FlaskClient
) -> None:
    for level in (2, 3, 4):
        rate(app, invite(user_client, "other", f"Other {level}"), level)
    rate(app, invite(user_client, "manager", "Grace"), 5)
    page = close(user_client)
    assert '<th scope="col">Other colleagues</th>' in page
    assert '<td data-label="Other colleagues">3.0</td>' in page
    assert '<th scope="col">All raters</th>' in page
    assert '<td data-label="All raters">3.5</td>' in page
    assert ">Others<" not in page
    assert 'data-label="Others"' not in page


def test_the_rater_is_addressed_as_what_they_are(app: Flask, user_client: FlaskClient) -> None:
    expected = {
        "manager": "as their manager,",
        "mentor": "as their mentor,",
        "peer": "as a peer,",
        "direct_report": "as someone who reports to them,",
        "other": "as someone who works with them,",
    }
    for relationship, words in expected.items():
        page = app.test_client().get(invite(user_client, relationship, relationship)).text
        assert f"has asked you, {words} how you see their work" in " ".join(page.split())


def _opt_out_text(app: Flask, path: str) -> str:
    return html.unescape(" ".join(app.test_client().get(f"{path}/opt-out").text.split()))


def _set(app: Flask, **values: object) -> None:
    with app.app_context():
        db.session.execute(sa.update(FeedbackInvitation).values(**values))
        db.session.commit()


def test_the_opt_out_page_says_where_the_request_stands(
    app: Flask, ada: FlaskClient, inbox
) -> None:
    login(ada)
    ada.post("/feedback", data={"relationship": "peer", "label": "Sam", "email": "sam@ex.com"})
    text = inbox.text(inbox.to("sam@ex.com")[0])
    path = re.search(r"http://localhost(/r/\S+)/opt-out", text).group(1)
    assert "stays open if you still want to answer it" in _opt_out_text(app, path)
    now = datetime.now(UTC)
    _set(app, expires_at=now - timedelta(days=1))
    assert "The request from Ada has expired" in _opt_out_text(app, path)
    _set(app, revoked_at=now)
    assert "Ada has withdrawn this request" in _opt_out_text(app, path)
    _set(app, revoked_at=None, expires_at=now + timedelta(days=1), submitted_at=now)
    assert "Your answers to Ada's request are already in" in _opt_out_text(app, path)
    _set(app, submitted_at=None)
    close(ada)
    closed = _opt_out_text(app, path)
    assert "Ada has closed this round" in closed
    assert "stays open" not in closed


def test_rounds_closed_the_same_day_are_told_apart_over_time(
    app: Flask, user_client: FlaskClient
) -> None:
    for level in (2, 3, 4):
        rate(app, invite(user_client, "manager", "Grace"), level)
        page = close(user_client)
    headings = re.findall(r'<th scope="col">(Round \d, closed [^<]+)</th>', page)
    assert [h.split(",")[0] for h in headings] == ["Round 1", "Round 2", "Round 3"]
    assert re.fullmatch(r"Round 1, closed \d{1,2}\s\w{3}\s\d{4}", headings[0])
    with app.app_context():
        first = db.session.scalar(sa.select(FeedbackRound).order_by(FeedbackRound.id))
        first.closed_at = datetime(2025, 3, 7, 12, tzinfo=UTC)
        db.session.commit()
    page = spaced(user_client.get("/feedback").text)
    assert '<th scope="col">7 Mar 2025</th>' in page  # its own day: the date alone, in full
    assert '<th scope="col">Round 2, closed ' in page


def test_error_pages_under_the_rater_path_stay_private(
    app: Flask, user_client: FlaskClient
) -> None:
    path = invite(user_client, "peer", "Sam")
    rater = app.test_client()
    for gone in ("/r/not-a-real-secret", f"{path}/skills/no-such-skill"):
        response = rater.get(gone)
        assert response.status_code == 404
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "X-Robots-Tag" not in user_client.get("/no-such-page").headers
