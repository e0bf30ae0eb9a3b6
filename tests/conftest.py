"""Shared fixtures: an app per database backend, migrated with Alembic, cleaned per test.

Every test that uses `app` runs on SQLite and, when TEST_DATABASE_URL points at a reachable
PostgreSQL, on PostgreSQL too. With REQUIRE_POSTGRES=1 (CI) an unreachable server fails the run.

`make test` runs the suite in parallel with pytest-xdist. Each worker (gw0, gw1, ...) has a
PostgreSQL database of its own, named after TEST_DATABASE_URL's with the worker's id appended
(`test` -> `test_gw0`) and created when missing, and its own temporary directory (SQLite files,
live servers' logs). Tests that share a module-scoped fixture, and the browser tests (one live
server and one Chromium), run on one worker each: see tests/parallel.py.
"""

from __future__ import annotations

import hashlib
import os
import re
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

import app as app_package
from app import create_app
from app.catalogue.loader import Catalogue, load_catalogue
from app.extensions import db
from app.models import User
from app.services import accounts
from config import TestConfig
from tests import parallel

PASSWORD = "correct horse battery staple"


def worker_id() -> str | None:
    """The pytest-xdist worker running this process (gw0, gw1, ...), or None outside xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def worker_database_url(url: str) -> str:
    """TEST_DATABASE_URL for this process: under xdist, a database of the worker's own."""
    worker = worker_id()
    if not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


def _can_connect(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def _create_database(url: str, admin_urls: list[str]) -> None:
    """CREATE DATABASE for `url`'s database, through the first of `admin_urls` (databases on
    the same server) that answers. Another process creating it at the same moment is fine."""
    name = make_url(url).database
    last_error: Exception | None = None
    for admin_url in admin_urls:
        engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                exists = conn.scalar(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                )
                if not exists:
                    quoted = conn.dialect.identifier_preparer.quote(name)
                    try:
                        conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
                    except sa.exc.ProgrammingError as exc:  # created meanwhile by another run
                        if "already exists" not in str(exc):
                            raise
            return
        except sa.exc.OperationalError as exc:
            last_error = exc
        finally:
            engine.dispose()
    raise last_error or RuntimeError(f"no database to create {name} from")


def _postgres_url() -> str | None:
    """The PostgreSQL database this process tests on (created when missing), or None when
    TEST_DATABASE_URL is unset or its server does not answer."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return None
    url = worker_database_url(base)
    try:
        if not _can_connect(url):
            maintenance = make_url(base).set(database="postgres")
            _create_database(url, [base, maintenance.render_as_string(hide_password=False)])
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


# pytest-xdist (make test): which tests share a worker; see tests/parallel.py.
@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    parallel.configure_node(node)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    return parallel.make_scheduler(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    parallel.write_groups(config, items)


def pytest_unconfigure(config: pytest.Config) -> None:
    parallel.unconfigure(config)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[PG_KEY] = _postgres_url()


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def make_config(url: str, **overrides: object) -> type[TestConfig]:
    return type("BoundTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **overrides})


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


# Every engine that has connected to a database, and those of the session's apps.
_ENGINES: weakref.WeakSet[sa.Engine] = weakref.WeakSet()
_SESSION_ENGINES: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


@sa.event.listens_for(sa.Engine, "engine_connect")
def _remember_engine(connection: sa.Connection) -> None:
    _ENGINES.add(connection.engine)


@pytest.fixture(autouse=True)
def _close_idle_connections() -> Iterator[None]:
    """After each test, close the idle PostgreSQL connections of the apps and engines it made.

    Tests build many short-lived apps (another config, a mail server of their own), and each
    keeps a connection in its pool until the garbage collector happens to find it: one process
    held 30-40 connections that way, and with one per xdist worker (and other runs on the same
    server) that went past PostgreSQL's max_connections of 100. A disposed engine opens new
    connections when used again, so longer-lived engines (module fixtures) keep working."""
    yield
    for engine in list(_ENGINES):
        if engine.dialect.name == "postgresql" and engine not in _SESSION_ENGINES:
            engine.dispose()


@pytest.fixture(scope="session")
def _migrated_apps() -> Iterator[dict[str, Flask]]:
    """Each backend's app by its database URL, built and migrated once per session (per worker
    under xdist).

    `backend_url` and `app` are parametrised session fixtures, and pytest keeps one value of
    such a fixture at a time: whenever the next test wants the other backend, it tears the
    current one down and sets the other up. The suite's order (and more so a worker's share of
    it under xdist) switches backends now and then; with this cache a switch costs nothing
    instead of a new database and a full migration."""
    apps: dict[str, Flask] = {}
    yield apps
    for application in apps.values():
        with application.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def backend_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _migrated_apps: dict[str, Flask],
) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.getbasetemp() / 'test.sqlite3'}"
    else:
        url = request.config.stash[PG_KEY]
    if url not in _migrated_apps:
        if request.param == "postgresql":
            _reset_postgres(url)
        application = create_app(make_config(url))
        with application.app_context():
            upgrade()  # the real migrations, not create_all
            _SESSION_ENGINES.add(db.engine)
        _migrated_apps[url] = application
    return url


@pytest.fixture(scope="session")
def app(backend_url: str, _migrated_apps: dict[str, Flask]) -> Iterator[Flask]:
    application = _migrated_apps[backend_url]
    yield application
    with application.app_context():
        db.engine.dispose()  # its connections go back; it opens new ones if used again


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
            # As RESTART IDENTITY does: each test's ids start at 1 (AUTOINCREMENT remembers).
            db.session.execute(sa.text("DELETE FROM sqlite_sequence"))
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
