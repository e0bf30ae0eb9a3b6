"""Item-writing rules the loader enforces on the question bank.

The rules follow the item-writing guidelines reviewed by Haladyna, Downing and Rodriguez (2002):
options alike in length and form, no cue that gives the answer away, one complete question per
stem, no "all/none of the above", and a bank large enough that a retake can show fresh items.
Each check returns problems as `path.inside.file: message`; the loader adds the file name.
Only what a machine can check is here; `docs/question-bank.md` has the rest for reviewers.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.catalogue.schema import CHOOSE, CHOOSE_WORDS, ChoiceItem, Move, SelfRatingItem, Source

# --- bank size --------------------------------------------------------------------------------

MIN_SELF_RATINGS = 5
MIN_KNOWLEDGE = 8
MIN_SCENARIOS = 8
MIN_CHOICE_ITEMS = 16
"""Knowledge plus scenario items per skill: enough for three quizzes without a repeat."""
MIN_DIFFICULTY_LEVELS = 2

# --- options ----------------------------------------------------------------------------------

KEY_LENGTH_MARGIN = 1.25
"""The correct option may be the longest, but not by this factor over the longest distractor."""
MAX_LENGTH_SPREAD = 2.2
"""Longest option over shortest option, in characters, within one item."""
SHORT_OPTION_FLOOR = 20
"""Options shorter than this count as this long for the spread (numbers, short terms)."""
MIN_SINGLE_OPTIONS, MAX_SINGLE_OPTIONS = 3, 5
MIN_MULTIPLE_WRONG = 2
"""A multiple-select item has at least this many wrong options, so choosing all never pays."""
KEY_STEM_ECHO = 2
"""The key may not share this many more of the stem's words than the best distractor."""
MIN_SCENARIO_MOVES = 3
"""Kinds of move (act, escalate, consult, investigate, hold) among a scenario's options."""
MAX_DELIBERATIVE_KEYS = 0.5
"""Share of a skill's scenario keys that may be the consult or investigate option."""
MIN_SCENARIO_EXPLANATION = 120
"""A scenario's explanation says why the key is best and what is wrong with the runner-up."""

_ABSOLUTE = """
    always never only all every none nothing everything everyone nobody completely entirely
    totally guaranteed guarantee certainly must impossible
"""
ABSOLUTE_WORDS = frozenset(_ABSOLUTE.split())
"""Words that mark an option as too sweeping to be right (test-wise people know it)."""
NEGATIVE_WORDS = frozenset({"not", "never", "except", "least", "cannot"})
_ABOVE = re.compile(
    r"\b(all|none|both|neither) of (the )?(above|these|those|options|answers)\b"
    r"|^\(?[a-h]\)? (and|or) \(?[a-h]\)?\.?$",
    re.IGNORECASE,
)
_BOLD = re.compile(r"\*\*[^*]+\*\*")
_WORD = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?")

_STOPWORDS = """
    a an the and or but of to in on at for with by from as is are was were be been being it its
    this that these those you your yours we our they their them he she his her i me my what
    which who whom whose when where why how do does did done has have had can could should
    would will shall may might than then so if into about over under up down out more most less
    least very just also there here any some each other such no one two three four first
"""
STOPWORDS = frozenset(_STOPWORDS.split())


def words(text: str) -> list[str]:
    """Lower-case words of a text, apostrophes kept inside a word."""
    return _WORD.findall(text.lower())


def content_sequence(text: str) -> list[str]:
    """Words that carry meaning, in order: no stop words, possessives and plurals folded so
    'costs' meets 'cost'."""
    return [_fold(w) for w in words(text) if w not in STOPWORDS and len(w) >= 3]


def _fold(word: str) -> str:
    """'yesterday's' -> 'yesterday', 'costs' -> 'cost' (not 'process' or 'gas')."""
    word = re.sub("['\u2019]s$", "", word)
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def content_words(text: str) -> set[str]:
    return set(content_sequence(text))


def phrases(text: str) -> set[tuple[str, str]]:
    """Pairs of neighbouring content words ('walk away', 'away point'): a text's phrases."""
    sequence = content_sequence(text)
    return set(itertools.pairwise(sequence))


