"""gunicorn as production runs it (gunicorn.conf.py): a worker finishes the request it is
serving when told to stop, /metrics adds up every worker's counts, and workers are forks of a
warmed, frozen master that keep serving across recycles."""

from __future__ import annotations

import multiprocessing
import re
import runpy
import signal
import threading
import time
from collections.abc import Iterator

import pytest
import requests
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from app.web import warm_up
from tests.conftest import make_config
from tests.live import ROOT, gunicorn, server_env
from tests.reliability.test_gunicorn_postgres import (
    _pg_url,
    deterministic_answer,
    open_attempt,
    questions_of,
    session_for,
)

SCHEMA = "operations"
APP_NAME = "prodready-operations"


@pytest.fixture(scope="module")
def database(request) -> Iterator[tuple[str, sa.Engine]]:
    base = _pg_url(request.config)
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    url = f"{base}?options=-csearch_path%3D{SCHEMA}&application_name={APP_NAME}"
    engine = sa.create_engine(url)
    yield url, engine
    engine.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    admin.dispose()


def serve(url: str, workdir, workers: int):
    return gunicorn(server_env(url, PRODREADY_RATELIMIT_ENABLED="false"), workdir, workers)


def test_a_request_in_flight_completes_when_gunicorn_is_told_to_stop(database, tmp_path):
    url, engine = database
    with serve(url, tmp_path, workers=2) as server:
        s = session_for(server, "graceful@example.com", register=True)
        attempt_id, csrf = open_attempt(s, server.base, "skill.quality-control")
        position, content = questions_of(engine, attempt_id)[0]
        result: dict[str, object] = {}
        with engine.connect() as holder:
            # Hold the attempt's row lock, so the answer below waits inside its worker.
            holder.execute(
                sa.text("SELECT id FROM attempts WHERE id = :a FOR UPDATE"), {"a": attempt_id}
            )

            def send() -> None:
                try:
                    result["response"] = s.post(
                        f"{server.base}/attempts/{attempt_id}/answer",
                        data={
                            "csrf_token": csrf,
                            "position": position,
                            "answer": deterministic_answer(content),
                        },
                        allow_redirects=False,
                        timeout=30,
                    )
                except requests.RequestException as exc:
                    result["error"] = exc

            sender = threading.Thread(target=send)
            sender.start()
            wait_until_blocked(engine)
            server.process.send_signal(signal.SIGTERM)
            time.sleep(1.0)
            assert server.process.poll() is None  # still finishing that request
            holder.commit()  # releases the lock
        sender.join(timeout=30)
        assert "error" not in result, result
        assert result["response"].status_code == 302
        assert server.process.wait(timeout=20) == 0
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT count(*) FROM answers WHERE attempt_id = :a"), {"a": attempt_id}
        ).scalar()
    assert stored == 1


def wait_until_blocked(engine: sa.Engine) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            waiting = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND application_name = :name AND wait_event_type = 'Lock'"
                ),
                {"name": APP_NAME},
            ).scalar()
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("the answer never reached the lock")


def requests_counted(text: str, endpoint: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "prodready_http_requests_total"
        and sample.labels.get("endpoint") == endpoint
    )


def test_metrics_add_up_across_workers(database, tmp_path):
    url, _ = database
    with serve(url, tmp_path, workers=3) as server:
        assert len(server.worker_pids()) == 3
        scrape = f"{server.base}/metrics"
        before = requests_counted(requests.get(scrape, timeout=10).text, "main.healthz")
        for _ in range(30):
            with requests.Session() as fresh:  # a new connection each, spread over workers
                assert fresh.get(f"{server.base}/healthz", timeout=10).status_code == 200
        for _ in range(3):  # whichever worker answers the scrape, it reports all of them
            text = requests.get(scrape, timeout=10).text
            assert requests_counted(text, "main.healthz") - before == 30
        assert "prodready_db_pool_connections_in_use" in text


def test_the_settings_file_sizes_workers_from_the_cores(monkeypatch, tmp_path):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("PRODREADY_ENV", raising=False)
    metrics_dir = tmp_path / "metrics"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert settings["preload_app"] is True  # a worker (re)start is a fork of the built app
    assert settings["control_socket_disable"] is True
    assert metrics_dir.is_dir()  # made before the app (and prometheus_client) is loaded
    assert settings["graceful_timeout"] == 30
    assert settings["accesslog"] is None  # the app writes its own JSON access lines
    assert settings["raw_env"] == ["PRODREADY_ENV=production"]


def test_warm_up_compiles_every_template(tmp_path):
    app = create_app(make_config(f"sqlite:///{tmp_path / 'warm.sqlite3'}"))
    names = app.jinja_env.list_templates()
    assert not app.jinja_env.cache
    assert warm_up(app) == len(names) > 40
    assert {name for _, name in app.jinja_env.cache} == set(names)


def test_recycled_workers_of_the_warmed_master_keep_serving(database, tmp_path, monkeypatch):
    """The master compiles the templates and freezes what it built before forking (when_ready);
    workers recycled every 10 requests here serve every page, logged in, as the first ones did."""
    url, _ = database
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--max-requests 10 --max-requests-jitter 0")
    with serve(url, tmp_path, workers=2) as server:
        s = session_for(server, "recycled@example.com", register=True)
        for path in ["/roles", "/report", "/quizzes", "/milestones"] * 12:
            response = s.get(f"{server.base}{path}", timeout=10, allow_redirects=False)
            assert response.status_code == 200, path  # not sent to log in
        log = server.log.read_text()
    warmed = re.search(r"warmed up: (\d+) templates compiled, (\d+) objects frozen", log)
    assert warmed, log
    assert int(warmed.group(1)) > 40
    assert int(warmed.group(2)) > 100_000
    assert log.count("Autorestarting worker") >= 4
