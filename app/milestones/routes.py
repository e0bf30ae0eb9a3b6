"""List, add, edit and delete milestones; one set of views serves all four kinds."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.errors import GONE_TITLE, render_error
from app.milestones.forms import FORMS
from app.services import milestones as svc
from app.services.readiness import LEVEL_LABEL
from app.web import local_today

bp = Blueprint("milestones", __name__, url_prefix="/milestones")

UNDO = "milestone_undo"  # in the signed session cookie: the last deleted milestone's values
CHANGED = "milestone_changed"  # the kind whose section shows the message of the change just made


@bp.errorhandler(svc.MilestoneNotFoundError)
def _not_found(error: Exception) -> tuple[str, int]:
    return render_error(
        404,
        "That milestone is not in your list (any more): it may have been deleted in another tab.",
        back=(url_for("milestones.index"), "Back to your milestones"),
        title=GONE_TITLE,
    )


@bp.route("")
@login_required
def index() -> str:
    return render_template(
        "milestones/index.html",
        kinds=svc.KINDS,
        milestones=svc.list_all(current_user.id),
        undo=session.get(UNDO),
        changed=session.pop(CHANGED, None),
        level_labels=LEVEL_LABEL,
        today=local_today(),
    )


@bp.route("/<kind_slug>/new", methods=["GET", "POST"])
@login_required
def new(kind_slug: str) -> tuple[str, int] | Response:
    kind = svc.kind(kind_slug)
    form = FORMS[kind.slug]()
    if form.validate_on_submit():
        svc.create(current_user.id, kind, form.data)
        return _back_to(kind, f"Added your {kind.label}.", "success")
    return _render_form(kind, form, is_new=True)


@bp.route("/<kind_slug>/<id:milestone_id>/edit", methods=["GET", "POST"])
@login_required
def edit(kind_slug: str, milestone_id: int) -> tuple[str, int] | Response:
    kind = svc.kind(kind_slug)
    row = svc.get(current_user.id, kind, milestone_id)
    form = FORMS[kind.slug](obj=row)
    if form.validate_on_submit():
        svc.update(current_user.id, kind, milestone_id, form.data)
        return _back_to(kind, f"Saved your {kind.label}.", "success")
    return _render_form(kind, form, is_new=False)


def _back_to(kind: svc.Kind, message: str, category: str) -> Response:
    """Back to the list at the changed kind's section, which shows `message` (the top of the
    page, where messages usually go, is scrolled off there)."""
    flash(message, category)
    session[CHANGED] = kind.slug
    return redirect(url_for("milestones.index", _anchor=kind.slug))


@bp.route("/<kind_slug>/<id:milestone_id>/delete", methods=["GET", "POST"])
@login_required
def delete(kind_slug: str, milestone_id: int) -> str | Response:
    """Asks once (a page that works without JavaScript), then deletes; the list offers undo."""
    kind = svc.kind(kind_slug)
    row = svc.get(current_user.id, kind, milestone_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        return render_template(
            "milestones/delete.html",
            kind=kind,
            item=row,
            level_labels=LEVEL_LABEL,
            today=local_today(),
        )
    session[UNDO] = {"kind": kind.slug, "values": svc.snapshot(row, kind)}
    svc.remove(current_user.id, kind, milestone_id)
    return _back_to(kind, f"Deleted the {kind.label}.", "info")


@bp.route("/undo", methods=["POST"])
@login_required
def undo() -> Response:
    """Put back the milestone deleted last in this browser (once)."""
    form = FlaskForm()
    pending = session.pop(UNDO, None)
    if not form.validate_on_submit() or not pending or pending.get("kind") not in svc.KINDS:
        flash("There is nothing to undo.", "info")
        return redirect(url_for("milestones.index"))
    kind = svc.KINDS[pending["kind"]]
    svc.restore(current_user.id, kind, pending["values"])
    return _back_to(kind, f"The {kind.label} is back.", "success")


def _render_form(kind: svc.Kind, form: FlaskForm, is_new: bool) -> tuple[str, int]:
    status = 422 if form.errors else 200
    return render_template("milestones/form.html", kind=kind, form=form, is_new=is_new), status
