"""Configuration classes; `create_app` takes one of them (or a subclass instance)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SQLITE_PATH = BASE_DIR / "instance" / "prodready.sqlite3"


def _database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


class Config:
    """Settings shared by every environment."""

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str = _database_url()
    # Recycle rather than pre-ping: a ping is an extra round trip on every request. A pooled
    # connection that died is retried instead (app/database.py).
    # hide_parameters: SQL errors in logs never carry values (emails, hashes, answers).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_recycle": 300, "hide_parameters": True}
    # libpq settings for PostgreSQL: fail fast while the server is away (seconds, ms).
    POSTGRES_CONNECT_ARGS: dict = {
        "connect_timeout": 3,
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "tcp_user_timeout": 10000,
    }
    QUESTIONS_DIR: Path = Path(os.environ.get("QUESTIONS_DIR", BASE_DIR / "questions"))
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT: int | None = None  # token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    ATTEMPTS_PER_PAGE = 20
    TESTING = False
    # Rate limits (limits syntax); counters live in the database, shared by every process.
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False  # Retry-After on a 429 only: app/errors.py
    RATELIMIT_STORAGE_URI = "sqlalchemy://"
    LOGIN_LIMIT_IP = "30 per minute; 300 per hour"
    # Failed logins only. Browsers that logged in to the account before are exempt from its
    # per-account limit and have a per-device one (app/security/devices.py).
    LOGIN_LIMIT_ACCOUNT = "5 per minute; 30 per hour"
    LOGIN_LIMIT_DEVICE = "10 per minute; 60 per hour"
    DEVICE_COOKIE_DAYS = 365
    REGISTER_LIMIT_IP = "10 per minute; 50 per hour"
    REGISTER_LIMIT_ACCOUNT = "3 per minute"
    PASSWORD_LIMIT_IP = "10 per minute"
    PASSWORD_LIMIT_ACCOUNT = "5 per minute; 20 per hour"
    FORGOT_LIMIT_IP = "5 per minute; 30 per hour"
    FORGOT_LIMIT_ACCOUNT = "3 per 15 minutes; 10 per day"
    FORGOT_LIMIT_DEVICE = "3 per 15 minutes"
    SHARE_LIMIT_IP = "60 per minute; 600 per hour"
    API_LIMIT_IP = "300 per minute"
    # An import costs seconds of server time; a person needs one now and then.
    IMPORT_LIMIT_ACCOUNT = "20 per hour; 50 per day"
    # Feedback from raters (docs/feedback.md). Pooled groups (peers, direct reports, others)
    # are shown only with at least this many answers; the app refuses to start below 3.
    FEEDBACK_MIN_GROUP = 3
    FEEDBACK_INVITATION_DAYS = 21
    FEEDBACK_MAX_INVITATIONS = 30
    FEEDBACK_INVITE_LIMIT_ACCOUNT = "20 per day"
    # A rater saves each choice as they go (about 100 requests for a whole form), and a
    # workplace's raters may share one address.
    RATER_LIMIT_IP = "600 per minute"
    # The site's public address, http(s)://host[:port]: every link the app mails or shows for
    # sharing is built from it, never from the request's Host header (app/links.py).
    PUBLIC_BASE_URL: str | None = os.environ.get("PUBLIC_BASE_URL")
    # Production answers only requests naming that host (Flask's TRUSTED_HOSTS; set
    # PRODREADY_TRUSTED_HOSTS='["prodready.example", "10.0.0.5"]' to list more).
    TRUST_ONLY_PUBLIC_HOST = False
    # Mail: MAIL_URL is smtp://, smtps:// or smtp+plain:// (app/mail_backend.py); none: console.
    MAIL_URL: str | None = os.environ.get("MAIL_URL")
    MAIL_FROM = os.environ.get("MAIL_FROM", "ProdReady <no-reply@prodready.invalid>")
    MAIL_TIMEOUT = 10
    # Send after the response, so that whether a mail went out does not show in the timing.
    MAIL_IN_BACKGROUND = True
    RESET_TOKEN_MAX_AGE = 30 * 60
    EMAIL_TOKEN_MAX_AGE = 24 * 60 * 60
    # An import file as sent, JSON or gzip-compressed JSON (about 5 times smaller), and the
    # JSON read from it: 16 MB holds some 150 full assessments, more than one a month for 12
    # years, and imports in about 10 s. Decompression stops at that limit (no gzip bombs).
    IMPORT_MAX_UPLOAD_BYTES = 4 * 1024 * 1024
    IMPORT_MAX_BYTES = 16 * 1024 * 1024
    # The largest request body at all: an import file plus the form around it.
    MAX_CONTENT_LENGTH = IMPORT_MAX_UPLOAD_BYTES + 64 * 1024
    HSTS_SECONDS: int | None = None
    # Number of trusted proxies in front of the app setting X-Forwarded-For (0: none).
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    # Observability: JSON log lines and one access line per request (production), whether the
    # proxy's X-Request-ID is trusted, and who may read /metrics (addresses or networks).
    LOG_JSON = False
    ACCESS_LOG = False
    TRUST_REQUEST_ID = False
    METRICS_ALLOW: list[str] = ["127.0.0.1/32", "::1/128"]


class DevelopmentConfig(Config):
    """`make run`: a local SQLite database and a throwaway key unless one is set."""

    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"


class TestConfig(Config):
    """The suite; the database URL comes from the test fixtures."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False  # the rate-limit tests switch it on
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PUBLIC_BASE_URL = "http://localhost"  # the test client's host
    MAIL_URL = None  # the mail tests point it at their own SMTP server
    MAIL_IN_BACKGROUND = False
    # Tests build many short-lived apps on one PostgreSQL server (max_connections 100): each
    # keeps at most one idle connection, and opens more only while it needs them.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {
        **Config.SQLALCHEMY_ENGINE_OPTIONS,
        "pool_size": 1,
        "max_overflow": 20,
    }


class ProductionConfig(Config):
    """gunicorn behind a TLS-terminating load balancer."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    TRUST_ONLY_PUBLIC_HOST = True
    HSTS_SECONDS = 31536000
    LOG_JSON = True
    ACCESS_LOG = True


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by PRODREADY_ENV: development, testing or production."""
    name = os.environ.get("PRODREADY_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"PRODREADY_ENV={name!r}; expected one of {sorted(CONFIGS)}") from None
