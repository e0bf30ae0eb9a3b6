"""Readiness as a pure function of the role and the user's facts."""

from __future__ import annotations

from datetime import date

import pytest

from app.catalogue.loader import load_catalogue
from app.services.estimates import CurrentEstimate, Estimate
from app.services.experience import Experience
from app.services.readiness import (
    CertificationFacts,
    EducationFacts,
    UserFacts,
    all_roles,
    readiness,
    years_text,
)
from tests.conftest import QUESTIONS_DIR
from tests.text import spaced

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def cat():
    return load_catalogue(QUESTIONS_DIR)


def facts(
    education=(),
    certs=(),
    production=0.0,
    management=0.0,
    ongoing=False,
    scores=None,
    taken=frozenset(),
    logged=True,
) -> UserFacts:
    return UserFacts(
        education=list(education),
        certifications=list(certs),
        experience=Experience(production, management, ongoing, ongoing),
        estimates=scores or {},
        skill_quizzes_taken=taken,
        qualifications_logged=logged,
    )


def req(result, key):
    return next(r for r in result.requirements if r.key == key)


def test_new_user_with_nothing_logged(cat):
    result = readiness(cat.roles["production-manager"], cat, facts(), TODAY)
    assert result.skill_readiness == 0
    assert all(s.score is None for s in result.skills)
    assert not req(result, "years_experience").met
    assert result.requirements_met_on is None
    assert not result.all_required_met
    assert "Take the full Production Manager assessment to measure every skill" in result.next_steps
    assert "Gain 3 more years in production" in result.next_steps
    assert "Consider CPIM" in " ".join(result.next_steps)
    assert result.overall == pytest.approx(0.5 * result.qualification_readiness)


def estimated(score: float, low: float, high: float, answers: int = 20) -> CurrentEstimate:
    return CurrentEstimate(Estimate(score, low, high, answers), TODAY)


def test_skill_readiness_weights_current_estimates(cat):
    role = cat.roles["head-of-production"]  # six skills at 12, one at 10, two at 5, two at 4
    scores = {"supply-chain": estimated(80, 72, 87), "leadership": estimated(100, 100, 100)}
    result = readiness(role, cat, facts(scores=scores), TODAY)
    assert result.skill_readiness == pytest.approx((12 * 80 + 5 * 100) / 100)
    gaps = result.gaps
    assert [g.weight for g in gaps] == sorted((g.weight for g in gaps), reverse=True)
    assert gaps[0].score is None  # a not-assessed weight-12 skill comes before supply chain at 80


def test_education_levels(cat):
    role = cat.roles["production-executive"]  # bachelor's required
    done = EducationFacts("bachelor", "Engineering", "completed", date(2010, 6, 1))
    assert req(readiness(role, cat, facts([done]), TODAY), "education").met
    assoc = EducationFacts("associate", "Business", "completed", date(2010, 6, 1))
    assert not req(readiness(role, cat, facts([assoc]), TODAY), "education").met
    studying = EducationFacts("bachelor", "Engineering", "in_progress", date(2027, 6, 1))
    r = req(readiness(role, cat, facts([studying]), TODAY), "education")
    assert not r.met
    assert r.credit == 0.5
    assert r.projected == date(2027, 6, 1)
    assert r.action == "Finish the bachelor's degree"
    mba = EducationFacts("mba", "Business", "completed", date(2015, 6, 1))
    assert req(readiness(role, cat, facts([mba]), TODAY), "education").met


def test_mba_status_for_cpo(cat):
    role = cat.roles["chief-production-officer"]
    assert req(readiness(role, cat, facts(), TODAY), "mba").current == "Not planned"
    planned = EducationFacts("mba", "Business", "planned", date(2029, 1, 1))
    r = req(readiness(role, cat, facts([planned]), TODAY), "mba")
    assert (r.current, r.met, r.credit) == ("Planned", False, 0.0)
    going = EducationFacts("mba", "Business", "in_progress", date(2027, 1, 1))
    r = req(readiness(role, cat, facts([going]), TODAY), "mba")
    assert (r.current, r.credit, r.projected) == ("In progress", 0.5, date(2027, 1, 1))
    done = EducationFacts("mba", "Business", "completed", date(2020, 1, 1))
    assert req(readiness(role, cat, facts([done]), TODAY), "mba").met
    # MBA is optional for a Production Manager, so it is not listed there.
    pm = readiness(cat.roles["production-manager"], cat, facts(), TODAY)
    assert all(r.key != "mba" for r in pm.requirements)


def test_time_based_requirements_project_a_date(cat):
    role = cat.roles["production-manager"]  # 3 years production, 1 year management
    result = readiness(role, cat, facts(production=1.5, management=0.5, ongoing=True), TODAY)
    exp = req(result, "years_experience")
    assert exp.projected == date(2027, 12, 1)  # 1.5 x 365.25 days on
    assert exp.credit == pytest.approx(0.5)
    assert exp.action == "1 more year and 6 months in production (keep going in the current role)"
    stopped = readiness(role, cat, facts(production=1.5), TODAY)
    assert req(stopped, "years_experience").projected is None


def test_requirements_met_on_is_the_latest_projection(cat):
    role = cat.roles["production-manager"]
    degree = EducationFacts("bachelor", "Business", "completed", date(2012, 1, 1))
    result = readiness(
        role, cat, facts([degree], production=2, management=0.5, ongoing=True), TODAY
    )
    assert result.requirements_met_on == date(2027, 6, 1)
    assert not result.all_required_met
    result = readiness(role, cat, facts([degree], production=4, management=2), TODAY)
    assert result.all_required_met
    assert result.requirements_met_on == TODAY


