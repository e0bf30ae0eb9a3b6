"""Feedback rounds: inviting raters, what a rater answers through their link, closing a round.

The owner's side (invite, revoke, extend, close) always filters by the owner in the query. The
rater's side knows the invitation by its secret only (stored as a SHA-256 hash, like share
links). Results are computed in services/feedback_results.py; this module loads the rows.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import fmean
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.catalogue import catalogue
from app.catalogue.schema import Role, SelfRatingItem, Skill
from app.database import as_utc
from app.extensions import db
from app.models import (
    Answer,
    Attempt,
    AttemptItem,
    FeedbackComment,
    FeedbackInvitation,
    FeedbackOptOut,
    FeedbackRating,
    FeedbackRound,
    ItemVersion,
    User,
)
from app.models.attempt import SUBMITTED
from app.security.once import add_once
from app.services import feedback_results
from app.services.accounts import normalise_email
from app.upsert import upsert

COMMENT_MAX = 1000


class FeedbackError(ValueError):
    """An invitation the owner cannot make; the message says why, in their words."""


class LinkGoneError(Exception):
    """The rater's link exists but can no longer be answered: `reason` is "expired",
    "revoked" or "closed"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _setting(name: str) -> int:
    return int(current_app.config[name])


def threshold() -> int:
    return feedback_results.effective_threshold(_setting("FEEDBACK_MIN_GROUP"))


# --- the owner's side ----------------------------------------------------------------------


def open_round(user_id: int) -> FeedbackRound | None:
    return db.session.scalar(
        select(FeedbackRound).where(
            FeedbackRound.user_id == user_id, FeedbackRound.closed_at.is_(None)
        )
    )


def closed_rounds(user_id: int, role_slug: str | None = None) -> list[FeedbackRound]:
    """Newest first; only those asked for `role_slug` when given."""
    query = select(FeedbackRound).where(
        FeedbackRound.user_id == user_id, FeedbackRound.closed_at.is_not(None)
    )
    if role_slug is not None:
        query = query.where(FeedbackRound.role_slug == role_slug)
    return list(
        db.session.scalars(query.order_by(FeedbackRound.closed_at.desc(), FeedbackRound.id.desc()))
    )


def _round_for_invitation(user: User) -> FeedbackRound:
    """The open round, or a new one for the person's target role (two tabs racing to open one
    meet the one-open-round index, and the loser uses the winner's)."""
    found = open_round(user.id)
    if found is not None:
        return found
    if not user.target_role:
        raise FeedbackError("Choose a target role first: raters rate the skills of that role.")
    try:
        with db.session.begin_nested():
            fresh = FeedbackRound(user_id=user.id, role_slug=user.target_role)
            db.session.add(fresh)
        return fresh
    except IntegrityError:
        return open_round(user.id)  # type: ignore[return-value]


def opted_out(email: str) -> bool:
    return db.session.get(FeedbackOptOut, _hash(normalise_email(email))) is not None


def invite(
    user: User, relationship: str, label: str, note: str, email: str | None, secret: str
) -> tuple[FeedbackInvitation, bool]:
    """Make the invitation with this secret (from `app.security.once.secret_for`, shown or
    mailed once) in the open round, opening one if needed; returns it and whether it is new:
    a form sent twice returns what its first sending made, so nobody is mailed twice. The
    caller sends the mail when `email` is given."""
    existing = _by_secret(user.id, secret)
    if existing is not None:
        return existing, False
    if email is not None:
        email = normalise_email(email)
        if email == user.email:
            raise FeedbackError("Ask someone else: your own answers are your self-ratings.")
        if opted_out(email):
            raise FeedbackError(
                "This address has asked not to receive feedback requests from ProdReady."
            )
    feedback_round = _round_for_invitation(user)
    count = db.session.scalar(
        select(func.count(FeedbackInvitation.id)).where(
            FeedbackInvitation.round_id == feedback_round.id
        )
    )
    if count >= _setting("FEEDBACK_MAX_INVITATIONS"):
        raise FeedbackError(
            f"A round can have at most {_setting('FEEDBACK_MAX_INVITATIONS')} invitations."
        )
    now = _now()
    try:
        invitation, new = add_once(
            FeedbackInvitation(
                round_id=feedback_round.id,
                token_hash=_hash(secret),
                relationship=relationship,
                label=label.strip(),
                note=note.strip(),
                email=email,
                email_hash=_hash(email) if email else None,
                sent_at=now if email else None,
                expires_at=now + timedelta(days=_setting("FEEDBACK_INVITATION_DAYS")),
            ),
            lambda: _by_secret(user.id, secret),
        )
    except IntegrityError:
        db.session.rollback()
        raise FeedbackError("That address is already invited in this round.") from None
    db.session.commit()
    return invitation, new


