"""Strict models of the YAML files in `questions/`.

Every model forbids unknown keys and is frozen: the catalogue is read once at start-up and never
changes while the process runs.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

SKILL_WEIGHT_TOTAL = 100
"""The skill weights of one role add up to exactly this number."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- sources.yaml -------------------------------------------------------------------------


class Source(Strict):
    """An article from `../shared/seeds/` (with its `file`) or a published body of knowledge
    (a standard, an exam content outline, a textbook) that items may cite."""

    id: Slug
    kind: Literal["article", "reference"] = "article"
    title: Text
    author: Text | None = None
    publisher: Text
    published: date | None = None
    edition: Text | None = None
    file: Text | None = None

    @model_validator(mode="after")
    def _article_has_file(self) -> Source:
        if self.kind == "article" and self.file is None:
            raise ValueError("an article names the seed file it comes from")
        if self.kind == "reference" and self.file is not None:
            raise ValueError("a reference has no seed file; give its title and publisher")
        return self


class SourcesFile(Strict):
    sources: list[Source] = Field(min_length=1)


# --- skills.yaml --------------------------------------------------------------------------


class Skill(Strict):
    id: Slug
    name: Text
    description: Text
    advice: Text = Field(description="What to do to get better at this skill.")


class SkillsFile(Strict):
    skills: list[Skill] = Field(min_length=1)


# --- roles/<slug>.yaml --------------------------------------------------------------------


class EducationLevel(StrEnum):
    """Ordered from lowest to highest; `rank` compares them."""

    NONE = "none"
    HIGH_SCHOOL = "high_school"
    ASSOCIATE = "associate"
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTORATE = "doctorate"

    @property
    def rank(self) -> int:
        return list(EducationLevel).index(self)

    @property
    def label(self) -> str:
        return {
            "none": "No formal requirement",
            "high_school": "High-school diploma",
            "associate": "Associate degree",
            "bachelor": "Bachelor's degree",
            "master": "Master's degree",
            "doctorate": "Doctorate",
        }[self.value]


class Expectation(StrEnum):
    REQUIRED = "required"
    RECOMMENDED = "recommended"
    OPTIONAL = "optional"


class Sourced(Strict):
    sources: list[Slug] = Field(min_length=1)


class TextList(Sourced):
    items: list[Text] = Field(min_length=1)


class RoleSkill(Strict):
    skill: Slug
    weight: int = Field(gt=0, le=SKILL_WEIGHT_TOTAL)
    why: Text


class WeightRevision(Strict):
    """A change to a role's skill weights: when it took effect, why, and the weights before it.
    Readiness is computed with today's weights, so a person's readiness moves on that day; the
    report says so."""

    changed_on: date
    why: Text
    before: dict[Slug, Annotated[int, Field(gt=0, le=SKILL_WEIGHT_TOTAL)]]

    @model_validator(mode="after")
    def _before_adds_up(self) -> WeightRevision:
        total = sum(self.before.values())
        if total != SKILL_WEIGHT_TOTAL:
            raise ValueError(
                f"the earlier weights add up to {total}; they must add up to {SKILL_WEIGHT_TOTAL}"
            )
        return self


class RoleSkills(Sourced):
    items: list[RoleSkill] = Field(min_length=1)
    revisions: list[WeightRevision] = Field(
        default_factory=list, description="Changes to the weights, newest first."
    )

    @model_validator(mode="after")
    def _newest_first(self) -> RoleSkills:
        days = [r.changed_on for r in self.revisions]
        if days != sorted(days, reverse=True) or len(set(days)) != len(days):
            raise ValueError("revisions are listed newest first, one per day")
        return self

    @property
    def latest_revision(self) -> WeightRevision | None:
        return self.revisions[0] if self.revisions else None

    @property
    def weights(self) -> dict[str, int]:
        return {rs.skill: rs.weight for rs in self.items}

    def weights_after(self, revision: WeightRevision) -> dict[str, int]:
        """The weights a revision brought in: the next revision's `before`, or today's."""
        index = self.revisions.index(revision)
        return self.revisions[index - 1].before if index else self.weights


