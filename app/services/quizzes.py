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
    count = len(cat.items_by_skill.get(skill_id, ()))
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
    for skill_id in quiz.skill_ids:
        entries = cat.items_by_skill.get(skill_id, ())
        self_ratings = [e for e in entries if e.kind == "self_rating"]
        others = [e for e in entries if e.kind != "self_rating"]
        if quiz.is_full:
            self_ratings = rng.sample(self_ratings, FULL_SELF_RATINGS_PER_SKILL)
            others = rng.sample(others, FULL_CHOICE_ITEMS_PER_SKILL)
        picked.extend(self_ratings + others)
    return picked
