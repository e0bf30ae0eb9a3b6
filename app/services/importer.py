"""Bring a /export.json file back into the current account: all or nothing, and idempotent.

The file is validated strictly (pydantic models of the export format, versions 2 and 3) before
anything is written. Milestones and submitted attempts, with their answers and attempt scores,
are added unless an identical one is already there, so importing the same file twice adds
nothing. Each answered item's content travels in the file and is checked against its content
hash, so an export from another ProdReady restores even items this bank never had. Skill
estimates are then recomputed from the answers. The profile (email, name) is not imported: it
is this account's.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import delete, select

from app.catalogue import catalogue
from app.catalogue.loader import ITEM_ADAPTER
from app.catalogue.schema import ItemId, Slug
from app.database import as_utc
from app.extensions import db
from app.models import (
    Activity,
    Answer,
    Attempt,
    AttemptItem,
    Certification,
    Education,
    ItemVersion,
    PendingImport,
    Position,
    SkillScore,
    User,
)
from app.models.attempt import SUBMITTED
from app.models.milestone import ACTIVITY_KINDS, EDUCATION_LEVELS, EDUCATION_STATUSES
from app.security.input_guard import HostileInputError, check_json_depth, check_value
from app.services import export, milestones, skill_estimates
from app.services.skill_estimates import credit
from app.upsert import insert_ignore

READABLE_VERSIONS = (2, export.VERSION)
"""Version 3 differs only in attempts in progress, which are never imported."""


class BadImportError(ValueError):
    """The file cannot be imported; the message names the problem for the person."""


class RefusedUnreadError(BadImportError):
    """The file was refused before its JSON was read (too large, empty, damaged gzip, not JSON
    text): a mistake found at little cost, which the import limit does not count. Reading the
    JSON of a large file takes a second or more, so every refusal after that counts."""


class TooLargeError(RefusedUnreadError):
    """The file, or the JSON it unpacks to, is larger than this ProdReady reads."""


class StalePreviewError(Exception):
    """The file waiting to be imported is not the one the confirming page previewed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Row(_Strict):
    """A record stored as a row of `stored_as`, whose every text field must fit its column:
    SQLite would store a longer one, and each page and API response reading it back would
    fail; PostgreSQL would refuse it halfway through the import."""

    stored_as: ClassVar[Any]

    @model_validator(mode="after")
    def _fits_its_columns(self) -> Self:
        columns = self.stored_as.__table__.columns
        for name, value in self:
            limit = getattr(columns[name].type, "length", None) if name in columns else None
            if isinstance(value, str) and limit is not None and len(value) > limit:
                raise ValueError(f"{name} is longer than the {limit} characters it may have")
        return self


EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
When = TypeVar("When", date, datetime)