class EducationRequirement(Sourced):
    minimum_level: EducationLevel
    expectation: Expectation
    typical_level: EducationLevel
    fields: list[Text] = Field(min_length=1)
    note: Text


class MbaRequirement(Sourced):
    expectation: Expectation
    note: Text


class YearsRequirement(Sourced):
    minimum_years: float = Field(ge=0, le=40)
    expectation: Expectation
    stated_as: Text = Field(description="How the article words it, paraphrased.")
    note: Text


class CertificationRequirement(Strict):
    name: Text
    full_name: Text
    expectation: Expectation


class Certifications(Sourced):
    items: list[CertificationRequirement] = Field(default_factory=list)
    note: Text


class Qualifications(Strict):
    education: EducationRequirement
    mba: MbaRequirement
    years_experience: YearsRequirement
    years_management: YearsRequirement
    certifications: Certifications


class CareerPath(Sourced):
    comes_from: list[Text] = Field(min_length=1)
    advances_to: list[Text] = Field(min_length=1)
    note: Text | None = None


class SalaryFact(Strict):
    title: Text
    measure: Literal["average", "median", "25th percentile", "75th percentile"]
    amount_usd: int = Field(gt=0)
    year: int = Field(ge=1990, le=2100)
    reported_by: Text
    source: Slug


class Salary(Strict):
    facts: list[SalaryFact] = Field(default_factory=list)
    note: Text


class Role(Strict):
    slug: Slug
    name: Text
    short_name: Text
    titles: TitleList
    summary: Summary
    duties: TextList
    skills: RoleSkills
    qualifications: Qualifications
    path: CareerPath
    salary: Salary
    order: int = Field(ge=0)

    @model_validator(mode="after")
    def _weights_add_up(self) -> Role:
        total = sum(s.weight for s in self.skills.items)
        if total != SKILL_WEIGHT_TOTAL:
            raise ValueError(
                f"skill weights add up to {total}; they must add up to {SKILL_WEIGHT_TOTAL}"
            )
        seen: set[str] = set()
        for s in self.skills.items:
            if s.skill in seen:
                raise ValueError(f"skill {s.skill!r} is listed twice")
            seen.add(s.skill)
        return self

    @property
    def cited(self) -> tuple[str, ...]:
        """The role page's sources, each once, in the order the page first cites them."""
        q = self.qualifications
        sections = (
            self.titles,
            self.summary,
            self.duties,
            self.skills,
            q.education,
            q.mba,
            q.years_experience,
            q.years_management,
            q.certifications,
            self.path,
        )
        ids = [sid for section in sections for sid in section.sources]
        return tuple(dict.fromkeys(ids + [fact.source for fact in self.salary.facts]))


class TitleList(Sourced):
    items: list[Text] = Field(min_length=1)


class Summary(Sourced):
    text: Text


# --- items/<skill>.yaml -------------------------------------------------------------------


ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$", max_length=80)]


def _require_five_levels(levels: dict[int, str]) -> None:
    if sorted(levels) != [1, 2, 3, 4, 5]:
        raise ValueError("levels must describe each of 1, 2, 3, 4 and 5")


FIRST_PERSON = re.compile(
    r"\b(I(?:['\u2019](?:m|ve|d|ll))?|[Mm](?:e|y|ine|yself)|[Ww]e|[Oo]ur(?:s|selves)?|[Uu]s)\b"
)
"""Words that give a rater's text away as copied from the person's own first-person version,
also capitalised at the start of a sentence ("My", "Our", "We"); "I" only as a capital, and
"US" (the country) is not "us"."""


