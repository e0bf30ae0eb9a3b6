"""Register, log in, log out."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.auth.forms import (
    FinishSignupForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from app.links import external_url
from app.models import User
from app.security import devices
from app.security.limits import (
    failed,
    paused_page,
    per_account,
    per_device,
    per_ip,
)
from app.services import accounts, tokens
from app.web import safe_next_url

bp = Blueprint("auth", __name__)


def _start_session(user: User, remember: bool = False) -> None:
    session.clear()  # a fresh session at login: nothing from before carries over
    login_user(user, remember=remember)
    user_id = user.id
    after_this_request(lambda response: devices.remember(response, user_id))


def _form_again(template: str, form_class: type) -> Callable[[str], str]:
    """For a limit's pause: the page again, empty (never a password), saying when to retry."""
    return lambda message: render_template(template, form=form_class(), throttled=message)


@bp.route("/register", methods=["GET", "POST"])
@per_ip("REGISTER_LIMIT_IP")
@per_account("REGISTER_LIMIT_ACCOUNT")
@paused_page(_form_again("auth/register.html", RegisterForm))
def register() -> str | Response | tuple[str, int]:
    """Step one of signing up: the same answer whether or not the address has an account (the
    mail differs), so the page cannot be used to find out who is registered."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        accounts.request_signup(
            form.email.data,
            form.display_name.data,
            lambda token: external_url("auth.finish_signup", token=token),
        )
        return render_template(
            "auth/register_sent.html",
            email=form.email.data,
            mail_to_console=not current_app.config.get("MAIL_URL"),
        ), 200
    return render_template("auth/register.html", form=form), 200 if not form.errors else 422


INVALID_LINK = "This link is not valid. Check that you opened all of it."

SIGNUP_PROBLEMS = {
    tokens.TokenProblem.EXPIRED: "This link has expired: a sign-up link works for 24 hours.",
    tokens.TokenProblem.USED: "This address already has an account. Log in, or ask for a "
    "password reset link if you have forgotten the password.",
    tokens.TokenProblem.INVALID: INVALID_LINK,
}


@bp.route("/register/<token>", methods=["GET", "POST"])
@per_ip("PASSWORD_LIMIT_IP")
def finish_signup(token: str) -> tuple[str, int] | Response:
    """Step two: the link from the mail proves the address; the password is chosen here."""
    try:
        email, name = tokens.signup_for(token)
    except tokens.TokenError as error:
        return _bad_signup_link(error.problem)
    form = FinishSignupForm(data={"display_name": name})
    if form.validate_on_submit():
        try:
            user = accounts.register_user(email, form.display_name.data, form.password.data)
        except accounts.EmailTakenError:  # the same link used twice at once
            return _bad_signup_link(tokens.TokenProblem.USED)
        _start_session(user)
        flash("Welcome to ProdReady! Pick the role you are aiming for.", "success")
        return redirect(url_for("profile.choose_role"))
    return render_template("auth/finish_signup.html", form=form, email=email), (
        422 if form.errors else 200
    )


def _bad_signup_link(problem: tokens.TokenProblem) -> tuple[str, int]:
    if problem is tokens.TokenProblem.USED and current_user.is_authenticated:
        return bad_link(
            "This sign-up link has been used: you are logged in already.",
            url_for("main.dashboard"),
            "Go to your dashboard",
        )
    if problem is tokens.TokenProblem.USED:
        return bad_link(SIGNUP_PROBLEMS[problem], url_for(".login"), "Log in")
    return bad_link(SIGNUP_PROBLEMS[problem], url_for(".register"), "Ask for a new sign-up link")


@bp.route("/login", methods=["GET", "POST"])
@per_ip("LOGIN_LIMIT_IP")
@per_account("LOGIN_LIMIT_ACCOUNT", deduct_when=failed)
@per_device("LOGIN_LIMIT_DEVICE", deduct_when=failed)
@paused_page(_form_again("auth/login.html", LoginForm))
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user, remember=form.remember.data)
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


TOKEN_PROBLEMS = {
    tokens.TokenProblem.EXPIRED: "This link has expired: a reset link works for 30 minutes.",
    tokens.TokenProblem.USED: "This link has already been used, or the password was changed "
    "after it was sent.",
    tokens.TokenProblem.INVALID: INVALID_LINK,
}


@bp.route("/forgot-password", methods=["GET", "POST"])
@per_ip("FORGOT_LIMIT_IP")
@per_account("FORGOT_LIMIT_ACCOUNT")
@per_device("FORGOT_LIMIT_DEVICE")
@paused_page(_form_again("auth/forgot.html", ForgotPasswordForm))
def forgot_password() -> tuple[str, int]:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(
            form.email.data,
            lambda token: external_url("auth.reset_password", token=token),
        )
        # The same page whether or not the address has an account.
        return render_template("auth/forgot_sent.html", email=form.email.data), 200
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@per_ip("PASSWORD_LIMIT_IP")
def reset_password(token: str) -> tuple[str, int] | Response:
    try:
        tokens.user_for_reset(token)
    except tokens.TokenError as error:
        return _bad_link(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = accounts.reset_password(token, form.new_password.data)
        _start_session(user)
        flash("Your password is changed and every other session has been logged out.", "success")
        return redirect(url_for("main.dashboard"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200


def bad_link(problem: str, again_url: str, again_text: str) -> tuple[str, int]:
    """The page for a link that cannot be used: why, and where to get a new one."""
    return render_template(
        "auth/bad_link.html", problem=problem, again_url=again_url, again_text=again_text
    ), 400


def _bad_link(error: tokens.TokenError) -> tuple[str, int]:
    return bad_link(
        TOKEN_PROBLEMS[error.problem], url_for(".forgot_password"), "Ask for a new reset link"
    )
