"""Feedback from raters: the owner invites and follows a round at /feedback; a rater answers at
/r/<secret> without an account (docs/feedback.md)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.errors import GONE_TITLE, render_error
from app.feedback.forms import (
    ActionForm,
    InviteForm,
    OptOutForm,
    RelinkForm,
    levels_from,
    rater_skill_form,
)
from app.links import external_url
from app.security.limits import paused_page, per_account, per_ip
from app.security.once import new_once, secret_for
from app.services import feedback, mailer
from app.services.feedback_results import GROUP_NAMES, NAMED_GROUPS
from app.web import wants_json

bp = Blueprint("feedback", __name__)


def _made(response: Response) -> bool:
    """Only invitations actually made count against the daily limit (not a refused form, nor
    the same form sent again, which shows what its first sending made)."""
    return g.get("invitation_made", False)


# --- the owner's side ----------------------------------------------------------------------


def _owner_page(form: InviteForm, status: int = 200, throttled: str | None = None):
    overview = feedback.overview(current_user)
    return render_template(
        "feedback/index.html",
        form=form,
        relink_form=RelinkForm(),
        throttled=throttled,
        overview=overview,
        history=feedback.history(overview.closed),
        threshold=feedback.threshold(),
        group_names=GROUP_NAMES,
        named_groups=NAMED_GROUPS,
    ), status


@bp.route("/feedback", methods=["GET", "POST"])
@login_required
@per_account("FEEDBACK_INVITE_LIMIT_ACCOUNT", from_form=False, deduct_when=_made)
@paused_page(lambda message: _owner_page(InviteForm(), 429, message))
def index():
    form = InviteForm()
    if not form.validate_on_submit():
        return _owner_page(form, 422 if form.errors else 200)
    secret = secret_for(
        "feedback-invitation",
        current_user.id,
        form.once.data,
        form.relationship.data,
        form.label.data,
        (form.email.data or "").lower(),
        form.note.data or "",
    )
    try:
        invitation, new = feedback.invite(
            current_user,
            form.relationship.data,
            form.label.data,
            form.note.data or "",
            form.email.data or None,
            secret,
        )
    except feedback.FeedbackError as problem:
        form.form_errors.append(str(problem))
        return _owner_page(form, 422)
    g.invitation_made = new
    if not new and not feedback.still_open(current_user.id, invitation):
        form.once.data = new_once()  # the page of an invitation since revoked, sent again
        form.form_errors.append(
            "This form had already made an invitation, which has since been revoked, answered "
            "or closed. Send the form again to make a new one."
        )
        return _owner_page(form, 409)
    link = external_url("feedback.rater_start", secret=secret)
    if invitation.email:
        if new:
            mailer.in_background(
                mailer.feedback_request,
                invitation.email,
                current_user.display_name,
                invitation.note,
                link,
                external_url("feedback.opt_out", secret=secret),
            )
        flash(f"Invitation sent to {invitation.email}.", "success")
        return redirect(url_for("feedback.index"))
    return render_template(
        "feedback/link_made.html", link=link, label=invitation.label, expires=invitation.expires_at
    ), 201


def _unchangeable() -> tuple[str, int]:
    """404 for an invitation id that is not the person's, or no longer open to change (a tab
    left open while it was answered or its round closed)."""
    return render_error(
        404,
        "There is no invitation of yours here that can still be changed: it may have been "
        "answered, or its round closed in another tab.",
        back=(url_for("feedback.index"), "Back to your feedback page"),
        title=GONE_TITLE,
    )


def _owner_action(done: bool, message: str) -> Response | tuple[str, int]:
    if not done:
        return _unchangeable()
    flash(message, "success")
    return redirect(url_for("feedback.index", _anchor="invitations"))


@bp.route("/feedback/invitations/<id:invitation_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(invitation_id: int):
    """Ask first (a link cannot be shown again, so a revoked one is gone for good), then revoke."""
    if request.method == "GET":
        invitation = feedback.owned_invitation(current_user.id, invitation_id)
        if invitation is None:
            return _unchangeable()
        return render_template("feedback/revoke.html", invitation=invitation)
    return _owner_action(
        feedback.revoke(current_user.id, invitation_id),
        "Invitation revoked: its link no longer works.",
    )


@bp.post("/feedback/invitations/<id:invitation_id>/new-link")
@login_required
def relink(invitation_id: int) -> tuple[str, int]:
    """A new link for an invitation never opened, when the first was lost before being sent."""
    form = RelinkForm()
    if not form.validate_on_submit():
        abort(400)
    secret = secret_for(f"feedback-relink-{invitation_id}", current_user.id, form.once.data)
    invitation = feedback.relink(current_user.id, invitation_id, secret)
    if invitation is None:
        return _unchangeable()
    return render_template(
        "feedback/link_made.html",
        link=external_url("feedback.rater_start", secret=secret),
        label=invitation.label,
        expires=invitation.expires_at,
        replaced=True,
    ), 201


@bp.post("/feedback/invitations/<id:invitation_id>/extend")
@login_required
def extend(invitation_id: int) -> Response | tuple[str, int]:
    return _owner_action(
        feedback.extend(current_user.id, invitation_id),
        "Invitation extended.",
    )


@bp.route("/feedback/close", methods=["GET", "POST"])
@login_required
def close():
    open_round = feedback.open_round(current_user.id)
    if open_round is None:
        flash("There is no open round to close.", "info")
        return redirect(url_for("feedback.index"))
    form = ActionForm()
    if form.validate_on_submit():
        feedback.close_round(current_user.id)
        flash("Round closed. The results are below.", "success")
        return redirect(url_for("feedback.index", _anchor="results"))
    return render_template(
        "feedback/close.html",
        form=form,
        progress=feedback.group_progress(open_round.id),
        threshold=feedback.threshold(),
        group_names=GROUP_NAMES,
        named_groups=NAMED_GROUPS,
    )


# --- the rater's side ----------------------------------------------------------------------


@bp.after_app_request
def _rater_paths_private(response: Response) -> Response:
    """Every response under /r/ is never indexed and never sent on as a referrer, error pages
    too (an unknown secret or skill, a failure): their address carries the rater's secret."""
    if request.path.startswith("/r/"):
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(template: str, status: int = 200, **context) -> Response:
    return make_response(render_template(template, **context), status)


