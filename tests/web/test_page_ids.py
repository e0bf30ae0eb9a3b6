"""Every page's HTML uses each id once (labels, aria-* and fragment links need unique ids), and
every refused form puts the focus on its error summary as the page loads."""

from __future__ import annotations

import re
from collections import Counter

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import FeedbackInvitation, User
from app.services import tokens
from tests.conftest import get_user
from tests.web.quiz_helpers import answer, answer_all, start
from tests.web.test_feedback import invite
from tests.web.test_milestones import VALID
from tests.web.test_sharing import share

ID = re.compile(r'\sid="([^"]*)"')
AUTOFOCUS = re.compile(r"<(\w+)[^>]*\sautofocus[\s>]")
NOT_PAGES = ("/api/", "/static/")


def duplicate_ids(html: str) -> list[str]:
    return sorted(i for i, n in Counter(ID.findall(html)).items() if n > 1)


def _fill(rule: str, values: dict[str, list[str]], milestone_ids: dict[str, str]) -> list[str]:
    """The rule's URL for each combination of known values (a milestone id goes with its kind,
    which comes first in the rule)."""
    urls = [rule]
    for name in re.findall(r"<(?:\w+:)?(\w+)>", rule):
        pattern = rf"<(?:\w+:)?{name}>"
        if name == "milestone_id":
            urls = [re.sub(pattern, milestone_ids[url.split("/")[2]], url) for url in urls]
        else:
            urls = [re.sub(pattern, value, url) for url in urls for value in values[name]]
    return urls


def test_no_page_repeats_an_id(app: Flask, user_client: FlaskClient):
    submitted = start(user_client)
    answer_all(user_client, app, submitted)
    user_client.post(f"/attempts/{submitted}/submit")
    in_progress = start(user_client, "skill.quality-control")
    answer(user_client, in_progress, 1, ["4"])
    values: dict[str, list[str]] = {
        "attempt_id": [str(submitted), str(in_progress)],
        "kind_slug": list(VALID),
        "slug": ["production-manager"],
        "secret": [
            share(user_client).rsplit("/", 1)[1],
            invite(user_client, "peer", "Sam").rsplit("/", 1)[1],
        ],
        "skill_id": ["production-scheduling"],
    }
    with app.app_context():
        values["invitation_id"] = [str(db.session.scalar(sa.select(FeedbackInvitation.id)))]
    milestone_ids = {}
    for kind, (model, data) in VALID.items():
        user_client.post(f"/milestones/{kind}/new", data=data)
        with app.app_context():
            milestone_ids[kind] = str(db.session.scalar(sa.select(model.id)))
    user_client.post("/profile/tokens", data={"token-name": "mine", "token-scope": "read"})
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        user.is_admin = True
        db.session.commit()
        user = get_user(app)
        values["token"] = [
            tokens.email_token(user, "new@example.com"),
            tokens.signup_token("new@example.com", "New"),
            tokens.reset_token(user),
        ]
    anonymous = app.test_client()

    scanned, problems = set(), {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(NOT_PAGES):
            continue
        for url in _fill(rule.rule, values, milestone_ids):
            for client in (user_client, anonymous):
                response = client.get(url)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                scanned.add(rule.endpoint)
                if found := duplicate_ids(response.text):
                    problems[url] = found
    assert problems == {}
    assert scanned >= {
        "main.index",
        "main.dashboard",
        "quiz.index",
        "quiz.history",
        "quiz.attempt",
        "quiz.review",
        "quiz.result",
        "quiz.discard",
        "milestones.index",
        "milestones.new",
        "milestones.edit",
        "profile.edit",
        "profile.confirm_email",
        "report.index",
        "report.role",
        "report.share",
        "report.shared",
        "admin.items",
        "auth.login",
        "auth.register",
        "auth.finish_signup",
        "auth.reset_password",
        "feedback.index",
        "feedback.close",
        "feedback.rater_start",
        "feedback.rater_skill",
        "feedback.rater_review",
        "feedback.opt_out",
        "feedback.revoke",
    }


def test_a_refused_form_focuses_its_error_summary(app: Flask, user_client: FlaskClient):
    attempt_id = start(user_client)
    refused = {
        "/attempts/{a}/submit": {},
        "/attempts/{a}/discard": {},
        "/milestones/positions/new": {"title": ""},
        "/profile": {"profile-display_name": ""},
        "/profile/password": {},
        "/profile/email": {},
        "/profile/tokens": {},
        "/profile/delete": {},
        "/report/production-manager/share": {"expires": "x"},
        "/import": {},
        "/choose-role": {"target_role": "nobody"},
    }
    anonymous = {"/login": {"email": "x"}, "/register": {}, "/forgot-password": {}}
    for client, forms in ((user_client, refused), (app.test_client(), anonymous)):
        for url, data in forms.items():
            response = client.post(url.format(a=attempt_id), data=data)
            assert response.status_code == 422, url
            html = response.text
            assert re.findall(r'<div class="error-summary"[^>]*>', html) == [
                '<div class="error-summary" role="alert" tabindex="-1" autofocus>'
            ], url
            assert AUTOFOCUS.findall(html) == ["div"], url
            assert duplicate_ids(html) == [], url


def test_a_question_page_focuses_the_answers_or_the_refusal(app: Flask, user_client: FlaskClient):
    attempt_id = start(user_client)
    html = user_client.get(f"/attempts/{attempt_id}?q=1").text
    assert re.findall(r"<input [^>]*autofocus[^>]*>", html) == [
        '<input autofocus id="answer-0" name="answer" type="radio" value="1">'
    ]
    answer(user_client, attempt_id, 1, ["3"])
    html = user_client.get(f"/attempts/{attempt_id}?q=1").text
    assert 'checked autofocus id="answer-2"' in html
    html = answer(user_client, attempt_id, 1, ["9"]).text
    assert AUTOFOCUS.findall(html) == ["p"]
    assert 'id="answer-error" role="alert" tabindex="-1" autofocus' in html
