"""Prometheus metrics at /metrics, for allowed addresses only (METRICS_ALLOW).

Under gunicorn every worker is its own process, so the counters use prometheus_client's
multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set (gunicorn.conf.py sets it): each
worker writes its values to files there, and a scrape of any worker adds them all up. Without
it (development, tests) they live in this app's own registry. Either way nothing is global to
the module: each app builds its metrics in `Metrics`.
"""

from __future__ import annotations

import ipaddress
import os

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event

from app.extensions import db
from app.observability.request_ids import elapsed
from app.services.attempts import attempt_started, attempt_submitted

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

bp = Blueprint("metrics", __name__)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "prodready_http_requests",
            "HTTP requests by endpoint, method and status.",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "prodready_http_request_duration_seconds",
            "Time from the first to the last line of the app's handling of a request.",
            ["endpoint", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.attempts_started = Counter(
            "prodready_attempts_started", "Quiz attempts started.", registry=self.registry
        )
        self.attempts_submitted = Counter(
            "prodready_attempts_submitted", "Quiz attempts submitted.", registry=self.registry
        )
        self.pool_in_use = Gauge(
            "prodready_db_pool_connections_in_use",
            "Database connections checked out of the pools, summed over live workers.",
            multiprocess_mode="livesum",
            registry=self.registry,
        )

    def scrape(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)


def _allowed(remote: str | None, networks: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


@bp.route("/metrics")
def metrics() -> Response:
    """Prometheus text format; 404 to anyone outside METRICS_ALLOW (it does not exist for them)."""
    if not _allowed(request.remote_addr, current_app.config["METRICS_ALLOW"]):
        abort(404)
    return Response(current_app.extensions["metrics"].scrape(), mimetype=CONTENT_TYPE_LATEST)


def register_metrics(app: Flask) -> None:
    m = app.extensions["metrics"] = Metrics()
    app.register_blueprint(bp)

    @app.after_request
    def _count(response: Response) -> Response:
        endpoint = request.endpoint or "unmatched"
        m.requests.labels(endpoint, request.method, str(response.status_code)).inc()
        seconds = elapsed()
        if seconds is not None:
            m.latency.labels(endpoint, request.method).observe(seconds)
        return response

    # Only this app's signals (the services send with the app as sender). Signals hold their
    # receivers weakly, so the app keeps them alive.
    def _started(_sender: object, **_: object) -> None:
        m.attempts_started.inc()

    def _submitted(_sender: object, **_: object) -> None:
        m.attempts_submitted.inc()

    app.extensions["metrics_receivers"] = (_started, _submitted)
    attempt_started.connect(_started, sender=app)
    attempt_submitted.connect(_submitted, sender=app)
    with app.app_context():
        event.listen(db.engine, "checkout", lambda *_: m.pool_in_use.inc())
        event.listen(db.engine, "checkin", lambda *_: m.pool_in_use.dec())
