"""Starting, answering and submitting attempts, each in one transaction (saving an answer in
one statement).

Exactly-once is enforced by the database, not by checks in Python:
- an answer is unique per attempt item and written as an upsert;
- the statement that saves it touches the attempt row with `WHERE status = 'in_progress'`
  (PostgreSQL: which takes the row's write lock; SQLite: one writer at a time), so an answer
  and a submit never interleave;
- submitting is `UPDATE ... SET status = 'submitted' WHERE status = 'in_progress'`, and only the
  request whose update changed a row computes and stores the scores.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from blinker import Namespace
from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Delete,
    Insert,
    Select,
    String,
    Update,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from app.catalogue import catalogue
from app.catalogue.loader import Catalogue
from app.catalogue.schema import ChoiceItem, Option, SelfRatingItem
from app.catalogue.sync import ensure_versions, item_versions
from app.database import as_utc
from app.extensions import commit_unless_autocommit, db
from app.models import (
    Answer,
    Attempt,
    AttemptItem,
    ItemVersion,
    SkillScore,
)
from app.models.attempt import IN_PROGRESS, SUBMITTED
from app.services import scoring, skill_estimates
from app.services.quizzes import Exposure, Quiz, pick_items
from app.upsert import INSERTS, dialect

_signals = Namespace()
attempt_started = _signals.signal("attempt-started")
"""Sent by the app, with the quiz key, when a new attempt is stored (not when resumed)."""
attempt_submitted = _signals.signal("attempt-submitted")
"""Sent by the app, with the quiz key, when an attempt is submitted and scored (once)."""


class AttemptNotFoundError(Exception):
    """No such attempt or item for this user (shown as 404)."""


class AttemptClosedError(Exception):
    """The attempt is already submitted (shown as 409)."""


class StaleQuestionError(Exception):
    """The page that sent an answer showed another question than the one now at its place (an
    old tab of an attempt discarded since, whose id a new attempt took): shown as 409."""


class InvalidAnswerError(ValueError):
    """The answer does not fit the question (shown as 422)."""


ANSWERED, SKIPPED, UNANSWERED = "answered", "skipped", "unanswered"
"""A question's status, as the question navigation shows it (its class and label)."""


def choose_count(item: SelfRatingItem | ChoiceItem) -> int | None:
    """The most options that may be chosen, when the question says ("Choose 2")."""
    return None if isinstance(item, SelfRatingItem) else item.choose_count


def missing_choices(item: SelfRatingItem | ChoiceItem, chosen: Collection[str]) -> int:
    """How many more options a saved "Choose 2" answer needs (0 when none is missing or
    nothing is saved): such an answer is kept, but the question is not finished."""
    count = choose_count(item)
    if not count or not chosen:
        return 0
    return max(0, count - len(chosen))


@dataclass(frozen=True)
class SavedAnswer:
    """What saving an answer tells the page: the attempt's number of questions, how many
    options the question asks for (None: one, or the page did not say which question it
    showed) and how many more the saved answer needs."""

    item_count: int
    choose_count: int | None = None
    missing_choices: int = 0


