"""IDOR sweep: every route that takes an id gives 404 for another user's id, for every method."""

from __future__ import annotations

import re

import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from app.extensions import db
from app.models import Activity, Answer, Certification, Education, Position
from app.services.milestones import KINDS
from tests.conftest import login
from tests.web.quiz_helpers import answer, count, start
from tests.web.test_milestones import VALID


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

    make_user("mallory@example.com", "Mallory", role="production-manager")
    mallory = app.test_client()
    login(mallory, "mallory@example.com")

    checked = set()
    for rule in id_rules(app):
        variants = []
        if "attempt_id" in rule.arguments:
            variants.append({"attempt_id": attempt_id})
        if "milestone_id" in rule.arguments:
            variants.extend({"kind_slug": k, "milestone_id": i} for k, i in milestone_ids.items())
        assert variants, f"IDOR sweep does not know how to fill {rule.rule}; add it here"
        for values in variants:
            url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=values: str(v[m.group(1)]), rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                data = {
                    "position": "1",
                    "answer": "1",
                    "skip_unanswered": "y",
                    **VALID[values.get("kind_slug", "positions")][1],
                }
                response = mallory.open(url, method=method, data=data)
                assert response.status_code == 404, (method, url, response.status_code)
        checked.add(rule.endpoint)

    assert checked >= {
        "quiz.attempt",
        "quiz.answer",
        "quiz.review",
        "quiz.submit",
        "quiz.result",
        "milestones.edit",
        "milestones.delete",
    }
    # Nothing of the owner's changed.
    assert count(app, Answer) == 1
    for model in (Education, Position, Certification, Activity):
        assert count(app, model) == 1
    assert user_client.get(f"/attempts/{attempt_id}/review").status_code == 200
    assert set(KINDS) == set(milestone_ids)
