"""Which quizzes exist for a role and which items each one asks (pure, over the catalogue)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.catalogue.loader import Catalogue, CatalogueItem

FULL_PREFIX = "full."
SKILL_PREFIX = "skill."
# The full assessment samples this many items of each kind per skill of the role.
FULL_SELF_RATINGS_PER_SKILL = 1
FULL_CHOICE_ITEMS_PER_SKILL = 2
# A skill quiz asks this many of the skill's items, half knowledge and half scenario.
SKILL_SELF_RATINGS = 3
SKILL_CHOICE_ITEMS = 6


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


def pick_items(cat: Catalogue, quiz: Quiz, rng: random.Random) -> list[CatalogueItem]:
    """The items of a new attempt: self-ratings first within each skill, then the others."""
    picked: list[CatalogueItem] = []
    self_count, choice_count = (
        (FULL_SELF_RATINGS_PER_SKILL, FULL_CHOICE_ITEMS_PER_SKILL)
        if quiz.is_full
        else (SKILL_SELF_RATINGS, SKILL_CHOICE_ITEMS)
    )
    for skill_id in quiz.skill_ids:
        entries = cat.items_by_skill.get(skill_id, ())
        self_ratings = [e for e in entries if e.kind == "self_rating"]
        knowledge = [e for e in entries if e.kind == "knowledge"]
        scenarios = [e for e in entries if e.kind == "scenario"]
        picked.extend(rng.sample(self_ratings, min(self_count, len(self_ratings))))
        picked.extend(_alternate_kinds(knowledge, scenarios, choice_count, rng))
    return picked


def _alternate_kinds(
    knowledge: list[CatalogueItem], scenarios: list[CatalogueItem], count: int, rng: random.Random
) -> list[CatalogueItem]:
    """`count` items drawn at random, alternating knowledge and scenario while both last."""
    pools = [rng.sample(knowledge, len(knowledge)), rng.sample(scenarios, len(scenarios))]
    rng.shuffle(pools)
    chosen: list[CatalogueItem] = []
    while len(chosen) < count and any(pools):
        for pool in pools:
            if pool and len(chosen) < count:
                chosen.append(pool.pop())
    return chosen
