"""Knowledge-free strategies that read the wording of the options rather than their shape.

- **Lexicon**: a fixed list of "good manager" words (consult, check, data, agree, involve...),
  written as a test-wise person would write it, without looking at any key. Pick the option with
  the most of them.
- **Moves**: every scenario option is tagged with what it does (act, escalate, consult,
  investigate, hold). A person who recognises the kind of move picks, say, the consultative one
  or avoids the wait-and-see one; no kind of move may be keyed so often that this pays.
- **Models learned from wording**: a conditional logit over the options' words (each option's
  opening word also as a token of its own) and surface features, and a word list of smoothed
  log-odds (what a reviewer builds by counting the words of keys and distractors). Both are
  trained on the other skills' items and tested on the skill left out, so they measure cues
  that carry across the bank, as a person who had seen some of it would use them.

NumPy is enough: the logit is fitted by gradient descent (Adam) on an L2-penalised likelihood.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.catalogue.rules import words
from app.catalogue.schema import ChoiceItem, Move, Option
from app.catalogue.testwise import (
    FEATURES,
    WAYS,
    Credits,
    Entry,
    Strategy,
    chooser_credits,
    guess_credit,
    ranked_credit,
    top_k,
)

_GOOD_MANAGER = """
    agree align analys ask cause check coach collaborat communicat confirm consult data discuss
    engag evidence explain fact feedback first honest inform involv learn listen measur open plan
    review root share stakeholder support team test together transparen trial understand verif
    what why
"""
GOOD_MANAGER_WORDS = tuple(_GOOD_MANAGER.split())
"""Word beginnings a test-wise person expects in the 'good manager' answer (fixed in advance)."""

MIN_DOCUMENT_FREQUENCY = 3
"""A word enters a model's vocabulary when at least this many training options contain it."""
L2_PENALTY = 1.0
ITERATIONS = 400
LEARNING_RATE = 0.05


def lexicon_count(text: str) -> int:
    return sum(1 for w in words(text) if w.startswith(tuple(GOOD_MANAGER_WORDS)))


def _lexicon_single(way: str) -> Credits:
    def credits(entries: Sequence[Entry]) -> list[float]:
        return [
            ranked_credit(e.item, [lexicon_count(o.text) for o in e.item.options], way)
            for e in entries
        ]

    return credits


def _lexicon_measure(_item: ChoiceItem, _index: int, option: Option) -> float:
    return lexicon_count(option.text)


def lexicon_strategies() -> list[Strategy]:
    return [
        Strategy(
            "max:lexicon",
            "lexicon",
            "the option with most 'good manager' words",
            "single",
            _lexicon_single("max"),
        ),
        Strategy(
            "drop-min:lexicon",
            "lexicon",
            "a guess after ruling out the option with fewest 'good manager' words",
            "single",
            _lexicon_single("drop-min"),
        ),
        Strategy(
            "k-lexicon",
            "lexicon",
            "the k options with most 'good manager' words",
            "multiple",
            chooser_credits(top_k(_lexicon_measure)),
        ),
    ]


# --- moves ------------------------------------------------------------------------------------

_MOVE_GROUPS: dict[str, frozenset[Move]] = {
    **{m.value: frozenset({m}) for m in Move},
    "deliberative": frozenset(m for m in Move if m.deliberative),
    "decisive": frozenset({Move.ACT, Move.ESCALATE}),
}


def _move_credits(moves: frozenset[Move], avoid: bool) -> Credits:
    def credits(entries: Sequence[Entry]) -> list[float]:
        return [
            guess_credit(e.item, [o for o in e.item.options if (o.move in moves) != avoid])
            for e in entries
        ]

    return credits


def move_strategies() -> list[Strategy]:
    """Pick, or rule out, each kind of move (scenario items; untagged options never match)."""
    out = []
    for name, moves in _MOVE_GROUPS.items():
        out.append(
            Strategy(
                f"pick:{name}",
                "moves",
                f"a guess among the {name} options",
                "single",
                _move_credits(moves, avoid=False),
            )
        )
        out.append(
            Strategy(
                f"avoid:{name}",
                "moves",
                f"a guess after ruling out the {name} options",
                "single",
                _move_credits(moves, avoid=True),
            )
        )
    return out


# --- models learned from the wording ----------------------------------------------------------


