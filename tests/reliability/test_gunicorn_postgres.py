"""Reliability on the production shape: gunicorn workers on PostgreSQL, real HTTP, real races."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Iterator

import pytest
import requests
import sqlalchemy as sa

from app.catalogue.loader import ITEM_ADAPTER, load_catalogue
from app.services.scoring import AnsweredItem, score_skills
from tests.conftest import PASSWORD, QUESTIONS_DIR
from tests.live import LiveServer, gunicorn, server_env

SCHEMA = "reliability"
USERS = 10
CLIENTS_PER_USER = 2  # 20 clients in all, two on each attempt


def _pg_url(config: pytest.Config) -> str:
    from tests.conftest import PG_KEY

    url = config.stash[PG_KEY]
    if not url:
        pytest.skip("PostgreSQL not reachable at TEST_DATABASE_URL")
    return url


@pytest.fixture(scope="module")
def pg_engine(request: pytest.FixtureRequest) -> Iterator[tuple[sa.Engine, str]]:
    """A schema of its own, so the live server never meets the other tests' tables."""
    base = _pg_url(request.config)
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    url = f"{base}?options=-csearch_path%3D{SCHEMA}"
    engine = sa.create_engine(url)
    yield engine, url
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="module")
def server(pg_engine, tmp_path_factory) -> Iterator[LiveServer]:
    _, url = pg_engine
    env = server_env(url, PRODREADY_RATELIMIT_ENABLED="false")
    with gunicorn(env, tmp_path_factory.mktemp("gunicorn"), workers=4) as live:
        yield live


def token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def session_for(server: LiveServer, email: str, register: bool) -> requests.Session:
    """A logged-in client; with `register`, a new account signed up through the mailed link."""
    base = server.base
    s = requests.Session()
    if register:
        page = s.get(f"{base}/register").text
        r = s.post(
            f"{base}/register",
            data={"csrf_token": token(page), "email": email, "display_name": "Load"},
        )
        assert r.status_code == 200, r.text[:300]
        link = base + server.inbox.wait_link(email)
        r = s.post(
            link,
            data={
                "csrf_token": token(s.get(link).text),
                "display_name": "Load",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        )
        assert r.status_code == 200, r.text[:300]  # followed to /choose-role
        r = s.post(
            f"{base}/choose-role",
            data={"csrf_token": token(r.text), "target_role": "production-manager"},
        )
        assert r.ok
    else:
        page = s.get(f"{base}/login").text
        r = s.post(
            f"{base}/login", data={"csrf_token": token(page), "email": email, "password": PASSWORD}
        )
        assert r.ok
    return s


def open_attempt(s: requests.Session, base: str, quiz_key: str) -> tuple[int, str]:
    """Start (or resume) a quiz; return the attempt id and a CSRF token for its forms."""
    page = s.get(f"{base}/quizzes").text
    r = s.post(
        f"{base}/quizzes/{quiz_key}/start", data={"csrf_token": token(page)}, allow_redirects=False
    )
    assert r.status_code == 302, (r.status_code, r.text[:300])
    attempt_id = int(r.headers["Location"].rsplit("/", 1)[1])
    return attempt_id, token(s.get(f"{base}/attempts/{attempt_id}").text)


def post_answer(
    s: requests.Session, base: str, attempt_id: int, csrf: str, position: int, content: dict
) -> int:
    r = s.post(
        f"{base}/attempts/{attempt_id}/answer",
        data={"csrf_token": csrf, "position": position, "answer": deterministic_answer(content)},
        allow_redirects=False,
    )
    return r.status_code


def deterministic_answer(content: dict) -> list[str]:
    if content["kind"] == "self_rating":
        return [str(len(content["prompt"]) % 5 + 1)]
    return [content["options"][len(content["prompt"]) % len(content["options"])]["id"]]


def questions_of(engine: sa.Engine, attempt_id: int) -> list[tuple[int, dict]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT ai.position, iv.content FROM attempt_items ai "
                "JOIN item_versions iv ON iv.id = ai.item_version_id "
                "WHERE ai.attempt_id = :a ORDER BY ai.position"
            ),
            {"a": attempt_id},
        )
        return [(r.position, r.content) for r in rows]


