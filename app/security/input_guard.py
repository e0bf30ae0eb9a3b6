"""One refusal of hostile text for every entry point: forms, query strings, API bodies, imports.

A NUL byte cannot be stored by PostgreSQL (its driver raises), other control characters and
lone surrogates are never typed by a person, and deeply nested JSON exhausts Python's stack, so
all of them are refused before any view, rate-limit counter or query sees them, with a message
that names the field. Tab, line feed and carriage return are text and stay allowed.
"""

from __future__ import annotations

import re
from itertools import chain

from flask import Flask, Response, request

from app.errors import problem, render_error
from app.web import wants_json

# C0 controls except tab, LF and CR; DEL and the C1 controls; UTF-16 surrogates (which only
# reach Python through JSON escapes such as "\ud800" and cannot be encoded for the database).
UNSAFE_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
MAX_JSON_DEPTH = 32  # the deepest document ProdReady reads (an export) is 6 levels deep


class HostileInputError(ValueError):
    """Text a person cannot have meant to send; `where` names the field."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(f"{where}: {detail}" if where else detail)
        self.where = where
        self.detail = detail


def unsafe_character(text: str) -> str | None:
    """The first refused character as `U+XXXX`, or None when the text is clean."""
    found = UNSAFE_CHARACTER.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def check_text(text: str, where: str = "") -> None:
    code = unsafe_character(text)
    if code:
        raise HostileInputError(
            where, f"contains an invisible control character ({code}); remove it and send it again"
        )


def check_value(value: object, where: str = "") -> None:
    """Walk parsed JSON (or any nest of dicts, lists and strings), keys included."""
    if isinstance(value, str):
        check_text(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            check_text(str(key), where or "a field name")
            check_value(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_value(item, f"{where}[{index}]")


def check_json_depth(raw: bytes | str, limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse JSON nested deeper than `limit` before parsing it (the parser would recurse
    once per level); brackets inside strings do not count."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if text.count("[") + text.count("{") <= limit:
        return  # cannot be deeper than the number of its brackets
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                raise HostileInputError(
                    "",
                    f"is nested more than {limit} levels deep, more than any ProdReady input",
                )
        elif char in "]}":
            depth -= 1


def check_request() -> None:
    """Everything a request carries as text: query string, form fields (names and values), and
    a JSON body. Uploaded files are checked by whoever reads them (the importer)."""
    for name, value in chain(request.args.items(multi=True), request.form.items(multi=True)):
        check_text(name, "a field name")
        check_text(value, name)
    if request.is_json and request.content_length != 0:
        raw = request.get_data(cache=True)
        check_json_depth(raw)
        body = request.get_json(silent=True)
        check_value(body)


def register_input_guard(app: Flask) -> None:
    """Before the rate limiter (whose counters are keyed by form fields) and before any view:
    call this in `create_app` ahead of `limiter.init_app`."""

    @app.before_request
    def _refuse_hostile_input() -> Response | tuple[str, int] | None:
        try:
            check_request()
        except HostileInputError as refused:
            return refusal(refused)
        return None


def refusal(refused: HostileInputError) -> Response | tuple[str, int]:
    field = f"The field “{refused.where}”" if refused.where else "What was sent"
    message = f"{field} {refused.detail}. Nothing was saved."
    if request.path.startswith("/api/") or wants_json():
        return problem(422, "Unprocessable Content", message)
    return render_error(422, message)
