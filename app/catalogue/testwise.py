"""Knowledge-free answering strategies built on surface features of the options.

Every surface feature of an option (its length, its echo of the stem, its likeness to the other
options, hedges, position...) gives seven single-choice strategies (`WAYS`): pick the option
highest on it or the lowest, rule out the highest, the lowest or both and guess among the rest,
or pick the second highest or second lowest. Ties share the credit, as a guess among them
would. Multiple-select strategies pick a set (everything, everything without sweeping words,
the k options highest on a feature, k being the count the stem asks for) and are scored by the
real scoring rule.

A strategy gives each item the credit (0..1) that a person following it expects; the audit
(`app/catalogue/audit.py`) averages them per kind of item and holds them to their limits.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.catalogue.credit import choice_score
from app.catalogue.rules import ABSOLUTE_WORDS, content_words, words
from app.catalogue.schema import ChoiceItem, Option

_HEDGES = """
    usually often may might can generally typically likely some sometimes mostly normally
    where when if unless depending
"""
HEDGES = frozenset(_HEDGES.split())
_QUALIFIERS = "before after first then while unless without once until so"
QUALIFIERS = frozenset(_QUALIFIERS.split())


@dataclass(frozen=True)
class Entry:
    """A choice item in the audit, with the skill it assesses (models learn across skills)."""

    skill_id: str
    item: ChoiceItem


Credits = Callable[[Sequence[Entry]], list[float]]
"""Expected credit (0..1) of following a strategy on each entry, in order. It takes the whole
group so that a strategy may learn from the other skills' items."""


@dataclass(frozen=True)
class Strategy:
    name: str
    family: str
    description: str
    select: str  # the items it answers: "single" or "multiple"
    credits: Credits


Measure = Callable[[ChoiceItem, int, Option], float]
"""A surface feature of option number `index` of an item."""


@dataclass(frozen=True)
class Feature:
    name: str
    description: str
    measure: Measure


def guess_credit(item: ChoiceItem, chosen: Sequence[Option]) -> float:
    """Expected credit of a guess among `chosen` (among every option when it is empty)."""
    chosen = list(chosen) or list(item.options)
    return sum(1 for o in chosen if o.correct) / len(chosen)


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
    own = _first_number(option.text)
    if own is None or any(v is None for v in values):
        return 0.0
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
    "middle": "a guess after ruling out the options with the most and the fewest",
    "second": "the option with the second most",
    "second-min": "the option with the second fewest",
}
"""Each feature gives these strategies, e.g. 'max:length' or 'middle:length'. The last three
are the test-wise habit of avoiding extremes: writers who learn not to key the longest option
tend to key the second longest."""


def ranked_credit(item: ChoiceItem, values: Sequence[float], way: str) -> float:
    """Expected credit of using one value per option in one of the `WAYS`."""
    levels = sorted(set(values))
    pairs = list(zip(item.options, values, strict=True))
    high, low = levels[-1], levels[0]
    second = levels[-2] if len(levels) > 1 else high
    second_min = levels[1] if len(levels) > 1 else low
    chosen = {
        "max": [o for o, v in pairs if v == high],
        "min": [o for o, v in pairs if v == low],
        "drop-min": [o for o, v in pairs if v != low],
        "drop-max": [o for o, v in pairs if v != high],
        "middle": [o for o, v in pairs if low < v < high],
        "second": [o for o, v in pairs if v == second],
        "second-min": [o for o, v in pairs if v == second_min],
    }[way]
    return guess_credit(item, chosen)


def _single(feature: Feature, way: str) -> Credits:
    def credits(entries: Sequence[Entry]) -> list[float]:
        return [
            ranked_credit(
                e.item,
                [feature.measure(e.item, i, o) for i, o in enumerate(e.item.options)],
                way,
            )
            for e in entries
        ]

    return credits


def stated_count(item: ChoiceItem) -> int:
    """How many options a multiple-select stem asks for (falls back to the number correct)."""
    return item.choose_count or len(item.correct_ids)


Chooser = Callable[[ChoiceItem], frozenset[str]]


def top_k(measure: Measure, sign: int = 1) -> Chooser:
    """Choose the stated number of options highest (or, with sign -1, lowest) on `measure`."""

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


def chooser_credits(choose: Chooser) -> Credits:
    """A multiple-select strategy's credits under the real scoring rule."""

    def credits(entries: Sequence[Entry]) -> list[float]:
        return [choice_score(choose(e.item), e.item.correct_ids, "multiple") / 100 for e in entries]

    return credits


MULTIPLE_CHOOSERS: tuple[tuple[str, str, Chooser], ...] = (
    ("choose-all", "every option", _everything),
    ("all-plausible", "every option without sweeping words", _everything_plausible),
    ("k-longest", "the k longest options", top_k(_length)),
    ("k-shortest", "the k shortest options", top_k(_length, -1)),
    ("k-stem-overlap", "the k options sharing most words with the stem", top_k(_stem_overlap)),
    ("k-convergence", "the k options most like the others", top_k(_convergence)),
    ("k-divergence", "the k options least like the others", top_k(_convergence, -1)),
    ("k-clauses", "the k options with most clauses", top_k(_clauses)),
    ("k-hedged", "the k options with most hedges", top_k(_hedges)),
)


def chance_credit(item: ChoiceItem) -> float:
    """Expected credit (0..1) of a blind guess: one option, or the stated number at random."""
    if item.select == "single":
        return 1 / len(item.options)
    combos = itertools.combinations([o.id for o in item.options], stated_count(item))
    return statistics.fmean(
        choice_score(frozenset(c), item.correct_ids, "multiple") / 100 for c in combos
    )


def surface_strategies() -> list[Strategy]:
    """Four ways of using each surface feature on single-choice items, and the multiple-select
    choosers."""
    single = [
        Strategy(
            f"{way}:{feature.name}",
            "surface",
            f"{label} {feature.description}",
            "single",
            _single(feature, way),
        )
        for feature in FEATURES
        for way, label in WAYS.items()
    ]
    multiple = [
        Strategy(name, "surface", description, "multiple", chooser_credits(choose))
        for name, description, choose in MULTIPLE_CHOOSERS
    ]
    return single + multiple
