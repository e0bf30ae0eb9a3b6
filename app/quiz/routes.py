"""Quiz list, attempts (one question per page), review, submit and results."""

from __future__ import annotations

import math
import random

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.catalogue import catalogue
from app.database import autocommit, idempotent
from app.errors import GONE_TITLE, render_error
from app.quiz.forms import DiscardAttemptForm, SubmitAttemptForm
from app.services import attempts as svc
from app.services import estimates, skill_estimates
from app.services.quizzes import find_quiz, quizzes_for_role
from app.services.scoring import weakest
from app.web import MAX_ID, counted, request_zone, wants_json

bp = Blueprint("quiz", __name__)


@bp.errorhandler(svc.AttemptNotFoundError)
def _not_found(error: Exception) -> tuple[Response | str, int]:
    message = (
        "That attempt or question is not among yours (any more): an attempt in progress may "
        "have been discarded in another tab."
    )
    if wants_json():
        return jsonify(error=message), 404
    back = (url_for("quiz.index"), "Back to your quizzes")
    return render_error(404, message, back=back, title=GONE_TITLE)


STALE = "This page is out of date"


@bp.errorhandler(svc.StaleQuestionError)
def _stale(error: svc.StaleQuestionError) -> tuple[Response | str, int]:
    message = (
        "This page is out of date: it showed another question than the one now at its place "
        "(the attempt changed in another tab), so your answer was not saved."
    )
    if wants_json():
        return jsonify(error=message), 409
    attempt_id = (request.view_args or {}).get("attempt_id")
    now_there = url_for("quiz.attempt", attempt_id=attempt_id, q=error.args[0])
    return render_error(409, message, back=(now_there, "See the question now there"), title=STALE)


ANSWERS_STAY = (
    "This attempt has already been submitted (perhaps in another tab), so its answers can no "
    "longer change: the answer just sent was not saved."
)


@bp.errorhandler(svc.AttemptClosedError)
def _closed(error: Exception) -> tuple[Response | str, int]:
    if wants_json():
        return jsonify(error=ANSWERS_STAY), 409
    return _submitted_page(ANSWERS_STAY)


def _for_another_attempt() -> tuple[str, int]:
    """409 for a page left open on an attempt discarded since, whose id a new one now has."""
    return render_error(
        409,
        "This page was for an attempt that has been discarded since (perhaps in another tab); "
        "the one now at this address is another, so nothing was done to it.",
        back=(url_for("quiz.index"), "Back to your quizzes"),
        title=STALE,
    )


def _submitted_page(message: str) -> tuple[str, int]:
    """409 for a page acting on an attempt submitted since, with the way to its results."""
    attempt_id = (request.view_args or {}).get("attempt_id")
    if attempt_id is None:
        return render_error(409, message)
    attempt, _questions = svc.load_attempt(current_user.id, attempt_id)
    return render_template("quiz/submitted.html", attempt=attempt, message=message), 409


SUBMITTED_STAYS = (
    "This attempt has been submitted, so it cannot be discarded: its scores are part of your "
    "history."
)


def _role_slug() -> str | None:
    return current_user.target_role


@bp.route("/quizzes")
@login_required
def index() -> str | Response:
    slug = request.args.get("role") or _role_slug()
    cat = catalogue()
    if slug not in cat.roles:
        if request.args.get("role"):
            abort(404)
        flash("Choose a target role first: quizzes are built from its skills.", "info")
        return redirect(url_for("profile.choose_role"))
    quizzes = quizzes_for_role(cat, slug)
    statuses = svc.quiz_statuses(current_user.id, [q.key for q in quizzes])
    return render_template(
        "quiz/index.html",
        role=cat.roles[slug],
        quizzes=quizzes,
        statuses=statuses,
    )


@bp.route("/quizzes/<quiz_key>/start", methods=["POST"])
@login_required
def start(quiz_key: str) -> Response:
    cat = catalogue()
    role_slug = request.form.get("role") or _role_slug() or ""
    if role_slug not in cat.roles:
        abort(400, description="Choose a target role before starting a quiz.")
    quiz = find_quiz(cat, quiz_key, role_slug)
    if quiz is None:
        abort(404)
    attempt = svc.start_attempt(current_user.id, quiz, cat, random.Random())
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id))


