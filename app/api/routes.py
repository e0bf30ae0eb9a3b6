"""/api/v1: JSON in and out, bearer tokens only, errors as RFC 9457 problem details.

Each view validates its input (spectree, from the models in schemas.py), calls the service the
page calls, and serialises the result; business rules live in the services and, for milestones,
in the same forms the pages use.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from flask import Blueprint, g, jsonify, render_template, request
from flask import Response as FlaskResponse
from spectree import Response
from werkzeug.datastructures import MultiDict

from app.api import schemas as s
from app.api.spec import api_spec
from app.catalogue import catalogue
from app.database import READ_ONLY_METHODS, autocommit, idempotent
from app.errors import problem
from app.milestones.forms import FORMS
from app.services import (
    access,
    attempts,
    estimates,
    export,
    feedback,
    milestones,
    readiness,
    report,
)
from app.services import skill_estimates as current_estimates
from app.services.quizzes import find_quiz, quizzes_for_role
from app.web import MAX_ID

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC = {"api.docs", "api.openapi"}
ERRORS = {f"HTTP_{code}": s.Problem for code in (401, 403, 404, 409, 415, 422, 429)}


def responses(**ok: Any) -> Response:
    return Response(**ok, **ERRORS)


@bp.before_request
def _authenticate() -> FlaskResponse | None:
    """Bearer tokens only: no cookie is ever looked at, so the API needs no CSRF token."""
    if request.endpoint in PUBLIC:
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    use = access.use_token(secret.strip()) if scheme.lower() == "bearer" and secret else None
    if use is None:
        response = problem(
            401,
            "Unauthorized",
            "Send a personal access token: Authorization: Bearer <token> (see your profile).",
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="ProdReady API"'
        return response
    if request.method not in READ_ONLY_METHODS and not use.can_write:
        return problem(403, "Forbidden", "This token is read-only; it cannot change anything.")
    g.api = use
    return _require_json()


BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _require_json() -> FlaskResponse | None:
    """A body that is not JSON (a form, multipart, text) gets 415, before anything reads it."""
    has_body = bool(request.content_length) or request.headers.get("Transfer-Encoding")
    if request.method in BODY_METHODS and has_body and not request.is_json:
        return problem(
            415,
            "Unsupported Media Type",
            "Send the body as JSON, with Content-Type: application/json.",
        )
    return None


def _user_id() -> int:
    return g.api.user.id


@bp.route("/openapi.json")
def openapi() -> FlaskResponse:
    """The OpenAPI 3.1 document, generated from the code (public, like the docs page)."""
    return jsonify(api_spec.spec)


@bp.route("/docs")
def docs() -> str:
    """Swagger UI, served from the app's own static files."""
    return render_template("api/docs.html")


# --- roles and quizzes -------------------------------------------------------------------


def _role_or_404(slug: str) -> Any:
    role = catalogue().roles.get(slug)
    if role is None:
        raise_problem(404, "Not Found", f"No role {slug!r}.")
    return role


class ProblemError(Exception):
    def __init__(self, response: FlaskResponse) -> None:
        self.response = response


def raise_problem(status: int, title: str, detail: str | None = None, **extra: Any) -> None:
    raise ProblemError(problem(status, title, detail, **extra))


@bp.errorhandler(ProblemError)
def _problem(error: ProblemError) -> FlaskResponse:
    return error.response


@bp.route("/roles")
@api_spec.validate(resp=responses(HTTP_200=s.RoleList), tags=["roles"], operation_id="list_roles")
def list_roles() -> Any:
    """Every role, in the catalogue's order."""
    return s.RoleList(roles=[_role_summary(r) for r in catalogue().roles_in_order()])


def _role_summary(role: Any) -> s.RoleSummary:
    return s.RoleSummary(
        slug=role.slug, name=role.name, short_name=role.short_name, summary=role.summary.text
    )