def _plausible(moment: When) -> When:
    """Refuse dates no person's record has, and with them the years 1 and 9999, whose time
    zone conversion overflows."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(f"the date is not between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


Day = Annotated[date, AfterValidator(_plausible)]
Moment = Annotated[datetime, AfterValidator(_plausible)]
RecordId = Annotated[int, Field(ge=1, le=2**31 - 1)]  # the largest INTEGER column value
Score = Annotated[float, Field(ge=0, le=100)]
Required = Annotated[str, Field(min_length=1)]
OptionId = Annotated[str, Field(pattern=r"^[a-h]$")]


class AnswerIn(_Strict):
    position: int = Field(ge=1, le=500)
    item_id: ItemId
    skill_id: Slug
    item_version: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    prompt: str
    rating: int | None = Field(default=None, ge=1, le=5)
    choices: list[OptionId] = Field(default_factory=list, max_length=8)
    skipped: bool = False
    credit: float | None = Field(default=None, ge=0, le=1)
    answered_at: Moment | None = None
    item: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _item_matches(self) -> AnswerIn:
        if self.item is None and self.item_version is None:
            return self  # an attempt in progress, exported without its key (version 3)
        if self.item is None or self.item_version is None:
            raise ValueError("an item needs both its content and its version")
        try:
            content = ITEM_ADAPTER.validate_python(self.item)
        except ValidationError as exc:
            raise ValueError(
                f"the item is not a valid question: {exc.errors()[0]['msg']}"
            ) from None
        # The version is the hash of the stored content exactly as exported (catalogue/loader.py)
        canonical = json.dumps(self.item, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        if content.id != self.item_id or digest != self.item_version:
            raise ValueError("the item's content does not match its id and version")
        if self.rating is not None and content.kind != "self_rating":
            raise ValueError("a rating is given for a question that is not a self-rating")
        options = {o.id for o in getattr(content, "options", ())}
        if not set(self.choices) <= options:
            raise ValueError("a chosen option is not one of the question's options")
        return self


class SkillScoreIn(_Row):
    stored_as = SkillScore
    id: RecordId | None = None
    skill_id: Slug
    self_score: Score | None = None
    knowledge_score: Score | None = None
    combined_score: Score


class AttemptIn(_Row):
    stored_as = Attempt
    id: RecordId | None = None
    quiz_key: Required
    role_slug: Slug
    title: Required
    status: Literal["submitted", "in_progress"]
    overall_score: Score | None = None
    started_at: Moment
    submitted_at: Moment | None = None
    answers: list[AnswerIn] = Field(max_length=500)
    skill_scores: list[SkillScoreIn] = Field(max_length=100)

    @model_validator(mode="after")
    def _consistent(self) -> AttemptIn:
        if self.status == SUBMITTED and self.submitted_at is None:
            raise ValueError("a submitted attempt needs its submission time")
        if self.status == SUBMITTED and any(a.item is None for a in self.answers):
            raise ValueError("a submitted attempt needs each question's content")
        positions = [a.position for a in self.answers]
        if len(set(positions)) != len(positions):
            raise ValueError("two answers share a position")
        return self


class EducationIn(_Row):
    stored_as = Education
    id: RecordId | None = None
    level: Literal[EDUCATION_LEVELS]  # type: ignore[valid-type]
    field: str = ""
    institution: str = ""
    status: Literal[EDUCATION_STATUSES]  # type: ignore[valid-type]
    start_date: Day | None = None
    end_date: Day | None = None

    @model_validator(mode="after")
    def _dates(self) -> EducationIn:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("the end date is before the start date")
        return self


class PositionIn(_Row):
    stored_as = Position
    id: RecordId | None = None
    title: Required
    organisation: Required
    start_date: Day
    end_date: Day | None = None
    in_production: bool
    managed_people: bool
    people_managed: int | None = Field(default=None, ge=1, le=100_000)

    @model_validator(mode="after")
    def _consistent(self) -> PositionIn:
        if self.end_date and self.end_date < self.start_date:
            raise ValueError("the end date is before the start date")
        if self.managed_people != (self.people_managed is not None):
            raise ValueError("people_managed is given exactly when managed_people is true")
        return self


class CertificationIn(_Row):
    stored_as = Certification
    id: RecordId | None = None
    name: Required
    issuer: str = ""
    earned_on: Day
    expires_on: Day | None = None

    @model_validator(mode="after")
    def _dates(self) -> CertificationIn:
        if self.expires_on and self.expires_on <= self.earned_on:
            raise ValueError("the expiry date is not after the date earned")
        return self


class ActivityIn(_Row):
    stored_as = Activity
    id: RecordId | None = None
    kind: Literal[ACTIVITY_KINDS]  # type: ignore[valid-type]
    title: Required
    occurred_on: Day
    notes: str = ""


class MilestonesIn(_Strict):
    education: list[EducationIn] = Field(default_factory=list, max_length=200)
    positions: list[PositionIn] = Field(default_factory=list, max_length=200)
    certifications: list[CertificationIn] = Field(default_factory=list, max_length=200)
    activities: list[ActivityIn] = Field(default_factory=list, max_length=1000)


class ExportIn(_Strict):
    format: Literal["prodready-export"]
    version: Literal[READABLE_VERSIONS]  # type: ignore[valid-type]
    exported_at: Moment
    profile: dict[str, Any]
    attempts: list[AttemptIn] = Field(max_length=5000)
    skill_estimates: list[dict[str, Any]] = Field(default_factory=list, max_length=1000)
    milestones: MilestonesIn
    # Others' judgements, as aggregates: shown in the export, never imported into an account.
    feedback_rounds: list[dict[str, Any]] = Field(default_factory=list, max_length=1000)

    @field_validator("profile")
    @classmethod
    def _profile_is_small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 20:
            raise ValueError("too many profile fields")
        return value


MILESTONE_MODELS = {
    slug: field.annotation.__args__[0].stored_as
    for slug, field in MilestonesIn.model_fields.items()
}


def parse(raw: bytes, max_sent: int, max_json: int) -> ExportIn:
    """The validated file, JSON or gzip-compressed JSON of at most `max_sent` bytes unpacking
    to at most `max_json`, or BadImportError naming the first problem in words."""
    if len(raw) > max_sent:
        raise TooLargeError(too_large(max_sent))
    data = _json(_unpacked(raw, max_json) if raw.startswith(GZIP_MAGIC) else raw)
    if not isinstance(data, dict):
        raise BadImportError(
            f"{NOT_AN_EXPORT} it is {JSON_KINDS[type(data)]}, and an export is a JSON object "
            f"of named fields. {CHOOSE_AGAIN}"
        )
    if data.get("format") != export.FORMAT:
        raise BadImportError(
            f"{NOT_AN_EXPORT} it is JSON, but not in the format of an export. {CHOOSE_AGAIN}"
        )
    if data.get("version") not in READABLE_VERSIONS:
        raise BadImportError(
            f"That export is format version {data.get('version')!r}; this ProdReady reads "
            f"versions {' and '.join(map(str, READABLE_VERSIONS))}. Export your data again and "
            "import the new file."
        )
    try:
        parsed = ExportIn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the file"
        raise BadImportError(f"The file has a problem at {where}: {first['msg']}.") from None
    _known_to_this_bank(parsed)
    return parsed


GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1024 * 1024
NOT_AN_EXPORT = "This is not an export file from ProdReady:"
CHOOSE_AGAIN = "Choose the .json or .json.gz file that Export gave you."
# What a file that is not JSON text often is, by its first bytes (its "magic number").
KNOWN_BINARIES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive",
}
JSON_KINDS = {
    list: "a JSON list",
    str: "a JSON string",
    int: "a JSON number",
    float: "a JSON number",
    bool: "a JSON true or false",
    type(None): "a JSON null",
}


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def too_large(max_sent: int) -> str:
    """What to tell a person whose file is larger than the `max_sent` bytes an import takes."""
    return (
        f"That file is larger than {_mb(max_sent)}. Download your data with Export gzip, "
        "about five times smaller, and import that file."
    )


def _unpacked(raw: bytes, max_json: int) -> bytes:
    """A gzip file's content, decompressed a chunk at a time and refused as soon as it passes
    `max_json` bytes: a few kilobytes of gzip can unpack to gigabytes."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip header and trailer
    out = bytearray()
    pending = raw
    try:
        while not inflater.eof:
            chunk = inflater.decompress(pending, min(CHUNK, max_json + 1 - len(out)))
            if not chunk and not inflater.unconsumed_tail:
                break  # the input ended before the gzip stream did
            out += chunk
            if len(out) > max_json:
                raise TooLargeError(
                    f"That file unpacks to more than {_mb(max_json)}, more than this "
                    "ProdReady reads."
                )
            pending = inflater.unconsumed_tail
    except zlib.error:
        raise RefusedUnreadError("That gzip file is damaged; export your data again.") from None
    if not inflater.eof:
        raise RefusedUnreadError("That gzip file is cut short; export your data again.")
    return bytes(out)


