"""Readiness report for the target role or any role, comparison, and exports."""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from app.catalogue import catalogue
from app.extensions import db
from app.links import external_url
from app.models import User
from app.report.forms import ConfirmImportForm, ImportForm, ShareForm
from app.security.limits import paused_page, per_account, per_ip, too_large_page
from app.security.once import new_once, secret_for
from app.services import access, charts, export, feedback, importer, readiness, report
from app.web import counted, local_today, request_zone

bp = Blueprint("report", __name__)


@bp.route("/report")
@login_required
def index() -> Response | str:
    if current_user.target_role not in catalogue().roles:
        flash("Choose a target role first: the report measures you against it.", "info")
        return redirect(url_for("profile.choose_role"))
    return role(current_user.target_role)


@bp.route("/report/<slug>")
@login_required
def role(slug: str) -> str:
    if slug not in catalogue().roles:
        abort(404)
    return render_template("report/role.html", **report_context(current_user.id, slug))


def report_context(
    user_id: int, slug: str, with_feedback: bool = True, aggregates_only: bool = False
) -> dict:
    """Everything the readiness report shows for one user and role (the owner's page, a shared
    page and the API use it); the raters' feedback (the latest round closed for this role) when
    asked, only its aggregates when it leaves the owner (a share link). The progress chart
    draws every skill when the address asks for it (`?chart=all`)."""
    cat = catalogue()
    today = local_today()
    zone = request_zone()
    facts, rows = report.load_facts(user_id, today, zone)
    others = readiness.all_roles(cat, facts, today)
    result = next(r for r in others if r.role_slug == slug)
    points = report.progress(user_id, zone)
    every_skill = request.args.get("chart") == "all"
    lines = report.progress_series(
        points, [(s.skill_id, s.name) for s in result.skills], every_skill
    )
    chart = charts.line_charts(
        charts.point_labels([p.when for p in points]), lines.series, emphasis=report.OVERALL
    )
    latest = feedback.results(user_id, 1, slug, aggregates_only) if with_feedback else []
    return {
        "role": cat.roles[slug],
        "result": result,
        "bands": charts.band_charts(skill_bands(result)),
        "others": others,
        "progress": report.progress_rows(points, [s.skill_id for s in result.skills]),
        "chart": chart,
        "chart_lines": lines,
        "every_skill": every_skill,
        "chart_skills": report.CHART_SKILLS,
        "overall_label": report.OVERALL,
        "experience": facts.experience,
        "positions_logged": facts.positions_logged,
        "timeline": report.timeline(rows, today),
        "weight_notice": report.weight_notice(cat.roles[slug], cat.skills, points),
        "today": today,
        "feedback": latest[0] if latest else None,
        "with_feedback": with_feedback,
    }


@bp.route("/report/<slug>/share", methods=["GET", "POST"])
@login_required
def share(slug: str) -> tuple[str, int]:
    """Make a read-only link to this report (its own page: what a mentor sees, then the form)."""
    role = catalogue().roles.get(slug)
    if role is None:
        abort(404)
    form = ShareForm()
    # Feedback can be included only once a round for this role has closed: before, a tick
    # would promise what the page cannot show.
    has_feedback = bool(feedback.closed_rounds(current_user.id, slug))
    page = functools.partial(
        render_template, "report/share.html", form=form, role=role, has_feedback=has_feedback
    )
    if not form.validate_on_submit():
        return page(), 422 if form.is_submitted() else 200
    include_feedback = has_feedback and bool(form.include_feedback.data)
    secret = secret_for(
        "share-link",
        current_user.id,
        form.once.data,
        slug,
        form.label.data or "",
        form.expires.data,
        include_feedback,
    )
    link = access.create_share_link(
        current_user,
        slug,
        form.label.data or "",
        access.EXPIRY_DAYS[form.expires.data],
        secret,
        include_feedback=include_feedback,
    )
    if not access.usable(link):  # the page of a link since revoked, sent again
        form.once.data = new_once()
        form.form_errors.append(
            "This form had already made a link, which has since been revoked or has expired. "
            "Send the form again to make a new one."
        )
        return page(), 409
    return render_template(
        "report/share_created.html",
        url=external_url("report.shared", secret=secret),
        role=role,
        link=link,
    ), 201