@bp.route("/roles/<slug>")
@api_spec.validate(resp=responses(HTTP_200=s.RoleDetail), tags=["roles"], operation_id="get_role")
def get_role(slug: str) -> Any:
    """One role: duties, weighted skills, qualifications and the articles behind them."""
    cat = catalogue()
    role = _role_or_404(slug)
    q = role.qualifications
    source_ids = sorted(set(role.summary.sources) | set(role.duties.sources))
    return s.RoleDetail(
        **_role_summary(role).model_dump(),
        titles=list(role.titles.items),
        duties=list(role.duties.items),
        skills=[
            s.RoleSkill(
                skill_id=rs.skill, name=cat.skills[rs.skill].name, weight=rs.weight, why=rs.why
            )
            for rs in role.skills.items
        ],
        weights_revised_on=latest.changed_on if (latest := role.skills.latest_revision) else None,
        minimum_education=f"{q.education.minimum_level.label} ({q.education.expectation.value})",
        mba=q.mba.expectation.value,
        years_in_production=q.years_experience.minimum_years,
        years_managing=q.years_management.minimum_years,
        certifications=[c.name for c in q.certifications.items],
        sources=[
            s.Source(id=i, title=cat.sources[i].title, publisher=cat.sources[i].publisher)
            for i in source_ids
        ],
    )


@bp.route("/roles/<slug>/quizzes")
@api_spec.validate(
    resp=responses(HTTP_200=s.QuizList), tags=["quizzes"], operation_id="list_quizzes"
)
def list_quizzes(slug: str) -> Any:
    """The role's full assessment and one quiz per skill."""
    _role_or_404(slug)
    return s.QuizList(
        quizzes=[
            s.QuizOut(
                key=q.key,
                title=q.title,
                description=q.description,
                is_full=q.is_full,
                skill_ids=list(q.skill_ids),
            )
            for q in quizzes_for_role(catalogue(), slug)
        ]
    )


# --- attempts --------------------------------------------------------------------------------


def _attempt_out(attempt: Any, questions: list[attempts.Question]) -> s.AttemptOut:
    return s.AttemptOut(
        id=attempt.id,
        quiz_key=attempt.quiz_key,
        title=attempt.title,
        role_slug=attempt.role_slug,
        status=attempt.status,
        item_count=attempt.item_count,
        answered=attempts.answered_count(questions),
        overall_score=attempt.overall_score,
        started_at=attempt.started_at,
        submitted_at=attempt.submitted_at,
    )


def _load(attempt_id: int) -> tuple[Any, list[attempts.Question]]:
    try:
        return attempts.load_attempt(_user_id(), attempt_id)
    except attempts.AttemptNotFoundError:
        raise_problem(404, "Not Found", "You have no attempt with that id.")
        raise  # unreachable: raise_problem raises


@bp.route("/attempts", methods=["POST"])
@api_spec.validate(
    json=s.StartIn,
    resp=responses(HTTP_201=s.AttemptOut, HTTP_200=s.AttemptOut),
    tags=["attempts"],
    operation_id="start_attempt",
)
def start_attempt() -> Any:
    """Start a quiz, or resume the attempt at it that is still in progress (200)."""
    body: s.StartIn = request.context.json
    cat = catalogue()
    user = g.api.user
    if body.role_slug is not None and body.role_slug not in cat.roles:
        raise_problem(404, "Not Found", f"No role {body.role_slug!r}.")
    role_slug = body.role_slug or user.target_role
    if role_slug not in cat.roles:
        raise_problem(
            409, "Conflict", "Give role_slug, or set a target role on your profile first."
        )
    quiz = find_quiz(cat, body.quiz_key, role_slug)
    if quiz is None:
        raise_problem(404, "Not Found", f"No quiz {body.quiz_key!r}.")
    resumed = attempts.find_in_progress(user.id, quiz.key) is not None
    attempt = attempts.start_attempt(user.id, quiz, cat, random.Random())
    _, questions = _load(attempt.id)
    return _attempt_out(attempt, questions), 200 if resumed else 201


@bp.route("/attempts")
@api_spec.validate(
    query=s.PageQuery,
    resp=responses(HTTP_200=s.AttemptPage),
    tags=["attempts"],
    operation_id="list_attempts",
)
def list_attempts() -> Any:
    """Your attempts, newest first, a page at a time (follow `next_cursor`)."""
    query: s.PageQuery = request.context.query
    before = int(query.cursor[1:]) if query.cursor else None
    if before is not None and before > MAX_ID:
        before = None  # every id is below it: the first page
    rows, more = attempts.attempts_before(_user_id(), before, query.limit)
    page = [_attempt_out(*_load(a.id)) for a in rows]
    return s.AttemptPage(attempts=page, next_cursor=f"a{rows[-1].id}" if more else None)


