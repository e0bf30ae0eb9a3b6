"""Years of experience from positions: overlaps merged, current jobs run to today."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.experience import (
    Period,
    PositionFacts,
    experience,
    merge,
    projected_date,
    years,
)

TODAY = date(2026, 1, 1)


def test_overlapping_periods_count_once():
    periods = [
        Period(date(2020, 1, 1), date(2021, 12, 31)),
        Period(date(2021, 1, 1), date(2022, 12, 31)),
    ]
    assert merge(periods, TODAY) == [(date(2020, 1, 1), date(2022, 12, 31))]
    assert years(periods, TODAY) == pytest.approx(3.0, abs=0.01)


def test_nested_period_adds_nothing():
    outer = Period(date(2015, 1, 1), date(2020, 12, 31))
    inner = Period(date(2016, 6, 1), date(2017, 6, 1))
    assert years([outer, inner], TODAY) == pytest.approx(years([outer], TODAY))


def test_gap_between_jobs_is_not_counted():
    periods = [
        Period(date(2018, 1, 1), date(2018, 12, 31)),
        Period(date(2020, 1, 1), date(2020, 12, 31)),
    ]
    assert len(merge(periods, TODAY)) == 2
    assert years(periods, TODAY) == pytest.approx(2.0, abs=0.01)


def test_adjacent_jobs_join():
    periods = [
        Period(date(2018, 1, 1), date(2018, 12, 31)),
        Period(date(2019, 1, 1), date(2019, 12, 31)),
    ]
    assert merge(periods, TODAY) == [(date(2018, 1, 1), date(2019, 12, 31))]


def test_current_job_runs_to_today_and_future_starts_are_ignored():
    periods = [Period(date(2024, 1, 1), None), Period(date(2027, 1, 1), None)]
    assert merge(periods, TODAY) == [(date(2024, 1, 1), TODAY)]
    assert years(periods, TODAY) == pytest.approx(2.0, abs=0.01)


def test_no_positions_is_zero():
    assert years([], TODAY) == 0


def test_production_and_management_are_separate():
    positions = [
        PositionFacts(
            date(2016, 1, 1), date(2019, 12, 31), in_production=True, managed_people=False
        ),
        PositionFacts(date(2020, 1, 1), None, in_production=True, managed_people=True),
        PositionFacts(
            date(2010, 1, 1), date(2011, 12, 31), in_production=False, managed_people=True
        ),
    ]
    exp = experience(positions, TODAY)
    assert exp.production_years == pytest.approx(10.0, abs=0.01)
    assert exp.management_years == pytest.approx(8.0, abs=0.01)
    assert exp.production_ongoing
    assert exp.management_ongoing


def test_projected_date():
    assert projected_date(5, 3, ongoing=False, today=TODAY) == TODAY
    assert projected_date(1, 3, ongoing=False, today=TODAY) is None
    assert projected_date(1, 3.5, ongoing=True, today=TODAY) == date(2028, 7, 2)
