"""Error pages in the base layout: 400 (incl. CSRF), 403, 404, 405, 413, 500, and 503 while the
database is away (with the quiz answer echoed, so it can be sent again)."""

from __future__ import annotations

import json

from flask import Flask, Response, g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, SecurityError

from app.catalogue import catalogue
from app.catalogue.schema import SelfRatingItem
from app.database import RETRY_AFTER_SECONDS, outage_log, unreachable
from app.extensions import db, login_manager
from app.security.limits import (
    paused_view_page,
    retry_after,
    throttled_message,
    too_large_view_page,
)
from app.web import wants_json

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Forbidden", "You do not have access to that page."),
    404: ("Page not found", "We could not find that page. It may have moved, or never existed."),
    405: ("Method not allowed", "That page cannot be used like that."),
    409: ("Conflict", "That action clashes with the current state. Reload the page and retry."),
    413: (
        "Too large",
        "That upload was larger than we accept: files can be at most 4 MB. For a large export, "
        "download it with Export gzip and import that file.",
    ),
    422: ("Unprocessable", "Some of what was sent is not valid."),
    429: ("Too many requests", "Please wait a moment before trying again."),
    500: (
        "Something went wrong",
        "An unexpected error happened on our side. Nothing you had "
        "saved is lost; please try again in a moment.",
    ),
    503: (
        "Back in a moment",
        "We cannot reach our database just now. Nothing you had saved is lost; "
        "please try again in a few seconds.",
    ),
}


GONE_TITLE = "No longer there"
"""The heading of a 404 for one of the person's own things gone since a tab was opened."""


def render_error(
    code: int,
    detail: str | None = None,
    back: tuple[str, str] | None = None,
    title: str | None = None,
) -> tuple[str, int]:
    """The error page; `back` is (url, text) of the page to go on from (a feature's own list,
    for a tab left open on something gone), else the start page."""
    default_title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html",
        code=code,
        title=title or default_title,
        message=detail or message,
        back=back,
    ), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            "Your form expired or was sent from somewhere else, so it was not saved. "
            "Please go back, reload the page and submit it again.",
        )

    @app.errorhandler(SecurityError)
    def _untrusted_host(error: SecurityError) -> Response:
        """A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page in the layout;
        a plain 400 that does not echo the host."""
        return Response(
            "Bad request: this site does not answer to that host name.\n",
            status=400,
            mimetype="text/plain",
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int] | Response:
        code = error.code or 500
        if code == 429:
            # Retry-After on the refusal only (Flask-Limiter's own headers, which put it on
            # every limited response, 201s included, are off: RATELIMIT_HEADERS_ENABLED).
            response = _api_problem(error, code) if _is_api() else _throttled()
            response.headers["Retry-After"] = str(retry_after())
            return response
        if _is_api():
            return _api_problem(error, code)
        detail = error.description if code in (400, 409, 422) and error.description else None
        if detail and detail == type(error).description:
            detail = None
        if code == 413:
            return _too_large()
        return render_error(code, detail)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int] | Response:
        db.session.rollback()
        app.logger.exception("Unhandled error", exc_info=error)
        return _api_problem(None, 500) if _is_api() else render_error(500)

    @app.errorhandler(DBAPIError)
    def _database(error: DBAPIError) -> tuple[str, int] | Response:
        if not unreachable(error):
            return _unexpected(error)
        db.session.rollback()
        outage_log(app).failed(error)
        return _unavailable()

    @app.errorhandler(PoolTimeoutError)
    def _busy(error: PoolTimeoutError) -> Response:
        """Every pooled connection stayed busy for `pool_timeout` (a burst larger than the
        pool): the same 503 and Retry-After as an outage, so clients send it again."""
        db.session.rollback()
        app.logger.warning("connection pool exhausted: %s", error)
        return _unavailable()


def _throttled() -> Response:
    """JSON for autosave, else a paused form again with when to try it (its view's
    `paused_page`), else the 429 page."""
    message = throttled_message()
    page = None if wants_json() else paused_view_page(message)
    if wants_json():
        response = jsonify(saved=False, error=message)
    elif page is not None:
        response = make_response(page)
    else:
        response = make_response(render_error(429, message))
    response.status_code = 429
    return response


def _too_large() -> Response | tuple[str, int]:
    """The upload's form again, saying what to do (its view's `too_large_page`), else the 413
    page. Werkzeug refused the body before the view ran, so nothing was read or saved."""
    page = too_large_view_page()
    if page is None:
        return render_error(413)
    response = make_response(page)
    response.status_code = 413
    return response


def _unavailable() -> Response:
    """503 with Retry-After: problem details for the API, JSON for autosave, else a page that
    offers to send the quiz answer again."""
    title, message = MESSAGES[503]
    # Templates ask Flask-Login who is logged in, which reads the database that is away: for
    # this page, nobody is (its layout has no navigation).
    g._login_user = login_manager.anonymous_user()
    if _is_api():
        response = problem(503, title, message)
    elif wants_json():
        response = jsonify(error=message, retry=True)
    else:
        response = Response(
            render_template(
                "errors/unavailable.html", title=title, message=message, resend=_resend()
            )
        )
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _resend() -> dict | None:
    """The quiz answer that was being saved, to echo and send again (None for other requests)."""
    if request.method != "POST" or request.endpoint != "quiz.answer":
        return None
    form = request.form
    return {
        "action": request.path,
        "fields": [(k, v) for k, v in form.items(multi=True) if k != "save"],
        "position": form.get("position", ""),
        "chosen": _answer_words(form.get("item", ""), form.getlist("answer")),
        "skip": "skip" in form,
    }


def _answer_words(item_id: str, values: list[str]) -> list[str]:
    """The words of the chosen options. The item id comes from the form and is used only for
    this echo; saving never trusts it."""
    entry = catalogue().items.get(item_id)
    if entry is None:
        return values
    content = entry.content
    if isinstance(content, SelfRatingItem):
        words = {str(level): text for level, text in content.levels.items()}
    else:
        words = {option.id: option.text for option in content.options}
    return [words.get(v, v) for v in values]


def _is_api() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str | None = None, **extra: object) -> Response:
    """An RFC 9457 problem details response (the API's error format)."""
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def _api_problem(error: HTTPException | None, code: int) -> Response:
    """Errors under /api/ are problem details, whatever raised them (404, 405, 429, 500...)."""
    title = MESSAGES.get(code, MESSAGES[500])[0]
    detail = error.description if error is not None and code != 500 else None
    response = problem(code, title, detail)
    if error is not None:
        for name, value in error.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
    return response
