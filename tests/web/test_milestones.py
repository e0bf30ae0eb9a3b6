"""Milestone CRUD through the forms, with validation and access control."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Activity, Certification, Education, Position, User
from app.services.charts import dated
from app.services.milestones import list_all
from tests.conftest import login
from tests.text import spaced
from tests.web.quiz_helpers import count

# Two days ahead, so a run that crosses midnight still sees a future date.
FUTURE_DAY = (date.today() + timedelta(days=2)).isoformat()

VALID = {
    "education": (
        Education,
        {
            "level": "bachelor",
            "field": "Industrial engineering",
            "institution": "State U",
            "status": "completed",
            "start_date": "2010-09-01",
            "end_date": "2014-06-30",
        },
    ),
    "positions": (
        Position,
        {
            "title": "Shift supervisor",
            "organisation": "ACME Plastics",
            "start_date": "2015-01-05",
            "end_date": "",
            "in_production": "y",
            "managed_people": "y",
            "people_managed": "12",
        },
    ),
    "certifications": (
        Certification,
        {"name": "CPIM", "issuer": "ASCM", "earned_on": "2021-03-01", "expires_on": "2026-03-01"},
    ),
    "activities": (
        Activity,
        {"kind": "conference", "title": "Lean summit", "occurred_on": "2023-10-10", "notes": ""},
    ),
}


@pytest.mark.parametrize("kind", sorted(VALID))
def test_add_edit_delete_each_kind(app, user_client, kind):
    model, data = VALID[kind]
    assert user_client.get(f"/milestones/{kind}/new").status_code == 200
    response = user_client.post(f"/milestones/{kind}/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count(app, model) == 1
    listing = user_client.get("/milestones").get_data(as_text=True)
    first_text = data.get("title") or data.get("name") or data.get("field")
    assert first_text in listing
    row_id = _only_id(app, model)
    edited = {**data}
    key = next(k for k in ("title", "name", "field") if k in data)
    edited[key] = "Edited value"
    assert user_client.post(f"/milestones/{kind}/{row_id}/edit", data=edited).status_code == 302
    assert "Edited value" in user_client.get("/milestones").get_data(as_text=True)
    confirm = user_client.get(f"/milestones/{kind}/{row_id}/delete")
    assert confirm.status_code == 200
    assert "Edited value" in confirm.get_data(as_text=True)  # says which one it would delete
    assert count(app, model) == 1  # asking deletes nothing
    assert user_client.post(f"/milestones/{kind}/{row_id}/delete").status_code == 302
    assert count(app, model) == 0
    listing = user_client.get("/milestones").get_data(as_text=True)
    # The message and its Undo are in the section the redirect scrolls to, not above it.
    section = re.search(f'<section id="{kind}".*?</section>', listing, re.S).group()
    assert "Deleted the" in section
    assert "Undo the delete" in section
    assert listing.count("Deleted the") == 1
    assert user_client.post("/milestones/undo").status_code == 302
    assert count(app, model) == 1
    assert "Edited value" in user_client.get("/milestones").get_data(as_text=True)
    assert "Undo the delete" not in user_client.get("/milestones").get_data(as_text=True)
    user_client.post("/milestones/undo")  # a second undo restores nothing more
    assert count(app, model) == 1


def _only_id(app, model) -> int:
    import sqlalchemy as sa

    from app.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(model.id))


@pytest.mark.parametrize(
    ("kind", "changes", "message"),
    [
        (
            "positions",
            {"end_date": "2014-01-01"},
            "The end date must be on or after the start date.",
        ),
        ("positions", {"start_date": FUTURE_DAY}, "The start date cannot be in the future."),
        ("positions", {"start_date": "not a date"}, "Enter a date as YYYY-MM-DD."),
        ("positions", {"start_date": ""}, "Enter the start date."),
        ("positions", {"start_date": "1200-01-01"}, "Use a date after 1940."),
        ("positions", {"people_managed": ""}, "Enter how many people you managed."),
        ("positions", {"people_managed": "-3"}, "Enter 1 to 100000."),
        ("positions", {"people_managed": "1e9"}, "Enter a whole number, like 12."),
        (
            "education",
            {"status": "planned", "start_date": "", "end_date": "2101-01-01"},
            "Use a date before 2101.",
        ),
        ("positions", {"title": "   "}, "Enter the job title."),
        ("education", {"end_date": FUTURE_DAY}, "A completion date cannot be in the future."),
        ("education", {"end_date": ""}, "Enter the date you completed it."),
        ("education", {"level": "kindergarten"}, "Not a valid choice"),
        (
            "education",
            {"end_date": "2009-01-01"},
            "The completion date must be on or after the start date.",
        ),
        (
            "education",
            {"status": "planned", "start_date": "", "end_date": "2010-06-01"},
            "A planned or in-progress programme cannot finish in the past: move the date, or mark "
            "it Completed.",
        ),
        (
            "education",
            {"status": "planned", "start_date": "2020-09-01", "end_date": FUTURE_DAY},
            "The start date of a planned programme (is it in progress?) cannot be in the past.",
        ),
        (
            "certifications",
            {"expires_on": "2021-03-01"},
            "The expiry date must be after the date earned.",
        ),
        (
            "certifications",
            {"expires_on": "2020-01-01"},
            "The expiry date must be after the date earned.",
        ),
        ("activities", {"kind": "party"}, "Not a valid choice"),
        ("activities", {"notes": "x" * 501}, "Keep notes under 500 characters."),
    ],
)
def test_bad_input_is_422_with_a_message_and_keeps_what_was_typed(
    app, user_client, kind, changes, message
):
    model, data = VALID[kind]
    response = user_client.post(f"/milestones/{kind}/new", data={**data, **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    keep = data.get("title") or data.get("name") or data.get("field")
    if keep not in changes.values() and "title" not in changes:
        assert f'value="{keep}"' in html
    assert count(app, model) == 0


def test_planned_education_may_have_a_future_date(app, user_client):
    data = {
        "level": "mba",
        "field": "Business",
        "institution": "",
        "status": "planned",
        "start_date": FUTURE_DAY,
        "end_date": "2030-06-01",
    }
    assert user_client.post("/milestones/education/new", data=data).status_code == 302
    assert "MBA" in user_client.get("/milestones").get_data(as_text=True)


def test_a_people_count_without_managing_is_refused_in_one_message(app, user_client):
    data = {**VALID["positions"][1], "people_managed": "7"}
    data.pop("managed_people")
    response = user_client.post("/milestones/positions/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "did not tick “I managed people in this job”: tick it, or clear the number." in html
    assert count(app, Position) == 0
    data["people_managed"] = ""
    assert user_client.post("/milestones/positions/new", data=data).status_code == 302


def test_one_message_per_field(user_client):
    data = {**VALID["positions"][1], "people_managed": "1e9"}
    html = user_client.post("/milestones/positions/new", data=data).get_data(as_text=True)
    assert "Enter a whole number, like 12." in html
    assert "Enter 1 to 100000." not in html
    assert "Enter how many people you managed." not in html


def test_booked_events_and_exams_may_be_in_the_future_and_say_so(app, user_client):
    assert (
        user_client.post(
            "/milestones/activities/new",
            data={"kind": "conference", "title": "Lean summit", "occurred_on": FUTURE_DAY},
        ).status_code
        == 302
    )
    assert (
        user_client.post(
            "/milestones/certifications/new",
            data={"name": "CPIM", "issuer": "ASCM", "earned_on": FUTURE_DAY},
        ).status_code
        == 302
    )
    listing = " ".join(user_client.get("/milestones").get_data(as_text=True).split())
    assert "booked</span>" in listing
    shown = spaced(dated(date.fromisoformat(FUTURE_DAY)))  # the listings are read spaced
    assert f"exam on {shown}" in listing
    report = " ".join(user_client.get("/report").get_data(as_text=True).split())
    assert f"Exam booked for {shown}" in report  # not counted as held before the day
    assert f"Sit the CPIM exam on {shown}" in report


def test_an_expired_certification_is_marked_expired(app, user_client):
    data = {"name": "CPIM", "issuer": "ASCM", "earned_on": "2015-01-01", "expires_on": "2020-01-01"}
    assert user_client.post("/milestones/certifications/new", data=data).status_code == 302
    listing = " ".join(user_client.get("/milestones").get_data(as_text=True).split())
    assert "expired 1 Jan 2020" in listing
    assert 'class="badge bad">expired</span>' in listing


def test_failed_edit_keeps_the_saved_row(app, user_client):
    _, data = VALID["positions"]
    user_client.post("/milestones/positions/new", data=data)
    row_id = _only_id(app, Position)
    response = user_client.post(
        f"/milestones/positions/{row_id}/edit", data={**data, "end_date": "2000-01-01"}
    )
    assert response.status_code == 422
    assert "Shift supervisor" in user_client.get("/milestones").get_data(as_text=True)


def test_unknown_kind_is_404(user_client):
    assert user_client.get("/milestones/hobbies/new").status_code == 404


@pytest.mark.parametrize("kind", sorted(VALID))
def test_other_users_milestones_are_404(app, user_client, make_user, kind):
    model, data = VALID[kind]
    user_client.post(f"/milestones/{kind}/new", data=data)
    row_id = _only_id(app, model)
    make_user("eve@example.com", "Eve")
    eve = app.test_client()
    login(eve, "eve@example.com")
    assert eve.get(f"/milestones/{kind}/{row_id}/edit").status_code == 404
    assert eve.post(f"/milestones/{kind}/{row_id}/edit", data=data).status_code == 404
    gone = eve.post(f"/milestones/{kind}/{row_id}/delete")
    assert gone.status_code == 404
    assert "may have been deleted in another tab" in gone.text  # what a stale tab sees too
    assert 'href="/milestones">Back to your milestones' in gone.text
    assert count(app, model) == 1
    first_text = data.get("title") or data.get("name") or data.get("field")
    assert f"<strong>{first_text}</strong>" not in eve.get("/milestones").get_data(as_text=True)


def test_empty_states_say_what_to_do(user_client):
    html = user_client.get("/milestones").get_data(as_text=True)
    assert "Nothing logged yet." in html
    assert "we compute your years in production" in html


def test_each_kind_lists_newest_first_and_undated_first(app, user_client):
    """One query reads every kind (services.milestones.list_all), each kind in its own order."""
    for title, start in (
        ("Planner", "2016-03-01"),
        ("Manager", "2021-07-01"),
        ("Lead", "2019-01-01"),
    ):
        user_client.post(
            "/milestones/positions/new",
            data={**VALID["positions"][1], "title": title, "start_date": start},
        )
    for field, end in (("Physics", "2012-06-30"), ("MBA", ""), ("Chemistry", "2015-06-30")):
        status = "in_progress" if not end else "completed"
        user_client.post(
            "/milestones/education/new",
            data={**VALID["education"][1], "field": field, "end_date": end, "status": status},
        )
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id))
        listed = list_all(user_id)
    assert [p.title for p in listed["positions"]] == ["Manager", "Lead", "Planner"]
    assert [e.field for e in listed["education"]] == ["MBA", "Chemistry", "Physics"]
    assert listed["certifications"] == listed["activities"] == []


def test_a_diploma_or_general_mba_needs_no_field_but_a_degree_does(app, user_client):
    base = {"status": "completed", "end_date": "2010-06-30"}
    assert (
        user_client.post(
            "/milestones/education/new", data={**base, "level": "high_school"}
        ).status_code
        == 302
    )
    refused = user_client.post("/milestones/education/new", data={**base, "level": "bachelor"})
    assert refused.status_code == 422
    assert "Enter the field of study." in refused.text
    listing = " ".join(user_client.get("/milestones").text.split())
    assert "<strong>High-school diploma</strong> <span" in listing  # no "in" with nothing after
    report = user_client.get("/report/head-of-production").text
    assert "High-school diploma in" not in report


def test_edit_and_delete_name_an_education_as_the_screen_does(app, user_client):
    data = {"level": "mba", "status": "completed", "end_date": "2020-06-30"}
    assert user_client.post("/milestones/education/new", data=data).status_code == 302
    listing = user_client.get("/milestones").get_data(as_text=True)
    assert '<span class="visually-hidden"> this education: MBA</span>' in listing
    assert "education: mba" not in listing