@bp.route("/attempts/<id:attempt_id>")
@api_spec.validate(
    resp=responses(HTTP_200=s.AttemptOut), tags=["attempts"], operation_id="get_attempt"
)
def get_attempt(attempt_id: int) -> Any:
    """One of your attempts: its quiz, status, and every question with whether it is answered."""
    return _attempt_out(*_load(attempt_id))


@bp.route("/attempts/<id:attempt_id>", methods=["DELETE"])
@api_spec.validate(resp=responses(HTTP_204=None), tags=["attempts"], operation_id="discard_attempt")
def discard_attempt(attempt_id: int) -> Any:
    """Discard an attempt in progress: it and its answers are deleted and count nowhere. A
    submitted attempt cannot be discarded (409)."""
    try:
        attempts.discard_attempt(_user_id(), attempt_id)
    except attempts.AttemptNotFoundError:
        raise_problem(404, "Not Found", "You have no attempt with that id.")
    except attempts.AttemptClosedError:
        raise_problem(409, "Conflict", "The attempt is submitted; it cannot be discarded.")
    return FlaskResponse(status=204)


def _question_out(q: attempts.Question) -> s.QuestionOut:
    item = q.item
    return s.QuestionOut(
        position=q.position,
        item_id=item.id,
        skill_id=q.skill_id,
        kind=item.kind,
        select="single" if q.is_self_rating else item.select,
        choose=None if q.is_self_rating else item.choose_count,
        prompt=q.stem,
        instruction=q.instruction,
        choices=[s.Choice(value=v, text=t) for v, t in q.choices()],
        answer=sorted(q.saved_values),
        skipped=q.skipped,
    )


def _question(questions: list[attempts.Question], position: int) -> attempts.Question:
    if not 1 <= position <= len(questions):
        raise_problem(404, "Not Found", f"The attempt has no question {position}.")
    return questions[position - 1]


@bp.route("/attempts/<id:attempt_id>/questions/<id:position>")
@api_spec.validate(
    resp=responses(HTTP_200=s.QuestionOut), tags=["attempts"], operation_id="get_question"
)
def get_question(attempt_id: int, position: int) -> Any:
    """One question as asked in this attempt (options in their shuffled order)."""
    _, questions = _load(attempt_id)
    return _question_out(_question(questions, position))


@bp.route("/attempts/<id:attempt_id>/answers/<id:position>", methods=["PUT"])
@idempotent  # the answer is an upsert
@autocommit  # one statement writes it (services.attempts.save_answer)
@api_spec.validate(
    json=s.AnswerIn,
    resp=responses(HTTP_200=s.AnswerOut),
    tags=["attempts"],
    operation_id="save_answer",
)
def save_answer(attempt_id: int, position: int) -> Any:
    """Save (or replace) the answer to one question; `skip: true` skips it, no values and no
    skip clear it."""
    body: s.AnswerIn = request.context.json
    try:
        saved = attempts.save_answer(_user_id(), attempt_id, position, body.values, body.skip)
    except attempts.AttemptClosedError:
        raise_problem(409, "Conflict", "The attempt is already submitted.")
    except attempts.AttemptNotFoundError:
        raise_problem(404, "Not Found", "You have no attempt or question there.")
    except attempts.InvalidAnswerError as error:
        raise_problem(422, "Unprocessable Content", str(error))
    return s.AnswerOut(
        position=position,
        saved=True,
        skipped=body.skip,
        cleared=not body.values and not body.skip,
        item_count=saved.item_count,
    )


@bp.route("/attempts/<id:attempt_id>/submit", methods=["POST"])
@api_spec.validate(
    resp=responses(HTTP_200=s.ResultOut), tags=["attempts"], operation_id="submit_attempt"
)
def submit_attempt(attempt_id: int) -> Any:
    """Submit and score the attempt (unanswered questions count as skipped)."""
    _load(attempt_id)  # 404 for others' ids
    if not attempts.submit_attempt(_user_id(), attempt_id, catalogue()):
        raise_problem(409, "Conflict", "The attempt is already submitted.")
    return _result(attempt_id)


