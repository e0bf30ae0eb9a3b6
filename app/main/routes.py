"""Landing page and dashboard."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from werkzeug.wrappers import Response

from app.catalogue import catalogue
from app.extensions import db
from app.services import attempts, estimates, feedback, readiness, report
from app.web import local_today

bp = Blueprint("main", __name__)


@bp.route("/")
def index() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/index.html")


@bp.route("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers. It never touches the database, so an orchestrator does
    not restart healthy processes while the database is away."""
    return {"status": "ok"}


@bp.route("/readyz")
def readyz() -> tuple[dict[str, str], int]:
    """Readiness for a load balancer: the database answers a trivial query (one query, no
    session; also the benchmark's baseline)."""
    for _ in range(2):  # a pooled connection that died is replaced on the second try
        try:
            db.session.execute(text("SELECT 1"))
        except DBAPIError:
            db.session.rollback()
        else:
            return {"status": "ready"}, 200
    return {"status": "unavailable", "database": "unreachable"}, 503


@bp.route("/scoring")
def scoring() -> str:
    """How answers become scores and estimates, in plain words (public)."""
    return render_template("main/scoring.html", model=estimates)


@bp.route("/dashboard")
@login_required
def dashboard() -> str:
    cat = catalogue()
    role = cat.roles.get(current_user.target_role or "")
    result = None
    if role is not None:
        today = local_today()
        facts, _ = report.load_facts(current_user.id, today)
        result = readiness.readiness(role, cat, facts, today)
    return render_template(
        "main/dashboard.html",
        role=role,
        result=result,
        in_progress=attempts.latest_in_progress(current_user.id),
        feedback_status=feedback.status(current_user.id),
    )
