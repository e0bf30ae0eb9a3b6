"""How ready a user is for a role: qualifications, skills, overall, next steps (pure functions).

Overall readiness (shown on the report, explained in docs/readiness.md):
    overall = 50 % skill readiness + 50 % qualification readiness
- skill readiness = sum over the role's skills of weight x the skill's current estimate / 100
  (pooled from all answers, services/estimates.py); a skill not assessed yet counts as 0.
- qualification readiness = weighted share of requirements met (required ones count twice as
  much as recommended ones; optional ones do not count). Time-based requirements earn partial
  credit (have / need); a degree or MBA in progress earns half.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from app.catalogue.loader import Catalogue
from app.catalogue.schema import EducationLevel, Expectation, Role, YearsRequirement
from app.services.charts import dated
from app.services.estimates import CurrentEstimate, Estimate, band_text
from app.services.experience import Experience, projected_date

LEVEL_RANK = {
    "high_school": EducationLevel.HIGH_SCHOOL.rank,
    "associate": EducationLevel.ASSOCIATE.rank,
    "bachelor": EducationLevel.BACHELOR.rank,
    "master": EducationLevel.MASTER.rank,
    "mba": EducationLevel.MASTER.rank,
    "doctorate": EducationLevel.DOCTORATE.rank,
}
LEVEL_LABEL = {
    "high_school": "High-school diploma",
    "associate": "Associate degree",
    "bachelor": "Bachelor's degree",
    "master": "Master's degree",
    "mba": "MBA",
    "doctorate": "Doctorate",
}


def education_text(level: str, field: str) -> str:
    """ "Bachelor's degree in Engineering", or the level alone when it has no field."""
    return f"{LEVEL_LABEL[level]} in {field}" if field else LEVEL_LABEL[level]


def level_phrase(level: str) -> str:
    """The level's label for use mid-sentence ("bachelor's degree", but "MBA")."""
    label = LEVEL_LABEL[level]
    return label if label.isupper() else label.lower()


EXPECTATION_WEIGHT = {Expectation.REQUIRED: 2, Expectation.RECOMMENDED: 1, Expectation.OPTIONAL: 0}
SKILL_SHARE = 0.5


@dataclass(frozen=True)
class EducationFacts:
    level: str
    field: str
    status: str  # planned / in_progress / completed
    end_date: date | None


@dataclass(frozen=True)
class CertificationFacts:
    name: str
    earned_on: date
    expires_on: date | None


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str
    expectation: str
    required: str
    current: str
    met: bool
    credit: float  # 0..1
    projected: date | None = None
    action: str | None = None


WIDE_BAND = 30.0
"""A skill whose 80 % band is wider than this many points is assessed before it is worked on."""


@dataclass(frozen=True)
class SkillReadiness:
    skill_id: str
    name: str
    weight: int
    estimate: Estimate | None
    assessed_on: date | None

    @property
    def score(self) -> float | None:
        return self.estimate.score if self.estimate else None

    @property
    def band(self) -> str | None:
        """ "62, likely between 51 and 72, from 14 answers" """
        return band_text(self.estimate) if self.estimate else None

    @property
    def uncertain(self) -> bool:
        return self.estimate is not None and self.estimate.width > WIDE_BAND

    @property
    def gap(self) -> float:
        """Weighted points missing from skill readiness (0..weight)."""
        return self.weight * (100 - (self.score or 0)) / 100


@dataclass(frozen=True)
class Readiness:
    role_slug: str
    role_name: str
    requirements: list[Requirement]
    skills: list[SkillReadiness]
    skill_readiness: float
    qualification_readiness: float
    overall: float
    requirements_met_on: date | None
    all_required_met: bool
    next_steps: list[str]
    qualifications_logged: bool = True

    @property
    def skills_measured(self) -> bool:
        return any(s.score is not None for s in self.skills)

    @property
    def skills_assessed(self) -> int:
        """How many of the role's skills have a score (the others count as 0 in the skill
        readiness, which the pages say beside it)."""
        return sum(1 for s in self.skills if s.score is not None)

    @property
    def measured(self) -> bool:
        """Whether the overall figure rests on evidence of both halves; before that, a 0 would
        read as a failing grade rather than as "not measured yet"."""
        return self.skills_measured and self.qualifications_logged

    @property
    def gaps(self) -> list[SkillReadiness]:
        """Skills below 100, largest weight first (ties: weakest first)."""
        return sorted(
            (s for s in self.skills if (s.score or 0) < 100),
            key=lambda s: (-s.weight, s.score or 0, s.skill_id),
        )


@dataclass(frozen=True)
class UserFacts:
    education: list[EducationFacts]
    certifications: list[CertificationFacts]
    experience: Experience
    estimates: Mapping[str, CurrentEstimate]
    skill_quizzes_taken: frozenset[str] = frozenset()  # skills whose own quiz was submitted
    qualifications_logged: bool = True  # any education, position or certification logged
    positions_logged: bool = True  # years of experience are counted from logged positions


