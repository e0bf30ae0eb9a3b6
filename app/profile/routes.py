"""The user's own profile: target role, display name, password, email address, deletion."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.auth.routes import TOKEN_PROBLEMS, bad_link
from app.catalogue import catalogue
from app.links import external_url
from app.profile.forms import (
    BROWSER_ZONE,
    ChooseRoleForm,
    ConfirmEmailForm,
    DeleteAccountForm,
    EmailForm,
    PasswordForm,
    ProfileForm,
    TokenForm,
    role_choices,
    time_zone_hint,
)
from app.security.limits import per_account, per_ip
from app.services import access, accounts, timezones, tokens
from app.web import browser_zone

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
        accounts.update_profile(
            current_user,
            form.display_name.data,
            form.target_role.data,
            form.time_zone.data or None,  # BROWSER_ZONE: follow the browser's
        )
        flash("Profile saved.", "success")
        return redirect(url_for("profile.edit"))
    return _render(form, PasswordForm(prefix="password", formdata=None), _email_form(None))


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
    return _render(_profile_form(formdata=None), password_form, _email_form(None))


@bp.route("/profile/email", methods=["POST"])
@login_required
@per_ip("PASSWORD_LIMIT_IP")
@per_account("PASSWORD_LIMIT_ACCOUNT", from_form=False)
def change_email() -> tuple[str, int] | Response:
    form = EmailForm(prefix="email")
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
        else:
            try:
                accounts.request_email_change(
                    current_user,
                    form.new_email.data,
                    lambda token: external_url("profile.confirm_email", token=token),
                )
            except accounts.SameEmailError:
                form.new_email.errors.append("That is already your email address.")
            else:
                flash(
                    f"We sent a confirmation link to {form.new_email.data}. Your address changes "
                    "when you follow it; we also told your current address.",
                    "success",
                )
                return redirect(url_for("profile.edit"))
    return _render(
        _profile_form(formdata=None), PasswordForm(prefix="password", formdata=None), form
    )


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> tuple[str, int] | Response:
    """GET shows what will change; the change needs the POST (mail scanners follow links)."""
    try:
        _, new_email = tokens.email_change_for(token)
    except tokens.TokenError as error:
        return _bad_email_link(TOKEN_PROBLEMS_EMAIL[error.problem])
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        try:
            accounts.confirm_email_change(token)
        except tokens.TokenError as error:
            return _bad_email_link(TOKEN_PROBLEMS_EMAIL[error.problem])
        except accounts.EmailTakenError:
            return _bad_email_link(
                f"{new_email} already belongs to another ProdReady account, so your address was "
                "not changed."
            )
        flash(f"Your email address is now {new_email}.", "success")
        return redirect(url_for("profile.edit" if current_user.is_authenticated else "auth.login"))
    return render_template("profile/confirm_email.html", form=form, new_email=new_email), 200


TOKEN_PROBLEMS_EMAIL = TOKEN_PROBLEMS | {
    tokens.TokenProblem.EXPIRED: "This link has expired: a confirmation link works for 24 hours.",
    tokens.TokenProblem.USED: "This link has already been used, or the account's address changed "
    "after it was sent.",
}


def _bad_email_link(problem: str) -> tuple[str, int]:
    return bad_link(problem, url_for("profile.edit"), "Back to your profile")


@bp.route("/profile/delete", methods=["GET", "POST"])
@login_required
@per_ip("PASSWORD_LIMIT_IP")
@per_account("PASSWORD_LIMIT_ACCOUNT", from_form=False)
def delete_account() -> tuple[str, int] | Response:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if current_user.check_password(form.current_password.data):
            user_id = current_user.id
            accounts.delete_account(current_user._get_current_object())
            # Kept in the logs so that a restore from an older backup can re-apply it.
            current_app.logger.info("account %s deleted at its owner's request", user_id)
            logout_user()
            session.clear()
            flash("Your account and all its data have been deleted.", "info")
            return redirect(url_for("main.index"))
        form.current_password.errors.append("That is not your current password.")
    return render_template("profile/delete.html", form=form), 422 if form.errors else 200


def _profile_form(**kwargs: object) -> ProfileForm:
    """The profile form pre-filled from the current user (kwargs e.g. formdata=None); until the
    person chooses a time zone, "My browser's time zone" is selected."""
    chosen, detected = timezones.known(current_user.time_zone), browser_zone()
    form = ProfileForm(
        prefix="profile",
        display_name=current_user.display_name,
        target_role=current_user.target_role,
        time_zone=chosen or BROWSER_ZONE,
        **kwargs,
    )
    form.target_role.choices = role_choices(catalogue())
    form.time_zone.description = time_zone_hint(chosen, detected)
    return form


def _email_form(formdata: object) -> EmailForm:
    return EmailForm(prefix="email", formdata=formdata)


def _render(
    form: ProfileForm,
    password_form: PasswordForm,
    email_form: EmailForm,
    token_form: TokenForm | None = None,
) -> tuple[str, int]:
    token_form = token_form or TokenForm(prefix="token", formdata=None)
    forms = (form, password_form, email_form, token_form)
    status = 422 if any(f.errors for f in forms) else 200
    return render_template(
        "profile/edit.html",
        form=form,
        password_form=password_form,
        email_form=email_form,
        token_form=token_form,
        share_links=access.active_share_links(current_user.id),
        api_tokens=access.tokens_of(current_user.id),
        roles=catalogue().roles,
    ), status


@bp.route("/profile/shares/<id:link_id>/revoke", methods=["POST"])
@login_required
def revoke_share(link_id: int) -> Response:
    if not access.revoke_share_link(current_user.id, link_id):
        abort(404)
    flash("The share link is revoked: it no longer opens.", "success")
    return redirect(url_for("profile.edit", _anchor="sharing"))


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_token() -> tuple[str, int]:
    form = TokenForm(prefix="token")
    if not form.validate_on_submit():
        return _render(
            _profile_form(formdata=None),
            PasswordForm(prefix="password", formdata=None),
            _email_form(None),
            form,
        )
    secret = access.create_token(
        current_user, form.name.data, form.scope.data, access.EXPIRY_DAYS[form.expires.data]
    )
    return render_template("profile/token_created.html", secret=secret, form=form), 201


@bp.route("/profile/tokens/<id:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int) -> Response:
    if not access.revoke_token(current_user.id, token_id):
        abort(404)
    flash("The token is revoked: it no longer works.", "success")
    return redirect(url_for("profile.edit", _anchor="api-tokens"))
