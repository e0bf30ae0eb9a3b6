"""Scoring as pure functions over plain data (no database, no Flask).

Rules (also explained on the result page and in docs/scoring.md):
- A self-rating of 1..5 scores (rating - 1) / 4 * 100. Skipped self-ratings are left out.
- A single-choice item scores 100 when the one correct option is chosen, else 0.
- A multiple-choice item scores (correct picks - wrong picks) / number of correct options,
  floored at 0, times 100.
- A skipped knowledge or scenario item scores 0: it counts as not shown.
- A skill's combined score weights knowledge 60 % and self-rating 40 % when both exist
  (evidence counts for more than self-assessment); otherwise it is whichever exists.
- An attempt's overall score is the mean of its skills' combined scores, weighted by the
  role's skill weights.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.catalogue.credit import choice_score

SELF_WEIGHT = 0.4
KNOWLEDGE_WEIGHT = 0.6


@dataclass(frozen=True)
class AnsweredItem:
    """One item of an attempt with the user's answer (rating or choices), or nothing if skipped."""

    skill_id: str
    kind: str  # "self_rating", "knowledge" or "scenario"
    rating: int | None = None
    chosen: frozenset[str] = frozenset()
    correct: frozenset[str] = frozenset()
    select: str = "single"


@dataclass(frozen=True)
class SkillResult:
    skill_id: str
    self_score: float | None
    knowledge_score: float | None
    combined_score: float
    self_count: int
    knowledge_count: int


def self_rating_score(rating: int) -> float:
    if not 1 <= rating <= 5:
        raise ValueError(f"rating must be 1..5, got {rating}")
    return (rating - 1) / 4 * 100


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def score_skills(items: Iterable[AnsweredItem]) -> dict[str, SkillResult]:
    """Per-skill scores for one attempt; skills with only skipped self-ratings are left out."""
    self_scores: dict[str, list[float]] = {}
    knowledge_scores: dict[str, list[float]] = {}
    for item in items:
        if item.kind == "self_rating":
            bucket = self_scores.setdefault(item.skill_id, [])
            if item.rating is not None:
                bucket.append(self_rating_score(item.rating))
        else:
            knowledge_scores.setdefault(item.skill_id, []).append(
                choice_score(item.chosen, item.correct, item.select)
            )
    results: dict[str, SkillResult] = {}
    for skill_id in sorted(set(self_scores) | set(knowledge_scores)):
        self_score = _mean(self_scores.get(skill_id, []))
        knowledge = _mean(knowledge_scores.get(skill_id, []))
        combined = combine(self_score, knowledge)
        if combined is None:
            continue
        results[skill_id] = SkillResult(
            skill_id=skill_id,
            self_score=self_score,
            knowledge_score=knowledge,
            combined_score=combined,
            self_count=len(self_scores.get(skill_id, [])),
            knowledge_count=len(knowledge_scores.get(skill_id, [])),
        )
    return results


def combine(self_score: float | None, knowledge_score: float | None) -> float | None:
    if self_score is not None and knowledge_score is not None:
        return SELF_WEIGHT * self_score + KNOWLEDGE_WEIGHT * knowledge_score
    return knowledge_score if knowledge_score is not None else self_score


def overall_score(
    combined_by_skill: Mapping[str, float], weights: Mapping[str, int]
) -> float | None:
    """Weighted mean over the skills that were scored; skills without a weight count as 1."""
    if not combined_by_skill:
        return None
    total_weight = sum(weights.get(s, 1) for s in combined_by_skill)
    return sum(score * weights.get(s, 1) for s, score in combined_by_skill.items()) / total_weight


def weakest(
    results: Iterable[SkillResult], limit: int = 3, below: float = 75.0
) -> list[SkillResult]:
    """The lowest-scoring skills under `below`, weakest first."""
    low = [r for r in results if r.combined_score < below]
    return sorted(low, key=lambda r: (r.combined_score, r.skill_id))[:limit]