@bp.route("/attempts/<id:attempt_id>/result")
@api_spec.validate(
    resp=responses(HTTP_200=s.ResultOut), tags=["attempts"], operation_id="get_result"
)
def get_result(attempt_id: int) -> Any:
    """Scores per skill, your estimate now, and each question with its key and explanation."""
    return _result(attempt_id)


def _result(attempt_id: int) -> s.ResultOut:
    attempt, questions = _load(attempt_id)
    if not attempt.is_submitted:
        raise_problem(409, "Conflict", "Submit the attempt first.")
    current = current_estimates.current(_user_id())
    skills = []
    for score in attempts.skill_scores(attempt_id):
        found = current.get(score.skill_id)
        e = found.estimate if found else None
        skills.append(
            s.SkillResultOut(
                skill_id=score.skill_id,
                self_score=score.self_score,
                knowledge_score=score.knowledge_score,
                combined_score=score.combined_score,
                estimate=e.score if e else None,
                band_low=e.low if e else None,
                band_high=e.high if e else None,
                answers=e.answers if e else None,
            )
        )
    ratings = [q.rating for q in questions if q.is_self_rating and q.rating is not None]
    return s.ResultOut(
        attempt=_attempt_out(attempt, questions),
        skills=skills,
        questions=[
            s.ReviewedQuestion(
                position=q.position,
                item_id=q.item.id,
                prompt=q.stem,
                instruction=q.instruction,
                chosen=sorted(q.saved_values),
                correct=[] if q.is_self_rating else sorted(q.correct()),
                explanation=None if q.is_self_rating else q.item.explanation,
            )
            for q in questions
        ],
        straight_lined=estimates.straight_lined(ratings),
    )


# --- milestones --------------------------------------------------------------------------


MILESTONE_SCHEMAS = {
    "education": (s.EducationIn, s.EducationOut, s.EducationList),
    "positions": (s.PositionIn, s.PositionOut, s.PositionList),
    "certifications": (s.CertificationIn, s.CertificationOut, s.CertificationList),
    "activities": (s.ActivityIn, s.ActivityOut, s.ActivityList),
}


def _form_data(body: Any) -> MultiDict:
    """A JSON body as the page's form would post it, so the API applies the same rules."""
    data = MultiDict()
    for name, value in body.model_dump().items():
        if isinstance(value, bool):
            if value:
                data[name] = "y"
        elif isinstance(value, date):
            data[name] = value.isoformat()
        elif value is not None:
            data[name] = str(value)
    return data


def _validated(kind_slug: str, body: Any) -> dict[str, Any]:
    form = FORMS[kind_slug](formdata=_form_data(body), meta={"csrf": False})
    if not form.validate():
        raise_problem(
            422,
            "Unprocessable Content",
            "Some values break the rules for this milestone.",
            errors={k: list(v) for k, v in form.errors.items()},
        )
    return form.data