def test_certification_match_and_expiry(cat):
    role = cat.roles["production-manager"]
    valid = CertificationFacts("APICS CPIM", date(2020, 1, 1), None)
    assert req(readiness(role, cat, facts(certs=[valid]), TODAY), "cert:CPIM").met
    expired = CertificationFacts("CPIM", date(2015, 1, 1), date(2020, 1, 1))
    r = req(readiness(role, cat, facts(certs=[expired]), TODAY), "cert:CPIM")
    assert not r.met
    assert r.action.startswith("Consider CPIM")


def test_roles_come_in_the_ladders_order_whatever_their_scores(cat):
    everything = facts(
        [EducationFacts("bachelor", "Engineering", "completed", date(2010, 1, 1))],
        certs=[CertificationFacts("CPIM", date(2020, 1, 1), None)],
        production=4,
        management=2,
    )
    results = all_roles(cat, everything, TODAY)
    assert [r.role_slug for r in results] == [r.slug for r in cat.roles_in_order()]
    assert results[0].role_slug == "production-manager"
    assert results[-1].role_slug == "chief-production-officer"
    assert len({r.overall for r in results}) > 1  # (not all equal, so the order is not by score)


def test_a_wide_band_is_assessed_before_it_is_worked_on_after_the_clearly_weak(cat):
    role = cat.roles["head-of-production"]
    scores = {
        "supply-chain": estimated(40, 18, 66, answers=4),  # weak, but could be far off
        "quality-control": estimated(45, 38, 52),  # weak and measured well
    }
    taken = frozenset({"supply-chain", "quality-control"})
    result = readiness(role, cat, facts(scores=scores, taken=taken), TODAY)
    steps = result.next_steps
    assess = next(i for i, s in enumerate(steps) if "Supply chain" in s)
    assert steps[assess] == (
        "Take the Supply chain and inventory quiz again to firm up the score "
        "(40, likely between 18 and 66, from 4 answers) before working on it"
    )
    assert not any(s.startswith("Work on Supply chain") for s in steps)
    work = next(i for i, s in enumerate(steps) if s.startswith("Work on Quality control"))
    assert work < assess  # the sure gap first
    assert steps[work] == (
        "Work on Quality control (score 45, likely between 38 and 52, from 20 answers), "
        "then retake its quiz"
    )


def test_a_quiz_never_taken_is_not_taken_again(cat):
    """Estimates from a full assessment alone: "take the quiz", not "again" or "retake"."""
    role = cat.roles["head-of-production"]
    scores = {
        "supply-chain": estimated(40, 18, 66, answers=4),
        "quality-control": estimated(45, 38, 52),
    }
    steps = readiness(role, cat, facts(scores=scores), TODAY).next_steps
    assert "Take the Supply chain and inventory quiz to firm up the score" in " ".join(steps)
    assert not any("again" in s or "retake" in s for s in steps)
    assert any(s.endswith("then take its quiz") for s in steps)


@pytest.mark.parametrize(
    ("years", "text"),
    [
        (0.0, "less than a month"),
        (0.02, "less than a month"),
        (0.2, "2 months"),
        (1 / 12, "1 month"),
        (0.96, "1 year"),
        (0.99, "1 year"),
        (1.0, "1 year"),
        (2.5, "2 years and 6 months"),
        (11.4, "11 years and 5 months"),
        (13 / 12, "1 year and 1 month"),
    ],
)
def test_years_are_years_and_months_never_a_fraction(years, text):
    assert years_text(years) == text


def test_more_years_say_more_once():
    assert years_text(1.5, more=True) == "1 more year and 6 months"
    assert years_text(3, more=True) == "3 more years"
    assert years_text(0.25, more=True) == "3 more months"


def test_a_short_gap_is_said_in_months(cat):
    role = cat.roles["production-manager"]  # 3 years in production
    result = readiness(role, cat, facts(production=2.8, ongoing=True), TODAY)
    assert req(result, "years_experience").action == (
        "2 more months in production (keep going in the current role)"
    )


def test_nothing_logged_asks_to_log_education_not_to_plan_a_diploma(cat):
    role = cat.roles["head-of-production"]
    result = readiness(role, cat, facts(logged=False), TODAY)
    assert req(result, "education").action == (
        "Log the education held (Head of Production asks for a high-school diploma or higher)"
    )
    assert not result.measured
    assert not result.skills_measured
    scored = facts(scores={"quality-control": estimated(45, 38, 52)})
    assert readiness(role, cat, scored, TODAY).measured


def test_a_booked_exam_is_not_held_until_its_day(cat):
    role = cat.roles["production-manager"]
    booked = CertificationFacts("CPIM", date(2026, 9, 1), None)
    r = req(readiness(role, cat, facts(certs=[booked]), TODAY), "cert:CPIM")
    assert not r.met
    assert spaced(r.current) == "Exam booked for 1 Sep 2026"
    assert r.projected == date(2026, 9, 1)
    assert spaced(r.action) == "Sit the CPIM exam on 1 Sep 2026"
    held = readiness(role, cat, facts(certs=[booked]), date(2026, 9, 2))
    assert req(held, "cert:CPIM").met


def test_no_job_logged_asks_for_the_jobs_not_for_years(cat):
    unlogged = UserFacts(**{**facts().__dict__, "positions_logged": False})
    result = readiness(cat.roles["production-manager"], cat, unlogged, TODAY)
    experience = req(result, "years_experience")
    assert experience.current == "None logged"
    log_jobs = "Log the jobs held: years in production and managing people are counted from them"
    assert experience.action == req(result, "years_management").action == log_jobs
    assert result.next_steps.count(log_jobs) == 1  # one step for both
    assert not any(step.startswith("Gain") for step in result.next_steps)