@dataclass(frozen=True)
class Question:
    """One question of an attempt as asked, with the saved answer if any."""

    position: int
    attempt_item_id: int
    skill_id: str
    item: SelfRatingItem | ChoiceItem
    rating: int | None
    chosen: frozenset[str]
    skipped: bool

    @property
    def answered(self) -> bool:
        return self.rating is not None or bool(self.chosen)

    @property
    def missing_choices(self) -> int:
        return missing_choices(self.item, self.chosen)

    @property
    def finished(self) -> bool:
        return self.answered and not self.missing_choices

    @property
    def status(self) -> str:
        if self.answered:
            return ANSWERED
        return SKIPPED if self.skipped else UNANSWERED

    @property
    def is_self_rating(self) -> bool:
        return isinstance(self.item, SelfRatingItem)

    @property
    def multiple(self) -> bool:
        """Several options may be chosen (checkboxes rather than radio buttons)."""
        return isinstance(self.item, ChoiceItem) and self.item.select == "multiple"

    @property
    def stem(self) -> str:
        """The question as the pages show it (a multiple-select one without its count)."""
        return self.item.prompt if isinstance(self.item, SelfRatingItem) else self.item.stem

    @property
    def instruction(self) -> str | None:
        """How many options to choose ("Choose 2"), for a multiple-select question only."""
        return None if isinstance(self.item, SelfRatingItem) else self.item.instruction

    @property
    def choose_count(self) -> int | None:
        return choose_count(self.item)

    @property
    def saved_values(self) -> frozenset[str]:
        """The saved answer as form values (a level "1"-"5", or option ids)."""
        return frozenset({str(self.rating)}) if self.rating is not None else self.chosen

    @property
    def focus_value(self) -> str:
        """The answer the page focuses: the first saved one as shown, else the first."""
        values = [value for value, _ in self.choices()]
        return next((v for v in values if v in self.saved_values), values[0])

    def choices(self) -> list[tuple[str, str]]:
        """(form value, text) of each answer as shown: the five levels in order for a
        self-rating, else the options in their per-attempt order."""
        if isinstance(self.item, SelfRatingItem):
            return [(str(level), text) for level, text in sorted(self.item.levels.items())]
        return [(o.id, o.text) for o in self.options()]

    def options(self) -> list[Option]:
        """Choice options in an order shuffled once per attempt item (stable on reload)."""
        assert isinstance(self.item, ChoiceItem)
        options = list(self.item.options)
        random.Random(self.attempt_item_id).shuffle(options)
        return options

    def correct(self) -> frozenset[str]:
        assert isinstance(self.item, ChoiceItem)
        return self.item.correct_ids

    def to_scoring(self) -> scoring.AnsweredItem:
        if isinstance(self.item, SelfRatingItem):
            return scoring.AnsweredItem(self.skill_id, "self_rating", rating=self.rating)
        return scoring.AnsweredItem(
            self.skill_id,
            self.item.kind,
            chosen=self.chosen,
            correct=self.correct(),
            select=self.item.select,
        )


def _now() -> datetime:
    return datetime.now(UTC)


def find_in_progress(user_id: int, quiz_key: str) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(
            Attempt.user_id == user_id, Attempt.quiz_key == quiz_key, Attempt.status == IN_PROGRESS
        )
    )


def latest_in_progress(user_id: int) -> Attempt | None:
    """The attempt in progress the user touched last, to offer on the dashboard."""
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.user_id == user_id, Attempt.status == IN_PROGRESS)
        .order_by(Attempt.last_activity_at.desc(), Attempt.id.desc())
        .limit(1)
    )


def start_attempt(user_id: int, quiz: Quiz, cat: Catalogue, rng: random.Random) -> Attempt:
    """Resume the quiz's attempt in progress, or start a new one pinned to current versions."""
    existing = find_in_progress(user_id, quiz.key)
    if existing is not None:
        return existing
    items = pick_items(cat, quiz, rng, exposures(user_id, quiz.skill_ids))
    version_ids = ensure_versions(items)
    attempt = Attempt(
        user_id=user_id,
        quiz_key=quiz.key,
        role_slug=quiz.role_slug,
        title=quiz.title,
        status=IN_PROGRESS,
        item_count=len(items),
    )
    db.session.add(attempt)
    try:
        db.session.flush()
        db.session.add_all(
            AttemptItem(attempt_id=attempt.id, position=n, item_version_id=version_ids[it.id])
            for n, it in enumerate(items, start=1)
        )
        db.session.commit()
        attempt_started.send(current_app._get_current_object(), quiz_key=quiz.key)
    except IntegrityError:
        # Another request started the same quiz a moment ago: resume that one instead.
        db.session.rollback()
        existing = find_in_progress(user_id, quiz.key)
        if existing is None:
            raise
        return existing
    return attempt


@cache
def _exposures_query() -> Select:
    return (
        select(
            ItemVersion.item_id,
            # count(*), not count(attempt_items.id): then PostgreSQL reads attempt_items from
            # its (attempt_id, item_version_id) index alone, never the table.
            func.count().label("times"),
            func.max(Attempt.id).label("last"),
        )
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(ItemVersion, ItemVersion.id == AttemptItem.item_version_id)
        .where(
            Attempt.user_id == bindparam("user_id"),
            ItemVersion.skill_id.in_(bindparam("skill_ids", expanding=True)),
        )
        .group_by(ItemVersion.item_id)
    )