def _by_secret(user_id: int, secret: str) -> FeedbackInvitation | None:
    return db.session.scalar(
        select(FeedbackInvitation)
        .join(FeedbackRound, FeedbackRound.id == FeedbackInvitation.round_id)
        .where(FeedbackInvitation.token_hash == _hash(secret), FeedbackRound.user_id == user_id)
    )


def still_open(user_id: int, invitation: FeedbackInvitation) -> bool:
    """In the open round, not answered, revoked or expired: its link can still be passed on."""
    found = _owned_open(user_id, invitation.id)
    return _state(found, _now()) in ("link made", "sent", "opened") if found else False


@dataclass(frozen=True)
class InvitationRow:
    """One invitation as its owner sees it: who (their own label), and where it stands."""

    id: int
    label: str
    relationship: str
    email: str | None
    created_at: datetime
    expires_at: datetime
    state: str

    @property
    def relationship_name(self) -> str:
        return feedback_results.RELATIONSHIP_NAMES[self.relationship]

    @property
    def can_change(self) -> bool:
        return self.state in ("sent", "link made", "opened", "expired")

    @property
    def can_relink(self) -> bool:
        """A link never opened may be replaced (its secret was shown once and may be lost)."""
        return self.state == "link made"


def _state(inv: FeedbackInvitation, now: datetime) -> str:
    if inv.submitted_at is not None:
        return "submitted"
    if inv.revoked_at is not None:
        return "revoked"
    if as_utc(inv.expires_at) <= now:
        return "expired"
    if inv.opened_at is not None:
        return "opened"
    return "sent" if inv.sent_at is not None else "link made"


def invitations(round_id: int) -> list[InvitationRow]:
    now = _now()
    rows = db.session.scalars(
        select(FeedbackInvitation)
        .where(FeedbackInvitation.round_id == round_id)
        .order_by(FeedbackInvitation.created_at, FeedbackInvitation.id)
    )
    return [_row(inv, now) for inv in rows]


def _row(inv: FeedbackInvitation, now: datetime) -> InvitationRow:
    return InvitationRow(
        inv.id,
        inv.label,
        inv.relationship,
        inv.email,
        as_utc(inv.created_at),
        as_utc(inv.expires_at),
        _state(inv, now),
    )


def _owned_open(user_id: int, invitation_id: int) -> FeedbackInvitation | None:
    """One of the user's invitations in their open round, not yet answered."""
    return db.session.scalar(
        select(FeedbackInvitation)
        .join(FeedbackRound, FeedbackRound.id == FeedbackInvitation.round_id)
        .where(
            FeedbackInvitation.id == invitation_id,
            FeedbackRound.user_id == user_id,
            FeedbackRound.closed_at.is_(None),
            FeedbackInvitation.submitted_at.is_(None),
        )
    )


def owned_invitation(user_id: int, invitation_id: int) -> InvitationRow | None:
    """One of the user's invitations that can still be revoked or extended, as their page
    lists it."""
    found = _owned_open(user_id, invitation_id)
    return _row(found, _now()) if found is not None else None


def revoke(user_id: int, invitation_id: int) -> bool:
    invitation = _owned_open(user_id, invitation_id)
    if invitation is None:
        return False
    invitation.revoked_at = invitation.revoked_at or _now()
    db.session.commit()
    return True


def extend(user_id: int, invitation_id: int) -> bool:
    """Give the rater another FEEDBACK_INVITATION_DAYS from today (or from the current expiry,
    whichever is later); a revoked invitation stays revoked."""
    invitation = _owned_open(user_id, invitation_id)
    if invitation is None or invitation.revoked_at is not None:
        return False
    start = max(as_utc(invitation.expires_at), _now())
    invitation.expires_at = start + timedelta(days=_setting("FEEDBACK_INVITATION_DAYS"))
    db.session.commit()
    return True


