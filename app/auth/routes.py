"""Register, log in, log out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.auth.forms import LoginForm, RegisterForm
from app.models import User
from app.security.limits import per_account, per_ip
from app.services import accounts
from app.web import safe_next_url

bp = Blueprint("auth", __name__)


def _start_session(user: User) -> None:
    session.clear()  # a fresh session at login: nothing from before carries over
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
@per_ip("REGISTER_LIMIT_IP")
@per_account("REGISTER_LIMIT_ACCOUNT")
def register() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_user(
                form.email.data, form.display_name.data, form.password.data
            )
        except accounts.EmailTakenError:
            form.email.errors.append(
                "An account with this email already exists. Log in instead, or use another address."
            )
        else:
            _start_session(user)
            flash("Welcome to ProdReady! Pick the role you are aiming for.", "success")
            return redirect(url_for("profile.choose_role"))
    return render_template("auth/register.html", form=form), 200 if not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
@per_ip("LOGIN_LIMIT_IP")
@per_account("LOGIN_LIMIT_ACCOUNT")
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user)
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.dashboard"))
        form.password.errors.append("That email and password do not match an account.")
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    # CSRFProtect has already checked the token of this POST. Logging out ends every session of
    # this account, on every device.
    accounts.end_all_sessions(current_user)
    logout_user()
    session.clear()
    flash("You have logged out.", "info")
    return redirect(url_for("main.index"))
