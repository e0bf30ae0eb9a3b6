"""Logs as one JSON object a line in production (LOG_JSON), with the request's id, method,
path, status, duration and user id; never a request body, header, password or token.

Paths are logged with secret URL parts (share links, reset and confirmation tokens) replaced,
and SQL errors carry no parameters (`hide_parameters` on the engine).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from urllib.parse import unquote

from flask import Flask, Response, g, has_request_context, request, session
from flask.logging import default_handler

from app.observability.request_ids import elapsed, request_id

ACCESS_LOGGER = "prodready.access"
SECRET_URL_PARTS = frozenset({"secret", "token"})
REDACTED = "[redacted]"


def safe_path() -> str:
    """The request path with any secret URL part replaced (no query string: it may hold one)."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_URL_PARTS:
            path = path.replace(str(value), REDACTED)
    return path


def user_id() -> int | None:
    """Who made the request, without a database query: the API token's user, else the id in
    the signed session cookie."""
    api = g.get("api")
    if api is not None:
        return api.user.id
    claimed = session.get("_user_id", "") if session else ""
    head = str(claimed).partition(":")[0]
    return int(head) if head.isdigit() else None


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the request's fields, and an
    exception's type, message and traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry.update(request_id=request_id(), method=request.method, path=safe_path())
            entry["user_id"] = user_id()
        for key in ("status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["error"] = {
                "type": type(error).__name__,
                "message": str(error).splitlines()[0] if str(error) else "",
                "traceback": self.formatException(record.exc_info),
            }
        return json.dumps(entry, default=str)


class SecretPathFilter(logging.Filter):
    """Redacts secret URL parts in the development server's request lines (logger `werkzeug`),
    which are written before and outside the app's own access log."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__()
        self.pattern = pattern

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.redact(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True

    def redact(self, line: str) -> str:
        """The line decoded (so "%2F" or "%73" cannot hide a route), then redacted."""
        decoded = unquote(line)
        redacted = self.pattern.sub(rf"\1{REDACTED}", decoded)
        return redacted if redacted != decoded else line


def redact_development_server_log(app: Flask) -> None:
    """Every route with a secret part (reset, sign-up and confirmation links, share links) is
    redacted in `flask run`'s log; call after the blueprints are registered."""
    prefixes = sorted(
        {
            rule.rule.split("<", 1)[0]
            for rule in app.url_map.iter_rules()
            if set(rule.arguments) & SECRET_URL_PARTS
        }
    )
    logger = logging.getLogger("werkzeug")
    for old in [f for f in logger.filters if isinstance(f, SecretPathFilter)]:
        logger.removeFilter(old)  # create_app twice in one process: one filter, not two
    if prefixes:
        # Any case and any run of slashes: werkzeug logs the path as sent, before routing.
        routes = "|".join(re.escape(p).replace("/", "/+") for p in prefixes)
        pattern = re.compile(f"({routes})" + r"[^\s?\"]+", re.IGNORECASE)
        logger.addFilter(SecretPathFilter(pattern))


def configure_logging(app: Flask) -> None:
    """JSON lines on stderr for the app's and the access logger when LOG_JSON is set; Flask's
    plain default otherwise (development and tests)."""
    if not app.config["LOG_JSON"]:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for logger in (app.logger, logging.getLogger(ACCESS_LOGGER)):
        logger.removeHandler(default_handler)
        for old in [h for h in logger.handlers if isinstance(h.formatter, JsonFormatter)]:
            logger.removeHandler(old)  # create_app twice in one process: one handler, not two
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def register_access_log(app: Flask) -> None:
    """One line per request (ACCESS_LOG): status and duration, with the request's fields."""
    if not app.config["ACCESS_LOG"]:
        return
    access = logging.getLogger(ACCESS_LOGGER)

    @app.after_request
    def _log(response: Response) -> Response:
        seconds = elapsed()
        duration = None if seconds is None else round(seconds * 1000, 1)
        access.info(
            "%s %s %s",
            request.method,
            safe_path(),
            response.status_code,
            extra={"status": response.status_code, "duration_ms": duration},
        )
        return response
