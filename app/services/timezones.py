"""The time zone the pages show times in: the one a person chose on their profile, else the one
their browser reports (the `tz` cookie that static/js/timezone.js sets), else UTC. Both arrive
as IANA names such as "Europe/London" and count only when zoneinfo knows them, so an old row or
a forged cookie falls back quietly. Times are stored in UTC; only their display changes."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from app.database import as_utc

COOKIE = "tz"
FALLBACK = "UTC"
NOT_PLACES = frozenset({"Factory", "localtime", "posixrules"})
"""Names some systems list that no person lives in."""


REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
"""The first part of every zone named after a place; the rest (GB-Eire, W-SU, US/Eastern, Etc/
GMT+5, Zulu) are old aliases that would only crowd the list."""


@cache
def names() -> tuple[str, ...]:
    """Every zone a person may choose, sorted: UTC and the zones named after a place (from the
    system's zone files or the tzdata package; read once, it takes a tenth of a second)."""
    places = {n for n in available_timezones() if n.split("/", 1)[0] in REGIONS}
    return (FALLBACK, *sorted(places - NOT_PLACES))


@cache
def _known() -> frozenset[str]:
    return frozenset(names())


def known(name: str | None) -> str | None:
    """The name when it is a zone a person may choose, else None."""
    return name if name in _known() else None


def zone_for(chosen: str | None, detected: str | None) -> ZoneInfo:
    """The zone to show times in: the person's choice, else the browser's, else UTC."""
    return ZoneInfo(known(chosen) or known(detected) or FALLBACK)


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A stored moment (aware, or naive UTC from SQLite) as the clock in `zone` reads it."""
    return as_utc(moment).astimezone(zone)
