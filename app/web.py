"""Small helpers shared by the blueprints and the templates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, request
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.orm import configure_mappers
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from app.catalogue import catalogue
from app.services import timezones
from app.services.charts import NBSP, dated
from app.services.readiness import years_text


def safe_next_url(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def warm_up(app: Flask) -> int:
    """Do what a fresh process would otherwise do on its first pages: configure the ORM's
    mappers, read the time zones' names and compile every template into the app's Jinja cache;
    returns the number of templates. gunicorn calls it in its master (gunicorn.conf.py), so
    every worker, a fork of the master, starts warm."""
    configure_mappers()
    timezones.names()
    env = app.jinja_env
    names = env.list_templates()
    for name in names:
        env.get_template(name)
    return len(names)


def wants_json() -> bool:
    """Only a client that prefers JSON over HTML (autosave) gets JSON; */* gets HTML."""
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """A database id in a URL: any whole number matches the route, and one outside 1 to 2**31-1
    is a 404 there (not a database error, and not a 405 from a neighbouring route)."""

    regex = r"-?[0-9]+"  # ASCII digits only: "٦" is not an id

    def __init__(self, url_map, *args, **kwargs) -> None:
        super().__init__(url_map, signed=True)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(MAX_ID)) or not 1 <= int(value) <= MAX_ID:
            raise NotFound()
        return int(value)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def emphasis(text: str) -> Markup:
    """Item text with `**word**` shown in bold (how a stem marks a negative such as NOT);
    everything else is escaped."""
    return Markup(_BOLD.sub(r"<strong>\1</strong>", str(escape(text))))


def browser_zone() -> str | None:
    """The zone this browser reports (static/js/timezone.js sets the cookie), if we know it."""
    return timezones.known(request.cookies.get(timezones.COOKIE))


def request_zone() -> ZoneInfo:
    """The zone this request's times are shown in (services/timezones.py)."""
    chosen = current_user.time_zone if current_user.is_authenticated else None
    return timezones.zone_for(chosen, browser_zone())


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """ "1 attempt", "3 attempts", "0 records": a count with its noun in the right number."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def local_today() -> date:
    """Today where the person is: what "in the future" means for their milestones, and the day
    their report is as of (the server's own date can be a day off, east or west of it)."""
    return datetime.now(request_zone()).date()


def _unbroken(text: str) -> str:
    """`text` with its spaces non-breaking: a day or a moment is never split across lines."""
    return text.replace(" ", NBSP)


def local_date(moment: datetime, fmt: str | None = None) -> str:
    """The day a stored moment fell on where the person is ("7 Mar 2025"), or `fmt` of it;
    never broken across lines."""
    here = timezones.local(moment, request_zone())
    return dated(here.date()) if fmt is None else _unbroken(here.strftime(fmt))


def local_datetime(moment: datetime, fmt: str | None = None) -> str:
    """A stored moment on the person's clock, with the zone's abbreviation: "7 Mar 2025, 14:05
    JST" (or `fmt` of it, then the zone); never broken across lines."""
    here = timezones.local(moment, request_zone())
    shown = f"{dated(here.date())}, {here:%H:%M}" if fmt is None else here.strftime(fmt)
    return _unbroken(f"{shown} {here:%Z}")


def data_cells(values: Iterable[str], labels: Iterable[str]) -> Markup:
    """A row's cells, each named by its column (`data-label`, which a table marked .reflow shows
    beside the value on a phone), written in one go: a Jinja loop per cell made the report's
    progress table its most expensive part to render."""
    return Markup(
        "".join(
            f'<td data-label="{escape(label)}">{escape(value)}</td>'
            for value, label in zip(values, labels, strict=True)
        )
    )


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def _globals() -> dict:
        return {"catalogue": catalogue()}

    @app.template_filter("usd")
    def _usd(amount: int) -> str:
        return f"${amount:,}"

    app.add_template_filter(years_text, "years")
    app.add_template_filter(counted, "counted")
    app.add_template_filter(data_cells, "data_cells")
    app.add_template_filter(emphasis, "emphasis")
    app.add_template_filter(dated, "day")
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(local_datetime, "local_datetime")