def exposures(user_id: int, skill_ids: tuple[str, ...]) -> dict[str, Exposure]:
    """Per item of these skills: how many of the user's attempts asked it, and when last."""
    rows = db.session.execute(
        _exposures_query(), {"user_id": user_id, "skill_ids": list(skill_ids)}
    )
    return {r.item_id: Exposure(r.times, r.last) for r in rows}


def get_attempt(user_id: int, attempt_id: int) -> Attempt:
    attempt = db.session.scalar(
        select(Attempt).where(Attempt.id == attempt_id, Attempt.user_id == user_id)
    )
    if attempt is None:
        raise AttemptNotFoundError(attempt_id)
    return attempt


@dataclass(frozen=True)
class AttemptView:
    """An attempt as the pages and the API read it (loaded as plain columns: an ORM object on
    each of an attempt's 36 rows cost more than the rest of the query)."""

    id: int
    quiz_key: str
    role_slug: str
    title: str
    status: str
    item_count: int
    overall_score: float | None
    started_at: datetime
    submitted_at: datetime | None

    @property
    def is_submitted(self) -> bool:
        return self.status == SUBMITTED

    @property
    def stamp(self) -> str:
        """What tells this attempt from a later one under the same id (SQLite hands a deleted
        newest id out again): forms that act on the whole attempt send it back."""
        started = as_utc(self.started_at).astimezone(UTC).isoformat()  # whatever the session zone
        return hashlib.sha256(f"{self.id}|{self.quiz_key}|{started}".encode()).hexdigest()[:16]


_VIEW_COLUMNS = tuple(getattr(Attempt, name) for name in AttemptView.__dataclass_fields__)


@cache
def _attempt_with_questions() -> Select:
    """Built once per process: constructing a statement costs more Python than running it."""
    return (
        select(
            *_VIEW_COLUMNS,
            AttemptItem.position,
            AttemptItem.id.label("attempt_item_id"),
            AttemptItem.item_version_id,
            ItemVersion.skill_id,
            ItemVersion.item_id,
            ItemVersion.content_hash,
            Answer.rating,
            Answer.choices,
            Answer.skipped,
        )
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(ItemVersion, ItemVersion.id == AttemptItem.item_version_id)
        .outerjoin(Answer, Answer.attempt_item_id == AttemptItem.id)
        .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
        .order_by(AttemptItem.position)
    )


def load_attempt(user_id: int, attempt_id: int) -> tuple[AttemptView, list[Question]]:
    """The user's attempt and every question with its saved answer, in one query (two if it
    asked item versions that are no longer current); AttemptNotFoundError for others' ids."""
    rows = (
        db.session.connection()
        .execute(_attempt_with_questions(), {"attempt_id": attempt_id, "user_id": user_id})
        .all()
    )
    if not rows:
        raise AttemptNotFoundError(attempt_id)
    # Each row is the attempt's columns, then one question's, read as plain tuples (by name,
    # 36 rows' attribute lookups cost more than the query).
    n = len(_VIEW_COLUMNS)
    asked = [row[n:] for row in rows]
    items = item_versions(
        [(version, item_id, digest) for _, _, version, _, item_id, digest, *_ in asked]
    )
    questions = [
        Question(
            position=position,
            attempt_item_id=attempt_item_id,
            skill_id=skill_id,
            item=items[version],
            rating=rating,
            chosen=frozenset(choices.split(",")) if choices else frozenset(),
            skipped=bool(skipped),
        )
        for position, attempt_item_id, version, skill_id, _, _, rating, choices, skipped in asked
    ]
    return AttemptView(*rows[0][:n]), questions


@dataclass(frozen=True)
class QuestionPage:
    """What the page of one question shows: the attempt, every question's status (by position,
    from 1) and that one question (None when the attempt has no such position)."""

    attempt: AttemptView
    statuses: list[str]
    question: Question | None

    @property
    def navigation(self) -> list[tuple[int, str]]:
        """(position, status) of every question, for the question navigation."""
        return list(enumerate(self.statuses, start=1))

    def first_open(self) -> int | None:
        """The first position neither answered nor skipped (None when there is none)."""
        try:
            return self.statuses.index(UNANSWERED) + 1
        except ValueError:
            return None


_STATUS_CODES = {"a": ANSWERED, "s": SKIPPED}


