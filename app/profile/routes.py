"""The user's own profile: target role, display name, password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from app.catalogue import catalogue
from app.profile.forms import ChooseRoleForm, PasswordForm, ProfileForm, role_choices
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
    cat = catalogue()
    form = ProfileForm(
        prefix="profile",
        display_name=current_user.display_name,
        target_role=current_user.target_role,
    )
    form.target_role.choices = role_choices(cat)
    password_form = PasswordForm(prefix="password")
    if form.submit.data and form.validate_on_submit():
        accounts.update_profile(current_user, form.display_name.data, form.target_role.data)
        flash("Profile saved.", "success")
        return redirect(url_for("profile.edit"))
    if password_form.submit.data and password_form.validate_on_submit():
        if current_user.check_password(password_form.current_password.data):
            accounts.change_password(current_user, password_form.new_password.data)
            login_user(current_user)  # re-issue this session under the new generation
            flash("Password changed. You have been logged out everywhere else.", "success")
            return redirect(url_for("profile.edit"))
        password_form.current_password.errors.append("That is not your current password.")
    status = 422 if form.errors or password_form.errors else 200
    return render_template("profile/edit.html", form=form, password_form=password_form), status