OPENING = "^"
"""Marks an option's first word as a token of its own: an option that opens "Ask ..." or
"Have ..." hands the job to someone else, and a test-wise reader learns such openings apart
from the same word further in."""


def option_words(option: Option) -> frozenset[str]:
    found = words(option.text)
    opening = {OPENING + found[0]} if found else set()
    return frozenset(found) | opening


def vocabulary(entries: Sequence[Entry]) -> dict[str, int]:
    """Column of each word found in at least `MIN_DOCUMENT_FREQUENCY` options of `entries`."""
    counts = Counter(w for e in entries for o in e.item.options for w in option_words(o))
    kept = sorted(w for w, n in counts.items() if n >= MIN_DOCUMENT_FREQUENCY)
    return {w: i for i, w in enumerate(kept)}


def _surface(item: ChoiceItem) -> np.ndarray:
    """The surface features and the lexicon count of each option, and for each whether the
    option is the highest or the lowest on it (so the model can learn to avoid extremes, a
    habit no straight line in the raw values captures), centred within the item."""
    values = np.array(
        [
            [f.measure(item, i, o) for f in FEATURES] + [lexicon_count(o.text)]
            for i, o in enumerate(item.options)
        ],
        dtype=float,
    )
    highest = (values == values.max(axis=0)) & (values != values.min(axis=0))
    lowest = (values == values.min(axis=0)) & (values != values.max(axis=0))
    rows = np.hstack([values, highest, lowest]).astype(float)
    return rows - rows.mean(axis=0)


SURFACE_COLUMNS = 3 * (len(FEATURES) + 1)


@dataclass(frozen=True)
class Design:
    """Options of several items as one padded array: `x[item, option, feature]`."""

    x: np.ndarray
    mask: np.ndarray  # True where an option exists
    target: np.ndarray  # share of the credit each option carries (sums to 1 per item)


def design(entries: Sequence[Entry], vocab: dict[str, int], scale: np.ndarray | None) -> Design:
    width = max(len(e.item.options) for e in entries)
    x = np.zeros((len(entries), width, len(vocab) + SURFACE_COLUMNS))
    mask = np.zeros((len(entries), width), dtype=bool)
    target = np.zeros((len(entries), width))
    for n, e in enumerate(entries):
        count = len(e.item.options)
        mask[n, :count] = True
        keys = len(e.item.correct_ids)
        for m, option in enumerate(e.item.options):
            for w in option_words(option):
                if w in vocab:
                    x[n, m, vocab[w]] = 1.0
            target[n, m] = 1.0 / keys if option.correct else 0.0
        x[n, :count, len(vocab) :] = _surface(e.item)
    if scale is not None:
        x[:, :, len(vocab) :] /= scale
    return Design(x, mask, target)


def surface_scale(entries: Sequence[Entry]) -> np.ndarray:
    """Each surface feature's spread over the training options (1 where it never varies)."""
    rows = np.vstack([_surface(e.item) for e in entries])
    spread = rows.std(axis=0)
    return np.where(spread > 0, spread, 1.0)


def _probabilities(d: Design, weights: np.ndarray) -> np.ndarray:
    z = np.where(d.mask, d.x @ weights, -np.inf)
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def fit_logit(d: Design, penalty: float = L2_PENALTY) -> np.ndarray:
    """Weights of a conditional logit (one choice among each item's options), by Adam."""
    weights = np.zeros(d.x.shape[2])
    first = np.zeros_like(weights)
    second = np.zeros_like(weights)
    beta1, beta2 = 0.9, 0.999
    for step in range(1, ITERATIONS + 1):
        residual = d.target - _probabilities(d, weights)
        gradient = penalty * weights - np.einsum("nmf,nm->f", d.x, residual)
        first = beta1 * first + (1 - beta1) * gradient
        second = beta2 * second + (1 - beta2) * gradient**2
        corrected = first / (1 - beta1**step)
        weights -= LEARNING_RATE * corrected / (np.sqrt(second / (1 - beta2**step)) + 1e-8)
    return weights


def _logit_scores(train: Sequence[Entry], test: Sequence[Entry]) -> list[np.ndarray]:
    vocab = vocabulary(train)
    scale = surface_scale(train)
    weights = fit_logit(design(train, vocab, scale))
    held_out = design(test, vocab, scale)
    z = held_out.x @ weights
    return [z[n, : len(e.item.options)] for n, e in enumerate(test)]