def years_text(value: float, more: bool = False) -> str:
    """Years and months, to the month: "1 year", "11 years and 5 months", "3 months", "less
    than a month"; with more=True "1 more year and 6 months", "2 more months". Never a
    fraction ("11.4 years" read as a grade, not as time)."""
    extra = " more" if more else ""
    years, months = divmod(round(value * 12), 12)
    if not years and not months:
        return "less than a month" + extra
    parts = []
    if years:
        parts.append(f"{years}{extra} year" + ("" if years == 1 else "s"))
    if months:
        parts.append(f"{months}{'' if years else extra} month" + ("" if months == 1 else "s"))
    return " and ".join(parts)


def _education_requirement(role: Role, facts: UserFacts) -> Requirement:
    req = role.qualifications.education
    need = req.minimum_level.rank
    done = [e for e in facts.education if e.status == "completed"]
    best = max(done, key=lambda e: LEVEL_RANK[e.level], default=None)
    met = req.minimum_level == EducationLevel.NONE or (
        best is not None and LEVEL_RANK[best.level] >= need
    )
    pending = [
        e for e in facts.education if e.status != "completed" and LEVEL_RANK[e.level] >= need
    ]
    pending.sort(key=lambda e: e.end_date or date.max)
    credit = 1.0 if met else (0.5 if any(e.status == "in_progress" for e in pending) else 0.0)
    projected = None if met or not pending else pending[0].end_date
    current = education_text(best.level, best.field) if best else "None logged"
    if not met and pending:
        p = pending[0]
        current += f"; {level_phrase(p.level)} {p.status.replace('_', ' ')}"
    action = None
    if not met and pending:
        action = f"Finish the {level_phrase(pending[0].level)}"
    elif not met and not facts.education:
        # Nothing logged says nothing: most people have more than a role's minimum.
        level = req.minimum_level.label.lower()
        action = f"Log the education held ({role.name} asks for a {level} or higher)"
    elif not met:
        action = (
            f"Plan a {req.minimum_level.label.lower()} in a field such as {req.fields[0].lower()}"
        )
    return Requirement(
        key="education",
        label="Education",
        expectation=req.expectation.value,
        required=f"{req.minimum_level.label} or higher",
        current=current,
        met=met,
        credit=credit,
        projected=projected,
        action=action,
    )


def _mba_requirement(role: Role, facts: UserFacts) -> Requirement | None:
    req = role.qualifications.mba
    if req.expectation == Expectation.OPTIONAL:
        return None
    mbas = [e for e in facts.education if e.level == "mba"]
    status = {e.status for e in mbas}
    met = "completed" in status
    current = (
        "Completed"
        if met
        else "In progress"
        if "in_progress" in status
        else "Planned"
        if "planned" in status
        else "Not planned"
    )
    projected = None
    if not met:
        ends = [e.end_date for e in mbas if e.end_date and e.status != "completed"]
        projected = min(ends) if ends else None
    return Requirement(
        key="mba",
        label="MBA",
        expectation=req.expectation.value,
        required="MBA completed",
        current=current,
        met=met,
        credit=1.0 if met else (0.5 if "in_progress" in status else 0.0),
        projected=projected,
        action=None if met else ("Finish the MBA" if mbas else "Consider an MBA"),
    )


LOG_JOBS = "Log the jobs held: years in production and managing people are counted from them"


def _years_requirement(
    key: str,
    what: str,
    req: YearsRequirement,
    have: float,
    ongoing: bool,
    today: date,
    logged: bool,
) -> Requirement:
    need = req.minimum_years
    met = have >= need
    projected = projected_date(have, need, ongoing, today)
    missing = need - have
    if met:
        action = None
    elif not logged:
        # No job logged says nothing yet: most people using this have held some. One step for
        # both kinds of years (next steps list it once).
        action = LOG_JOBS
    elif ongoing:
        action = f"{years_text(missing, more=True)} {what} (keep going in the current role)"
    else:
        action = f"Gain {years_text(missing, more=True)} {what}"
    return Requirement(
        key=key,
        label=f"Years {what}",
        expectation=req.expectation.value,
        required=years_text(need),
        current=years_text(have) if logged else "None logged",
        met=met,
        credit=1.0 if need == 0 else min(have / need, 1.0),
        projected=None if met else projected,
        action=action,
    )


def _certification_requirements(role: Role, facts: UserFacts, today: date) -> list[Requirement]:
    reqs = []
    for cert in role.qualifications.certifications.items:
        matching = [c for c in facts.certifications if cert.name.lower() in c.name.lower()]
        live = [c for c in matching if c.expires_on is None or c.expires_on > today]
        valid = [c for c in live if c.earned_on <= today]
        booked = sorted(c.earned_on for c in live if c.earned_on > today)
        met = bool(valid)
        if met:
            current, action = f"Earned {dated(valid[0].earned_on)}", None
        elif booked:
            current = f"Exam booked for {dated(booked[0])}"
            action = f"Sit the {cert.name} exam on {dated(booked[0])}"
        else:
            current, action = "Not logged", f"Consider {cert.name} ({cert.full_name})"
        reqs.append(
            Requirement(
                key=f"cert:{cert.name}",
                label=f"{cert.name} certification",
                expectation=cert.expectation.value,
                required=cert.full_name,
                current=current,
                met=met,
                credit=1.0 if met else 0.0,
                projected=booked[0] if booked and not met else None,
                action=action,
            )
        )
    return reqs


