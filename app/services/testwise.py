"""Knowledge-free answering strategies: how far a test-wise person gets without the skill.

Every surface feature of an option (its length, its echo of the stem, its likeness to the other
options, hedges, position...) gives four single-choice strategies: pick the option highest on it,
pick the lowest, or rule out the highest or the lowest and guess among the rest. Ties share the
credit, as a guess among them would. Multiple-select strategies pick a set (everything,
everything without sweeping words, the k options highest on a feature, k being the count the
stem asks for) and are scored by the real scoring rule. A sound bank keeps every single-choice
strategy within `SINGLE_MARGIN` points of chance and every multiple-select one under
`MULTIPLE_LIMIT`.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.catalogue.rules import ABSOLUTE_WORDS, content_words, words
from app.catalogue.schema import ChoiceItem, Option
from app.services.scoring import choice_score

SINGLE_MARGIN = 10.0
"""Points above chance that any single-choice strategy may reach."""
MULTIPLE_LIMIT = 60.0
"""Score that any multiple-select strategy may reach."""

_HEDGES = """
    usually often may might can generally typically likely some sometimes mostly normally
    where when if unless depending
"""
HEDGES = frozenset(_HEDGES.split())
_QUALIFIERS = "before after first then while unless without once until so"
QUALIFIERS = frozenset(_QUALIFIERS.split())

Measure = Callable[[ChoiceItem, int, Option], float]
"""A surface feature of option number `index` of an item."""


@dataclass(frozen=True)
class Feature:
    name: str
    description: str
    measure: Measure


@dataclass(frozen=True)
class StrategyResult:
    name: str
    description: str
    kind: str  # "single" or "multiple"
    items: int
    score: float
    chance: float
    limit: float

    @property
    def passed(self) -> bool:
        return self.score <= self.limit


def _length(_item: ChoiceItem, _index: int, option: Option) -> float:
    return len(option.text)


def _word_count(_item: ChoiceItem, _index: int, option: Option) -> float:
    return len(words(option.text))


def _stem_overlap(item: ChoiceItem, _index: int, option: Option) -> float:
    return len(content_words(item.prompt) & content_words(option.text))


def _clauses(_item: ChoiceItem, _index: int, option: Option) -> float:
    text = option.text
    return text.count(",") + text.count(";") + len(re.findall(r"\b(and|or|but)\b", text))


def _convergence(item: ChoiceItem, index: int, option: Option) -> float:
    """Words shared with the other options: keys are often the 'centre' distractors vary."""
    own = content_words(option.text)
    return sum(
        len(own & content_words(other.text)) for i, other in enumerate(item.options) if i != index
    )


def _hedges(_item: ChoiceItem, _index: int, option: Option) -> float:
    return len(HEDGES & set(words(option.text)))


def _qualifiers(_item: ChoiceItem, _index: int, option: Option) -> float:
    return len(QUALIFIERS & set(words(option.text)))


def _absolutes(_item: ChoiceItem, _index: int, option: Option) -> float:
    return len(ABSOLUTE_WORDS & set(words(option.text)))


def _long_words(_item: ChoiceItem, _index: int, option: Option) -> float:
    return sum(1 for w in words(option.text) if len(w) >= 9)


def _position(_item: ChoiceItem, index: int, _option: Option) -> float:
    return index


def _standout(item: ChoiceItem, _index: int, option: Option) -> float:
    """Distance from the options' mean length: the one that looks different."""
    mean = statistics.fmean(len(o.text) for o in item.options)
    return abs(len(option.text) - mean)


_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def _first_number(text: str) -> float | None:
    match = _NUMBER.search(text)
    return float(match.group(0).replace(",", "")) if match else None


def _middle_number(item: ChoiceItem, _index: int, option: Option) -> float:
    """Numeric options: closeness to the median value (guessers avoid the extremes)."""
    values = [_first_number(o.text) for o in item.options]
    if any(v is None for v in values):
        return 0.0
    own = _first_number(option.text)
    assert own is not None
    return -abs(own - statistics.median(v for v in values if v is not None))


FEATURES: tuple[Feature, ...] = (
    Feature("length", "characters", _length),
    Feature("words", "words", _word_count),
    Feature("stem-overlap", "words shared with the stem", _stem_overlap),
    Feature("clauses", "commas and conjunctions", _clauses),
    Feature("convergence", "words shared with the other options", _convergence),
    Feature("hedges", "hedges such as 'usually' or 'when'", _hedges),
    Feature("qualifiers", "qualifiers such as 'before' or 'unless'", _qualifiers),
    Feature("absolutes", "sweeping words such as 'always' or 'only'", _absolutes),
    Feature("technical", "long, technical words", _long_words),
    Feature("position", "lateness in the list as written", _position),
    Feature("standout", "distance from the options' mean length", _standout),
    Feature("middle-number", "closeness to the median of numeric options", _middle_number),
)

