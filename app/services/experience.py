"""Years in production and in management from positions held (pure functions).

Overlapping periods are merged first, so two jobs held at once never count twice. A position
without an end date runs to `today`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None  # None: still going

    def closed(self, today: date) -> tuple[date, date]:
        return self.start, min(self.end or today, today)


@dataclass(frozen=True)
class PositionFacts:
    start: date
    end: date | None
    in_production: bool
    managed_people: bool


@dataclass(frozen=True)
class Experience:
    production_years: float
    management_years: float
    production_ongoing: bool
    management_ongoing: bool


def merge(periods: Iterable[Period], today: date) -> list[tuple[date, date]]:
    """Union of the periods as sorted, non-overlapping (start, end) pairs, clipped at today.

    Periods that touch (one ends the day before the next starts) are joined.
    """
    spans = sorted(p.closed(today) for p in periods if p.start <= today)
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if end < start:
            continue
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def years(periods: Iterable[Period], today: date) -> float:
    days = sum((end - start).days + 1 for start, end in merge(periods, today))
    return days / DAYS_PER_YEAR


def experience(positions: Iterable[PositionFacts], today: date) -> Experience:
    positions = list(positions)
    production = [Period(p.start, p.end) for p in positions if p.in_production]
    management = [Period(p.start, p.end) for p in positions if p.managed_people]
    return Experience(
        production_years=years(production, today),
        management_years=years(management, today),
        production_ongoing=any(
            p.end is None and p.start <= today for p in positions if p.in_production
        ),
        management_ongoing=any(
            p.end is None and p.start <= today for p in positions if p.managed_people
        ),
    )


def projected_date(have: float, need: float, ongoing: bool, today: date) -> date | None:
    """When `need` years will be reached if the current position continues; None if never."""
    if have >= need:
        return today
    if not ongoing:
        return None
    return today + timedelta(days=round((need - have) * DAYS_PER_YEAR))
