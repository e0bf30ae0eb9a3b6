"""Proof by simulation: people of known ability answer through the real services, and the
estimates recover their abilities with honest bands, while memorising retakes barely pays.

Response model (the same Rasch model the estimate assumes, stated here so it can be checked):
- each simulated person has a true ability theta per skill, drawn from a normal distribution
  with mean 0 and sd 1.5; their true score is 100 / (1 + exp(-theta));
- a knowledge or scenario item of stated level 1, 2 or 3 is answered right with probability
  1 / (1 + exp(-(theta - b))), b = -1, 0, +1; right means choosing exactly the keyed options,
  wrong means choosing a distractor (on a multiple-select item, one key and one distractor);
- a self-rating is 1 + the number of successes in 4 trials with probability 1/(1+exp(-theta));
- a memorising person answers every item they have seen before right, and the rest as above.
Every person takes the Production Manager full assessment and then one quiz per skill; the
memorisers then take one skill quiz three more times.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from app.catalogue import catalogue
from app.extensions import db
from app.models import User
from app.services import attempts, skill_estimates
from app.services.attempts import Question
from app.services.estimates import DIFFICULTY_LOGIT
from app.services.quizzes import find_quiz

ROLE = "production-manager"
PEOPLE = 40
ABILITY_SD = 1.5
RETAKEN_SKILL = "quality-control"


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@dataclass
class Person:
    user_id: int
    theta: dict[str, float]
    memorises: bool = False
    seen: set[str] | None = None

    def truth(self, skill_id: str) -> float:
        return 100 * sigmoid(self.theta[skill_id])


def respond(person: Person, q: Question, rng: random.Random) -> list[str]:
    theta = person.theta[q.skill_id]
    if q.is_self_rating:
        return [str(1 + sum(rng.random() < sigmoid(theta) for _ in range(4)))]
    keys = sorted(q.correct())
    distractors = [o.id for o in q.item.options if not o.correct]
    knows = rng.random() < sigmoid(theta - DIFFICULTY_LOGIT[q.item.difficulty])
    if person.memorises and person.seen is not None and q.item.id in person.seen:
        knows = True
    if knows:
        return keys
    wrong = rng.choice(distractors)
    return sorted({keys[0], wrong}) if q.multiple else [wrong]


def take(person: Person, quiz_key: str, rng: random.Random) -> None:
    cat = catalogue()
    quiz = find_quiz(cat, quiz_key, ROLE)
    attempt = attempts.start_attempt(person.user_id, quiz, cat, rng)
    _, questions = attempts.load_attempt(person.user_id, attempt.id)
    for q in questions:
        attempts.save_answer(person.user_id, attempt.id, q.position, respond(person, q, rng))
        if person.seen is not None:
            person.seen.add(q.item.id)
    assert attempts.submit_attempt(person.user_id, attempt.id, cat)


def spearman(a: list[float], b: list[float]) -> float:
    ranks_a = np.argsort(np.argsort(a))
    ranks_b = np.argsort(np.argsort(b))
    return float(np.corrcoef(ranks_a, ranks_b)[0, 1])


def simulate(rng: random.Random) -> tuple[list[Person], list[str]]:
    """PEOPLE people with the full assessment and one quiz per skill done (in an app context)."""
    cat = catalogue()
    skills = [rs.skill for rs in cat.roles[ROLE].skills.items]
    db.session.execute(
        sa.insert(User),
        [
            {"email": f"sim{i}@example.com", "display_name": f"Sim {i}", "password_hash": "-"}
            for i in range(PEOPLE)
        ],
    )
    db.session.commit()
    ids = db.session.scalars(sa.select(User.id).order_by(User.id)).all()
    people = [Person(uid, {s: rng.gauss(0, ABILITY_SD) for s in skills}, seen=set()) for uid in ids]
    for person in people:
        take(person, f"full.{ROLE}", rng)
        for skill_id in skills:
            take(person, f"skill.{skill_id}", rng)
    return people, skills


def test_simulated_people_are_measured_honestly(app):
    """One test, so the simulation (the slow part) runs once per database."""
    rng = random.Random(20261125)
    with app.app_context():
        people, skills = simulate(rng)
        current = {p.user_id: skill_estimates.current(p.user_id) for p in people}

    # The estimates rank people like their true abilities, skill by skill.
    covered = 0
    for skill_id in skills:
        truth = [p.truth(skill_id) for p in people]
        found = [current[p.user_id][skill_id].estimate for p in people]
        assert all(e.answers == 4 + 9 for e in found)  # full assessment plus one quiz
        rho = spearman(truth, [e.score for e in found])
        assert rho >= 0.8, (skill_id, rho)
        covered += sum(e.low <= t <= e.high for e, t in zip(found, truth, strict=True))

    # The stated 80 % bands hold the truth about 80 % of the time.
    coverage = covered / (len(people) * len(skills))
    assert 0.70 <= coverage <= 0.90, coverage

    # Retaking one quiz three times, answering seen items from memory, gains little over the
    # same person who did not retake it.
    before = [current[p.user_id][RETAKEN_SKILL].estimate for p in people]
    with app.app_context():
        for person in people:
            person.memorises = True
            for _ in range(3):
                take(person, f"skill.{RETAKEN_SKILL}", rng)
        after = [skill_estimates.current(p.user_id)[RETAKEN_SKILL].estimate for p in people]
    assert all(a.answers == b.answers + 27 for a, b in zip(after, before, strict=True))
    gains = [a.score - b.score for a, b in zip(after, before, strict=True)]
    assert sum(gains) / len(gains) <= 10, gains