def relink(user_id: int, invitation_id: int, secret: str) -> FeedbackInvitation | None:
    """Give a link invitation nobody has opened this new secret (the old link stops working);
    None when it is not the user's, was mailed, opened, revoked or expired. The same secret
    again (the form sent twice) changes nothing."""
    # One conditional statement: a rater opening the old link meanwhile keeps it.
    changed = db.session.execute(
        update(FeedbackInvitation)
        .where(
            FeedbackInvitation.id == invitation_id,
            FeedbackInvitation.round_id.in_(
                select(FeedbackRound.id).where(
                    FeedbackRound.user_id == user_id, FeedbackRound.closed_at.is_(None)
                )
            ),
            FeedbackInvitation.sent_at.is_(None),
            FeedbackInvitation.opened_at.is_(None),
            FeedbackInvitation.submitted_at.is_(None),
            FeedbackInvitation.revoked_at.is_(None),
            FeedbackInvitation.expires_at > _now(),
        )
        .values(token_hash=_hash(secret))
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        db.session.rollback()
        return None
    db.session.commit()
    return db.session.get(FeedbackInvitation, invitation_id)


def close_round(user_id: int) -> bool:
    """Close the open round: no rater can answer any more, the results become visible, and
    what names a rater is erased: their address (kept only to send and to refuse duplicates),
    the person's name for them and the note to them (shown only while the round is open), and
    the hash of the browser a draft was saved in, so that no stored rating sits beside who gave
    it."""
    feedback_round = open_round(user_id)
    if feedback_round is None:
        return False
    feedback_round.closed_at = _now()
    db.session.execute(
        update(FeedbackInvitation)
        .where(FeedbackInvitation.round_id == feedback_round.id)
        .values(email=None, label="", note="", device_hash=None)
    )
    db.session.commit()
    return True


def group_progress(round_id: int) -> dict[str, tuple[int, int]]:
    """Per relationship: (submitted, invited and not revoked). Counts only, never answers."""
    rows = db.session.execute(
        select(
            FeedbackInvitation.relationship,
            func.count(FeedbackInvitation.submitted_at),
            func.count(FeedbackInvitation.id),
        )
        .where(FeedbackInvitation.round_id == round_id, FeedbackInvitation.revoked_at.is_(None))
        .group_by(FeedbackInvitation.relationship)
    )
    return {relationship: (submitted, invited) for relationship, submitted, invited in rows}


@dataclass(frozen=True)
class Overview:
    """The owner's feedback page: the open round (if any) and the closed ones."""

    open_round: FeedbackRound | None
    role: Role | None
    invitations: list[InvitationRow]
    progress: dict[str, tuple[int, int]]
    closed: list[ClosedRound]


def overview(user: User) -> Overview:
    current = open_round(user.id)
    slug = current.role_slug if current else user.target_role
    return Overview(
        current,
        catalogue().roles.get(slug or ""),
        invitations(current.id) if current else [],
        group_progress(current.id) if current else {},
        results(user.id),
    )


@dataclass(frozen=True)
class Status:
    """Where the person's feedback stands, for the dashboard."""

    open: bool = False
    answered: int = 0  # in the open round
    invited: int = 0  # in the open round, not revoked
    last_closed: datetime | None = None


def status(user_id: int) -> Status:
    current = open_round(user_id)
    last_closed = db.session.scalar(
        select(func.max(FeedbackRound.closed_at)).where(FeedbackRound.user_id == user_id)
    )
    if current is None:
        return Status(last_closed=last_closed)
    counts = group_progress(current.id).values()
    return Status(True, sum(a for a, _ in counts), sum(i for _, i in counts), last_closed)


# --- the rater's side ----------------------------------------------------------------------


@dataclass(frozen=True)
class RaterSkill:
    skill: Skill
    items: tuple[SelfRatingItem, ...]


@dataclass(frozen=True)
class RaterView:
    """What a rater's pages need: the invitation, who asked, and what to rate."""

    invitation: FeedbackInvitation
    round: FeedbackRound
    owner_name: str
    role: Role
    skills: tuple[RaterSkill, ...]

    @property
    def submitted(self) -> bool:
        return self.invitation.submitted_at is not None

    @property
    def relationship_name(self) -> str:
        return feedback_results.RELATIONSHIP_NAMES[self.invitation.relationship]

    @property
    def relationship_role(self) -> str:
        """As whom the rater was asked: "their manager", "someone who works with them"."""
        return feedback_results.RELATIONSHIP_ROLES[self.invitation.relationship]

    @property
    def state(self) -> str:
        """Where the request stands for its rater: "submitted", "closed" (its round), "revoked",
        "expired", else still open ("opened", "sent" or "link made")."""
        if self.submitted:
            return "submitted"
        if self.round.closed_at is not None:
            return "closed"
        return _state(self.invitation, _now())

    @property
    def owner_id(self) -> int:
        return self.round.user_id

    @property
    def named(self) -> bool:
        return self.invitation.relationship in feedback_results.NAMED_GROUPS

    def skill(self, skill_id: str) -> RaterSkill | None:
        return next((s for s in self.skills if s.skill.id == skill_id), None)

    def next_skill(self, skill_id: str) -> RaterSkill | None:
        ids = [s.skill.id for s in self.skills]
        index = ids.index(skill_id) + 1
        return self.skills[index] if index < len(ids) else None


def rater_skills(role: Role) -> tuple[RaterSkill, ...]:
    """The role's skills, heaviest first, each with its self-rating items (the anchors)."""
    cat = catalogue()
    ordered = sorted(role.skills.items, key=lambda rs: (-rs.weight, rs.skill))
    return tuple(
        RaterSkill(
            cat.skills[rs.skill],
            tuple(
                entry.content
                for entry in cat.items_by_skill.get(rs.skill, ())
                if isinstance(entry.content, SelfRatingItem)
            ),
        )
        for rs in ordered
    )


def find_invitation(secret: str) -> RaterView | None:
    """The invitation behind a rater's link, whatever its state; None if unknown."""
    row = db.session.execute(
        select(FeedbackInvitation, FeedbackRound, User.display_name)
        .join(FeedbackRound, FeedbackRound.id == FeedbackInvitation.round_id)
        .join(User, User.id == FeedbackRound.user_id)
        .where(FeedbackInvitation.token_hash == _hash(secret))
    ).first()
    if row is None:
        return None
    invitation, feedback_round, owner_name = row
    role = catalogue().roles.get(feedback_round.role_slug)
    if role is None:
        return None
    return RaterView(invitation, feedback_round, owner_name, role, rater_skills(role))


def _gone(closed_at: datetime | None, revoked_at: datetime | None, expires_at: datetime) -> None:
    if closed_at is not None:
        raise LinkGoneError("closed")
    if revoked_at is not None:
        raise LinkGoneError("revoked")
    if as_utc(expires_at) <= _now():
        raise LinkGoneError("expired")


def check_answerable(view: RaterView) -> None:
    """Raise LinkGoneError if the link can no longer be answered (a submitted one always can
    be opened: it thanks)."""
    invitation = view.invitation
    if invitation.submitted_at is None:
        _gone(view.round.closed_at, invitation.revoked_at, invitation.expires_at)


def _still_answerable(invitation_id: int) -> None:
    """Check again, once the caller's UPDATE holds the invitation's row: a round closed (or a
    link revoked) after the request began must not take a late save or submission, which
    would change results already shown. LinkGoneError, after a rollback, if so."""
    closed_at, revoked_at, expires_at = db.session.execute(
        select(
            FeedbackRound.closed_at, FeedbackInvitation.revoked_at, FeedbackInvitation.expires_at
        )
        .join(FeedbackRound, FeedbackRound.id == FeedbackInvitation.round_id)
        .where(FeedbackInvitation.id == invitation_id)
    ).one()
    try:
        _gone(closed_at, revoked_at, expires_at)
    except LinkGoneError:
        db.session.rollback()
        raise


def mark_opened(view: RaterView) -> None:
    """Note the link's first opening (its start page), shown to the owner as "opened"."""
    if view.invitation.opened_at is None and view.invitation.submitted_at is None:
        view.invitation.opened_at = _now()
        db.session.commit()


# --- whose draft: answers saved belong to the browser that saved them ------------------------


DEVICE_KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_device_key() -> str:
    return secrets.token_urlsafe(32)


def is_device_key(key: str) -> bool:
    return bool(DEVICE_KEY.match(key))


class DraftElsewhereError(Exception):
    """The answers on this link were started in another browser: this one may not see,
    change or submit them (it may start again, which deletes them)."""


def holds_draft(view: RaterView, device: str) -> bool:
    """Whether this browser (its device key) may see and change the link's saved answers:
    nothing was saved yet, or this browser saved it. The person who made a link and passed it
    on holds the link too; this keeps the rater's draft from them."""
    return view.invitation.device_hash in (None, _hash(device))


def start_again(view: RaterView, device: str) -> None:
    """Give the link to this browser, deleting unseen the answers another browser saved on it
    (nothing happens when this browser holds them already, or nobody does)."""
    mine = _hash(device)
    invitation_id = view.invitation.id
    taken = db.session.execute(
        update(FeedbackInvitation)
        .where(
            FeedbackInvitation.id == invitation_id,
            FeedbackInvitation.submitted_at.is_(None),
            FeedbackInvitation.device_hash.is_not(None),
            FeedbackInvitation.device_hash != mine,
        )
        .values(device_hash=mine)
    ).rowcount
    if taken:
        _still_answerable(invitation_id)
        db.session.execute(
            delete(FeedbackRating).where(FeedbackRating.invitation_id == invitation_id)
        )
        db.session.execute(
            delete(FeedbackComment).where(FeedbackComment.invitation_id == invitation_id)
        )
    db.session.commit()


@dataclass(frozen=True)
class SavedAnswers:
    levels: dict[str, int | None]
    """Item id -> level, or None for "not observed"; items not answered are absent."""
    comments: dict[str, str]

    def answered(self, rater_skill: RaterSkill) -> int:
        return sum(1 for item in rater_skill.items if item.id in self.levels)


def saved_answers(invitation_id: int, device: str) -> SavedAnswers:
    """The answers saved on the link, if this browser saved them (else none): read in the same
    statement as whose they are, so a first save by the rater landing between this browser's
    check and this read is not shown to it."""
    mine = (
        FeedbackInvitation.id == invitation_id,
        FeedbackInvitation.device_hash == _hash(device),
    )
    levels = dict(
        db.session.execute(
            select(FeedbackRating.item_id, FeedbackRating.level)
            .join(FeedbackInvitation, FeedbackInvitation.id == FeedbackRating.invitation_id)
            .where(*mine)
        ).all()
    )
    comments = dict(
        db.session.execute(
            select(FeedbackComment.skill_id, FeedbackComment.text)
            .join(FeedbackInvitation, FeedbackInvitation.id == FeedbackComment.invitation_id)
            .where(*mine)
        ).all()
    )
    return SavedAnswers(levels, comments)


def _claim(invitation_id: int, device: str) -> bool:
    """Make the unsubmitted link this browser's, as the transaction's first statement: a write,
    which takes SQLite's write lock and PostgreSQL's row lock, so no other browser's save,
    submit or start-again can come between this check and what the caller writes next. True
    if this browser holds it now; False if it was submitted; DraftElsewhereError if another
    browser holds it; LinkGoneError if its round closed (or it was revoked) meanwhile."""
    mine = _hash(device)
    claimed = db.session.execute(
        update(FeedbackInvitation)
        .where(
            FeedbackInvitation.id == invitation_id,
            FeedbackInvitation.submitted_at.is_(None),
            or_(FeedbackInvitation.device_hash.is_(None), FeedbackInvitation.device_hash == mine),
        )
        .values(device_hash=mine)
    ).rowcount
    if claimed:
        _still_answerable(invitation_id)
        return True
    submitted = db.session.scalar(
        select(FeedbackInvitation.submitted_at).where(FeedbackInvitation.id == invitation_id)
    )
    db.session.rollback()
    if submitted is not None:
        return False
    raise DraftElsewhereError


def save_skill(
    view: RaterView,
    device: str,
    rater_skill: RaterSkill,
    levels: dict[str, int | None],
    comment: str | None,
) -> bool:
    """Store the rater's levels for some of one skill's items (None: not observed) and, when
    given, its comment (blank removes it). False if the answers were already submitted;
    DraftElsewhereError if another browser saved them."""
    invitation_id = view.invitation.id
    if not _claim(invitation_id, device):
        return False
    known = {item.id for item in rater_skill.items}
    rows = [
        {
            "invitation_id": invitation_id,
            "skill_id": rater_skill.skill.id,
            "item_id": item_id,
            "level": level,
        }
        for item_id, level in levels.items()
        if item_id in known
    ]
    if rows:
        db.session.execute(upsert(FeedbackRating, ("invitation_id", "item_id"), ("level",)), rows)
    if comment is not None:
        text = comment.strip()[:COMMENT_MAX]
        where = (
            FeedbackComment.invitation_id == invitation_id,
            FeedbackComment.skill_id == rater_skill.skill.id,
        )
        if text:
            db.session.execute(
                upsert(FeedbackComment, ("invitation_id", "skill_id"), ("text",)),
                [{"invitation_id": invitation_id, "skill_id": rater_skill.skill.id, "text": text}],
            )
        else:
            db.session.execute(delete(FeedbackComment).where(*where))
    db.session.commit()
    return True


def submit(view: RaterView, device: str) -> bool:
    """Hand the answers in, once: after this the link only thanks. Items left unanswered count
    as not observed. DraftElsewhereError if another browser saved the answers. Whose browser
    it was is forgotten: nothing needs it once the link only thanks."""
    if not _claim(view.invitation.id, device):
        return False
    done = db.session.execute(
        update(FeedbackInvitation)
        .where(
            FeedbackInvitation.id == view.invitation.id,
            FeedbackInvitation.submitted_at.is_(None),
        )
        .values(submitted_at=_now(), device_hash=None)
    )
    db.session.commit()
    return done.rowcount == 1


def opt_out(view: RaterView) -> bool:
    """Remember (as a hash) that the invitation's address wants no more requests, even after
    its round closed and forgot the address. False for a copied link (no address)."""
    email_hash = view.invitation.email_hash
    if not email_hash:
        return False
    with db.session.begin_nested():
        if db.session.get(FeedbackOptOut, email_hash) is None:
            db.session.add(FeedbackOptOut(email_hash=email_hash))
    db.session.commit()
    return True


# --- results -------------------------------------------------------------------------------


def own_ratings(user_id: int) -> dict[str, float]:
    """The person's own level per skill: the mean over the skill's self-rating items of the
    latest rating they gave each in a submitted attempt."""
    rows = db.session.execute(
        select(ItemVersion.item_id, Answer.rating)
        .join(AttemptItem, AttemptItem.id == Answer.attempt_item_id)
        .join(ItemVersion, ItemVersion.id == AttemptItem.item_version_id)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.user_id == user_id, Attempt.status == SUBMITTED, Answer.rating.is_not(None))
        .order_by(Attempt.submitted_at, Answer.id)
    )
    latest = dict(rows.all())
    items = catalogue().items
    by_skill: dict[str, list[int]] = defaultdict(list)
    for item_id, rating in latest.items():
        if item_id in items:
            by_skill[items[item_id].skill_id].append(rating)
    return {skill_id: fmean(levels) for skill_id, levels in by_skill.items()}


