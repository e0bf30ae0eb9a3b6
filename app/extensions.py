"""Flask extensions, created unbound here and bound to an app in `create_app`."""

from typing import Any

from flask import current_app, has_request_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names keep Alembic migrations portable across SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_args(*constraints: Any) -> tuple[Any, ...]:
    """A model's `__table_args__`: its constraints, and ids that are never handed out twice.

    Without AUTOINCREMENT SQLite gives a new row the highest id plus one, so a deleted newest
    row's id goes to the next row, and whatever still names it (a session cookie of a deleted
    account, an open tab on a discarded attempt) reaches the newcomer. PostgreSQL's sequences
    never reuse an id; this makes SQLite agree (migration 0014).
    """
    return (*constraints, {"sqlite_autoincrement": True})


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _autocommits() -> bool:
    """Reads, and views marked `autocommit` (app/database.py), need no transaction."""
    if request.method in READ_ONLY_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "autocommit", False))


class RequestSession(Session):
    """A session whose reads (GET, HEAD, OPTIONS requests), and the writes of views marked
    `autocommit`, use the engine in autocommit mode.

    The choice is made when the session first needs a connection, so a request that never
    queries never takes one (it answers while the database is away), and one that does gets
    no BEGIN/ROLLBACK round trips. Why autocommit: app/database.py.
    """

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kw: Any) -> Any:
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kw)
        if bind is None and has_request_context() and _autocommits():
            # The same engine object every time, or the session would open a second connection.
            return current_app.extensions["autocommit_engines"].get(engine, engine)
        return engine


def autocommit_engines(engines: dict[Any, Engine]) -> dict[Engine, Engine]:
    """Each engine, and the same engine with its connections in autocommit (sharing the pool)."""
    return {e: e.execution_options(isolation_level="AUTOCOMMIT") for e in engines.values()}


db = SQLAlchemy(model_class=Base, session_options={"class_": RequestSession})
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()  # settings from MAIL_URL (app/mail_backend.py), applied in create_app
# Storage is the app's own database (app/security/sql_storage.py), configured in create_app.
limiter = Limiter(key_func=get_remote_address)


def commit_unless_autocommit() -> None:
    """Commit the session, except in a request that runs in autocommit (`_autocommits`): there
    each statement committed itself as it ran, so a caller that wrote only Core statements has
    nothing left to send, and the ORM's commit bookkeeping (about 0.1 ms) is skipped; the
    request's end hands the connection back. Pending ORM changes are always committed."""
    session = db.session
    pending = session.new or session.dirty or session.deleted
    if pending or not (has_request_context() and _autocommits()):
        session.commit()
