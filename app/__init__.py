"""ProdReady: career readiness for production leadership."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, event
from werkzeug.middleware.proxy_fix import ProxyFix

from app.catalogue.loader import load_catalogue
from app.database import ResilientFlask
from app.extensions import csrf, db, limiter, login_manager, mail, migrate
from app.links import configure_public_url
from app.mail_backend import mail_settings
from app.services.feedback_results import MIN_THRESHOLD
from config import Config, config_from_env


def create_app(config: type[Config] | Config | None = None) -> Flask:
    """Build a configured application; nothing happens at import time.

    Without an argument the config class is chosen by PRODREADY_ENV (development by default),
    which is what `flask` and gunicorn (`app:create_app()`) use.
    """
    app = ResilientFlask(
        __name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance")
    )
    app.config.from_object(config or config_from_env())
    if config is None:
        # Deployment overrides without code: PRODREADY_<KEY>=<JSON or text>, e.g.
        # PRODREADY_LOGIN_LIMIT_IP="100 per minute" or PRODREADY_RATELIMIT_ENABLED=false.
        app.config.from_prefixed_env("PRODREADY")
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set (export SECRET_KEY=...) before starting.")
    configure_public_url(app)
    if int(app.config["FEEDBACK_MIN_GROUP"]) < MIN_THRESHOLD:
        raise RuntimeError(
            f"FEEDBACK_MIN_GROUP must be at least {MIN_THRESHOLD}: a smaller group of raters "
            "could be told apart (docs/feedback.md)."
        )

    _postgres_connect_args(app)
    db.init_app(app)
    with app.app_context():
        _configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    login_manager.init_app(app)
    csrf.init_app(app)
    app.config.update(mail_settings(app.config.get("MAIL_URL"), app.config["MAIL_FROM"]))
    mail.init_app(app)
    from app.security.input_guard import register_input_guard

    register_input_guard(app)  # before the limiter, whose counters are keyed by form fields
    _init_limiter(app)
    if app.config.get("PROXY_FIX_X_FOR"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)

    from app import models  # noqa: F401  (registers the tables on the metadata)
    from app.auth.session import configure_login

    configure_login(login_manager)

    # The catalogue is read once per process and never mutated (frozen pydantic models).
    app.extensions["catalogue"] = load_catalogue(app.config["QUESTIONS_DIR"])

    from app.web import IdConverter

    app.url_map.converters["id"] = IdConverter
    _register_blueprints(app)
    _register_cli(app)

    from app.database import register_request_transactions
    from app.errors import register_error_handlers
    from app.observability import register_observability
    from app.security.headers import register_security_headers
    from app.web import register_template_helpers

    register_observability(app)  # first: a request id even when the database then fails
    register_request_transactions(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    return app


def _init_limiter(app: Flask) -> None:
    from app.security import sql_storage  # noqa: F401  (registers the sqlalchemy:// scheme)

    with app.app_context():
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"engine": db.engine})
    limiter.init_app(app)


def _postgres_connect_args(app: Flask) -> None:
    """Time limits on reaching PostgreSQL, so an outage fails fast (503) instead of hanging a
    worker: connect timeout, TCP keepalives, and a limit on unacknowledged sends."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    options["connect_args"] = {
        **app.config["POSTGRES_CONNECT_ARGS"],
        **options.get("connect_args", {}),
    }
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _configure_sqlite(engine: Engine) -> None:
    """SQLite needs foreign keys switched on per connection (for ON DELETE CASCADE)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _migrations_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "migrations"


def _register_blueprints(app: Flask) -> None:
    from app.admin.routes import bp as admin_bp
    from app.api.routes import bp as api_bp
    from app.auth.routes import bp as auth_bp
    from app.feedback.routes import bp as feedback_bp
    from app.main.routes import bp as main_bp
    from app.milestones.routes import bp as milestones_bp
    from app.profile.routes import bp as profile_bp
    from app.quiz.routes import bp as quiz_bp
    from app.report.routes import bp as report_bp
    from app.roles.routes import bp as roles_bp

    for bp in (
        main_bp,
        auth_bp,
        roles_bp,
        profile_bp,
        quiz_bp,
        milestones_bp,
        report_bp,
        feedback_bp,
        admin_bp,
    ):
        app.register_blueprint(bp)
    # The API authenticates with bearer tokens only, never cookies, so CSRF does not apply.
    csrf.exempt(api_bp)
    limiter.limit(lambda: app.config["API_LIMIT_IP"])(api_bp)
    app.register_blueprint(api_bp)


def _register_cli(app: Flask) -> None:
    from app.admin.cli import users_cli
    from app.catalogue.cli import questions_cli
    from app.quiz.cli import scores_cli
    from app.security.cli import ratelimits_cli

    app.cli.add_command(questions_cli)
    app.cli.add_command(scores_cli)
    app.cli.add_command(ratelimits_cli)
    app.cli.add_command(users_cli)