WAYS = {
    "max": "the option with the most",
    "min": "the option with the fewest",
    "drop-min": "a guess after ruling out the option with the fewest",
    "drop-max": "a guess after ruling out the option with the most",
}
"""Each feature gives these four strategies, e.g. 'max:length' or 'drop-min:length'."""


def _single_credits(item: ChoiceItem, measure: Measure) -> dict[str, float]:
    """Expected credit (0..1) of each way of using one feature on one item."""
    pairs = [(o, measure(item, i, o)) for i, o in enumerate(item.options)]
    high = max(v for _, v in pairs)
    low = min(v for _, v in pairs)

    def credit(chosen: list[Option]) -> float:
        chosen = chosen or list(item.options)
        return sum(1 for o in chosen if o.correct) / len(chosen)

    return {
        "max": credit([o for o, v in pairs if v == high]),
        "min": credit([o for o, v in pairs if v == low]),
        "drop-min": credit([o for o, v in pairs if v != low]),
        "drop-max": credit([o for o, v in pairs if v != high]),
    }


def stated_count(item: ChoiceItem) -> int:
    """How many options a multiple-select stem asks for (falls back to the number correct)."""
    return item.choose_count or len(item.correct_ids)


Chooser = Callable[[ChoiceItem], frozenset[str]]


def _top_k(measure: Measure, sign: int = 1) -> Chooser:
    def choose(item: ChoiceItem) -> frozenset[str]:
        ranked = sorted(
            enumerate(item.options), key=lambda pair: (-sign * measure(item, *pair), pair[0])
        )
        return frozenset(o.id for _, o in ranked[: stated_count(item)])

    return choose


def _everything(item: ChoiceItem) -> frozenset[str]:
    return frozenset(o.id for o in item.options)


def _everything_plausible(item: ChoiceItem) -> frozenset[str]:
    return frozenset(o.id for o in item.options if not ABSOLUTE_WORDS & set(words(o.text)))


MULTIPLE_STRATEGIES: tuple[tuple[str, str, Chooser], ...] = (
    ("choose-all", "every option", _everything),
    ("all-plausible", "every option without sweeping words", _everything_plausible),
    ("k-longest", "the k longest options", _top_k(_length)),
    ("k-shortest", "the k shortest options", _top_k(_length, -1)),
    ("k-stem-overlap", "the k options sharing most words with the stem", _top_k(_stem_overlap)),
    ("k-convergence", "the k options most like the others", _top_k(_convergence)),
    ("k-divergence", "the k options least like the others", _top_k(_convergence, -1)),
    ("k-clauses", "the k options with most clauses", _top_k(_clauses)),
    ("k-hedged", "the k options with most hedges", _top_k(_hedges)),
)


def _random_k_credit(item: ChoiceItem) -> float:
    """Expected score (0-100) of choosing the stated number of options at random."""
    combos = itertools.combinations([o.id for o in item.options], stated_count(item))
    return statistics.fmean(
        choice_score(frozenset(c), item.correct_ids, "multiple") for c in combos
    )


def audit(items: Iterable[ChoiceItem]) -> list[StrategyResult]:
    """Every strategy's mean score (0-100) over the bank's single- and multiple-select items."""
    items = list(items)
    single = [i for i in items if i.select == "single"]
    multiple = [i for i in items if i.select == "multiple"]
    results = []
    if single:
        chance = 100 * statistics.fmean(1 / len(i.options) for i in single)
        for feature in FEATURES:
            credits = [_single_credits(i, feature.measure) for i in single]
            for way, label in WAYS.items():
                results.append(
                    StrategyResult(
                        name=f"{way}:{feature.name}",
                        description=f"{label} {feature.description}",
                        kind="single",
                        items=len(single),
                        score=100 * statistics.fmean(c[way] for c in credits),
                        chance=chance,
                        limit=chance + SINGLE_MARGIN,
                    )
                )
    if multiple:
        chance = statistics.fmean(_random_k_credit(i) for i in multiple)
        for name, description, choose in MULTIPLE_STRATEGIES:
            score = statistics.fmean(
                choice_score(choose(i), i.correct_ids, "multiple") for i in multiple
            )
            results.append(
                StrategyResult(
                    name, description, "multiple", len(multiple), score, chance, MULTIPLE_LIMIT
                )
            )
    return results


def format_table(results: Sequence[StrategyResult]) -> list[str]:
    """Lines of a plain-text table for the CLI."""
    lines = [f"{'strategy':<26} {'kind':<8} {'items':>5} {'score':>6} {'chance':>6} {'limit':>6}"]
    for r in results:
        flag = "" if r.passed else "  FAIL"
        lines.append(
            f"{r.name:<26} {r.kind:<8} {r.items:>5} {r.score:>6.1f} {r.chance:>6.1f} "
            f"{r.limit:>6.1f}{flag}"
        )
    return lines