def test_twenty_clients_answer_and_submit_the_same_attempts(server, pg_engine):
    engine, _ = pg_engine
    base = server.base
    emails = [f"load{i}@example.com" for i in range(USERS)]
    clients = []
    for email in emails:
        clients.append(session_for(server, email, register=True))
        clients.extend(
            session_for(server, email, register=False) for _ in range(CLIENTS_PER_USER - 1)
        )

    accepted: dict[int, set[int]] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))
    failures: list[str] = []

    def run(s: requests.Session) -> None:
        try:
            barrier.wait()
            attempt_id, csrf = open_attempt(s, base, "skill.production-scheduling")
            for position, content in questions_of(engine, attempt_id):
                code = post_answer(s, base, attempt_id, csrf, position, content)
                assert code in (302, 409), code
                if code == 302:
                    with lock:
                        accepted.setdefault(attempt_id, set()).add(position)
            r = s.post(
                f"{base}/attempts/{attempt_id}/submit",
                data={"csrf_token": csrf, "skip_unanswered": "y"},
                allow_redirects=False,
            )
            assert r.status_code == 302
            assert r.headers["Location"].endswith(f"/attempts/{attempt_id}/result")
        except Exception as exc:
            failures.append(repr(exc))

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == []

    with engine.connect() as conn:
        attempts = conn.execute(sa.text("SELECT id, status FROM attempts")).all()
        assert len(attempts) == USERS  # two clients per user shared one attempt
        assert {a.status for a in attempts} == {"submitted"}
        for attempt_id, _ in attempts:
            saved = {
                r.position: r
                for r in conn.execute(
                    sa.text(
                        "SELECT ai.position, a.rating, a.choices FROM answers a "
                        "JOIN attempt_items ai ON ai.id = a.attempt_item_id WHERE a.attempt_id = :a"
                    ),
                    {"a": attempt_id},
                )
            }
            assert accepted[attempt_id] <= set(saved)  # no acknowledged answer was lost
            scores = conn.execute(
                sa.text("SELECT skill_id, combined_score FROM skill_scores WHERE attempt_id = :a"),
                {"a": attempt_id},
            ).all()
            assert len(scores) == 1  # scored exactly once
            items = []
            for position, content in questions_of(engine, attempt_id):
                item = ITEM_ADAPTER.validate_python(content)
                row = saved.get(position)
                if content["kind"] == "self_rating":
                    items.append(
                        AnsweredItem(
                            "production-scheduling",
                            "self_rating",
                            rating=row.rating if row else None,
                        )
                    )
                else:
                    items.append(
                        AnsweredItem(
                            "production-scheduling",
                            content["kind"],
                            chosen=frozenset(row.choices.split(","))
                            if row and row.choices
                            else frozenset(),
                            correct=frozenset(o.id for o in item.options if o.correct),
                            select=item.select,
                        )
                    )
            rescored = score_skills(items)["production-scheduling"].combined_score
            assert scores[0].combined_score == pytest.approx(rescored)  # none saved after scoring


def test_killing_a_worker_loses_no_saved_answer(server, pg_engine):
    engine, _ = pg_engine
    base = server.base
    cat = load_catalogue(QUESTIONS_DIR)
    quizzes = [f"skill.{rs.skill}" for rs in cat.roles["production-manager"].skills.items]
    clients = [session_for(server, f"kill{i}@example.com", register=True) for i in range(6)]
    acknowledged: list[tuple[int, int]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def run(s: requests.Session) -> None:
        for key in quizzes:
            if stop.is_set():
                return
            for _ in range(3):  # a request cut off by the kill is retried, as a browser would
                try:
                    attempt_id, csrf = open_attempt(s, base, key)
                    break
                except (requests.ConnectionError, KeyError, AttributeError):
                    time.sleep(0.2)
            else:
                continue
            for position, content in questions_of(engine, attempt_id):
                try:
                    code = post_answer(s, base, attempt_id, csrf, position, content)
                except requests.ConnectionError:
                    continue  # not acknowledged: the user would see an error and retry
                if code == 302:
                    with lock:
                        acknowledged.append((attempt_id, position))

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    time.sleep(1.5)
    victims = server.worker_pids()
    assert victims, "no gunicorn workers found"
    os.kill(victims[0], signal.SIGKILL)
    for t in threads:
        t.join(timeout=180)
    stop.set()

    assert len(acknowledged) > 20
    with engine.connect() as conn:
        saved = {
            tuple(row)
            for row in conn.execute(
                sa.text(
                    "SELECT a.attempt_id, ai.position FROM answers a "
                    "JOIN attempt_items ai ON ai.id = a.attempt_item_id"
                )
            )
        }
    missing = set(acknowledged) - saved
    assert missing == set()
    assert requests.get(f"{base}/healthz", timeout=5).ok  # gunicorn replaced the worker
    deadline = time.monotonic() + 5  # the master reaps it on SIGCHLD, in its own time
    while victims[0] in server.worker_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert victims[0] not in server.worker_pids()