def _rater_answers(round_id: int) -> list[feedback_results.RaterAnswers]:
    """The submitted raters' answers of one round (never of raters still answering)."""
    submitted = (
        select(FeedbackInvitation.id, FeedbackInvitation.relationship)
        .where(
            FeedbackInvitation.round_id == round_id, FeedbackInvitation.submitted_at.is_not(None)
        )
        .subquery()
    )
    groups = dict(db.session.execute(select(submitted.c.id, submitted.c.relationship)).all())
    levels: dict[int, dict[str, list[int]]] = {i: defaultdict(list) for i in groups}
    for invitation_id, skill_id, level in db.session.execute(
        select(FeedbackRating.invitation_id, FeedbackRating.skill_id, FeedbackRating.level).where(
            FeedbackRating.invitation_id.in_(select(submitted.c.id)),
            FeedbackRating.level.is_not(None),
        )
    ):
        levels[invitation_id][skill_id].append(level)
    comments: dict[int, dict[str, str]] = {i: {} for i in groups}
    for invitation_id, skill_id, text in db.session.execute(
        select(FeedbackComment.invitation_id, FeedbackComment.skill_id, FeedbackComment.text).where(
            FeedbackComment.invitation_id.in_(select(submitted.c.id))
        )
    ):
        comments[invitation_id][skill_id] = text
    return [
        feedback_results.RaterAnswers(group, dict(levels[i]), comments[i])
        for i, group in groups.items()
    ]


