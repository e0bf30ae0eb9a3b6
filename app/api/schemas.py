"""JSON shapes of the API, as pydantic models: they validate requests and describe the OpenAPI
document (spectree reads them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.database import as_utc
from app.models.milestone import ACTIVITY_KINDS, EDUCATION_LEVELS, EDUCATION_STATUSES
from app.services.charts import NBSP


def _one_decimal(score: float) -> float:
    """Scores carry bands several points wide; more decimals would claim precision they lack."""
    return round(score, 1)


Score = Annotated[
    float, Field(ge=0, le=100, description="0 to 100, one decimal."), AfterValidator(_one_decimal)
]


Years = Annotated[float, Field(ge=0), AfterValidator(_one_decimal)]


def _utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes, stored in UTC; RFC 3339 needs the offset. Whole seconds,
    the same on both databases."""
    return as_utc(moment.replace(microsecond=0))


Timestamp = Annotated[datetime, AfterValidator(_utc)]


class Model(BaseModel):
    # from_attributes lets an output model be read straight off a service dataclass.
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class Problem(Model):
    """An error, as RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: dict[str, list[str]] | None = None


# --- roles and quizzes -------------------------------------------------------------------


class RoleSummary(Model):
    slug: str
    name: str
    short_name: str
    summary: str


class RoleList(Model):
    roles: list[RoleSummary]


class RoleSkill(Model):
    skill_id: str
    name: str
    weight: int
    why: str


class Source(Model):
    id: str
    title: str
    publisher: str


class RoleDetail(RoleSummary):
    titles: list[str]
    duties: list[str]
    skills: list[RoleSkill]
    weights_revised_on: date | None = Field(
        description="When the skill weights last changed (readiness uses today's weights)."
    )
    minimum_education: str
    mba: str
    years_in_production: Years
    years_managing: Years
    certifications: list[str]
    sources: list[Source]


class QuizOut(Model):
    key: str
    title: str
    description: str
    is_full: bool
    skill_ids: list[str]


class QuizList(Model):
    quizzes: list[QuizOut]


# What the input guard (app/security/input_guard.py) refuses, said in the schema too, so a client
# (and schemathesis) knows that control characters are not text: C0 but tab, LF and CR; DEL; C1.
PLAIN_TEXT = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"


def text(max_length: int, **options: Any) -> Any:
    """A string field of at most `max_length` characters, without control characters."""
    return Field(max_length=max_length, pattern=PLAIN_TEXT, **options)


# --- attempts --------------------------------------------------------------------------------


class StartIn(Model):
    quiz_key: str = text(100, examples=["skill.quality-control"])
    role_slug: str | None = text(
        64,
        default=None,
        description="The role a skill quiz is scored for; defaults to your target role.",
    )


class AttemptOut(Model):
    id: int
    quiz_key: str
    title: str
    role_slug: str
    status: Literal["in_progress", "submitted"]
    item_count: int
    answered: int
    overall_score: Score | None
    started_at: Timestamp
    submitted_at: Timestamp | None


class AttemptPage(Model):
    attempts: list[AttemptOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last.")


class PageQuery(Model):
    cursor: str | None = Field(default=None, pattern=r"^a[0-9]{1,10}$")
    limit: int = Field(default=20, ge=1, le=100)


class Choice(Model):
    value: str
    text: str


class QuestionOut(Model):
    position: int
    item_id: str
    skill_id: str
    kind: Literal["self_rating", "knowledge", "scenario"]
    select: Literal["single", "multiple"]
    choose: int | None = Field(description="How many options a multiple-select item asks for.")
    prompt: str = Field(description="The question as the pages show it, without its count.")
    instruction: str | None = Field(
        description='What to choose, as the pages say it ("Choose 2"); null for a single choice.'
    )
    choices: list[Choice]
    answer: list[str] = Field(description="The saved answer's values; empty if none.")
    skipped: bool


class AnswerIn(Model):
    values: list[Annotated[str, text(2)]] = Field(
        default_factory=list,
        max_length=8,
        description="A level '1'-'5' for a self-rating, else option values; none (and no "
        "skip) clears the answer, so that the question counts as unanswered.",
    )
    skip: bool = False


class AnswerOut(Model):
    position: int
    saved: bool
    skipped: bool
    cleared: bool = Field(description="The answer was taken back: no values and no skip.")
    item_count: int


class SkillResultOut(Model):
    skill_id: str
    self_score: Score | None
    knowledge_score: Score | None
    combined_score: Score
    estimate: Score | None = Field(description="The skill's estimate from all your answers.")
    band_low: Score | None
    band_high: Score | None
    answers: int | None


class ReviewedQuestion(Model):
    position: int
    item_id: str
    prompt: str
    instruction: str | None
    chosen: list[str]
    correct: list[str]
    explanation: str | None


class ResultOut(Model):
    attempt: AttemptOut
    skills: list[SkillResultOut]
    questions: list[ReviewedQuestion]
    straight_lined: bool = Field(description="The same level was given to every self-rating.")


# --- milestones ------------------------------------------------------------------------------


class EducationIn(Model):
    level: Literal[EDUCATION_LEVELS]  # type: ignore[valid-type]
    field: str = text(
        120, default="", description="Optional for a high-school diploma or a general MBA."
    )
    institution: str = text(160, default="")
    status: Literal[EDUCATION_STATUSES]  # type: ignore[valid-type]
    start_date: date | None = None
    end_date: date | None = None


class PositionIn(Model):
    title: str = text(120)
    organisation: str = text(160)
    start_date: date
    end_date: date | None = None
    in_production: bool = True
    managed_people: bool = False
    people_managed: int | None = Field(default=None, ge=1, le=100_000)


class CertificationIn(Model):
    name: str = text(120)
    issuer: str = text(160, default="")
    earned_on: date
    expires_on: date | None = None


class ActivityIn(Model):
    kind: Literal[ACTIVITY_KINDS]  # type: ignore[valid-type]
    title: str = text(160)
    occurred_on: date
    notes: str = text(500, default="")


class EducationOut(EducationIn):
    id: int


class PositionOut(PositionIn):
    id: int


class CertificationOut(CertificationIn):
    id: int


class ActivityOut(ActivityIn):
    id: int


class EducationList(Model):
    items: list[EducationOut]


class PositionList(Model):
    items: list[PositionOut]


class CertificationList(Model):
    items: list[CertificationOut]


class ActivityList(Model):
    items: list[ActivityOut]


# --- report ----------------------------------------------------------------------------------


def _plain_spaces(text: str) -> str:
    """The pages hold a day together with non-breaking spaces ("7 Mar 2026"); a client
    reading the API gets plain ones."""
    return text.replace(NBSP, " ")


Sentence = Annotated[str, AfterValidator(_plain_spaces)]


class RequirementOut(Model):
    key: str
    label: str
    expectation: str
    required: Sentence
    current: Sentence
    met: bool
    projected: date | None


class SkillReadinessOut(Model):
    skill_id: str
    name: str
    weight: int
    estimate: Score | None
    band_low: Score | None
    band_high: Score | None
    answers: int | None
    band: str | None = Field(
        description='In words: "62, likely between 51 and 72, from 14 answers"'
    )


class ReportOut(Model):
    role_slug: str
    role_name: str
    overall: Score
    skill_readiness: Score
    qualification_readiness: Score
    all_required_met: bool
    requirements_met_on: date | None
    requirements: list[RequirementOut]
    skills: list[SkillReadinessOut]
    next_steps: list[Sentence]


class CompareOut(Model):
    roles: list[ReportOut] = Field(description="Every role, in the career ladder's order.")


class FeedbackGroupOut(Model):
    group: Literal["manager", "mentor", "peer", "direct_report", "other"]
    answers: int = Field(description="Raters of this group who submitted.")
    shown: bool = Field(
        description="Whether the group's mean is given: only with at least `minimum_group` "
        "answers, for every group (manager and mentor too: aggregates only)."
    )


class FeedbackSkillOut(Model):
    skill_id: str
    own: float | None = Field(description="Your mean latest self-rating (levels 1-5).")
    others: float | None = Field(
        description="All raters' mean: of the shown groups' raters (1-5), so at least "
        "`minimum_group` of them."
    )
    others_raters: int
    by_group: dict[str, float] = Field(description="Each shown group's mean (1-5).")
    gap: float | None = Field(description="others - own, in levels.")
    finding: Literal["blind_spot", "hidden_strength"] | None


class FeedbackRoundOut(Model):
    role_slug: str
    opened_at: str
    closed_at: str
    minimum_group: int
    groups: list[FeedbackGroupOut]
    skills: list[FeedbackSkillOut]


class FeedbackOut(Model):
    rounds: list[FeedbackRoundOut] = Field(description="Closed rounds, newest first.")


class ExportOut(BaseModel):
    """Everything stored for the account, as /export.json gives it (format version 3)."""

    model_config = ConfigDict(extra="allow")
    format: str
    version: int
    exported_at: str = Field(description="When this export was made (ISO 8601, with offset).")
    profile: dict[str, Any]
    attempts: list[dict[str, Any]]
    milestones: dict[str, list[dict[str, Any]]]
    feedback_rounds: list[FeedbackRoundOut]
