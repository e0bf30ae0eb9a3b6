"""What an operator sees: request ids, structured logs, readiness and Prometheus metrics."""

from __future__ import annotations

from flask import Flask

from app.observability.logs import (
    configure_logging,
    redact_development_server_log,
    register_access_log,
)
from app.observability.metrics import register_metrics
from app.observability.request_ids import register_request_ids


def register_observability(app: Flask) -> None:
    """Request ids first, so that everything after them (even a failing database) has one."""
    register_request_ids(app)
    configure_logging(app)
    redact_development_server_log(app)
    register_access_log(app)
    register_metrics(app)
