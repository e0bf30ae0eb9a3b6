"""Request ids, JSON logs, readiness and metrics, through the real app on a real database."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import threading
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.serving import make_server

from app import create_app
from app.observability.logs import ACCESS_LOGGER, JsonFormatter
from tests.conftest import PASSWORD, make_config
from tests.web.quiz_helpers import answer_all, start


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text (0 when absent)."""
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


# --- request ids ---------------------------------------------------------------------------


def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/roles").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_client_cannot_choose_its_request_id_unless_a_proxy_is_trusted(app, backend_url):
    response = app.test_client().get("/healthz", headers={"X-Request-ID": "forged-123"})
    assert response.headers["X-Request-ID"] != "forged-123"
    trusting = create_app(make_config(backend_url, TRUST_REQUEST_ID=True)).test_client()
    from_proxy = trusting.get("/healthz", headers={"X-Request-ID": "lb-7f3a"})
    assert from_proxy.headers["X-Request-ID"] == "lb-7f3a"
    odd = trusting.get("/healthz", headers={"X-Request-ID": 'bad id {"level": "ERROR"}'})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["X-Request-ID"])


def test_error_pages_show_the_request_id(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] in response.text


# --- logs ----------------------------------------------------------------------------------


@pytest.fixture
def json_log(backend_url):
    """An app logging JSON access lines, and the lines it wrote."""
    app = create_app(make_config(backend_url, LOG_JSON=True, ACCESS_LOG=True))
    stream = io.StringIO()
    handler = next(
        h
        for h in logging.getLogger(ACCESS_LOGGER).handlers
        if isinstance(h.formatter, JsonFormatter)
    )
    handler.setStream(stream)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield app, lines
    for logger in (app.logger, logging.getLogger(ACCESS_LOGGER)):  # loggers outlive apps
        logger.removeHandler(handler)
        logger.propagate = True


def test_access_lines_are_json_with_the_request_fields(json_log, make_user):
    app, lines = json_log
    client = app.test_client()
    make_user(role="production-manager")
    response = client.post("/login", data={"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/dashboard")
    logged = lines()
    assert [entry["path"] for entry in logged] == ["/login", "/dashboard"]
    entry = logged[-1]
    assert entry["request_id"] == page.headers["X-Request-ID"]
    assert entry["method"] == "GET"
    assert entry["status"] == 200
    assert entry["level"] == "INFO"
    assert entry["user_id"] == 1
    assert isinstance(entry["duration_ms"], float)
    assert PASSWORD not in json.dumps(logged)  # the form body is never logged


def test_secret_url_parts_never_reach_the_log(json_log):
    app, lines = json_log
    client = app.test_client()
    client.get("/shared/" + "s" * 43)
    client.get("/reset-password/" + "t" * 40)
    paths = [entry["path"] for entry in lines()]
    assert paths == ["/shared/[redacted]", "/reset-password/[redacted]"]


def test_the_development_server_log_redacts_secrets_too(app, caplog):
    """`flask run` logs each request line itself (logger `werkzeug`): a real dev server here."""
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secrets = {
        "/shared/": "s" * 43,
        "/reset-password/": "t.4" * 12,
        "/register/": "u-x" * 12,
        "/shared%2F": "a" * 43,  # encoded or odd spellings route (or 404) all the same
        "/%73hared/": "b" * 43,
        "/SHARED/": "c" * 43,
        "/reset-password//": "d.5" * 12,
    }
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for prefix, secret in secrets.items():
                # A dead link's 400 or 404 is logged all the same.
                with contextlib.suppress(urllib.error.HTTPError):
                    urllib.request.urlopen(f"http://127.0.0.1:{server.port}{prefix}{secret}")
    finally:
        server.shutdown()
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "werkzeug")
    for secret in secrets.values():
        assert secret not in logged
    assert logged.count("[redacted]") >= len(secrets)  # a redirect followed logs twice


# --- health and readiness ------------------------------------------------------------------


def test_readiness_checks_the_database_and_liveness_does_not(client):
    assert client.get("/readyz").json == {"status": "ready"}
    assert client.get("/healthz").json == {"status": "ok"}


# --- metrics -------------------------------------------------------------------------------


def test_metrics_count_requests_and_attempts(app, user_client):
    latency = "prodready_http_request_duration_seconds_count"

    def counts() -> tuple[float, ...]:
        text = user_client.get("/metrics").text  # the app lives for the session: compare
        return (
            metric(text, "prodready_http_requests_total", endpoint="roles.index", status="200"),
            metric(text, latency, endpoint="roles.index"),
            metric(text, "prodready_attempts_started_total"),
            metric(text, "prodready_attempts_submitted_total"),
        )

    before = counts()
    user_client.get("/roles")
    user_client.get("/roles")
    attempt_id = start(user_client)
    assert start(user_client) == attempt_id  # resumed, not started again
    answer_all(user_client, app, attempt_id)
    assert user_client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    after = counts()
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 2, 1, 1]
    assert "prodready_db_pool_connections_in_use" in user_client.get("/metrics").text


def test_metrics_are_served_only_to_allowed_addresses(client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 404