def _milestone_routes(slug: str) -> None:
    """Register list, create, get, update and delete for one kind of milestone."""
    body_model, out_model, list_model = MILESTONE_SCHEMAS[slug]
    kind = milestones.KINDS[slug]
    tags = ["milestones"]

    def out(row: Any) -> Any:
        return out_model(**{f: getattr(row, f) for f in ("id", *kind.fields)})

    def get_row(milestone_id: int) -> Any:
        try:
            return milestones.get(_user_id(), kind, milestone_id)
        except milestones.MilestoneNotFoundError:
            raise_problem(404, "Not Found", f"You have no {kind.label} with that id.")

    @api_spec.validate(resp=responses(HTTP_200=list_model), tags=tags, operation_id=f"list_{slug}")
    def list_view() -> Any:
        return list_model(items=[out(r) for r in milestones.list_all(_user_id())[slug]])

    @api_spec.validate(
        json=body_model,
        resp=responses(HTTP_201=out_model),
        tags=tags,
        operation_id=f"create_{slug}",
    )
    def create_view() -> Any:
        values = _validated(slug, request.context.json)
        return out(milestones.create(_user_id(), kind, values)), 201

    @api_spec.validate(resp=responses(HTTP_200=out_model), tags=tags, operation_id=f"get_{slug}")
    def get_view(milestone_id: int) -> Any:
        return out(get_row(milestone_id))

    @api_spec.validate(
        json=body_model,
        resp=responses(HTTP_200=out_model),
        tags=tags,
        operation_id=f"update_{slug}",
    )
    def update_view(milestone_id: int) -> Any:
        get_row(milestone_id)
        values = _validated(slug, request.context.json)
        return out(milestones.update(_user_id(), kind, milestone_id, values))

    @api_spec.validate(resp=responses(HTTP_204=None), tags=tags, operation_id=f"delete_{slug}")
    def delete_view(milestone_id: int) -> Any:
        get_row(milestone_id)
        milestones.remove(_user_id(), kind, milestone_id)
        return FlaskResponse(status=204)

    label = kind.label
    list_view.__doc__ = f"Your {label} milestones, in the order the milestones page shows them."
    create_view.__doc__ = f"Log one {label} milestone (the same rules as the milestones page)."
    get_view.__doc__ = f"One of your {label} milestones."
    update_view.__doc__ = f"Replace one of your {label} milestones with the body sent."
    delete_view.__doc__ = f"Delete one of your {label} milestones."
    base = f"/milestones/{slug}"
    for view, rule, methods, name in (
        (list_view, base, ["GET"], "list"),
        (create_view, base, ["POST"], "create"),
        (get_view, f"{base}/<id:milestone_id>", ["GET"], "get"),
        (update_view, f"{base}/<id:milestone_id>", ["PUT"], "update"),
        (delete_view, f"{base}/<id:milestone_id>", ["DELETE"], "delete"),
    ):
        bp.add_url_rule(rule, endpoint=f"{name}_{slug}", view_func=view, methods=methods)


for _slug in MILESTONE_SCHEMAS:
    _milestone_routes(_slug)


# --- report and export -------------------------------------------------------------------


def _report_out(result: readiness.Readiness) -> s.ReportOut:
    return s.ReportOut(
        role_slug=result.role_slug,
        role_name=result.role_name,
        overall=result.overall,
        skill_readiness=result.skill_readiness,
        qualification_readiness=result.qualification_readiness,
        all_required_met=result.all_required_met,
        requirements_met_on=result.requirements_met_on,
        requirements=[s.RequirementOut.model_validate(r) for r in result.requirements],
        skills=[
            s.SkillReadinessOut(
                skill_id=k.skill_id,
                name=k.name,
                weight=k.weight,
                estimate=k.estimate.score if k.estimate else None,
                band_low=k.estimate.low if k.estimate else None,
                band_high=k.estimate.high if k.estimate else None,
                answers=k.estimate.answers if k.estimate else None,
                band=k.band,
            )
            for k in result.skills
        ],
        next_steps=list(result.next_steps),
    )


def _all_roles() -> list[readiness.Readiness]:
    today = date.today()
    facts, _ = report.load_facts(_user_id(), today)
    return readiness.all_roles(catalogue(), facts, today)


@bp.route("/report/compare")
@api_spec.validate(
    resp=responses(HTTP_200=s.CompareOut), tags=["report"], operation_id="compare_roles"
)
def compare_roles() -> Any:
    """Readiness for every role, in the career ladder's order."""
    return s.CompareOut(roles=[_report_out(r) for r in _all_roles()])


@bp.route("/report/<slug>")
@api_spec.validate(resp=responses(HTTP_200=s.ReportOut), tags=["report"], operation_id="get_report")
def get_report(slug: str) -> Any:
    """Your readiness for one role: qualifications, skill estimates with bands, next steps."""
    _role_or_404(slug)
    return _report_out(next(r for r in _all_roles() if r.role_slug == slug))


@bp.route("/feedback")
@api_spec.validate(
    resp=responses(HTTP_200=s.FeedbackOut), tags=["report"], operation_id="get_feedback"
)
def get_feedback() -> Any:
    """Raters' feedback from your closed rounds: aggregates only, as your report shows them."""
    return s.FeedbackOut(rounds=feedback.export_rounds(g.api.user.id))


@bp.route("/export")
@api_spec.validate(resp=responses(HTTP_200=s.ExportOut), tags=["export"], operation_id="export")
def export_all() -> Any:
    """Everything stored for your account, as /export.json gives it."""
    return s.ExportOut(**export.export_data(g.api.user))
