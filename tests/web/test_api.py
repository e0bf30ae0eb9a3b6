"""The JSON API: bearer tokens, problem details, the quiz flow, milestones, reports, and that
one user's token never reaches another's data."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import ApiToken, User
from app.services import access
from tests.conftest import login
from tests.web.quiz_helpers import start_with


def token_for(app: Flask, email: str = "ada@example.com", scope: str = "read write") -> str:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        return access.create_token(user, "tests", scope, None)


class Api:
    """A test client that sends a bearer token with every request."""

    def __init__(self, app: Flask, token: str) -> None:
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method: str):
        def call(url: str, **kwargs):
            return getattr(self.client, method)(url, headers=self.headers, **kwargs)

        return call


@pytest.fixture
def api(app, make_user) -> Api:
    make_user(role="production-manager")
    return Api(app, token_for(app))


def is_problem(response, status: int) -> bool:
    return (
        response.status_code == status
        and response.mimetype == "application/problem+json"
        and response.json["status"] == status
        and response.json["title"]
    )


def correct_values(app: Flask, attempt_id: int, position: int) -> list[str]:
    from tests.web.quiz_helpers import correct_values as values
    from tests.web.quiz_helpers import questions

    return values(questions(app, attempt_id)[position - 1])


# --- authentication ----------------------------------------------------------------------------


def test_no_or_bad_token_is_401_problem(app, api):
    anonymous = app.test_client()
    response = anonymous.get("/api/v1/roles")
    assert is_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    bad = anonymous.get("/api/v1/roles", headers={"Authorization": "Bearer prt_not-a-token"})
    assert is_problem(bad, 401)
    basic = anonymous.get("/api/v1/roles", headers={"Authorization": "Basic YWRhOng="})
    assert is_problem(basic, 401)


def test_a_logged_in_browser_cookie_does_not_open_the_api(app, api):
    browser = app.test_client()
    assert login(browser).status_code == 302
    assert is_problem(browser.get("/api/v1/roles"), 401)


def test_a_read_token_cannot_write(app, api):
    reader = Api(app, token_for(app, scope="read"))
    assert reader.get("/api/v1/roles").status_code == 200
    assert is_problem(
        reader.post("/api/v1/attempts", json={"quiz_key": "full.production-manager"}), 403
    )
    assert is_problem(
        reader.post(
            "/api/v1/milestones/certifications", json={"name": "CPIM", "earned_on": "2021-01-01"}
        ),
        403,
    )


def test_expired_and_revoked_tokens_stop_working_and_use_is_recorded(app, api):
    assert api.get("/api/v1/roles").status_code == 200
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken))
        assert token.last_used_at is not None
        token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    assert is_problem(api.get("/api/v1/roles"), 401)

    fresh = Api(app, token_for(app))
    assert fresh.get("/api/v1/roles").status_code == 200
    with app.app_context():
        newest = db.session.scalar(sa.select(ApiToken).order_by(ApiToken.id.desc()))
        assert access.revoke_token(newest.user_id, newest.id)
    assert is_problem(fresh.get("/api/v1/roles"), 401)


def test_errors_are_problem_details(api):
    assert is_problem(api.get("/api/v1/nothing-here"), 404)
    assert is_problem(api.get("/api/v1/roles/astronaut"), 404)
    assert is_problem(api.delete("/api/v1/roles"), 405)
    bad = api.post("/api/v1/attempts", json={"quiz_key": 42})
    assert is_problem(bad, 422)
    assert "quiz_key" in bad.json["errors"]
    unknown = api.post("/api/v1/attempts", json={"quiz_key": "skill.juggling"})
    assert is_problem(unknown, 404)


# --- the quiz flow -----------------------------------------------------------------------------


def test_start_answer_submit_and_read_the_result(app, api):
    started = api.post("/api/v1/attempts", json={"quiz_key": "skill.quality-control"})
    assert started.status_code == 201, started.json
    attempt = started.json
    assert attempt["status"] == "in_progress"
    assert attempt["item_count"] == 9
    again = api.post("/api/v1/attempts", json={"quiz_key": "skill.quality-control"})
    assert again.status_code == 200  # resumed, not a second attempt
    assert again.json["id"] == attempt["id"]

    first = api.get(f"/api/v1/attempts/{attempt['id']}/questions/1").json
    assert first["kind"] == "self_rating"
    assert [c["value"] for c in first["choices"]] == ["1", "2", "3", "4", "5"]
    bad = api.put(f"/api/v1/attempts/{attempt['id']}/answers/1", json={"values": ["9"]})
    assert is_problem(bad, 422)
    for position in range(1, 10):
        values = correct_values(app, attempt["id"], position)
        saved = api.put(
            f"/api/v1/attempts/{attempt['id']}/answers/{position}", json={"values": values}
        )
        assert saved.status_code == 200, saved.json
    assert api.get(f"/api/v1/attempts/{attempt['id']}").json["answered"] == 9
    assert is_problem(api.get(f"/api/v1/attempts/{attempt['id']}/result"), 409)

    result = api.post(f"/api/v1/attempts/{attempt['id']}/submit")
    assert result.status_code == 200
    body = result.json
    assert body["attempt"]["status"] == "submitted"
    assert body["attempt"]["overall_score"] == 100
    [skill] = body["skills"]
    assert skill["skill_id"] == "quality-control"
    assert skill["band_low"] < skill["estimate"] < skill["band_high"]
    assert all(q["explanation"] for q in body["questions"][3:])
    assert is_problem(api.post(f"/api/v1/attempts/{attempt['id']}/submit"), 409)
    closed = api.put(f"/api/v1/attempts/{attempt['id']}/answers/1", json={"values": ["1"]})
    assert is_problem(closed, 409)

    report = api.get("/api/v1/report/production-manager").json
    quality = next(s for s in report["skills"] if s["skill_id"] == "quality-control")
    assert quality["estimate"] == pytest.approx(skill["estimate"])
    assert "likely between" in quality["band"]
    # Scores carry one decimal and timestamps whole seconds, on both databases.
    assert all(
        round(v, 1) == v
        for v in (report["overall"], quality["estimate"], quality["band_low"], quality["band_high"])
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["attempt"]["submitted_at"])
    assert [r["role_slug"] for r in api.get("/api/v1/report/compare").json["roles"]]


def test_attempts_are_listed_by_cursor(api):
    ids = []
    for key in ("skill.leadership", "skill.communication", "skill.analysis"):
        ids.append(api.post("/api/v1/attempts", json={"quiz_key": key}).json["id"])
    first = api.get("/api/v1/attempts?limit=2").json
    assert [a["id"] for a in first["attempts"]] == ids[::-1][:2]
    second = api.get(f"/api/v1/attempts?limit=2&cursor={first['next_cursor']}").json
    assert [a["id"] for a in second["attempts"]] == [ids[0]]
    assert second["next_cursor"] is None
    assert is_problem(api.get("/api/v1/attempts?cursor=nonsense"), 422)
    assert is_problem(api.get("/api/v1/attempts?limit=0"), 422)


def test_a_token_never_reaches_another_users_data(app, api, make_user):
    attempt_id = api.post("/api/v1/attempts", json={"quiz_key": "skill.leadership"}).json["id"]
    milestone = api.post(
        "/api/v1/milestones/certifications", json={"name": "CPIM", "earned_on": "2021-01-01"}
    ).json
    make_user("eve@example.com", "Eve", role="production-manager")
    eve = Api(app, token_for(app, "eve@example.com"))
    for response in (
        eve.get(f"/api/v1/attempts/{attempt_id}"),
        eve.get(f"/api/v1/attempts/{attempt_id}/questions/1"),
        eve.put(f"/api/v1/attempts/{attempt_id}/answers/1", json={"values": ["3"]}),
        eve.post(f"/api/v1/attempts/{attempt_id}/submit"),
        eve.get(f"/api/v1/attempts/{attempt_id}/result"),
        eve.get(f"/api/v1/milestones/certifications/{milestone['id']}"),
        eve.put(
            f"/api/v1/milestones/certifications/{milestone['id']}",
            json={"name": "Mine", "earned_on": "2020-01-01"},
        ),
        eve.delete(f"/api/v1/milestones/certifications/{milestone['id']}"),
    ):
        assert is_problem(response, 404), response.request.path
    assert eve.get("/api/v1/attempts").json["attempts"] == []
    assert eve.get("/api/v1/milestones/certifications").json["items"] == []
    assert api.get(f"/api/v1/milestones/certifications/{milestone['id']}").json["name"] == "CPIM"


# --- milestones, roles, export -------------------------------------------------------------------


def test_milestones_round_trip_with_the_pages_rules(api):
    created = api.post(
        "/api/v1/milestones/positions",
        json={
            "title": "Planner",
            "organisation": "ACME",
            "start_date": "2019-01-01",
            "managed_people": True,
            "people_managed": 4,
        },
    )
    assert created.status_code == 201, created.json
    position = created.json
    assert position["in_production"] is True
    updated = api.put(
        f"/api/v1/milestones/positions/{position['id']}",
        json={**{k: v for k, v in position.items() if k != "id"}, "end_date": "2022-06-30"},
    )
    assert updated.json["end_date"] == "2022-06-30"
    future = api.post(
        "/api/v1/milestones/activities",
        json={"kind": "course", "title": "Lean", "occurred_on": "2999-01-01"},
    )
    assert is_problem(future, 422)  # the same rule as the page's form
    assert "occurred_on" in future.json["errors"]
    assert [p["id"] for p in api.get("/api/v1/milestones/positions").json["items"]] == [
        position["id"]
    ]
    assert api.delete(f"/api/v1/milestones/positions/{position['id']}").status_code == 204
    assert is_problem(api.get(f"/api/v1/milestones/positions/{position['id']}"), 404)


def test_roles_quizzes_and_export(api):
    roles = api.get("/api/v1/roles").json["roles"]
    assert roles[0]["slug"] == "production-manager"
    detail = api.get("/api/v1/roles/head-of-production").json
    assert sum(s["weight"] for s in detail["skills"]) == 100
    assert detail["weights_revised_on"] == "2026-12-02"
    assert {"skill_id": "health-safety", "weight": 10}.items() <= next(
        s for s in detail["skills"] if s["skill_id"] == "health-safety"
    ).items()
    quizzes = api.get("/api/v1/roles/production-manager/quizzes").json["quizzes"]
    assert quizzes[0]["is_full"]
    exported = api.get("/api/v1/export").json
    assert exported["format"] == "prodready-export"
    assert exported["profile"]["email"] == "ada@example.com"
    assert datetime.fromisoformat(exported["exported_at"]).tzinfo is not None


# --- the contract --------------------------------------------------------------------------------


def test_the_openapi_document_lists_every_operation_and_links_the_flow(app):
    spec = app.test_client().get("/api/v1/openapi.json").json  # public, like the docs page
    assert spec["openapi"].startswith("3.1")
    operations = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {
        "list_roles",
        "get_role",
        "list_quizzes",
        "start_attempt",
        "list_attempts",
        "get_question",
        "save_answer",
        "submit_attempt",
        "get_result",
        "create_positions",
        "delete_activities",
        "get_report",
        "compare_roles",
        "export",
    } <= operations
    start = spec["paths"]["/api/v1/attempts"]["post"]
    assert set(start["responses"]["201"]["links"]) >= {"SaveAnswer", "SubmitAttempt"}
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    summaries = [op["summary"] for path in spec["paths"].values() for op in path.values()]
    placeholders = [text for text in summaries if re.search(r"<(GET|POST|PUT|DELETE)>", text)]
    assert placeholders == []  # every operation says what it does


def test_the_docs_page_serves_its_own_assets(app):
    client = app.test_client()
    html = client.get("/api/v1/docs").text
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in sources
    assert all(src.startswith("/static/") for src in sources)
    for src in sources:
        assert client.get(src).status_code == 200


def test_an_empty_answer_clears_the_saved_one(api):
    attempt = api.post("/api/v1/attempts", json={"quiz_key": "skill.quality-control"}).json
    url = f"/api/v1/attempts/{attempt['id']}/answers/1"
    assert api.put(url, json={"values": ["4"]}).json["cleared"] is False
    cleared = api.put(url, json={"values": []})
    assert cleared.status_code == 200, cleared.json
    assert cleared.json == {
        "position": 1,
        "saved": True,
        "skipped": False,
        "cleared": True,
        "item_count": 9,
    }
    assert api.get(f"/api/v1/attempts/{attempt['id']}").json["answered"] == 0
    assert api.get(f"/api/v1/attempts/{attempt['id']}/questions/1").json["answer"] == []


def test_discarding_an_attempt(app, api):
    attempt = api.post("/api/v1/attempts", json={"quiz_key": "skill.quality-control"}).json
    url = f"/api/v1/attempts/{attempt['id']}"
    api.put(f"{url}/answers/1", json={"values": ["4"]})
    response = api.delete(url)
    assert response.status_code == 204
    assert is_problem(api.get(url), 404)
    assert is_problem(api.delete(url), 404)
    submitted = api.post("/api/v1/attempts", json={"quiz_key": "skill.quality-control"}).json
    assert submitted["answered"] == 0  # a new attempt, not the discarded one
    api.post(f"/api/v1/attempts/{submitted['id']}/submit")
    assert is_problem(api.delete(f"/api/v1/attempts/{submitted['id']}"), 409)
    assert api.get(f"/api/v1/attempts/{submitted['id']}").json["status"] == "submitted"


def test_a_multiple_select_question_says_what_the_page_says(app, api, client):
    """The prompt without its "Choose two." and the count as the page words it ("Choose 2")."""
    login(client)
    attempt_id, question = start_with(client, app, lambda q: q.choose_count)
    page = client.get(f"/attempts/{attempt_id}?q={question.position}").get_data(as_text=True)
    got = api.get(f"/api/v1/attempts/{attempt_id}/questions/{question.position}").get_json()
    assert "Choose two" not in got["prompt"]
    assert got["prompt"] == question.stem
    assert got["instruction"] == question.instruction == f"Choose {question.choose_count}"
    assert f'<span class="badge">{got["instruction"]}</span>' in page


def test_report_texts_carry_plain_spaces(api):
    """The pages hold a day together with non-breaking spaces; the API's sentences do not."""
    booked = (date.today() + timedelta(days=60)).isoformat()
    made = api.post("/api/v1/milestones/certifications", json={"name": "CPIM", "earned_on": booked})
    assert made.status_code == 201, made.json
    report = api.get("/api/v1/report/production-manager")
    assert "\u00a0" not in report.text
    cpim = next(r for r in report.json["requirements"] if "CPIM" in r["label"])
    assert re.fullmatch(r"Exam booked for \d{1,2} \w{3} \d{4}", cpim["current"])
