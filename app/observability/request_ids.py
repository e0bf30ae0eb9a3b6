"""A request id on every request, returned in X-Request-ID and shown on error pages, so that a
person's "it failed at 10:42" leads to one log line; and the clock the access log and the
latency metric read.

The id comes from the X-Request-ID header only when TRUST_REQUEST_ID says a proxy in front sets
it (a client could otherwise choose ids that collide or forge log lines); else it is new.
"""

from __future__ import annotations

import re
import time
import uuid

from flask import Flask, Response, current_app, g, has_request_context, request

SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id() -> str | None:
    """This request's id (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        incoming = request.headers.get("X-Request-ID", "")
        trusted = current_app.config["TRUST_REQUEST_ID"] and SAFE_ID.match(incoming)
        g.request_id = incoming if trusted else uuid.uuid4().hex
    return g.request_id


def elapsed() -> float | None:
    """Seconds since this request began (None if it failed before the clock started)."""
    started = g.get("request_started")
    return None if started is None else time.perf_counter() - started


def register_request_ids(app: Flask) -> None:
    @app.before_request
    def _begin() -> None:
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def _return_id(response: Response) -> Response:
        response.headers["X-Request-ID"] = request_id() or ""
        return response

    @app.context_processor
    def _id_for_templates() -> dict:
        return {"request_id": request_id()}
