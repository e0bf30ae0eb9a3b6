"""The user's own profile: target role, display name, password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from app.catalogue import catalogue
from app.profile.forms import ChooseRoleForm, PasswordForm, ProfileForm, role_choices
from app.security.limits import per_account, per_ip
from app.services import accounts

bp = Blueprint("profile", __name__)


@bp.route("/choose-role", methods=["GET", "POST"])
@login_required
def choose_role() -> tuple[str, int] | Response:
    cat = catalogue()
    form = ChooseRoleForm(target_role=current_user.target_role)
    form.target_role.choices = role_choices(cat)
    if form.validate_on_submit():
        accounts.set_target_role(current_user, form.target_role.data)
        flash(f"Target role set to {cat.roles[form.target_role.data].name}.", "success")
        return redirect(url_for("main.dashboard"))
    status = 422 if form.errors else 200
    descriptions = {r.slug: r.summary.text for r in cat.roles_in_order()}
    return render_template("profile/choose_role.html", form=form, descriptions=descriptions), status


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def edit() -> tuple[str, int] | Response:
    form = _profile_form()
    if form.validate_on_submit():
        accounts.update_profile(current_user, form.display_name.data, form.target_role.data)
        flash("Profile saved.", "success")
        return redirect(url_for("profile.edit"))
    return _render(form, PasswordForm(prefix="password", formdata=None))


@bp.route("/profile/password", methods=["POST"])
@login_required
@per_ip("PASSWORD_LIMIT_IP")
@per_account("PASSWORD_LIMIT_ACCOUNT", from_form=False)
def change_password() -> tuple[str, int] | Response:
    password_form = PasswordForm(prefix="password")
    if password_form.validate_on_submit():
        if current_user.check_password(password_form.current_password.data):
            accounts.change_password(current_user, password_form.new_password.data)
            session.clear()
            login_user(current_user)  # a fresh session under the new generation
            flash("Password changed. You have been logged out everywhere else.", "success")
            return redirect(url_for("profile.edit"))
        password_form.current_password.errors.append("That is not your current password.")
    return _render(_profile_form(formdata=None), password_form)


def _profile_form(**kwargs: object) -> ProfileForm:
    """The profile form pre-filled from the current user (kwargs e.g. formdata=None)."""
    form = ProfileForm(
        prefix="profile",
        display_name=current_user.display_name,
        target_role=current_user.target_role,
        **kwargs,
    )
    form.target_role.choices = role_choices(catalogue())
    return form


def _render(form: ProfileForm, password_form: PasswordForm) -> tuple[str, int]:
    status = 422 if form.errors or password_form.errors else 200
    return render_template("profile/edit.html", form=form, password_form=password_form), status
