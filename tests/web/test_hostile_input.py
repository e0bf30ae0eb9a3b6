"""Hostile input at every entry point gets a clear 4xx and changes nothing (issue 23, point 5):
control characters in every form and query string, every API operation sent control characters,
a form or multipart body, deeply nested JSON; oversized cursors."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import IntegerConverter

from app import create_app
from app.extensions import db
from tests.conftest import login, make_config
from tests.web.quiz_helpers import answer, start
from tests.web.test_api import token_for

HOSTILE = ["a\x00b", "bell\x07", "esc\x1b[31m", "del\x7f", "next line\u0085"]
ARGUMENT_VALUES = {
    "kind": "education",
    "slug": "production-manager",
    "role_slug": "production-manager",
}


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def url_for_rule(rule) -> str:
    """A concrete URL for a route: ids 1, known slugs, anything for the rest."""
    values = {
        name: 1 if isinstance(converter, IntegerConverter) else ARGUMENT_VALUES.get(name, "x")
        for name, converter in rule._converters.items()
    }
    return rule.build(values, append_unknown=False)[1]


def page_rules(app: Flask, method: str) -> list:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if method in rule.methods
        and rule.endpoint != "static"
        and not rule.rule.startswith("/api/")
    ]


@pytest.fixture
def busy_client(app, user_client):
    """A user with a quiz in progress and an answer saved, so refusals have something to lose."""
    attempt_id = start(user_client)
    answer(user_client, attempt_id, 1, ["4"])
    return user_client


def test_every_form_refuses_control_characters_and_saves_nothing(app, busy_client):
    before = row_counts(app)
    rules = page_rules(app, "POST")
    assert len(rules) > 20
    for rule in rules:
        url = url_for_rule(rule)
        for value in HOSTILE:
            response = busy_client.post(url, data={"email": "ada@example.com", "field": value})
            assert response.status_code == 422, (url, value, response.status_code)
            page = response.get_data(as_text=True)
            assert "The field “field” contains an invisible control character" in page, url
            assert "Nothing was saved" in page
    assert row_counts(app) == before


def test_anonymous_forms_refuse_control_characters_before_the_rate_limiter(app):
    """The limiter keys its counters by the form's email: a NUL there must never reach them."""
    strict = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=True))
    client = strict.test_client()
    for url in ("/login", "/register", "/forgot-password"):
        response = client.post(url, data={"email": "a\x00@example.com", "password": "x" * 12})
        assert response.status_code == 422, url
        assert b"U+0000" in response.data
    assert row_counts(app)["rate_limits"] == 0


def test_every_page_refuses_control_characters_in_the_query_string(app, busy_client):
    for rule in page_rules(app, "GET"):
        url = url_for_rule(rule)
        response = busy_client.get(url, query_string={"next": "/\x00"})
        assert response.status_code == 422, url


@pytest.fixture
def api(app: Flask, make_user):
    make_user(role="production-manager")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token_for(app)}"
    return client


def api_operations(app: Flask) -> list[tuple[str, str]]:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()

    def concrete(path: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: ARGUMENT_VALUES.get(m.group(1), "1"), path)

    return [
        (method.upper(), concrete(path))
        for path, methods in spec["paths"].items()
        for method in methods
    ]


def test_every_api_operation_refuses_hostile_bodies_with_problem_details(app, api):
    operations = api_operations(app)
    assert len(operations) >= 30
    before = row_counts(app)
    for method, url in operations:
        if method in ("GET", "DELETE"):
            response = api.open(url, method=method, query_string={"cursor": "a\x00"})
            assert response.status_code == 422, (method, url)
            assert response.mimetype == "application/problem+json"
            continue
        cases = {
            "control character": (json.dumps({"title": "a\x00b", "answer": ["\x1b"]}), 422),
            "lone surrogate": ('{"title": "\\ud800"}', 422),
            "nested 10,000 deep": ("[" * 10_000 + "]" * 10_000, 422),
        }
        for name, (body, status) in cases.items():
            response = api.open(url, method=method, data=body, content_type="application/json")
            assert response.status_code == status, (method, url, name, response.status_code)
            assert response.mimetype == "application/problem+json", (url, name)
        for content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            response = api.open(
                url, method=method, data={"title": "plain"}, content_type=content_type
            )
            assert response.status_code == 415, (method, url, content_type)
            assert response.get_json()["title"] == "Unsupported Media Type"
        text = api.open(url, method=method, data="title=x", content_type="text/plain")
        assert text.status_code == 415, (method, url)
    assert row_counts(app) == before


def test_a_cursor_past_every_id_is_the_first_page(api):
    for cursor in ("a2147483647", "a2147483648", "a9999999999"):
        response = api.get("/api/v1/attempts", query_string={"cursor": cursor})
        assert response.status_code == 200, cursor
        assert response.get_json()["attempts"] == []


def test_ids_out_of_range_are_a_documented_404_on_every_api_operation(app, api):
    spec = api.get("/api/v1/openapi.json").get_json()
    checked = 0
    for path, methods in spec["paths"].items():
        if "_id}" not in path:
            continue
        for method, operation in methods.items():
            assert "404" in operation["responses"], (method, path)
            for bad in ("0", "-1", str(2**31), "9" * 5000):
                url = re.sub(r"\{\w+_id\}", bad, path).replace("{position}", "1")
                response = api.open(url, method=method.upper(), json={})
                assert response.status_code == 404, (method, url[:60], response.status_code)
                assert response.mimetype == "application/problem+json"
                checked += 1
    assert checked >= 40


def test_only_ascii_digits_make_an_id(api):
    created = api.post(
        "/api/v1/milestones/positions",
        json={"title": "Planner", "organisation": "ACME", "start_date": "2019-01-01"},
    )
    assert created.status_code == 201
    ident = created.get_json()["id"]
    assert api.get(f"/api/v1/milestones/positions/{ident}").status_code == 200
    for lookalike in (chr(0x0660 + ident), chr(0xFF10 + ident)):  # Arabic-Indic, fullwidth
        assert api.get(f"/api/v1/milestones/positions/{lookalike}").status_code == 404


def test_dates_past_2100_are_refused_so_every_export_imports_back(app, api):
    body = {"name": "CPIM", "earned_on": "2021-01-01", "expires_on": "9999-12-31"}
    response = api.post("/api/v1/milestones/certifications", json=body)
    assert response.status_code == 422
    assert "Use a date before 2101" in response.get_data(as_text=True)
    browser = app.test_client()
    login(browser)
    page = browser.post(
        "/milestones/certifications/new",
        data={"name": "CPIM", "earned_on": "2021-01-01", "expires_on": "2101-01-01"},
    )
    assert page.status_code == 422
    assert "Use a date before 2101" in page.get_data(as_text=True)
