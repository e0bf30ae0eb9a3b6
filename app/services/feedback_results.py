"""What a closed feedback round shows its owner: pure functions over plain data.

Anonymity is decided here and only here. A rater group is either *named* (manager, mentor: the
form tells them their ratings are shown as theirs) or *pooled* (peers, direct reports, other
colleagues): a pooled group's mean for a skill is shown only when at least `threshold` of its
submitted raters rated that skill, and never below 3 whatever the setting. Everything else
derived for the owner (all raters' mean, the gaps, the comments) is computed from shown cells
only, so nothing shown can be subtracted from something else shown to recover a hidden cell.
Rounds are shown only once closed, so no figure changes while raters are still answering
(docs/feedback.md).

What leaves the owner's page (a share link, the export, the API) is the *aggregates only* view:
every group, named ones too, is pooled under the threshold, and no comment is carried, so no
figure there rests on fewer than `threshold` raters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import fmean

MIN_THRESHOLD = 3
"""The smallest pooled group ever shown, whatever FEEDBACK_MIN_GROUP says."""
NAMED_GROUPS = ("manager", "mentor")
POOLED_GROUPS = ("peer", "direct_report", "other")
GROUPS = NAMED_GROUPS + POOLED_GROUPS
GROUP_NAMES = {
    "manager": "Manager",
    "mentor": "Mentor",
    "peer": "Peers",
    "direct_report": "Direct reports",
    "other": "Other colleagues",
}
RELATIONSHIP_NAMES = {
    "manager": "Manager",
    "peer": "Peer",
    "direct_report": "Direct report",
    "mentor": "Mentor",
    "other": "Other colleague",
}
RELATIONSHIP_ROLES = {
    "manager": "their manager",
    "peer": "a peer",
    "direct_report": "someone who reports to them",
    "mentor": "their mentor",
    "other": "someone who works with them",
}
"""How the rater's form addresses them: "has asked you, as <this>, how you see their work"."""
GAP_THRESHOLD = 1.0
"""A blind spot: all raters' mean at least one level below the person's own rating; a hidden
strength: at least one level above."""


@dataclass(frozen=True)
class RaterAnswers:
    """One submitted rater's answers: levels per skill (not-observed items left out)."""

    group: str
    levels: Mapping[str, Sequence[int]]
    comments: Mapping[str, str] = field(default_factory=dict)

    def skill_mean(self, skill_id: str) -> float | None:
        levels = self.levels.get(skill_id) or ()
        return fmean(levels) if levels else None


@dataclass(frozen=True)
class Cell:
    """One group's view of one skill: its mean when shown, and how many rated it."""

    mean: float | None
    raters: int

    @property
    def shown(self) -> bool:
        return self.mean is not None


@dataclass(frozen=True)
class GroupResult:
    group: str
    submitted: int
    shown: bool
    cells: Mapping[str, Cell]

    @property
    def name(self) -> str:
        return GROUP_NAMES[self.group]

    @property
    def label(self) -> str:
        """The column's heading: a named group of several raters says how many its one figure
        combines ("Manager (2)"); a pooled group is a mean by definition."""
        if self.group in NAMED_GROUPS and self.submitted > 1:
            return f"{self.name} ({self.submitted})"
        return self.name


@dataclass(frozen=True)
class SkillFeedback:
    skill_id: str
    own: float | None
    others: float | None
    others_raters: int
    by_group: Mapping[str, float]
    comments: tuple[str, ...]

    @property
    def gap(self) -> float | None:
        """Others minus own, in levels (negative: others see less than the person does)."""
        if self.own is None or self.others is None:
            return None
        return self.others - self.own

    @property
    def kind(self) -> str | None:
        gap = self.gap
        if gap is None:
            return None
        if gap <= -GAP_THRESHOLD:
            return "blind_spot"
        if gap >= GAP_THRESHOLD:
            return "hidden_strength"
        return None


@dataclass(frozen=True)
class RoundResult:
    groups: tuple[GroupResult, ...]
    skills: tuple[SkillFeedback, ...]
    minimum_group: int
    """The pooled-group threshold the round was shown with."""
    aggregates_only: bool = False

    @property
    def shown_groups(self) -> tuple[GroupResult, ...]:
        return tuple(g for g in self.groups if g.shown)

    @property
    def blind_spots(self) -> list[SkillFeedback]:
        """Largest first."""
        spots = [s for s in self.skills if s.kind == "blind_spot"]
        return sorted(spots, key=lambda s: (s.gap, s.skill_id))

    @property
    def hidden_strengths(self) -> list[SkillFeedback]:
        strengths = [s for s in self.skills if s.kind == "hidden_strength"]
        return sorted(strengths, key=lambda s: (-(s.gap or 0), s.skill_id))

    @property
    def anything_shown(self) -> bool:
        return any(s.others is not None for s in self.skills)


def effective_threshold(setting: int) -> int:
    return max(MIN_THRESHOLD, setting)


def _group_result(
    group: str,
    raters: Sequence[RaterAnswers],
    skill_ids: Sequence[str],
    threshold: int,
    aggregates_only: bool,
) -> GroupResult:
    needed = 1 if group in NAMED_GROUPS and not aggregates_only else threshold
    cells: dict[str, Cell] = {}
    for skill_id in skill_ids:
        means = [m for r in raters if (m := r.skill_mean(skill_id)) is not None]
        shown = len(means) >= needed and len(raters) >= needed
        cells[skill_id] = Cell(fmean(means) if shown else None, len(means))
    return GroupResult(group, len(raters), len(raters) >= needed, cells)


def round_result(
    answers: Iterable[RaterAnswers],
    skill_ids: Sequence[str],
    own: Mapping[str, float],
    threshold: int,
    aggregates_only: bool = False,
) -> RoundResult:
    """The owner's view of one closed round. `own` is the person's own mean self-rating per
    skill (1-5); `threshold` the pooled-group minimum (raised to 3 when set lower).
    `aggregates_only`: the view that may leave the owner's page (share link, export, API):
    named groups pooled like the others, so every shown mean, the all-raters one included,
    rests on at least `threshold` raters, and no comments."""
    threshold = effective_threshold(threshold)
    by_group: dict[str, list[RaterAnswers]] = {g: [] for g in GROUPS}
    for answer in answers:
        by_group[answer.group].append(answer)
    groups = tuple(
        _group_result(g, by_group[g], skill_ids, threshold, aggregates_only)
        for g in GROUPS
        if by_group[g]
    )
    shown_in = {g.group for g in groups if g.shown}
    skills = []
    for skill_id in skill_ids:
        visible = [
            r
            for g in groups
            if g.group in shown_in and g.cells[skill_id].shown
            for r in by_group[g.group]
        ]
        means = [m for r in visible if (m := r.skill_mean(skill_id)) is not None]
        comments = (
            []
            if aggregates_only
            else sorted(c for r in visible if (c := r.comments.get(skill_id, "").strip()))
        )
        skills.append(
            SkillFeedback(
                skill_id=skill_id,
                own=own.get(skill_id),
                others=fmean(means) if means else None,
                others_raters=len(means),
                by_group={
                    g.group: cell.mean
                    for g in groups
                    if (cell := g.cells[skill_id]).mean is not None
                },
                comments=tuple(comments),
            )
        )
    return RoundResult(groups, tuple(skills), threshold, aggregates_only)
