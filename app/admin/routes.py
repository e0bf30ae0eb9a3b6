"""Admin pages: item statistics. Anyone who is not an admin gets a plain 404."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from app.catalogue import catalogue
from app.services import item_stats

bp = Blueprint("admin", __name__, url_prefix="/admin")

SORTS = {
    "flags": lambda s: (not s.flagged, s.skill_id, s.item_id),
    "item": lambda s: s.item_id,
    "skill": lambda s: (s.skill_id, s.item_id),
    "answers": lambda s: s.answers,
    "facility": lambda s: (s.facility is None, s.facility or 0),
    "discrimination": lambda s: (s.discrimination is None, s.discrimination or 0),
}


@bp.before_request
def _admins_only() -> None:
    """Not even a login redirect: the pages do not exist for anyone but an admin."""
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(404)


@bp.route("/items")
def items() -> str:
    cat = catalogue()
    skill = request.args.get("skill") or None
    if skill is not None and skill not in cat.skills:
        abort(404)
    sort = request.args.get("sort", "flags")
    if sort not in SORTS:
        sort = "flags"
    descending = request.args.get("dir") == "desc"
    min_answers = request.args.get("min", item_stats.MIN_ANSWERS, type=int)
    min_answers = max(1, min(min_answers, 1_000_000))
    stats, scales = item_stats.item_statistics(cat, skill, min_answers)
    stats.sort(key=SORTS[sort], reverse=descending)
    return render_template(
        "admin/items.html",
        stats=stats,
        scales=scales,
        skill=skill,
        sort=sort,
        descending=descending,
        min_answers=min_answers,
        columns=("flags", "item", "skill", "answers", "facility", "discrimination"),
    )