@dataclass(frozen=True)
class ClosedRound:
    round: FeedbackRound
    role: Role | None
    result: feedback_results.RoundResult

    def skill_name(self, skill_id: str) -> str:
        skill = catalogue().skills.get(skill_id)
        return skill.name if skill else skill_id

    @property
    def next_step(self) -> str | None:
        """What to do about the largest blind spot, in the owner's words."""
        spots = self.result.blind_spots
        if not spots:
            return None
        skill = catalogue().skills[spots[0].skill_id]
        return (
            f"Ask two of the people who rated you for one recent example of {skill.name.lower()}"
            f" where what they saw differed from what you intended. Then: {skill.advice}"
        )


def results(
    user_id: int,
    limit: int | None = None,
    role_slug: str | None = None,
    aggregates_only: bool = False,
) -> list[ClosedRound]:
    """The user's closed rounds (those asked for `role_slug` when given), newest first, each
    with what it shows its owner, or only its aggregates (`feedback_results.round_result`)."""
    own = own_ratings(user_id)
    cat = catalogue()
    found = []
    for feedback_round in closed_rounds(user_id, role_slug)[:limit]:
        role = cat.roles.get(feedback_round.role_slug)
        skill_ids = [s.skill.id for s in rater_skills(role)] if role else []
        found.append(
            ClosedRound(
                feedback_round,
                role,
                feedback_results.round_result(
                    _rater_answers(feedback_round.id), skill_ids, own, threshold(), aggregates_only
                ),
            )
        )
    return found