@cache
def _question_page() -> Select:
    """One row: the attempt, its saved answers' positions and statuses as one string ("3a,7s";
    unordered, so that SQLite's group_concat serves too), and the question at one position
    with its answer, outer-joined (no question: no such position). Reading the one question
    shown rather than all of them spares a join to item versions per question."""
    marks = (
        select(
            func.aggregate_strings(
                cast(AttemptItem.position, String)
                + case(
                    (or_(Answer.rating.is_not(None), Answer.choices.is_not(None)), "a"),
                    else_="s",
                ),
                literal_column("','"),  # inline: a bound separator is spliced in per execution
            )
        )
        .join(Answer, Answer.attempt_item_id == AttemptItem.id)
        # Also by attempt, so that PostgreSQL reads this attempt's answers by their index
        # rather than looking up one answer per question.
        .where(AttemptItem.attempt_id == Attempt.id, Answer.attempt_id == Attempt.id)
        .scalar_subquery()
    )
    return (
        select(
            *_VIEW_COLUMNS,
            marks,
            AttemptItem.position,
            AttemptItem.id,
            AttemptItem.item_version_id,
            ItemVersion.skill_id,
            ItemVersion.item_id,
            ItemVersion.content_hash,
            Answer.rating,
            Answer.choices,
            Answer.skipped,
        )
        .outerjoin(
            AttemptItem,
            and_(
                AttemptItem.attempt_id == Attempt.id,
                AttemptItem.position == bindparam("position"),
            ),
        )
        .outerjoin(ItemVersion, ItemVersion.id == AttemptItem.item_version_id)
        .outerjoin(Answer, Answer.attempt_item_id == AttemptItem.id)
        .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
    )


def load_question(user_id: int, attempt_id: int, position: int | None) -> QuestionPage:
    """The user's attempt, its questions' statuses and the question at `position` (None for
    none), in one query; AttemptNotFoundError for others' ids."""
    row = (
        db.session.connection()
        .execute(
            _question_page(),
            {"attempt_id": attempt_id, "user_id": user_id, "position": position},
        )
        .first()
    )
    if row is None:
        raise AttemptNotFoundError(attempt_id)
    n = len(_VIEW_COLUMNS)
    attempt = AttemptView(*row[:n])
    marks, asked_at, attempt_item_id, version, skill_id, item_id, digest, *answer = row[n:]
    statuses = [UNANSWERED] * attempt.item_count
    for mark in marks.split(",") if marks else ():
        statuses[int(mark[:-1]) - 1] = _STATUS_CODES[mark[-1]]
    if asked_at is None:
        return QuestionPage(attempt, statuses, None)
    rating, choices, skipped = answer
    question = Question(
        position=asked_at,
        attempt_item_id=attempt_item_id,
        skill_id=skill_id,
        item=item_versions([(version, item_id, digest)])[version],
        rating=rating,
        chosen=frozenset(choices.split(",")) if choices else frozenset(),
        skipped=bool(skipped),
    )
    return QuestionPage(attempt, statuses, question)


def parse_answer(item: SelfRatingItem | ChoiceItem, values: list[str]) -> dict[str, Any]:
    """Turn submitted form values into answer columns, or raise InvalidAnswerError. (No values
    at all clear the answer instead: `save_answer`.)"""
    if isinstance(item, SelfRatingItem):
        if len(values) != 1 or values[0] not in {"1", "2", "3", "4", "5"}:
            raise InvalidAnswerError("Choose one of the five levels.")
        return {"rating": int(values[0]), "choices": None, "skipped": False}
    valid = {o.id for o in item.options}
    chosen = set(values)
    if not chosen:
        raise InvalidAnswerError("Choose an answer, or skip the question.")
    if not chosen <= valid:
        raise InvalidAnswerError("That is not one of this question's options.")
    if item.select == "single" and len(chosen) != 1:
        raise InvalidAnswerError("Choose exactly one answer.")
    if item.choose_count is not None and len(chosen) > item.choose_count:
        raise InvalidAnswerError(
            f"{item.instruction}: you ticked {len(chosen)}. Untick "
            f"{len(chosen) - item.choose_count}, then save again."
        )
    return {"rating": None, "choices": ",".join(sorted(chosen)), "skipped": False}


