"""Shared fixtures: an app per database backend, migrated with Alembic, cleaned per test.

Every test that uses `app` runs on SQLite and, when TEST_DATABASE_URL points at a reachable
PostgreSQL, on PostgreSQL too. With REQUIRE_POSTGRES=1 (CI) an unreachable server fails the run.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

import app as app_package
from app import create_app
from app.catalogue.loader import Catalogue, load_catalogue
from app.extensions import db
from app.models import User
from app.services import accounts
from config import TestConfig

PASSWORD = "correct horse battery staple"


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except sa.exc.OperationalError as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.exit(f"PostgreSQL required but unreachable at {url}: {exc}", returncode=3)
        return None
    return url


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend_url" in metafunc.fixturenames:
        params = [pytest.param("sqlite", id="sqlite")]
        params.append(
            pytest.param("postgresql", id="postgresql")
            if metafunc.config.stash.get(PG_KEY, None)
            else pytest.param(
                "postgresql",
                id="postgresql",
                marks=pytest.mark.skip(reason="PostgreSQL not reachable at TEST_DATABASE_URL"),
            )
        )
        metafunc.parametrize("backend_url", params, indirect=True, scope="session")


PG_KEY = pytest.StashKey[str | None]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[PG_KEY] = _postgres_url()


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


_CATALOGUES: dict[tuple[str, str], Catalogue] = {}


def _bank_fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _load_catalogue_once(directory: Path) -> Catalogue:
    """`load_catalogue`, remembered per directory and content of its files."""
    directory = Path(directory)
    if not directory.is_dir():
        return load_catalogue(directory)  # raises CatalogueError, as it should
    key = (str(directory.resolve()), _bank_fingerprint(directory))
    if key not in _CATALOGUES:
        _CATALOGUES[key] = load_catalogue(directory)
    return _CATALOGUES[key]


@pytest.fixture(scope="session", autouse=True)
def _question_bank_read_once_per_process() -> Iterator[None]:
    """`create_app` reads and cross-checks the question bank, 2-3 seconds of CPU, and the
    suite builds hundreds of apps (another config, a mail server of their own, ...). A process
    in production reads it once (gunicorn builds the app once, in the master), and the
    catalogue is immutable (frozen models in read-only mappings), so in the test process too
    each bank is read once: again only when its directory or any file in it changes, and never
    when it fails to load (a bad bank raises every time). Tests of the loader itself call
    `load_catalogue` directly and are not affected; nor are live servers (other processes)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app_package, "load_catalogue", _load_catalogue_once)
        yield


@pytest.fixture(scope="session")
def backend_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    url = request.config.stash[PG_KEY]
    _reset_postgres(url)
    return url


def make_config(url: str, **overrides: object) -> type[TestConfig]:
    return type("BoundTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **overrides})


@pytest.fixture(scope="session")
def app(backend_url: str) -> Iterator[Flask]:
    application = create_app(make_config(backend_url))
    with application.app_context():
        upgrade()  # the real migrations, not create_all
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                db.session.execute(sa.text(f"DELETE FROM {name}"))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask):
    def _make(email: str = "ada@example.com", name: str = "Ada", role: str | None = None) -> int:
        with app.app_context():
            user = accounts.register_user(email, name, PASSWORD)
            if role:
                accounts.set_target_role(user, role)
            return user.id

    return _make


def login(client: FlaskClient, email: str = "ada@example.com", password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def user_client(client: FlaskClient, make_user) -> FlaskClient:
    """A client logged in as a user whose target role is Production Manager."""
    make_user(role="production-manager")
    response = login(client)
    assert response.status_code == 302
    return client


def get_user(app: Flask, email: str = "ada@example.com") -> User:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def signup_path(app: Flask, email: str = "ada@example.com", name: str = "Ada") -> str:
    """The path of the sign-up link /register would mail to `email` (the mail itself is
    tested in test_auth.py)."""
    from app.services import tokens

    with app.test_request_context():
        return "/register/" + tokens.signup_token(email, name)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


QUESTIONS_DIR = Path(__file__).resolve().parent.parent / "questions"
ROLE_SLUGS = [
    "production-manager",
    "head-of-production",
    "production-executive",
    "chief-production-officer",
]