DEVICE_COOKIE = "prodready_rater"
DEVICE_COOKIE_DAYS = 120


def _device() -> str:
    """This browser's random device key (a cookie kept for the rater's pages only), made on
    first use: the rater's saved answers belong to the browser that saved them."""
    if "rater_device" not in g:
        key = request.cookies.get(DEVICE_COOKIE, "")
        if not feedback.is_device_key(key):
            key = feedback.new_device_key()

        @after_this_request
        def remember(response: Response) -> Response:
            """Set, or renewed on every use, so a draft started late in its life stays."""
            response.set_cookie(
                DEVICE_COOKIE,
                key,
                max_age=DEVICE_COOKIE_DAYS * 86400,
                path="/r/",
                secure=current_app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
                samesite="Lax",
            )
            return response

        g.rater_device = key
    return g.rater_device


def _rater(secret: str) -> feedback.RaterView | Response:
    """The rater's view, or the page that says the link cannot be used (404 / 410 / 403)."""
    view = feedback.find_invitation(secret)
    if view is None:
        abort(404)
    if current_user.is_authenticated and current_user.id == view.owner_id:
        return _page("feedback/rater_own.html", 403)
    try:
        feedback.check_answerable(view)
    except feedback.LinkGoneError as gone:
        return _gone(gone)
    return view


def _unsubmitted(secret: str) -> feedback.RaterView | Response:
    """The rater's view of a link that still takes answers, else the page it shows instead
    (why it cannot be used, or the thanks of a link already submitted)."""
    view = _rater(secret)
    if isinstance(view, Response) or not view.submitted:
        return view
    return _thanks(view)


def _gone(gone: feedback.LinkGoneError) -> Response:
    return _page("feedback/rater_gone.html", 410, reason=gone.reason)


def _elsewhere(view: feedback.RaterView, secret: str) -> Response:
    """The page for a browser that did not save the link's answers (409): they stay hidden;
    it may start again."""
    if wants_json():
        message = "These answers were started in another browser: reload the page."
        return make_response(jsonify(saved=False, error=message), 409)
    return _page("feedback/rater_elsewhere.html", 409, view=view, secret=secret, form=ActionForm())


def _thanks(view: feedback.RaterView) -> Response:
    return _page("feedback/rater_thanks.html", view=view)


def _rater_paused(message: str) -> Response:
    """A rater's page paused by the per-IP limit: in the rater's layout, never indexed."""
    return _page("feedback/rater_paused.html", 429, message=message)