class ObservedRating(Strict):
    """The same anchors as a self-rating, in the third person, for a rater who watches the
    person work: the prompt speaks of "they", each level starts with a verb ("Plans the week's
    production so ...")."""

    prompt: Text
    levels: dict[int, Text]

    @model_validator(mode="after")
    def _third_person(self) -> ObservedRating:
        _require_five_levels(self.levels)
        for where, text in [("prompt", self.prompt), *self.levels.items()]:
            if found := FIRST_PERSON.search(text):
                raise ValueError(
                    f"observed {where} must be in the third person; found {found.group(0)!r}"
                )
        return self


class SelfRatingItem(Strict):
    id: ItemId
    kind: Literal["self_rating"]
    prompt: Text
    levels: dict[int, Text]
    observed: ObservedRating

    @model_validator(mode="after")
    def _five_levels(self) -> SelfRatingItem:
        _require_five_levels(self.levels)
        return self


class Move(StrEnum):
    """What a scenario option does about the situation. Reviewers' metadata, never shown: the
    audit checks that no kind of move is keyed so often that choosing it pays without knowledge
    (the consult or gather-data option, say), and it is left out of an item's version hash."""

    ACT = "act"
    """Decide and act now on your own authority: stop, contain, switch, refuse, sign off."""
    ESCALATE = "escalate"
    """Take it to whoever owns the decision, above you or beside you."""
    CONSULT = "consult"
    """Ask, involve, inform or agree with others before or instead of acting."""
    INVESTIGATE = "investigate"
    """Gather data, check, measure or trial before deciding."""
    HOLD = "hold"
    """Keep the present course: wait, accept, monitor, let the plan slip or run on."""

    @property
    def deliberative(self) -> bool:
        """The consult / gather-data option that good manners alone would pick."""
        return self in (Move.CONSULT, Move.INVESTIGATE)


class Option(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z]$")]
    text: Text
    correct: bool = False
    move: Move | None = Field(default=None, exclude=True)


CHOOSE_WORDS = {"two": 2, "three": 3, "four": 4}
CHOOSE = re.compile(r"Choose (two|three|four)\.$")
"""How a multiple-select stem ends: it says how many options to choose."""

Difficulty = Annotated[int, Field(ge=1, le=3)]
"""Intended difficulty: 1 = any supervisor, 2 = a manager, 3 = a senior leader."""


class ChoiceItem(Strict):
    """A knowledge or scenario item. `difficulty` and `source` are optional here because
    versions stored before they existed must still load; the bank's rules require both."""

    id: ItemId
    kind: Literal["knowledge", "scenario"]
    select: Literal["single", "multiple"]
    prompt: Text
    options: list[Option] = Field(min_length=2, max_length=8)
    explanation: Text
    difficulty: Difficulty | None = None
    source: Slug | None = None

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.correct)

    @property
    def choose_count(self) -> int | None:
        """The number of options a multiple-select stem asks for, if it says ("Choose two.")."""
        match = CHOOSE.search(self.prompt)
        return CHOOSE_WORDS[match.group(1)] if match and self.select == "multiple" else None

    @property
    def instruction(self) -> str | None:
        """How many to choose, said the same way on every page ("Choose 2"); None for a
        single-choice item."""
        if self.select == "single":
            return None
        count = self.choose_count
        return f"Choose {count}" if count else "Choose all that apply"

    @property
    def stem(self) -> str:
        """The prompt without its "Choose two." sentence, which `instruction` says instead."""
        return CHOOSE.sub("", self.prompt).rstrip() if self.choose_count else self.prompt

    @model_validator(mode="after")
    def _options_consistent(self) -> ChoiceItem:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids must be unique within an item")
        correct = sum(o.correct for o in self.options)
        if correct == 0:
            raise ValueError("at least one option must be correct")
        if self.select == "single" and correct != 1:
            raise ValueError("a single-choice item has exactly one correct option")
        if correct == len(self.options):
            raise ValueError("at least one option must be wrong")
        return self


Item = Annotated[SelfRatingItem | ChoiceItem, Field(discriminator="kind")]


class ItemsFile(Strict):
    skill: Slug
    items: list[Item] = Field(min_length=1)


Role.model_rebuild()