def _open_attempt_of_user() -> tuple[ColumnElement[bool], ...]:
    """WHERE the attempt `b_attempt_id` is the user `b_user_id`'s and still in progress."""
    return (
        Attempt.id == bindparam("b_attempt_id"),
        Attempt.user_id == bindparam("b_user_id"),
        Attempt.status == IN_PROGRESS,
    )


@cache
def _update_open_attempt() -> Update:
    """UPDATE the user's attempt only while it is in progress, returning its item count (no row:
    not the user's, or already submitted). It takes the row's write lock, which is what
    serialises answers and submits; callers add the values to set."""
    return (
        update(Attempt)
        .where(*_open_attempt_of_user())
        .returning(Attempt.item_count)
        # No ORM object of the attempt is loaded here, so there is nothing to keep in step.
        .execution_options(synchronize_session=False)
    )


def _update_if_open(user_id: int, attempt_id: int, **values: Any) -> int | None:
    """Set `values` on the user's attempt if it is in progress; its item count if it was."""
    return db.session.execute(
        _update_open_attempt().values(**values),
        {"b_attempt_id": attempt_id, "b_user_id": user_id},
    ).scalar()


@cache
def _touch_open_attempt() -> Update:
    """Touch an open attempt of the user (last activity), taking its row lock."""
    return _update_open_attempt().values(last_activity_at=bindparam("b_now"))


@cache
def _asked_item() -> Select:
    """The question asked at one position of the user's attempt, and the attempt's state."""
    return (
        select(
            Attempt.status,
            AttemptItem.item_version_id,
            ItemVersion.item_id,
            ItemVersion.content_hash,
        )
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(ItemVersion, ItemVersion.id == AttemptItem.item_version_id)
        .where(
            Attempt.id == bindparam("b_attempt_id"),
            Attempt.user_id == bindparam("b_user_id"),
            AttemptItem.position == bindparam("b_position"),
        )
    )


_ANSWER_COLUMNS = ("rating", "choices", "skipped", "credit", "answered_at")


@cache
def _save_if_open(dialect: str) -> Insert:
    """Upsert one answer only while its attempt is in progress and asks, at that position, the
    item version the answer was checked against (`b_item_id`, `b_content_hash`), in ONE
    statement, so that it needs no transaction around it (the answer view runs in autocommit):
    - PostgreSQL: a CTE touches the attempt (last activity) with `WHERE status =
      'in_progress'`, taking its row lock, and the insert reads its row: a submit either waits
      for the answer, or the answer finds the attempt submitted and inserts nothing. RETURNING
      gives the attempt's item count;
    - SQLite runs one writer at a time, so checking the status in the same statement is enough
      (its caller touches the attempt first, which gives the item count).
    No row: the attempt was not open, or did not ask that version there."""
    table = Answer.__table__
    columns = ["attempt_id", "attempt_item_id", *_ANSWER_COLUMNS]
    asked = (
        AttemptItem.position == bindparam("b_position"),
        ItemVersion.item_id == bindparam("b_item_id"),
        ItemVersion.content_hash == bindparam("b_content_hash"),
    )
    if dialect == "postgresql":
        touched = _touch_open_attempt().returning(Attempt.id).cte("touched")
        # Typed casts: in a SELECT list a NULL parameter has no type. Strings are cast without
        # their length, which would silently cut a longer value that the column would reject.
        source = (
            select(
                touched.c.id,
                AttemptItem.id,
                *(
                    cast(bindparam(f"b_{name}"), String() if isinstance(t, String) else t)
                    for name in _ANSWER_COLUMNS
                    for t in [table.c[name].type]
                ),
            )
            .join_from(touched, AttemptItem, AttemptItem.attempt_id == touched.c.id)
            .join(ItemVersion, ItemVersion.id == AttemptItem.item_version_id)
            .where(*asked)
        )
        returned = select(touched.c.item_count).scalar_subquery()
    else:  # no casts: SQLite's CAST to a date type would turn the text into a number
        open_attempt = select(Attempt.id).where(*_open_attempt_of_user())
        source = (
            select(
                bindparam("b_attempt_id", type_=table.c.attempt_id.type),
                AttemptItem.id,
                *(bindparam(f"b_{name}", type_=table.c[name].type) for name in _ANSWER_COLUMNS),
            )
            .join(ItemVersion, ItemVersion.id == AttemptItem.item_version_id)
            .where(AttemptItem.attempt_id == bindparam("b_attempt_id"), *asked)
            .where(open_attempt.exists())
        )
        returned = table.c.id
    stmt = INSERTS[dialect](table).from_select(columns, source)
    stmt = stmt.on_conflict_do_update(
        index_elements=["attempt_item_id"],
        set_={name: stmt.excluded[name] for name in _ANSWER_COLUMNS},
    ).returning(returned)
    return stmt.add_cte(touched) if dialect == "postgresql" else stmt