@bp.route("/shared/<secret>")
@per_ip("SHARE_LIMIT_IP", methods=["GET"])
def shared(secret: str) -> Response:
    """A report shared by its owner: no login, read-only, no email address, not indexed."""
    try:
        link = access.open_share_link(secret)
    except access.ShareLinkGoneError as gone:
        return make_response(render_template("report/share_gone.html", gone=gone), 410)
    if link is None or link.role_slug not in catalogue().roles:
        abort(404)
    owner = db.session.get(User, link.user_id)
    response = make_response(
        render_template(
            "report/shared.html",
            **report_context(
                link.user_id, link.role_slug, link.include_feedback, aggregates_only=True
            ),
            owner_name=owner.display_name,
            label=link.label,
            shared=True,
        )
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def skill_bands(result: readiness.Readiness) -> list[tuple[str, tuple[float, float, float] | None]]:
    """The band chart's rows: each skill of the role with its estimate and band, if any."""
    return [
        (s.name, (s.estimate.score, s.estimate.low, s.estimate.high) if s.estimate else None)
        for s in result.skills
    ]


@bp.route("/report/compare")
@login_required
def compare() -> str:
    cat = catalogue()
    today = local_today()
    facts, _ = report.load_facts(current_user.id, today)
    results = {r.role_slug: r for r in readiness.all_roles(cat, facts, today)}
    roles = cat.roles_in_order()
    skill_ids = list(dict.fromkeys(rs.skill for role in roles for rs in role.skills.items))
    return render_template(
        "report/compare.html",
        roles=roles,
        results=results,
        skill_ids=skill_ids,
        skills={slug: {s.skill_id: s for s in r.skills} for slug, r in results.items()},
        estimates={s.skill_id: s for r in results.values() for s in r.skills},
        experience=facts.experience,
        positions_logged=facts.positions_logged,
    )


def _export_json() -> bytes:
    return json.dumps(export.export_data(current_user), indent=2, ensure_ascii=False).encode()


@bp.route("/export.json")
@login_required
def export_json() -> Response:
    return Response(
        _export_json(),
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=prodready-export.json"},
    )


@bp.route("/export.json.gz")
@login_required
def export_json_gzip() -> Response:
    """The same export, about five times smaller: years of history fit the import's limit."""
    return Response(
        gzip.compress(_export_json()),
        mimetype="application/gzip",
        headers={"Content-Disposition": "attachment; filename=prodready-export.json.gz"},
    )


@bp.route("/export.csv")
@login_required
def export_csv() -> Response:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(export.csv_rows(export.export_data(current_user)))
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=prodready-export.csv"},
    )


STALE_PREVIEW = (
    "This preview is out of date: another file was previewed since. Preview it again. "
    "Nothing was imported."
)


def _import_page(
    form: ImportForm | None = None, status: int = 200, throttled: str | None = None
) -> tuple[str, int]:
    """The import page with its form (a fresh one unless given) and a pause's message."""
    form = form or ImportForm(formdata=None)
    return render_template("report/import.html", form=form, throttled=throttled), status


def _too_large_page() -> tuple[str, int] | None:
    """A request past MAX_CONTENT_LENGTH, refused before the view ran: the page with its form
    and the same words as a file just over the limit (for a person logged in; the view would
    send anyone else to the login page)."""
    if not current_user.is_authenticated:
        return None
    form = ImportForm(formdata=None)
    limit = current_app.config["IMPORT_MAX_UPLOAD_BYTES"]
    form.file.errors = [f"{importer.too_large(limit)} Nothing was imported."]
    return _import_page(form, 413)


def _file_was_read(response: Response) -> bool:
    """The import limit counts the requests whose file's JSON was read (a preview shown, or a
    refusal after reading it): that is the work it guards. A form sent without a file, a file
    too large, empty or not JSON text costs next to nothing and does not count."""
    return g.get("import_file_read", False)


