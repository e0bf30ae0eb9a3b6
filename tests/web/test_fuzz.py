"""Hypothesis fuzzes every form and the answer endpoint: never a 500, never a lost answer."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import Answer, Position, User
from app.services.milestones import KINDS
from tests.web.quiz_helpers import answer, count, questions, start

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "9" * 30,
            "2024-02-30",
            "1999-12-31",
            "a,b",
            "\x00",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "ä" * 200,
        ]
    ),
)
values = st.one_of(text, st.lists(text, max_size=4))

FORMS = {
    **{f"/milestones/{slug}/new": list(kind.fields) for slug, kind in KINDS.items()},
    "/register": ["email", "display_name"],
    "/login": ["email", "password"],
    "/choose-role": ["target_role"],
    "/profile": ["profile-display_name", "profile-target_role"],
    "/profile/password": ["password-current_password", "password-new_password", "password-confirm"],
}


@pytest.mark.parametrize("url", sorted(FORMS))
def test_forms_never_500(app, user_client, url):
    before_users = count(app, User)

    @FUZZ
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(FORMS[url], values)))
    def run(data):
        response = user_client.post(url, data=data)
        assert response.status_code < 500, (url, data)
        user_client.get("/dashboard")

    run()
    assert count(app, User) >= before_users


def test_answer_endpoint_never_500_and_never_loses_a_saved_answer(app, user_client):
    attempt_id = start(user_client)
    qs = questions(app, attempt_id)
    assert answer(user_client, attempt_id, 1, ["4"]).status_code == 302

    @FUZZ
    @given(
        position=st.one_of(st.integers(-5, 40).map(str), text),
        answer_values=values,
        skip=st.booleans(),
        wants_json=st.booleans(),
    )
    def run(position, answer_values, skip, wants_json):
        data = {"position": position, "answer": answer_values}
        if skip:
            data["skip"] = "1"
        headers = {"Accept": "application/json"} if wants_json else {}
        response = user_client.post(f"/attempts/{attempt_id}/answer", data=data, headers=headers)
        assert response.status_code < 500
        try:
            targets_first = int(position) == 1
        except ValueError:
            targets_first = False
        if targets_first:  # a legitimate change of question 1: put the known answer back
            assert answer(user_client, attempt_id, 1, ["4"]).status_code == 302
        assert questions(app, attempt_id)[0].rating == 4  # the saved answer is untouched

    run()
    assert count(app, Answer, attempt_id=attempt_id) <= len(qs)


def test_position_form_fuzz_keeps_saved_positions(app, user_client):
    user_client.post(
        "/milestones/positions/new",
        data={"title": "Keeper", "organisation": "ACME", "start_date": "2019-01-01"},
    )
    assert count(app, Position) == 1
    with app.app_context():
        position_id = db.session.scalar(sa.select(Position.id))

    fields = FORMS["/milestones/positions/new"]

    @FUZZ
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(fields, values)))
    def run(data):
        response = user_client.post(
            f"/milestones/positions/{position_id}/edit",
            data=data,
        )
        assert response.status_code in (302, 422)

    run()
    assert count(app, Position) == 1