@cache
def _clear_if_open(dialect: str) -> Select | Delete:
    """Delete the answer at one position while its attempt is in progress, in ONE statement
    (the answer view runs in autocommit), as `_save_if_open` saves one:
    - PostgreSQL: a CTE touches the attempt with `WHERE status = 'in_progress'`, taking its
      row lock, and the delete goes through its row; the statement returns the attempt's item
      count (no row: the attempt was not open);
    - SQLite: its caller touches the attempt first; the delete checks the status itself."""
    at_position = AttemptItem.position == bindparam("b_position")
    if dialect == "postgresql":
        touched = _touch_open_attempt().returning(Attempt.id).cte("touched")
        asked = select(AttemptItem.id).where(AttemptItem.attempt_id == touched.c.id, at_position)
        cleared = delete(Answer).where(Answer.attempt_item_id.in_(asked)).cte("cleared")
        return select(touched.c.item_count).add_cte(cleared)
    asked = select(AttemptItem.id).where(
        AttemptItem.attempt_id == bindparam("b_attempt_id"), at_position
    )
    open_attempt = select(Attempt.id).where(*_open_attempt_of_user())
    return delete(Answer).where(Answer.attempt_item_id.in_(asked), open_attempt.exists())


def clear_answer(user_id: int, attempt_id: int, position: int) -> int:
    """Remove the answer (or skip) saved for one question of an open attempt, so that it counts
    as unanswered again; returns the attempt's number of questions."""
    params = {
        "b_attempt_id": attempt_id,
        "b_user_id": user_id,
        "b_position": position,
        "b_now": _now(),
    }
    conn = db.session.connection()
    on = dialect()
    if on == "postgresql":
        item_count = conn.execute(_clear_if_open(on), params).scalar()
    else:
        item_count = conn.execute(_touch_open_attempt(), params).scalar()
        if item_count is not None:
            conn.execute(_clear_if_open(on), params)
    if item_count is None:
        db.session.rollback()
        get_attempt(user_id, attempt_id)  # AttemptNotFoundError for others' or unknown ids
        raise AttemptClosedError(attempt_id)
    if position > item_count:
        raise AttemptNotFoundError(position)
    commit_unless_autocommit()
    return item_count


def _asked(
    user_id: int, attempt_id: int, position: int
) -> tuple[str, str, SelfRatingItem | ChoiceItem]:
    """(item id, content hash, item) of the version an open attempt asked at `position`; else
    raise why: not the user's, submitted, or no such question."""
    # Through the connection: a Core statement run by the session pays for ORM result handling.
    row = (
        db.session.connection()
        .execute(
            _asked_item(),
            {"b_attempt_id": attempt_id, "b_user_id": user_id, "b_position": position},
        )
        .first()
    )
    if row is None:
        if get_attempt(user_id, attempt_id).is_submitted:  # AttemptNotFoundError for others'
            raise AttemptClosedError(attempt_id)
        raise AttemptNotFoundError(position)
    status, version, item_id, content_hash = row
    if status != IN_PROGRESS:
        raise AttemptClosedError(attempt_id)
    return item_id, content_hash, item_versions([(version, item_id, content_hash)])[version]


def _write_answer(
    base: dict[str, Any],
    item_id: str,
    content_hash: str,
    item: SelfRatingItem | ChoiceItem,
    values: list[str],
    skip: bool,
) -> int | None:
    """Check the answer against `item` (InvalidAnswerError) and save it if the attempt is open
    and asked that version at the position: the attempt's item count, or None if not saved."""
    columns = (
        {"rating": None, "choices": None, "skipped": True} if skip else parse_answer(item, values)
    )
    chosen = frozenset(columns["choices"].split(",")) if columns["choices"] else frozenset()
    columns["credit"] = skill_estimates.credit(item, columns["rating"], chosen)
    params = {
        **base,
        "b_item_id": item_id,
        "b_content_hash": content_hash,
        **{f"b_{name}": value for name, value in columns.items()},
    }
    conn = db.session.connection()
    on = dialect()
    if on == "postgresql":
        return conn.execute(_save_if_open(on), params).scalar()
    item_count = conn.execute(_touch_open_attempt(), params).scalar()
    if item_count is None or conn.execute(_save_if_open(on), params).first() is None:
        return None
    return item_count