def normalise(text: str) -> str:
    return " ".join(words(text))


def question_sentence(prompt: str) -> str:
    """The sentence that asks: from the last sentence break before the last '?' to the '?'."""
    end = prompt.rfind("?")
    if end < 0:
        return ""
    start = max(prompt.rfind(". ", 0, end), prompt.rfind("! ", 0, end))
    return prompt[start + 1 : end + 1].strip()


def check_choice_item(item: ChoiceItem, sources: Mapping[str, Source]) -> list[str]:
    """Problems with one knowledge or scenario item, each as `field: message`."""
    problems = [
        *_check_metadata(item, sources),
        *_check_stem(item),
        *_check_options(item),
        *_check_moves(item),
    ]
    if item.kind == "scenario" and len(item.explanation) < MIN_SCENARIO_EXPLANATION:
        problems.append(
            "explanation: a scenario's explanation says why the keyed action is best and what "
            f"is wrong with the strongest alternative (at least {MIN_SCENARIO_EXPLANATION} "
            "characters)"
        )
    return problems


def _check_moves(item: ChoiceItem) -> list[str]:
    """Scenario options say what kind of move they are, knowledge options do not; a scenario
    offers several kinds, always a deliberative one, and never a lone deliberative key."""
    moves = [o.move for o in item.options]
    if item.kind == "knowledge":
        return (
            ["options: only scenario options carry a move"]
            if any(m is not None for m in moves)
            else []
        )
    missing = [
        f"options.{i}.move: missing; give one of {', '.join(m.value for m in Move)}"
        for i, m in enumerate(moves)
        if m is None
    ]
    if missing:
        return missing
    problems = []
    if len(set(moves)) < MIN_SCENARIO_MOVES:
        problems.append(
            f"options: a scenario offers at least {MIN_SCENARIO_MOVES} kinds of move, not "
            f"{len(set(moves))}"
        )
    deliberative = [o for o in item.options if o.move.deliberative]
    if not deliberative:
        problems.append(
            "options: a scenario offers a consult or investigate option, so that a decisive key "
            "has to beat it"
        )
    elif len(deliberative) == 1 and deliberative[0].correct:
        problems.append(
            "options: the only consult or investigate option is the key; offer a second one "
            "(the wrong person, data that will not decide it)"
        )
    return problems


def _check_metadata(item: ChoiceItem, sources: Mapping[str, Source]) -> list[str]:
    problems = []
    if item.difficulty is None:
        problems.append(
            "difficulty: missing; give 1 (any supervisor), 2 (a manager) or 3 (a senior leader)"
        )
    if item.source is None:
        problems.append("source: missing; name a seed article or a reference in sources.yaml")
    elif item.source not in sources:
        problems.append(f"source: unknown source {item.source!r}")
    return problems


def _check_stem(item: ChoiceItem) -> list[str]:
    problems = []
    question = question_sentence(item.prompt)
    if not question:
        problems.append("prompt: the stem must ask a complete question ending in '?'")
    elif NEGATIVE_WORDS & set(words(_BOLD.sub(" ", question))) or "n't" in _BOLD.sub(" ", question):
        problems.append(
            "prompt: negative wording in the question; ask it positively or bold the "
            "negative as **NOT**"
        )
    tail = item.prompt[item.prompt.rfind("?") + 1 :].strip()
    if item.select == "multiple":
        match = CHOOSE.fullmatch(tail)
        wanted = len(item.correct_ids)
        if not match:
            problems.append(
                "prompt: a multiple-select item ends by saying how many to choose, "
                f"e.g. 'Choose {_number_word(wanted)}.'"
            )
        elif CHOOSE_WORDS[match.group(1)] != wanted:
            problems.append(
                f"prompt: says {match.group(0)!r} but {wanted} options are marked correct"
            )
    elif tail:
        problems.append("prompt: nothing may follow the question of a single-choice item")
    return problems


def _number_word(n: int) -> str:
    return next((word for word, value in CHOOSE_WORDS.items() if value == n), str(n))


