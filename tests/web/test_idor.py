"""IDOR sweep: every route that takes an id gives 404 for another user's id, for every method."""

from __future__ import annotations

import re

import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from app.extensions import db
from app.models import (
    Activity,
    Answer,
    ApiToken,
    Certification,
    Education,
    FeedbackInvitation,
    Position,
    ShareLink,
)
from app.services.milestones import KINDS
from tests.conftest import login
from tests.web.quiz_helpers import answer, count, start
from tests.web.test_api import token_for
from tests.web.test_feedback import invite
from tests.web.test_milestones import VALID

VALID_JSON = {
    "education": {
        "level": "bachelor",
        "field": "Engineering",
        "status": "completed",
        "end_date": "2018-06-01",
    },
    "positions": {"title": "Planner", "organisation": "ACME", "start_date": "2019-01-01"},
    "certifications": {"name": "CPIM", "earned_on": "2021-01-01"},
    "activities": {"kind": "course", "title": "Lean", "occurred_on": "2021-01-01"},
}


def id_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    ]


def test_every_id_route_is_404_for_another_user(app, user_client, make_user):
    attempt_id = start(user_client)
    answer(user_client, attempt_id, 1, ["4"])
    milestone_ids = {}
    for kind, (model, data) in VALID.items():
        user_client.post(f"/milestones/{kind}/new", data=data)
        with app.app_context():
            milestone_ids[kind] = db.session.scalar(sa.select(model.id))

    user_client.post("/report/production-manager/share", data={"expires": "30"})
    user_client.post("/profile/tokens", data={"token-name": "mine", "token-scope": "read write"})
    invite(user_client, "peer", "Sam")
    with app.app_context():
        link_id = db.session.scalar(sa.select(ShareLink.id))
        token_id = db.session.scalar(sa.select(ApiToken.id))
        invitation_id = db.session.scalar(sa.select(FeedbackInvitation.id))

    make_user("mallory@example.com", "Mallory", role="production-manager")
    mallory = app.test_client()
    login(mallory, "mallory@example.com")
    bearer = {"Authorization": f"Bearer {token_for(app, 'mallory@example.com')}"}

    checked = set()
    for rule in id_rules(app):
        variants = []
        if "attempt_id" in rule.arguments:
            variants.append({"attempt_id": attempt_id, "position": 1})
        if "milestone_id" in rule.arguments:
            kind_in_path = re.search(r"/milestones/(\w+)/", rule.rule)
            kinds = [kind_in_path.group(1)] if kind_in_path else list(milestone_ids)
            variants.extend({"kind_slug": k, "milestone_id": milestone_ids[k]} for k in kinds)
        if "link_id" in rule.arguments:
            variants.append({"link_id": link_id})
        if "token_id" in rule.arguments:
            variants.append({"token_id": token_id})
        if "invitation_id" in rule.arguments:
            variants.append({"invitation_id": invitation_id})
        assert variants, f"IDOR sweep does not know how to fill {rule.rule}; add it here"
        api = rule.rule.startswith("/api/")
        for values in variants:
            url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=values: str(v[m.group(1)]), rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                kind = values.get("kind_slug", "positions")
                if api:
                    body = dict(VALID_JSON[kind]) if "milestone_id" in values else {"values": ["1"]}
                    response = mallory.open(url, method=method, json=body, headers=bearer)
                else:
                    data = {
                        "position": "1",
                        "answer": "1",
                        "skip_unanswered": "y",
                        **VALID[kind][1],
                    }
                    response = mallory.open(url, method=method, data=data)
                assert response.status_code == 404, (method, url, response.status_code)
        checked.add(rule.endpoint)

    assert checked >= {
        "api.get_attempt",
        "api.save_answer",
        "api.submit_attempt",
        "api.delete_positions",
        "profile.revoke_share",
        "profile.revoke_token",
        "quiz.attempt",
        "quiz.answer",
        "quiz.review",
        "quiz.submit",
        "quiz.result",
        "milestones.edit",
        "milestones.delete",
        "feedback.revoke",
        "feedback.extend",
        "feedback.relink",
    }
    # Nothing of the owner's changed.
    assert count(app, Answer) == 1
    for model in (Education, Position, Certification, Activity):
        assert count(app, model) == 1
    assert user_client.get(f"/attempts/{attempt_id}/review").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(ShareLink.revoked_at)) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 2
    assert set(KINDS) == set(milestone_ids)