def save_answer(
    user_id: int,
    attempt_id: int,
    position: int,
    values: list[str],
    skip: bool = False,
    shown: str | None = None,
) -> SavedAnswer:
    """Save (or replace) the answer to one question of an open attempt; returns the attempt's
    number of questions (so the caller knows whether this was the last one) and whether the
    answer has as many options as the question asks for.

    `shown` is the id of the item the page showed (its form sends it back). When that item's
    current version is the one asked, the answer is checked against it and written in one
    statement, which itself verifies that this version was asked there (`_save_if_open`).
    Otherwise (no hint, an unknown one, an attempt pinned to an older version, or an answer
    that does not fit the hinted item) the question asked is read first and the answer checked
    against it. A known item other than the one asked means the page is out of date: nothing
    is saved (StaleQuestionError), since the person answered another question.

    No values and no skip clear the answer: unticking every box takes the answer back (from
    the page of the question asked there only)."""
    hinted = catalogue().items.get(shown) if shown else None
    if not values and not skip:
        if hinted is not None and _asked(user_id, attempt_id, position)[0] != hinted.id:
            raise StaleQuestionError(position)
        item_count = clear_answer(user_id, attempt_id, position)
        return SavedAnswer(item_count, choose_count(hinted.content) if hinted else None)
    now = _now()
    base = {
        "b_attempt_id": attempt_id,
        "b_user_id": user_id,
        "b_position": position,
        "b_answered_at": now,
        "b_now": now,
    }
    if hinted is not None:
        try:
            item_count = _write_answer(
                base, hinted.id, hinted.content_hash, hinted.content, values, skip
            )
        except InvalidAnswerError:
            item_count = None  # perhaps checked against the wrong item: read the one asked
        if item_count is not None:
            commit_unless_autocommit()
            return _saved(item_count, hinted.content, values, skip)
    item_id, content_hash, item = _asked(user_id, attempt_id, position)
    if hinted is not None and hinted.id != item_id:
        raise StaleQuestionError(position)
    item_count = _write_answer(base, item_id, content_hash, item, values, skip)
    if item_count is None:
        db.session.rollback()
        raise AttemptClosedError(attempt_id)  # submitted since the question was read
    commit_unless_autocommit()
    return _saved(item_count, item, values, skip)


def _saved(
    item_count: int, item: SelfRatingItem | ChoiceItem, values: list[str], skip: bool
) -> SavedAnswer:
    missing = 0 if skip else missing_choices(item, set(values))
    return SavedAnswer(item_count, choose_count(item), missing)