@dataclass(frozen=True)
class HistoryRow:
    skill_name: str
    others: list[float | None]
    """All raters' mean in each round, oldest round first."""


def history(closed: list[ClosedRound]) -> list[HistoryRow]:
    """Change over time: per skill, all raters' mean in each closed round (oldest first), for
    the skills rated in any of them, in the order of the latest round."""
    oldest_first = list(reversed(closed))
    order: dict[str, None] = {}
    for entry in closed:
        order.update(dict.fromkeys(s.skill_id for s in entry.result.skills))
    rows = []
    for skill_id in order:
        others = [
            next((s.others for s in entry.result.skills if s.skill_id == skill_id), None)
            for entry in oldest_first
        ]
        if any(value is not None for value in others):
            rows.append(HistoryRow(closed[0].skill_name(skill_id), others))
    return rows


def round_data(closed: ClosedRound) -> dict[str, Any]:
    """One closed round's aggregates (`results(..., aggregates_only=True)`) as JSON-ready data
    for the export and the API: no rater, label, address, comment or figure of fewer than the
    minimum group."""
    result = closed.result
    return {
        "role_slug": closed.round.role_slug,
        "opened_at": as_utc(closed.round.opened_at).isoformat(),
        "closed_at": as_utc(closed.round.closed_at).isoformat(),
        "minimum_group": result.minimum_group,
        "groups": [
            {"group": g.group, "answers": g.submitted, "shown": g.shown} for g in result.groups
        ],
        "skills": [
            {
                "skill_id": s.skill_id,
                "own": _rounded(s.own),
                "others": _rounded(s.others),
                "others_raters": s.others_raters,
                "by_group": {group: _rounded(mean) for group, mean in s.by_group.items()},
                "gap": _rounded(s.gap),
                "finding": s.kind,
            }
            for s in result.skills
        ],
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def export_rounds(user_id: int) -> list[dict[str, Any]]:
    return [round_data(closed) for closed in results(user_id, aggregates_only=True)]