def rater_page(view_function: Callable[..., Response]) -> Callable[..., Response]:
    """A rater's route: the link checked first (a page saying why it cannot be used), a link
    already submitted thanked, else `view_function(view, secret, ...)`."""

    @functools.wraps(view_function)
    def wrapped(secret: str, **kwargs: str) -> Response:
        view = _unsubmitted(secret)
        if isinstance(view, Response):
            return view
        try:
            if not feedback.holds_draft(view, _device()):
                raise feedback.DraftElsewhereError
            return view_function(view, secret, **kwargs)
        except feedback.DraftElsewhereError:
            return _elsewhere(view, secret)
        except feedback.LinkGoneError as gone:  # closed or revoked while this request ran
            return _gone(gone)

    return wrapped


@bp.get("/r/<secret>")
@per_ip("RATER_LIMIT_IP", methods=["GET"])
@paused_page(_rater_paused)
@rater_page
def rater_start(view: feedback.RaterView, secret: str) -> Response:
    feedback.mark_opened(view)
    return _page(
        "feedback/rater_start.html",
        view=view,
        saved=feedback.saved_answers(view.invitation.id, _device()),
        secret=secret,
        threshold=feedback.threshold(),
        group_name=GROUP_NAMES[view.invitation.relationship],
    )


@bp.route("/r/<secret>/skills/<skill_id>", methods=["GET", "POST"])
@per_ip("RATER_LIMIT_IP", methods=["GET", "POST"])
@paused_page(_rater_paused)
@rater_page
def rater_skill(view: feedback.RaterView, secret: str, skill_id: str) -> Response:
    rater_skill_ = view.skill(skill_id)
    if rater_skill_ is None:
        abort(404)
    saved = feedback.saved_answers(view.invitation.id, _device())
    form = rater_skill_form(rater_skill_, saved)
    status = 200
    if request.method == "POST":
        autosave = wants_json()
        if form.validate():
            levels = levels_from(form, rater_skill_)
            if not feedback.save_skill(
                view, _device(), rater_skill_, levels, form.comment.data or ""
            ):
                return _thanks(view)
            if autosave:
                return jsonify(saved=True)
            following = view.next_skill(skill_id)
            if "back" in request.form:
                target = url_for("feedback.rater_start", secret=secret)
            elif following is not None:
                target = url_for("feedback.rater_skill", secret=secret, skill_id=following.skill.id)
            else:
                target = url_for("feedback.rater_review", secret=secret)
            return redirect(target)
        if autosave:
            return make_response(jsonify(saved=False, errors=form.errors), 422)
        status = 422
    position = [s.skill.id for s in view.skills].index(skill_id) + 1
    return _page(
        "feedback/rater_skill.html",
        status,
        view=view,
        rater_skill=rater_skill_,
        form=form,
        secret=secret,
        position=position,
    )


@bp.route("/r/<secret>/review", methods=["GET", "POST"])
@per_ip("RATER_LIMIT_IP", methods=["GET", "POST"])
@paused_page(_rater_paused)
@rater_page
def rater_review(view: feedback.RaterView, secret: str) -> Response:
    form = ActionForm()
    if form.validate_on_submit():
        feedback.submit(view, _device())
        return redirect(url_for("feedback.rater_start", secret=secret))
    return _page(
        "feedback/rater_review.html",
        view=view,
        saved=feedback.saved_answers(view.invitation.id, _device()),
        form=form,
        secret=secret,
    )


@bp.post("/r/<secret>/start-again")
@per_ip("RATER_LIMIT_IP", methods=["POST"])
@paused_page(_rater_paused)
def rater_start_again(secret: str) -> Response:
    """Give the link to this browser, deleting the answers another browser saved on it."""
    view = _unsubmitted(secret)
    if isinstance(view, Response):
        return view
    if ActionForm().validate_on_submit():
        try:
            feedback.start_again(view, _device())
        except feedback.LinkGoneError as gone:
            return _gone(gone)
    return redirect(url_for("feedback.rater_start", secret=secret))


@bp.route("/r/<secret>/opt-out", methods=["GET", "POST"])
@per_ip("RATER_LIMIT_IP", methods=["GET", "POST"])
@paused_page(_rater_paused)
def opt_out(secret: str) -> Response:
    """ "Don't ask me again" from the mail: a page with a button (a mail scanner following the
    link must not opt anybody out), then a confirmation."""
    view = feedback.find_invitation(secret)
    if view is None:
        abort(404)
    form = OptOutForm()
    done = form.validate_on_submit() and feedback.opt_out(view)
    return _page("feedback/opt_out.html", view=view, form=form, done=done, secret=secret)