@bp.route("/import", methods=["GET", "POST"])
@login_required
@per_account("IMPORT_LIMIT_ACCOUNT", from_form=False, deduct_when=_file_was_read)
@paused_page(lambda message: _import_page(status=429, throttled=message))
@too_large_page(_too_large_page)
def import_data() -> tuple[str, int]:
    """Step one: read and check the file, and show what importing it would add (nothing is
    added yet; the file waits in the database for the confirmation, named on the page by its
    digest). A file with nothing new is not kept: there is nothing to confirm."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, 422 if form.errors else 200)
    limit = current_app.config["IMPORT_MAX_UPLOAD_BYTES"]
    raw = form.file.data.read(limit + 1)  # one byte more tells a file that is too large
    g.import_file_read = True
    try:
        preview = importer.preview(current_user, _parse(raw))
    except importer.BadImportError as error:
        g.import_file_read = not isinstance(error, importer.RefusedUnreadError)
        form.file.errors.append(f"{error} Nothing was imported.")
        return _import_page(form, 413 if isinstance(error, importer.TooLargeError) else 422)
    except IntegrityError:
        form.file.errors.append(
            "The file holds a record this ProdReady cannot store. Nothing was imported."
        )
        return _import_page(form, 422)
    if not preview.nothing_new:
        importer.hold(current_user, raw)
    return render_template(
        "report/import_preview.html", preview=preview, digest=importer.digest(raw)
    ), 200


def _parse(raw: bytes) -> importer.ExportIn:
    config = current_app.config
    return importer.parse(raw, config["IMPORT_MAX_UPLOAD_BYTES"], config["IMPORT_MAX_BYTES"])


@bp.route("/import/confirm", methods=["POST"])
@login_required
def confirm_import() -> Response | tuple[str, int]:
    """Step two: import the file the preview showed (its digest in the form), all or nothing;
    if another file was previewed since, a 409 with the form to preview again."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        raw = importer.held(current_user, form.digest.data or "")
    except importer.StalePreviewError:
        db.session.rollback()
        stale = ImportForm(formdata=None)
        stale.form_errors.append(STALE_PREVIEW)
        return _import_page(stale, 409)
    if raw is None:
        flash("There is no file waiting to be imported. Choose it again.", "info")
        return redirect(url_for("report.import_data"))
    try:
        counts = importer.import_data(current_user, _parse(raw))
        importer.drop_held(current_user)
        db.session.commit()
    except (importer.BadImportError, IntegrityError) as error:
        db.session.rollback()
        importer.drop_held(current_user, form.digest.data)
        db.session.commit()
        why = (
            str(error)
            if isinstance(error, importer.BadImportError)
            else "The file holds a record this ProdReady cannot store."
        )
        flash(f"{why} Nothing was imported.", "error")
        return redirect(url_for("report.import_data"))
    flash(_imported(counts), "success")
    return redirect(url_for("report.index"))


def _imported(counts: dict[str, int]) -> str:
    """What an import did, naming only what there was: "Imported 2 quiz attempts and 8
    milestones. 3 records were already here." (no "Left out: 0 unfinished attempts")."""
    added = [
        counted(counts[key], noun)
        for key, noun in (("attempts", "quiz attempt"), ("milestones", "milestone"))
        if counts[key]
    ]
    # Nothing added when what the preview counted arrived meanwhile (another tab, another file).
    parts = [f"Imported {' and '.join(added)}." if added else "Nothing new was imported."]
    if counts["already"]:
        were = "was" if counts["already"] == 1 else "were"
        parts.append(f"{counted(counts['already'], 'record')} {were} already here.")
    if counts["unfinished"]:
        parts.append(f"Left out: {counted(counts['unfinished'], 'unfinished attempt')}.")
    return " ".join(parts)


@bp.route("/import/cancel", methods=["POST"])
@login_required
def cancel_import() -> Response:
    """Forget the previewed file, unless another tab has previewed a file since."""
    form = ConfirmImportForm()
    if form.validate_on_submit():
        importer.drop_held(current_user, form.digest.data or "")
        db.session.commit()
    flash("Nothing was imported.", "info")
    return redirect(url_for("report.import_data"))