def submit_attempt(user_id: int, attempt_id: int, cat: Catalogue) -> bool:
    """Submit and score the attempt; True if this call did it, False if it was already done."""
    now = _now()
    if _update_if_open(user_id, attempt_id, status=SUBMITTED, submitted_at=now) is None:
        db.session.rollback()
        get_attempt(user_id, attempt_id)  # 404 for others' or unknown ids
        return False
    attempt, questions = load_attempt(user_id, attempt_id)
    results = scoring.score_skills(q.to_scoring() for q in questions)
    db.session.add_all(
        SkillScore(
            attempt_id=attempt_id,
            skill_id=r.skill_id,
            self_score=r.self_score,
            knowledge_score=r.knowledge_score,
            combined_score=r.combined_score,
            self_count=r.self_count,
            knowledge_count=r.knowledge_count,
        )
        for r in results.values()
    )
    skill_estimates.refresh(user_id, {q.skill_id for q in questions}, cat, now)
    role = cat.roles.get(attempt.role_slug)
    weights = role.skills.weights if role else {}
    overall = scoring.overall_score({s: r.combined_score for s, r in results.items()}, weights)
    db.session.execute(
        update(Attempt).where(Attempt.id == attempt_id).values(overall_score=overall),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    attempt_submitted.send(current_app._get_current_object(), quiz_key=attempt.quiz_key)
    return True


def discard_attempt(user_id: int, attempt_id: int) -> None:
    """Delete the user's attempt in progress with its questions and answers (the foreign keys
    cascade), so that it counts nowhere; AttemptClosedError once submitted. The DELETE takes
    the row's lock, so a submit either finds no attempt or has already made it unerasable."""
    deleted = db.session.execute(
        delete(Attempt).where(
            Attempt.id == attempt_id, Attempt.user_id == user_id, Attempt.status == IN_PROGRESS
        ),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not deleted:
        db.session.rollback()
        get_attempt(user_id, attempt_id)  # AttemptNotFoundError for others' or unknown ids
        raise AttemptClosedError(attempt_id)
    db.session.commit()


def skill_scores(attempt_id: int) -> list[SkillScore]:
    return list(
        db.session.scalars(
            select(SkillScore)
            .where(SkillScore.attempt_id == attempt_id)
            .order_by(SkillScore.combined_score)
        )
    )


@dataclass(frozen=True)
class QuizStatus:
    status: str  # "not started", "in progress" or "done"
    last_score: float | None
    in_progress_id: int | None
    last_submitted_id: int | None
    attempts: int


def quiz_statuses(user_id: int, keys: list[str]) -> dict[str, QuizStatus]:
    """Status and latest score of each quiz for a user, in two queries whatever the history."""
    per_quiz = (
        select(Attempt.quiz_key, func.count(Attempt.id).label("attempts"))
        .where(Attempt.user_id == user_id, Attempt.quiz_key.in_(keys))
        .group_by(Attempt.quiz_key)
    )
    counts = {r.quiz_key: r.attempts for r in db.session.execute(per_quiz)}
    last_submitted = (
        select(func.max(Attempt.id))
        .where(
            Attempt.user_id == user_id,
            Attempt.quiz_key.in_(keys),
            Attempt.status == SUBMITTED,
        )
        .group_by(Attempt.quiz_key)
    )
    rows = db.session.execute(
        select(Attempt.id, Attempt.quiz_key, Attempt.status, Attempt.overall_score).where(
            Attempt.user_id == user_id,
            (Attempt.id.in_(last_submitted))
            | ((Attempt.status == IN_PROGRESS) & Attempt.quiz_key.in_(keys)),
        )
    )
    in_progress: dict[str, int] = {}
    submitted: dict[str, tuple[int, float | None]] = {}
    for r in rows:
        if r.status == IN_PROGRESS:
            in_progress[r.quiz_key] = r.id
        else:
            submitted[r.quiz_key] = (r.id, r.overall_score)
    statuses = {}
    for key in keys:
        sub = submitted.get(key)
        status = "in progress" if key in in_progress else ("done" if sub else "not started")
        statuses[key] = QuizStatus(
            status=status,
            last_score=sub[1] if sub else None,
            in_progress_id=in_progress.get(key),
            last_submitted_id=sub[0] if sub else None,
            attempts=counts.get(key, 0),
        )
    return statuses


def list_attempts(user_id: int, page: int, per_page: int) -> tuple[list[Attempt], int]:
    """One page of the user's attempts, newest first, and the total count."""
    total = db.session.scalar(
        select(func.count()).select_from(Attempt).where(Attempt.user_id == user_id)
    )
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user_id)
        .order_by(Attempt.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(attempts), total or 0


def attempts_before(user_id: int, before_id: int | None, limit: int) -> tuple[list[Attempt], bool]:
    """Up to `limit` of the user's attempts older than `before_id` (newest first: a cursor page
    that stays stable while new attempts arrive), and whether more follow."""
    stmt = select(Attempt).where(Attempt.user_id == user_id)
    if before_id is not None:
        stmt = stmt.where(Attempt.id < before_id)
    rows = list(db.session.scalars(stmt.order_by(Attempt.id.desc()).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def unfinished(questions: list[Question]) -> list[Question]:
    """The questions the review lists before submitting: not answered, skipped, or with fewer
    ticks than they ask for."""
    return [q for q in questions if not q.finished]


def answered_count(questions: list[Question]) -> int:
    return sum(1 for q in questions if q.answered or q.skipped)
