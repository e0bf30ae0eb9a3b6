"""Read-only share links for a mentor, and the profile's list of links and API tokens."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, ShareLink
from tests.conftest import login
from tests.text import spaced
from tests.web.quiz_helpers import answer_all, start
from tests.web.test_feedback import with_closed_feedback_round


def share(client, slug: str = "production-manager", **data) -> str:
    response = client.post(
        f"/report/{slug}/share", data={"label": "for my mentor", "expires": "30", **data}
    )
    assert response.status_code == 201, response.text
    match = re.search(r'value="(http://localhost(/shared/[^"]+))"', response.text)
    assert match, response.text
    return match.group(2)


def test_a_mentor_reads_the_report_without_an_account(app, user_client):
    attempt_id = start(user_client)
    answer_all(user_client, app, attempt_id)
    user_client.post(f"/attempts/{attempt_id}/submit")
    link = share(user_client)
    secret = link.rsplit("/", 1)[1]
    assert len(secret) >= 43  # 256 random bits, URL-safe

    mentor = app.test_client()
    response = mentor.get(link)
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.text
    assert "Readiness for Production Manager" in html
    assert "for my mentor" in html
    assert "likely between" in html  # the bands
    assert "ada@example.com" not in html
    assert 'href="/quizzes"' not in html  # no links into the owner's account
    with app.app_context():
        row = db.session.scalar(sa.select(ShareLink))
        assert row.token_hash != secret  # only the hash is kept
        assert len(row.token_hash) == 64
        assert row.view_count == 1
        assert row.last_viewed_at is not None
    profile = spaced(" ".join(user_client.get("/profile").text.split()))
    assert re.search(r'data-label="Viewed">1 time, last \d+ \w{3} \d{4}, \d\d:\d\d UTC<', profile)


def test_revoked_and_expired_links_say_so_with_410_and_unknown_ones_are_404(app, user_client):
    link = share(user_client)
    mentor = app.test_client()
    assert mentor.get(link).status_code == 200
    profile = user_client.get("/profile").text
    assert "for my mentor" in profile
    link_id = re.search(r"/profile/shares/(\d+)/revoke", profile).group(1)
    assert user_client.post(f"/profile/shares/{link_id}/revoke").status_code == 302
    revoked = mentor.get(link)
    assert revoked.status_code == 410
    assert "has withdrawn the link" in revoked.text
    assert "Ada" not in revoked.text  # nothing of the report or its owner
    assert "for my mentor" not in user_client.get("/profile").text

    expiring = share(user_client, expires="7")
    with app.app_context():
        db.session.execute(
            sa.update(ShareLink)
            .where(ShareLink.revoked_at.is_(None))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
    expired = mentor.get(expiring)
    assert expired.status_code == 410
    assert "The link expired on" in expired.text
    assert mentor.get("/shared/" + "x" * 43).status_code == 404


def test_sending_the_form_again_shows_the_same_link_and_makes_no_second(app, user_client):
    """A reload of the result page (the browser sends the POST again), a double click or Back
    and resend: the same link, one row. After a revoke, the old form makes nothing."""
    with_closed_feedback_round(app)  # so that the form offers the feedback
    page = user_client.get("/report/production-manager/share").text
    once = re.search(r'name="once" type="hidden" value="([^"]+)"', page).group(1)
    first = share(user_client, once=once)
    assert share(user_client, once=once) == first
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ShareLink)) == 1
    assert app.test_client().get(first).status_code == 200

    # Back, change the form, send again: what it says now, in a link of its own.
    with_feedback = share(user_client, once=once, include_feedback="y")
    assert with_feedback != first
    assert (
        "It includes the feedback from your raters"
        in user_client.post(
            "/report/production-manager/share",
            data={"label": "for my mentor", "expires": "30", "once": once, "include_feedback": "y"},
        ).text
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ShareLink)) == 2

    another_view = user_client.get("/report/production-manager/share").text
    assert once not in another_view  # each view of the form makes its own link
    assert share(user_client) != first  # (no once at all, as from an older page: a new link)

    for link_id in re.findall(r"/profile/shares/(\d+)/revoke", user_client.get("/profile").text):
        user_client.post(f"/profile/shares/{link_id}/revoke")
    resent = user_client.post(
        "/report/production-manager/share",
        data={"label": "for my mentor", "expires": "30", "once": once},
    )
    assert resent.status_code == 409
    assert "has since been revoked" in resent.text
    assert app.test_client().get(first).status_code == 410  # not brought back
    fresh_once = re.search(r'name="once" type="hidden" value="([^"]+)"', resent.text).group(1)
    assert fresh_once != once
    assert share(user_client, once=fresh_once) != first


def test_someone_elses_link_cannot_be_revoked(app, user_client, make_user):
    share(user_client)
    with app.app_context():
        link_id = db.session.scalar(sa.select(ShareLink.id))
    make_user("eve@example.com", "Eve")
    eve = app.test_client()
    login(eve, "eve@example.com")
    assert eve.post(f"/profile/shares/{link_id}/revoke").status_code == 404


def test_share_link_needs_a_known_role_and_a_short_label(user_client):
    assert user_client.post("/report/astronaut/share", data={"expires": "30"}).status_code == 404
    page = user_client.get("/report/production-manager/share")
    assert page.status_code == 200
    assert "They do not see your email address" in page.text
    response = user_client.post(
        "/report/production-manager/share", data={"label": "x" * 81, "expires": "30"}
    )
    assert response.status_code == 422  # the form again, with the message and the input kept
    assert "Keep the label under 80 characters." in response.text
    assert 'value="' + "x" * 81 + '"' in response.text
    bad_expiry = user_client.post(
        "/report/production-manager/share", data={"label": "ok", "expires": "365"}
    )
    assert bad_expiry.status_code == 422


def test_tokens_are_shown_once_listed_and_revoked(app, user_client):
    created = user_client.post(
        "/profile/tokens",
        data={"token-name": "my dashboard", "token-scope": "read", "token-expires": "90"},
    )
    assert created.status_code == 201
    secret = re.search(r'value="(prt_[^"]+)"', created.text).group(1)
    profile = user_client.get("/profile").text
    assert "my dashboard" in profile
    assert "read only" in profile
    assert secret not in profile  # never shown again
    api = app.test_client()
    assert (
        api.get("/api/v1/roles", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    assert user_client.post(f"/profile/tokens/{token_id}/revoke").status_code == 302
    assert (
        api.get("/api/v1/roles", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )
    nameless = user_client.post("/profile/tokens", data={"token-name": "", "token-scope": "read"})
    assert nameless.status_code == 422
    assert "Give the token a name." in nameless.text


def test_feedback_is_offered_only_once_a_round_has_closed(app, user_client):
    """Before any closed round the tick promised feedback the shared page could not show."""
    page = user_client.get("/report/production-manager/share").text
    assert 'name="include_feedback"' not in page
    assert "can be included once a round of feedback for this role has closed" in " ".join(
        page.split()
    )
    made = user_client.post(
        "/report/production-manager/share", data={"expires": "30", "include_feedback": "y"}
    ).text
    assert "It does not include the feedback from your raters." in " ".join(made.split())
    with app.app_context():
        assert db.session.scalar(sa.select(ShareLink.include_feedback)) is False
    with_closed_feedback_round(app)
    assert 'name="include_feedback"' in user_client.get("/report/production-manager/share").text