def word_odds(train: Sequence[Entry]) -> dict[str, float]:
    """Smoothed log-odds that an option holding the word is a key rather than a distractor."""
    vocab = vocabulary(train)
    in_keys: Counter[str] = Counter()
    in_distractors: Counter[str] = Counter()
    keys = distractors = 0
    for e in train:
        for o in e.item.options:
            found = [w for w in option_words(o) if w in vocab]
            if o.correct:
                keys += 1
                in_keys.update(found)
            else:
                distractors += 1
                in_distractors.update(found)
    return {
        w: float(
            np.log((in_keys[w] + 0.5) / (keys + 1))
            - np.log((in_distractors[w] + 0.5) / (distractors + 1))
        )
        for w in vocab
    }


def _odds_scores(train: Sequence[Entry], test: Sequence[Entry]) -> list[list[float]]:
    odds = word_odds(train)
    return [[sum(odds.get(w, 0.0) for w in option_words(o)) for o in e.item.options] for e in test]


Scorer = Callable[[Sequence[Entry], Sequence[Entry]], Sequence[Sequence[float]]]
"""Trained on the first entries, a score for each option of each of the second entries."""


def leave_one_skill_out(scorer: Scorer) -> Callable[[Sequence[Entry]], list[list[float]]]:
    """Each entry's option scores from a model trained on every other skill's items. The
    result is kept for the last group scored, so the seven ways of reading one model cost one
    round of training."""
    last: list[tuple[tuple[Entry, ...], list[list[float]]]] = []

    def scores(entries: Sequence[Entry]) -> list[list[float]]:
        if last and len(last[0][0]) == len(entries):
            seen, found = last[0]
            if all(a is b for a, b in zip(seen, entries, strict=True)):
                return found
        out: list[list[float]] = [[] for _ in entries]
        for skill in sorted({e.skill_id for e in entries}):
            test_index = [i for i, e in enumerate(entries) if e.skill_id == skill]
            train = [e for e in entries if e.skill_id != skill]
            test = [entries[i] for i in test_index]
            found = scorer(train, test) if train else [[0.0] * len(e.item.options) for e in test]
            for i, option_scores in zip(test_index, found, strict=True):
                out[i] = [round(float(v), 9) for v in option_scores]
        last[:] = [(tuple(entries), out)]
        return out

    return scores


def _read(scores: Callable[[Sequence[Entry]], list[list[float]]], way: str) -> Credits:
    def credits(entries: Sequence[Entry]) -> list[float]:
        return [
            ranked_credit(e.item, values, way)
            for e, values in zip(entries, scores(entries), strict=True)
        ]

    return credits


_MODELS = (
    ("logit", "a conditional logit on the options' words and surface features", _logit_scores),
    ("word-odds", "a word list of smoothed log-odds of marking a key", _odds_scores),
)


def model_strategies() -> list[Strategy]:
    """Each model, trained on the other skills, read the seven ways of the surface features: a
    bank balanced word by word can make a model point away from keys, and a reviewer who
    noticed would pick the option it likes least."""
    out = []
    for name, description, scorer in _MODELS:
        scores = leave_one_skill_out(scorer)
        for way, label in WAYS.items():
            prefix = "" if way == "max" else f"{way}:"
            out.append(
                Strategy(
                    f"model:{prefix}{name}",
                    "model",
                    f"{label} support from {description}, trained on the other skills",
                    "single",
                    _read(scores, way),
                )
            )
    return out


@dataclass(frozen=True)
class Cue:
    """A word, how many keys and distractors hold it, and its smoothed log-odds of marking a key."""

    word: str
    in_keys: int
    in_distractors: int
    log_odds: float


def cues(entries: Sequence[Entry], limit: int = 15) -> tuple[list[Cue], list[Cue]]:
    """The words that most mark keys and most mark distractors over `entries` (for authors)."""
    odds = word_odds(entries)
    counts = {True: Counter(), False: Counter()}
    for e in entries:
        for o in e.item.options:
            counts[o.correct].update(w for w in option_words(o) if w in odds)
    ranked = [Cue(w, counts[True][w], counts[False][w], v) for w, v in odds.items()]
    ranked.sort(key=lambda c: (-c.log_odds, c.word))
    return ranked[:limit], ranked[::-1][:limit]