def _render_question(
    page: svc.QuestionPage, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    """The question with its STORED answer ticked (after a refusal too: the page never shows
    an answer that was not saved)."""
    question = page.question
    return render_template(
        "quiz/question.html",
        attempt=page.attempt,
        question=question,
        navigation=page.navigation,
        answered=page.statuses.count(svc.ANSWERED),
        error=error,
        skill=catalogue().skills[question.skill_id],
    ), status


@bp.route("/attempts/<id:attempt_id>")
@login_required
def attempt(attempt_id: int) -> tuple[str, int] | Response:
    """The question ?q=N, or else the first one neither answered nor skipped."""
    requested = request.args.get("q", type=int)
    if requested is not None and not 1 <= requested <= MAX_ID:
        abort(404)
    page = svc.load_question(current_user.id, attempt_id, requested)
    if page.attempt.is_submitted:
        return redirect(url_for("quiz.result", attempt_id=attempt_id))
    if requested is None:
        position = page.first_open()
        if position is None:
            return redirect(url_for("quiz.review", attempt_id=attempt_id))
        page = svc.load_question(current_user.id, attempt_id, position)
    if page.question is None:
        abort(404)
    return _render_question(page)


@bp.route("/attempts/<id:attempt_id>/answer", methods=["POST"])
@idempotent  # an upsert
@autocommit  # one statement writes the answer (services.attempts.save_answer)
@login_required
def answer(attempt_id: int) -> tuple[str, int] | Response | tuple[Response, int]:
    position = request.form.get("position", type=int)
    if position is None:
        abort(400, description="The question number is missing.")
    if not 1 <= position <= MAX_ID:
        raise svc.AttemptNotFoundError(position)
    skip = "skip" in request.form
    values = request.form.getlist("answer")
    try:
        saved = svc.save_answer(
            current_user.id, attempt_id, position, values, skip, shown=request.form.get("item")
        )
    except svc.InvalidAnswerError as exc:
        if wants_json():
            return jsonify(error=str(exc)), 422
        page = svc.load_question(current_user.id, attempt_id, position)
        return _render_question(page, error=str(exc), status=422)
    cleared = not values and not skip
    if wants_json():
        return jsonify(
            saved=True,
            position=position,
            skipped=skip,
            cleared=cleared,
            missing=saved.missing_choices,
        )
    if cleared:
        flash(
            f"Nothing is chosen, so question {position} has no answer: choose "
            f"{saved.choose_count or 'one'}, or skip it for now.",
            "info",
        )
        return redirect(url_for("quiz.attempt", attempt_id=attempt_id, q=position))
    if position >= saved.item_count:
        return redirect(url_for("quiz.review", attempt_id=attempt_id))
    return redirect(url_for("quiz.attempt", attempt_id=attempt_id, q=position + 1))


@bp.route("/attempts/<id:attempt_id>/review")
@login_required
def review(attempt_id: int) -> str | Response:
    attempt, questions = svc.load_attempt(current_user.id, attempt_id)
    if attempt.is_submitted:
        return redirect(url_for("quiz.result", attempt_id=attempt_id))
    unanswered = svc.unfinished(questions)
    return render_template(
        "quiz/review.html",
        attempt=attempt,
        questions=questions,
        unanswered=unanswered,
        form=SubmitAttemptForm(),
    )


@bp.route("/attempts/<id:attempt_id>/submit", methods=["POST"])
@idempotent  # an upsert; submitting twice shows the result
@login_required
def submit(attempt_id: int) -> tuple[str, int] | Response:
    attempt, questions = svc.load_attempt(current_user.id, attempt_id)
    form = SubmitAttemptForm()
    if form.for_another(attempt):
        return _for_another_attempt()
    if attempt.is_submitted:
        flash("This attempt was already submitted; here are its results.", "info")
        return redirect(url_for("quiz.result", attempt_id=attempt_id))
    unanswered = svc.unfinished(questions)
    if unanswered and not form.skip_unanswered.data:
        what = "unanswered" if not any(q.answered for q in unanswered) else "not finished"
        form.skip_unanswered.errors = [
            f"{counted(len(unanswered), 'question is', 'questions are')} {what}. Answer "
            "them, or tick the box to submit them as they are."
        ]
        return render_template(
            "quiz/review.html",
            attempt=attempt,
            questions=questions,
            unanswered=unanswered,
            form=form,
        ), 422
    if svc.submit_attempt(current_user.id, attempt_id, catalogue()):
        flash("Submitted. Here is how you did.", "success")
    return redirect(url_for("quiz.result", attempt_id=attempt_id))


@bp.route("/attempts/<id:attempt_id>/discard", methods=["GET", "POST"])
@login_required
def discard(attempt_id: int) -> tuple[str, int] | Response:
    """Confirm with a tick, then delete an attempt in progress; a submitted one stays (409)."""
    attempt, questions = svc.load_attempt(current_user.id, attempt_id)
    form = DiscardAttemptForm()
    if form.for_another(attempt):
        return _for_another_attempt()
    if attempt.is_submitted:
        return _submitted_page(SUBMITTED_STAYS)
    if form.validate_on_submit():
        try:
            svc.discard_attempt(current_user.id, attempt_id)
        except svc.AttemptClosedError:  # submitted in another tab meanwhile
            return _submitted_page(SUBMITTED_STAYS)
        flash(f"Discarded your attempt at {attempt.title}: it counts nowhere.", "info")
        return redirect(url_for("quiz.index", role=attempt.role_slug))
    return render_template(
        "quiz/discard.html",
        attempt=attempt,
        answered=svc.answered_count(questions),
        form=form,
    ), 422 if form.errors else 200


@bp.route("/attempts/<id:attempt_id>/result")
@login_required
def result(attempt_id: int) -> str | Response:
    attempt, questions = svc.load_attempt(current_user.id, attempt_id)
    if not attempt.is_submitted:
        return redirect(url_for("quiz.review", attempt_id=attempt_id))
    scores = svc.skill_scores(attempt_id)
    ratings = [q.rating for q in questions if q.is_self_rating and q.rating is not None]
    return render_template(
        "quiz/result.html",
        attempt=attempt,
        scores=scores,
        current=skill_estimates.current(current_user.id, request_zone()),
        straight_lined=estimates.straight_lined(ratings),
        weakest=weakest(scores),
        questions=questions,
    )


@bp.route("/attempts")
@login_required
def history() -> str:
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= MAX_ID:
        abort(404)
    per_page = current_app.config["ATTEMPTS_PER_PAGE"]
    attempts, total = svc.list_attempts(current_user.id, page, per_page)
    pages = max(math.ceil(total / per_page), 1)
    if page > pages:
        abort(404)
    return render_template(
        "quiz/history.html", attempts=attempts, page=page, pages=pages, total=total
    )
