"""How an answer to a knowledge or scenario item earns credit: the rule the bank is written for.

It lives with the catalogue because the item-writing rules and the bank's audit depend on it
(a multiple-select item needs enough wrong options that choosing everything never pays), and
the scoring services apply the same rule to stored answers.
"""

from __future__ import annotations


def choice_score(chosen: frozenset[str], correct: frozenset[str], select: str) -> float:
    """Credit for one knowledge or scenario answer, 0..100; an empty choice scores 0.

    Single choice: 100 for the correct option, else 0. Multiple select: (correct picks - wrong
    picks) / number of correct options, floored at 0.
    """
    if not correct:
        raise ValueError("an item needs at least one correct option")
    if select == "single":
        return 100.0 if chosen == correct else 0.0
    hits = len(chosen & correct)
    misses = len(chosen - correct)
    return max(0.0, (hits - misses) / len(correct)) * 100
