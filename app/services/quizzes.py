"""Which quizzes exist for a role and which items each one asks (pure, over the catalogue).

Items are picked freshest first: per skill, the items this user has been shown least often
(never-seen first), then the least recently shown, spread over difficulty levels and over
knowledge and scenario items. A user meets an item again only once the skill's pool is used up.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

from app.catalogue.loader import Catalogue, CatalogueItem

FULL_PREFIX = "full."
SKILL_PREFIX = "skill."
# The full assessment samples this many items of each kind per skill of the role.
FULL_SELF_RATINGS_PER_SKILL = 1
FULL_CHOICE_ITEMS_PER_SKILL = 3
# A skill quiz asks this many of the skill's items, half knowledge and half scenario.
SKILL_SELF_RATINGS = 3
SKILL_CHOICE_ITEMS = 6


@dataclass(frozen=True)
class Exposure:
    """How often one user was shown one item, and in which attempt last (attempt ids grow with
    time, and unlike a timestamp they never tie)."""

    times: int
    last_attempt: int


@dataclass(frozen=True)
class Quiz:
    key: str
    title: str
    description: str
    role_slug: str
    skill_ids: tuple[str, ...]
    is_full: bool


def full_quiz(cat: Catalogue, role_slug: str) -> Quiz:
    role = cat.roles[role_slug]
    skills = tuple(rs.skill for rs in role.skills.items)
    count = len(skills) * (FULL_SELF_RATINGS_PER_SKILL + FULL_CHOICE_ITEMS_PER_SKILL)
    return Quiz(
        key=f"{FULL_PREFIX}{role_slug}",
        title=f"Full assessment: {role.name}",
        description=f"{count} questions across all {len(skills)} skills of the role, "
        "picked afresh for every attempt.",
        role_slug=role_slug,
        skill_ids=skills,
        is_full=True,
    )


def skill_quiz(cat: Catalogue, skill_id: str, role_slug: str) -> Quiz:
    skill = cat.skills[skill_id]
    entries = cat.items_by_skill.get(skill_id, ())
    self_ratings = sum(1 for e in entries if e.kind == "self_rating")
    count = min(SKILL_SELF_RATINGS, self_ratings) + min(
        SKILL_CHOICE_ITEMS, len(entries) - self_ratings
    )
    return Quiz(
        key=f"{SKILL_PREFIX}{skill_id}",
        title=skill.name,
        description=f"{count} questions. {skill.description}",
        role_slug=role_slug,
        skill_ids=(skill_id,),
        is_full=False,
    )


def quizzes_for_role(cat: Catalogue, role_slug: str) -> list[Quiz]:
    """The full assessment first, then one quiz per skill in the order of the role's weights."""
    role = cat.roles[role_slug]
    ordered = sorted(role.skills.items, key=lambda rs: (-rs.weight, rs.skill))
    return [full_quiz(cat, role_slug)] + [skill_quiz(cat, rs.skill, role_slug) for rs in ordered]


def find_quiz(cat: Catalogue, key: str, role_slug: str) -> Quiz | None:
    """Resolve a quiz key; a skill quiz is scored in the context of `role_slug`."""
    if key.startswith(FULL_PREFIX) and key.removeprefix(FULL_PREFIX) in cat.roles:
        return full_quiz(cat, key.removeprefix(FULL_PREFIX))
    if key.startswith(SKILL_PREFIX) and key.removeprefix(SKILL_PREFIX) in cat.items_by_skill:
        return skill_quiz(cat, key.removeprefix(SKILL_PREFIX), role_slug)
    return None


def pick_items(
    cat: Catalogue,
    quiz: Quiz,
    rng: random.Random,
    seen: Mapping[str, Exposure] | None = None,
) -> list[CatalogueItem]:
    """The items of a new attempt, freshest first for this user (`seen`: item id -> exposure);
    within each skill the self-ratings come first, then the knowledge and scenario items."""
    seen = seen or {}
    self_count, choice_count = (
        (FULL_SELF_RATINGS_PER_SKILL, FULL_CHOICE_ITEMS_PER_SKILL)
        if quiz.is_full
        else (SKILL_SELF_RATINGS, SKILL_CHOICE_ITEMS)
    )
    picked: list[CatalogueItem] = []
    for skill_id in quiz.skill_ids:
        entries = cat.items_by_skill.get(skill_id, ())
        self_ratings = [e for e in entries if e.kind == "self_rating"]
        choice = [e for e in entries if e.kind != "self_rating"]
        picked.extend(freshest(self_ratings, self_count, seen, rng, ()))
        picked.extend(freshest(choice, choice_count, seen, rng, (_difficulty, _kind)))
    return picked


def _difficulty(entry: CatalogueItem) -> Hashable:
    return getattr(entry.content, "difficulty", None)


def _kind(entry: CatalogueItem) -> Hashable:
    return entry.kind


def freshest(
    entries: Sequence[CatalogueItem],
    count: int,
    seen: Mapping[str, Exposure],
    rng: random.Random,
    spread: Sequence[Callable[[CatalogueItem], Hashable]],
) -> list[CatalogueItem]:
    """`count` entries, least seen first and then least recently seen; among equally fresh
    ones, the entry whose `spread` features (difficulty, kind) have been picked least so far,
    and at random after that."""

    def order(entry: CatalogueItem) -> tuple[int, int]:
        exposure = seen.get(entry.id)
        return (exposure.times, exposure.last_attempt) if exposure else (0, 0)

    def balance(entry: CatalogueItem) -> tuple[int, tuple[int, ...]]:
        counts = tuple(u[f(entry)] for u, f in zip(used, spread, strict=True))
        return sum(counts), counts

    remaining = list(entries)
    rng.shuffle(remaining)
    remaining.sort(key=order)  # stable: equally fresh entries keep their random order
    used: list[Counter] = [Counter() for _ in spread]
    chosen: list[CatalogueItem] = []
    while remaining and len(chosen) < count:
        tier = [e for e in remaining if order(e) == order(remaining[0])]
        pick = min(tier, key=balance)
        chosen.append(pick)
        remaining.remove(pick)
        for counter, feature in zip(used, spread, strict=True):
            counter[feature(pick)] += 1
    return chosen
