"""The four target roles: list and detail."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from app.catalogue import catalogue

bp = Blueprint("roles", __name__, url_prefix="/roles")


@bp.route("")
def index() -> str:
    return render_template("roles/index.html", roles=catalogue().roles_in_order())


@bp.route("/<slug>")
def detail(slug: str) -> str:
    cat = catalogue()
    role = cat.roles.get(slug)
    if role is None:
        abort(404)
    return render_template("roles/detail.html", role=role, cat=cat)