def _check_options(item: ChoiceItem) -> list[str]:
    problems = []
    texts = [o.text for o in item.options]
    keys = [o for o in item.options if o.correct]
    wrong = [o for o in item.options if not o.correct]
    if item.select == "single" and not MIN_SINGLE_OPTIONS <= len(texts) <= MAX_SINGLE_OPTIONS:
        problems.append(
            f"options: a single-choice item has {MIN_SINGLE_OPTIONS} to {MAX_SINGLE_OPTIONS} "
            f"options, not {len(texts)}"
        )
    if item.select == "multiple" and len(wrong) < MIN_MULTIPLE_WRONG:
        problems.append(
            f"options: a multiple-select item needs at least {MIN_MULTIPLE_WRONG} wrong options "
            "so that choosing everything does not pay"
        )
    if len({normalise(t) for t in texts}) < len(texts):
        problems.append("options: two options say the same thing")
    for index, text in enumerate(texts):
        if _ABOVE.search(text.strip()):
            problems.append(
                f"options.{index}.text: 'all/none of the above' and option combinations are "
                "not allowed"
            )
    lengths = [len(t) for t in texts]
    spread = max(lengths) / max(SHORT_OPTION_FLOOR, min(lengths))
    if spread > MAX_LENGTH_SPREAD:
        problems.append(
            f"options: the longest option is {spread:.1f} times the shortest; keep options "
            f"alike in length (at most {MAX_LENGTH_SPREAD})"
        )
    if item.select == "single":
        key_length = len(keys[0].text)
        longest_wrong = max(len(o.text) for o in wrong)
        if key_length >= KEY_LENGTH_MARGIN * longest_wrong:
            problems.append(
                f"options: the correct option is the longest by a wide margin ({key_length} "
                f"characters against {longest_wrong}); lengthen a distractor or tighten the key"
            )
        stem = content_words(item.prompt)
        key_echo = len(stem & content_words(keys[0].text))
        best_wrong_echo = max(len(stem & content_words(o.text)) for o in wrong)
        if key_echo >= best_wrong_echo + KEY_STEM_ECHO:
            problems.append(
                f"options: the correct option repeats {key_echo} of the stem's words and no "
                f"distractor more than {best_wrong_echo}; that gives the answer away"
            )
    key_absolute = any(ABSOLUTE_WORDS & set(words(o.text)) for o in keys)
    for index, option in enumerate(item.options):
        found = ABSOLUTE_WORDS & set(words(option.text))
        if found and not option.correct and not key_absolute:
            problems.append(
                f"options.{index}.text: absolute word {sorted(found)[0]!r} appears only in "
                "distractors, which marks them as wrong"
            )
    return problems


# --- the bank as a whole ----------------------------------------------------------------------

STEM_SIMILARITY = 0.8
"""Two stems sharing this share of their content words (Jaccard) are near duplicates."""
OPTION_SIMILARITY = 0.75
"""Two items whose options share this share of their content words are near duplicates."""
MIN_OPTION_WORDS = 4
"""Option sets with fewer content words between them (numeric answers: "About 61 days") are
not compared by their words."""
SHARED_OPTIONS = 3
"""Two items with this many identical options are near duplicates."""


@dataclass(frozen=True)
class Located:
    """A choice item with where it sits: `items/<skill>.yaml` and its index in the list."""

    file: str
    index: int
    skill_id: str
    item: ChoiceItem


def _jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def near_duplicates(items: Iterable[Located]) -> list[str]:
    """`file: items.N: message` for each item that repeats an earlier one (all skills)."""
    seen: list[tuple[Located, str, set[str], set[str], set[str]]] = []
    problems = []
    for entry in items:
        stem = normalise(entry.item.prompt)
        stem_words = content_words(entry.item.prompt)
        option_texts = {normalise(o.text) for o in entry.item.options}
        option_words = set().union(*(content_words(o.text) for o in entry.item.options))
        for other, o_stem, o_stem_words, o_texts, o_words in seen:
            reason = None
            if stem == o_stem:
                reason = "the same stem"
            elif len(stem_words) >= 4 and _jaccard(stem_words, o_stem_words) >= STEM_SIMILARITY:
                reason = "a nearly identical stem"
            elif len(option_texts & o_texts) >= SHARED_OPTIONS:
                reason = f"{len(option_texts & o_texts)} identical options"
            elif (
                len(option_words | o_words) >= MIN_OPTION_WORDS
                and _jaccard(option_words, o_words) >= OPTION_SIMILARITY
            ):
                reason = "a very similar set of options"
            if reason:
                problems.append(
                    f"{entry.file}: items.{entry.index}: near duplicate of {other.item.id!r} "
                    f"({other.file}): {reason}"
                )
                break
        seen.append((entry, stem, stem_words, option_texts, option_words))
    return problems


