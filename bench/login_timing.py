"""`python -m bench.login_timing`: can the time of a login, a reset request or a sign-up tell
whether an account exists?

Serves a fresh PostgreSQL schema with gunicorn (one worker, no rate limit) and sends each form
over HTTP, alternating a registered address (a wrong password for the login) and an unregistered
one, each with its own CSRF-bearing session, then compares the medians. Issue 23 asks for medians
within 5 ms over 200 tries each; the figures go into docs/security.md.

Usage: python -m bench.login_timing [--tries 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from statistics import median, quantiles

import requests
from flask_migrate import upgrade

from app import create_app
from app.services import accounts
from bench.run import bench_env, pg_url, token
from config import DevelopmentConfig
from tests.live import gunicorn

KNOWN = "known@example.com"
UNKNOWN = "unknown@example.com"
WRONG = "not the password at all"


def _seed(url: str) -> None:
    app = create_app(type("TimingSeed", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        upgrade()
        accounts.register_user(KNOWN, "Known", "the real password, long enough")


FORMS = {  # path: (the fields besides the address, the status every answer has)
    "/login": ({"password": WRONG}, 422),
    "/forgot-password": ({}, 200),
    "/register": ({"display_name": "Someone"}, 200),
}


def _post_ms(base: str, session: requests.Session, path: str, email: str) -> float:
    fields, status = FORMS[path]
    csrf = token(session.get(f"{base}{path}").text)
    started = time.perf_counter()
    response = session.post(f"{base}{path}", data={"csrf_token": csrf, "email": email, **fields})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == status, (path, response.status_code)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=200)
    args = parser.parse_args()
    url = pg_url("bench_login_timing")
    _seed(url)
    with tempfile.TemporaryDirectory() as tmp, gunicorn(bench_env(url), Path(tmp), 1) as server:
        for path in FORMS:
            _compare(server.base, path, args.tries)


def _compare(base: str, path: str, tries: int) -> None:
    times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    sessions = {email: requests.Session() for email in times}
    for _ in range(5):  # warm-up, not counted
        for email in times:
            _post_ms(base, sessions[email], path, email)
    for _ in range(tries):
        for email in times:
            times[email].append(_post_ms(base, sessions[email], path, email))
    print(f"POST {path}")
    for email, values in times.items():
        quartiles = quantiles(values, n=4)
        print(
            f"  {email:22} median {median(values):6.1f} ms  "
            f"quartiles {quartiles[0]:.1f}-{quartiles[2]:.1f} ms  ({len(values)} tries)"
        )
    gap = median(times[KNOWN]) - median(times[UNKNOWN])
    print(f"  difference of medians: {gap:+.1f} ms (target: within 5 ms)")


if __name__ == "__main__":
    main()