def _json(raw: bytes) -> Any:
    """The parsed file, refusing what is not JSON text (first, so that an image is not judged
    by its bytes that happen to be brackets) and what the parser or the database cannot take:
    nesting that would exhaust the stack, numbers Python will not convert, control
    characters."""
    text = _text(raw)
    try:
        check_json_depth(text)
        data = json.loads(text)
        check_value(data)
    except HostileInputError as refused:
        where = f" has a problem at {refused.where}: it" if refused.where else ""
        raise BadImportError(f"The file{where} {refused.detail}.") from None
    except json.JSONDecodeError as error:
        # A string that never ends ran into the end of the file, as does an error past the text.
        if error.msg.startswith("Unterminated string") or error.pos >= len(text.rstrip()):
            raise BadImportError(
                "The file ends before its JSON does: it was cut short, perhaps while it was "
                "downloaded or copied. Export your data again and import the new file."
            ) from None
        raise BadImportError(f"{NOT_AN_EXPORT} it is not JSON text. {CHOOSE_AGAIN}") from None
    except ValueError:  # more than sys.get_int_max_str_digits() digits
        raise BadImportError(
            "The file holds a number with too many digits; no export has one."
        ) from None
    return data


def _text(raw: bytes) -> str:
    """The file as text, if it can be JSON: UTF-8 (a byte order mark, which some editors add,
    is dropped) that starts like a JSON value."""
    if not raw.strip():
        raise RefusedUnreadError(f"The file is empty. {CHOOSE_AGAIN}")
    kind = next((k for magic, k in KNOWN_BINARIES.items() if raw.startswith(magic)), None)
    if kind is not None:
        raise RefusedUnreadError(f"{NOT_AN_EXPORT} it is {kind}, not JSON text. {CHOOSE_AGAIN}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # Cut short inside a character (an export has dashes and accents): the text up to it,
        # which the JSON check then finds cut short. Anything else is not UTF-8, so not JSON.
        # (`error.object` is what was decoded: after a byte order mark, if there was one.)
        cut = error.reason == "unexpected end of data"
        text = error.object[: error.start].decode("utf-8") if cut else ""
    if text.lstrip()[:1] not in JSON_STARTS:
        raise RefusedUnreadError(f"{NOT_AN_EXPORT} it is not JSON text. {CHOOSE_AGAIN}")
    return text


JSON_STARTS = frozenset('{["-0123456789tfnNI')  # json.loads also reads NaN and Infinity


def _known_to_this_bank(data: ExportIn) -> None:
    """Each attempt to import names a role and skills of this question bank, which its result
    page and the report look up."""
    cat = catalogue()
    for number, attempt in enumerate(data.attempts):
        if attempt.status != SUBMITTED:
            continue
        skills = {a.skill_id for a in attempt.answers} | {s.skill_id for s in attempt.skill_scores}
        missing = [f"role “{attempt.role_slug}”"] if attempt.role_slug not in cat.roles else []
        missing += [f"skill “{skill}”" for skill in sorted(skills - cat.skills.keys())]
        if missing:
            raise BadImportError(
                f"The file has a problem at attempts.{number}: this ProdReady has no "
                f"{missing[0]}, so the attempt could not be shown here."
            )


def _same(moment: datetime | None) -> datetime | None:
    """Compare timestamps as UTC to the second (SQLite keeps no time zone)."""
    return as_utc(moment).astimezone(UTC).replace(microsecond=0) if moment else None


def import_data(user: User, data: ExportIn) -> dict[str, int]:
    """Add what is not already there, in the caller's transaction, and recompute the estimates
    of the skills it answered; counts of what was added, of what was already here, and of
    attempts left out because they were not finished."""
    added, skills = _add_new(user, data)
    if skills:
        skill_estimates.refresh(user.id, skills, catalogue(), datetime.now(UTC))
    return added


def _add_new(user: User, data: ExportIn) -> tuple[dict[str, int], set[str]]:
    """Write (and flush) what is new; the counts, and the skills the new attempts answered."""
    added = {"attempts": 0, "milestones": 0, "already": 0, "unfinished": 0}
    for slug, model in MILESTONE_MODELS.items():
        existing = {
            _milestone_key(row)
            for row in db.session.scalars(select(model).where(model.user_id == user.id))
        }
        for item in getattr(data.milestones, slug):
            values = item.model_dump(exclude={"id"})
            key = _milestone_key(model(**values))
            if key in existing:
                added["already"] += 1
                continue
            db.session.add(model(user_id=user.id, **values))
            existing.add(key)
            added["milestones"] += 1
    have = {
        (a.quiz_key, _same(a.started_at), _same(a.submitted_at))
        for a in db.session.scalars(select(Attempt).where(Attempt.user_id == user.id))
    }
    skills: set[str] = set()
    for attempt in data.attempts:
        key = (attempt.quiz_key, _same(attempt.started_at), _same(attempt.submitted_at))
        if attempt.status != SUBMITTED or key in have:
            added["unfinished" if attempt.status != SUBMITTED else "already"] += 1
            continue
        _add_attempt(user, attempt)
        have.add(key)
        skills.update(a.skill_id for a in attempt.answers)
        added["attempts"] += 1
    db.session.flush()
    return added, skills


def _milestone_key(row: Any) -> tuple:
    kind = next(k for k in milestones.KINDS.values() if isinstance(row, k.model))
    return tuple(getattr(row, name) for name in kind.fields)


def _add_attempt(user: User, attempt: AttemptIn) -> None:
    versions = _versions(attempt.answers)
    row = Attempt(
        user_id=user.id,
        quiz_key=attempt.quiz_key,
        role_slug=attempt.role_slug,
        title=attempt.title,
        status=SUBMITTED,
        imported=True,
        item_count=len(attempt.answers),
        overall_score=attempt.overall_score,
        started_at=as_utc(attempt.started_at),
        submitted_at=as_utc(attempt.submitted_at) if attempt.submitted_at else None,
        last_activity_at=as_utc(attempt.submitted_at or attempt.started_at),
    )
    db.session.add(row)
    db.session.flush()
    for a in sorted(attempt.answers, key=lambda a: a.position):
        item = AttemptItem(
            attempt_id=row.id,
            position=a.position,
            item_version_id=versions[(a.item_id, a.item_version)],
        )
        db.session.add(item)
        db.session.flush()
        if a.rating is None and not a.choices and not a.skipped:
            continue  # asked but never answered
        content = ITEM_ADAPTER.validate_python(a.item)
        db.session.add(
            Answer(
                attempt_id=row.id,
                attempt_item_id=item.id,
                rating=a.rating,
                choices=",".join(sorted(a.choices)) or None,
                skipped=a.skipped and a.rating is None and not a.choices,
                credit=credit(content, a.rating, frozenset(a.choices)),
                answered_at=as_utc(a.answered_at or attempt.started_at),
            )
        )
    db.session.add_all(
        SkillScore(
            attempt_id=row.id, **s.model_dump(exclude={"id"}), **_counts(attempt, s.skill_id)
        )
        for s in attempt.skill_scores
    )


def _counts(attempt: AttemptIn, skill_id: str) -> dict[str, int]:
    kinds = [a.item.get("kind") for a in attempt.answers if a.skill_id == skill_id]
    self_count = kinds.count("self_rating")
    return {"self_count": self_count, "knowledge_count": len(kinds) - self_count}


def _versions(answers: list[AnswerIn]) -> dict[tuple[str, str], int]:
    """The stored version id of each answered item, storing the ones this bank never had."""
    wanted = {(a.item_id, a.item_version): a for a in answers}
    rows = [
        {
            "item_id": item_id,
            "content_hash": content_hash,
            "skill_id": a.skill_id,
            "kind": a.item["kind"],
            "content": a.item,  # as exported, so that its hash stays the version key
        }
        for (item_id, content_hash), a in sorted(wanted.items())
    ]
    db.session.execute(insert_ignore(ItemVersion, ("item_id", "content_hash")), rows)
    found = db.session.execute(
        select(ItemVersion.item_id, ItemVersion.content_hash, ItemVersion.id).where(
            ItemVersion.item_id.in_({k[0] for k in wanted})
        )
    )
    return {
        (r.item_id, r.content_hash): r.id for r in found if (r.item_id, r.content_hash) in wanted
    }


@dataclass(frozen=True)
class Preview:
    """What an import would do, shown before the person confirms it."""

    source_email: str | None
    exported_at: datetime
    attempts: int
    milestones: int
    counts: dict[str, int]  # as `import_data` returns them

    def other_account(self, email: str) -> bool:
        return bool(self.source_email) and self.source_email.lower() != email.lower()

    @property
    def nothing_new(self) -> bool:
        """Confirming would add nothing: there is nothing to offer to import."""
        return not self.counts["attempts"] and not self.counts["milestones"]


def preview(user: User, data: ExportIn) -> Preview:
    """Write what is new and roll it back: the counts are exactly what confirming would add
    (the estimates, which confirming recomputes, are left alone)."""
    try:
        counts, _ = _add_new(user, data)
    finally:
        db.session.rollback()
    email = data.profile.get("email")
    return Preview(
        source_email=email if isinstance(email, str) else None,
        exported_at=data.exported_at,
        attempts=len(data.attempts),
        milestones=sum(len(getattr(data.milestones, slug)) for slug in MILESTONE_MODELS),
        counts=counts,
    )


def digest(raw: bytes) -> str:
    """What names a file between its preview and the confirmation: the preview's forms carry
    it, so that a confirmation imports the file its page showed and no other."""
    return hashlib.sha256(raw).hexdigest()


def hold(user: User, raw: bytes) -> None:
    """Keep the upload until it is confirmed (replacing any earlier one)."""
    db.session.execute(delete(PendingImport).where(PendingImport.user_id == user.id))
    db.session.add(PendingImport(user_id=user.id, content=raw))
    db.session.commit()


def held(user: User, previewed: str) -> bytes | None:
    """The file waiting to be imported, or None when none is; StalePreviewError when it is not
    the one whose digest the confirming page carries (another tab previewed a file since).
    The row stays locked until the transaction ends (on PostgreSQL), so a preview sent
    meanwhile waits instead of replacing it."""
    content = db.session.scalar(
        select(PendingImport.content).where(PendingImport.user_id == user.id).with_for_update()
    )
    if content is not None and digest(content) != previewed:
        raise StalePreviewError
    return content


def drop_held(user: User, previewed: str | None = None) -> None:
    """Forget the file waiting to be imported; with `previewed`, only if it is that file."""
    if previewed is not None:
        content = db.session.scalar(
            select(PendingImport.content).where(PendingImport.user_id == user.id)
        )
        if content is None or digest(content) != previewed:
            return
    db.session.execute(delete(PendingImport).where(PendingImport.user_id == user.id))