def requirements_for(role: Role, facts: UserFacts, today: date) -> list[Requirement]:
    q = role.qualifications
    exp = facts.experience
    reqs = [_education_requirement(role, facts)]
    mba = _mba_requirement(role, facts)
    if mba:
        reqs.append(mba)
    reqs.append(
        _years_requirement(
            "years_experience",
            "in production",
            q.years_experience,
            exp.production_years,
            exp.production_ongoing,
            today,
            facts.positions_logged,
        )
    )
    reqs.append(
        _years_requirement(
            "years_management",
            "managing people",
            q.years_management,
            exp.management_years,
            exp.management_ongoing,
            today,
            facts.positions_logged,
        )
    )
    reqs.extend(_certification_requirements(role, facts, today))
    return reqs


def skill_readiness(role: Role, cat: Catalogue, facts: UserFacts) -> list[SkillReadiness]:
    result = []
    for rs in sorted(role.skills.items, key=lambda s: (-s.weight, s.skill)):
        current = facts.estimates.get(rs.skill)
        result.append(
            SkillReadiness(
                skill_id=rs.skill,
                name=cat.skills[rs.skill].name,
                weight=rs.weight,
                estimate=current.estimate if current else None,
                assessed_on=current.updated_on if current else None,
            )
        )
    return result


def _qualification_readiness(reqs: Iterable[Requirement]) -> float:
    weighted = [(EXPECTATION_WEIGHT[Expectation(r.expectation)], r.credit) for r in reqs]
    total = sum(w for w, _ in weighted)
    if total == 0:
        return 100.0
    return 100 * sum(w * c for w, c in weighted) / total


def _met_on(reqs: list[Requirement], today: date) -> tuple[bool, date | None]:
    """When every required qualification is met: today, a projected date, or None (unknown)."""
    required = [r for r in reqs if r.expectation == Expectation.REQUIRED.value]
    if all(r.met for r in required):
        return True, today
    dates = [r.projected for r in required if not r.met]
    if any(d is None for d in dates):
        return False, None
    return False, max(d for d in dates if d is not None)


def _next_steps(
    reqs: list[Requirement], skills: list[SkillReadiness], role: Role, taken: frozenset[str]
) -> list[str]:
    steps = [r.action for r in reqs if r.action and r.expectation == "required"]
    not_assessed = [s for s in skills if s.score is None]
    # Clearly weak skills first (measured precisely enough to act on), then the ones whose
    # wide band means the score could be far off: measure those better before working on them.
    weak = sorted(
        (s for s in skills if s.score is not None and s.score < 75 and not s.uncertain),
        key=lambda s: -s.gap,
    )
    for s in weak[:2]:
        retake = "retake" if s.skill_id in taken else "take"
        steps.append(f"Work on {s.name} (score {s.band}), then {retake} its quiz")
    uncertain = [s for s in skills if s.uncertain]
    for s in uncertain[:2]:
        again = " again" if s.skill_id in taken else ""
        steps.append(
            f"Take the {s.name} quiz{again} to firm up the score ({s.band}) before working on it"
        )
    if not_assessed:
        if len(not_assessed) == len(skills):
            steps.append(f"Take the full {role.name} assessment to measure every skill")
        else:
            steps.extend(f"Take the {s.name} quiz" for s in not_assessed[:2])
    steps.extend(r.action for r in reqs if r.action and r.expectation == "recommended")
    return list(dict.fromkeys(steps))  # a step two requirements share, once


def readiness(role: Role, cat: Catalogue, facts: UserFacts, today: date) -> Readiness:
    reqs = requirements_for(role, facts, today)
    skills = skill_readiness(role, cat, facts)
    skill_score = sum(s.weight * (s.score or 0) for s in skills) / 100
    qual_score = _qualification_readiness(reqs)
    all_met, met_on = _met_on(reqs, today)
    return Readiness(
        role_slug=role.slug,
        role_name=role.name,
        requirements=reqs,
        skills=skills,
        skill_readiness=skill_score,
        qualification_readiness=qual_score,
        overall=SKILL_SHARE * skill_score + (1 - SKILL_SHARE) * qual_score,
        requirements_met_on=met_on,
        all_required_met=all_met,
        next_steps=_next_steps(reqs, skills, role, facts.skill_quizzes_taken),
        qualifications_logged=facts.qualifications_logged,
    )


def all_roles(cat: Catalogue, facts: UserFacts, today: date) -> list[Readiness]:
    """Readiness for every role, in the career ladder's order (Production Manager first): a
    "closest first" ranking misled, since a role's qualifications can sit below the one before
    it on the ladder (Head of Production asks for a high-school diploma), and skills not yet
    assessed count as nothing."""
    return [readiness(role, cat, facts, today) for role in cat.roles_in_order()]