def check_skill_coverage(file: str, skill_id: str, kinds: list[str], levels: set[int]) -> list[str]:
    """Problems when a skill has too few items of a kind or too narrow a difficulty range."""
    counts = {k: kinds.count(k) for k in ("self_rating", "knowledge", "scenario")}
    problems = []
    for kind, minimum in (
        ("self_rating", MIN_SELF_RATINGS),
        ("knowledge", MIN_KNOWLEDGE),
        ("scenario", MIN_SCENARIOS),
    ):
        if counts[kind] < minimum:
            problems.append(
                f"{file}: items: skill {skill_id!r} has {counts[kind]} {kind.replace('_', '-')} "
                f"items; at least {minimum} are needed"
            )
    choice = counts["knowledge"] + counts["scenario"]
    if choice < MIN_CHOICE_ITEMS:
        problems.append(
            f"{file}: items: skill {skill_id!r} has {choice} knowledge/scenario items; at least "
            f"{MIN_CHOICE_ITEMS} are needed"
        )
    if choice and len(levels) < MIN_DIFFICULTY_LEVELS:
        problems.append(
            f"{file}: items: skill {skill_id!r} spans difficulty {sorted(levels)}; its items "
            f"must span at least {MIN_DIFFICULTY_LEVELS} levels"
        )
    return problems


def check_scenario_keys(where: str, scenarios: Iterable[ChoiceItem]) -> list[str]:
    """No more than `MAX_DELIBERATIVE_KEYS` of the scenario keys (of a skill, or of the bank)
    may be the consult / gather-data option: good manners alone would then pass."""
    keyed = [o.move for item in scenarios for o in item.options if o.correct and o.move]
    deliberative = sum(1 for m in keyed if m.deliberative)
    if keyed and deliberative > MAX_DELIBERATIVE_KEYS * len(keyed):
        return [
            f"{where}: {deliberative} of {len(keyed)} scenario keys are consult or investigate "
            f"moves; at most {MAX_DELIBERATIVE_KEYS:.0%} may be"
        ]
    return []


LEAK_WORDS = 4
"""A self-rating level sharing this many content words with a key (beyond the key's stem and
distractors) states the key's idea."""


def self_rating_leaks(
    file: str, positions: Mapping[str, int], ratings: list[SelfRatingItem], items: list[ChoiceItem]
) -> list[str]:
    """Level texts that state what a choice item of the same skill keys: a phrase (two
    neighbouring content words) or `LEAK_WORDS` content words that the key shares with the level
    but not with its own stem and distractors. Self-ratings come first in a quiz, so such a level
    would hand the person the answer."""
    problems = []
    for item in items:
        key = " ".join(o.text for o in item.options if o.correct)
        rest = " ".join([item.prompt, *(o.text for o in item.options if not o.correct)])
        key_phrases = phrases(key) - phrases(rest)
        key_words = content_words(key) - content_words(rest)
        for rating in ratings:
            for level, text in rating.levels.items():
                shared = sorted(" ".join(p) for p in phrases(text) & key_phrases)
                if not shared and len(content_words(text) & key_words) < LEAK_WORDS:
                    continue
                found = shared or sorted(content_words(text) & key_words)
                problems.append(
                    f"{file}: items.{positions[rating.id]}.levels.{level}: states the key of "
                    f"{item.id!r} ({', '.join(found)}); describe the habit, not the answer"
                )
    return problems
