"""A skill's current estimate from all of a user's answers, with its precision (pure functions).

The model (explained for users in docs/scoring.md) is a Bayesian Rasch model, the one-parameter
logistic model of item response theory:

- Each user has one ability theta per skill; the prior is normal, mean 0, sd `PRIOR_SD`.
- A knowledge or scenario answer is correct with probability 1 / (1 + exp(-(theta - b))), where
  the item's difficulty b comes from the bank's stated level (1 -> -1, 2 -> 0, 3 -> +1 logits).
  Partial credit on a multiple-select item counts as that share of a correct answer.
- A self-rating r on the 1-5 scale counts as r - 1 successes out of 4 trials at b = 0 (the
  binomial rating-scale model), at half weight: self-assessment is weaker evidence than a right
  answer, and a straight-lined attempt (the same level for every self-rating) weaker still.
- Every answer is weighted by recency (half-life `HALF_LIFE_DAYS`), and a knowledge or scenario
  item seen again counts `REPEAT_FACTOR` as much as the time before, since a repeat shortly
  after reading the explanation shows memory as much as skill.
- The posterior is computed exactly on a grid of theta values. The estimate is its mean on the
  0-100 scale 100 / (1 + exp(-theta)): the share of manager-level questions the user would be
  expected to answer correctly. The band is its 10th to 90th percentile, an 80 % interval.

girth and catsim estimate abilities from unweighted right/wrong answers only; this model needs
recency and repeat weights and partial credit, so the posterior is computed here with NumPy.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

PRIOR_SD = 1.5
HALF_LIFE_DAYS = 365.0
REPEAT_FACTOR = 0.25
SELF_RATING_WEIGHT = 0.5
STRAIGHT_LINE_WEIGHT = 0.25
"""Further factor on the self-ratings of a straight-lined attempt."""
STRAIGHT_LINE_MIN = 3
"""An attempt is straight-lined when at least this many self-ratings all give one level: a skill
quiz asks three, each about a different habit, so three equal levels there count too."""
SELF_RATING_TRIALS = 4
BAND = (0.10, 0.90)
DIFFICULTY_LOGIT = {1: -1.0, 2: 0.0, 3: 1.0}
"""Stated difficulty level -> Rasch difficulty in logits; items without a level count as 2."""

THETA = np.linspace(-6.0, 6.0, 241)
SCORE = 100.0 / (1.0 + np.exp(-THETA))
LOG_PRIOR = -0.5 * (THETA / PRIOR_SD) ** 2


@dataclass(frozen=True)
class AnswerRecord:
    """One submitted answer, as the estimate needs it."""

    skill_id: str
    item_id: str
    attempt_id: int
    submitted_at: datetime
    self_rating: bool
    credit: float | None  # 0..1: share correct, or (rating - 1) / 4; None if skipped
    difficulty: int | None = None


@dataclass(frozen=True)
class Evidence:
    """One answer as the model uses it: `successes` out of `trials` at difficulty `b`."""

    successes: float
    trials: int
    b: float
    weight: float


@dataclass(frozen=True)
class Estimate:
    score: float
    low: float
    high: float
    answers: int

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass(frozen=True)
class CurrentEstimate:
    """A stored estimate and the day it was last updated."""

    estimate: Estimate
    updated_on: date

    @property
    def text(self) -> str:
        return band_text(self.estimate)


def straight_lined(ratings: Iterable[int]) -> bool:
    """True when at least `STRAIGHT_LINE_MIN` self-ratings all give the same level."""
    ratings = list(ratings)
    return len(ratings) >= STRAIGHT_LINE_MIN and len(set(ratings)) == 1


def recency_weight(submitted_at: datetime, now: datetime) -> float:
    age_days = max(0.0, (now - submitted_at).total_seconds() / 86400)
    return 0.5 ** (age_days / HALF_LIFE_DAYS)


def evidence(records: Iterable[AnswerRecord], now: datetime) -> dict[str, list[Evidence]]:
    """Each skill's answers turned into weighted evidence (skipped self-ratings are left out;
    a skipped knowledge or scenario item counts as wrong, as in an attempt's score)."""
    records = sorted(records, key=lambda r: (r.attempt_id, r.item_id))
    ratings_by_attempt: dict[int, list[int]] = defaultdict(list)
    for r in records:
        if r.self_rating and r.credit is not None:
            ratings_by_attempt[r.attempt_id].append(round(r.credit * 4))
    lined = {a for a, ratings in ratings_by_attempt.items() if straight_lined(ratings)}
    sightings: dict[str, int] = defaultdict(int)
    out: dict[str, list[Evidence]] = defaultdict(list)
    for r in records:
        weight = recency_weight(r.submitted_at, now)
        if r.self_rating:
            if r.credit is None:
                continue
            weight *= SELF_RATING_WEIGHT * (STRAIGHT_LINE_WEIGHT if r.attempt_id in lined else 1)
            out[r.skill_id].append(
                Evidence(r.credit * SELF_RATING_TRIALS, SELF_RATING_TRIALS, 0.0, weight)
            )
        else:
            weight *= REPEAT_FACTOR ** sightings[r.item_id]
            sightings[r.item_id] += 1
            b = DIFFICULTY_LOGIT.get(r.difficulty or 2, 0.0)
            out[r.skill_id].append(Evidence(r.credit or 0.0, 1, b, weight))
    return dict(out)


def estimate(items: list[Evidence]) -> Estimate | None:
    """Posterior mean and 80 % interval on the 0-100 scale, or None without any evidence."""
    if not items:
        return None
    k = np.array([e.successes for e in items])
    n = np.array([e.trials for e in items])
    b = np.array([e.b for e in items])
    w = np.array([e.weight for e in items])
    logit = THETA[None, :] - b[:, None]
    # log p = -log(1 + e^-x), log (1 - p) = -log(1 + e^x), computed stably
    log_p = -np.logaddexp(0.0, -logit)
    log_q = -np.logaddexp(0.0, logit)
    log_post = LOG_PRIOR + (w[:, None] * (k[:, None] * log_p + (n - k)[:, None] * log_q)).sum(0)
    post = np.exp(log_post - log_post.max())
    post /= post.sum()
    cdf = np.cumsum(post)
    low, high = (float(np.interp(q, cdf, SCORE)) for q in BAND)
    return Estimate(score=float((post * SCORE).sum()), low=low, high=high, answers=len(items))


def estimates(records: Iterable[AnswerRecord], now: datetime) -> Mapping[str, Estimate]:
    """Every skill's estimate from the user's answers to it."""
    result = {}
    for skill_id, items in evidence(records, now).items():
        found = estimate(items)
        if found is not None:
            result[skill_id] = found
    return result


def band_text(e: Estimate) -> str:
    """ "62, likely between 51 and 72, from 14 answers" """
    answers = f"{e.answers} answer" + ("" if e.answers == 1 else "s")
    return (
        f"{round(e.score)}, likely between {math.floor(e.low)} and {math.ceil(e.high)}, "
        f"from {answers}"
    )
