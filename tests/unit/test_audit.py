"""The bank's audit: knowledge-free strategies must not pass the quizzes, per kind of item.

The real bank holds; the banks before issue 10 (surface cues) and issue 22 (good-manager words,
consult keys) did not, and the tests show the audit catching both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.catalogue.audit import MULTIPLE_LIMIT, SINGLE_MARGIN, format_table, run, skill_lines
from app.catalogue.loader import load_catalogue
from app.catalogue.schema import ChoiceItem
from app.catalogue.testwise import Entry
from app.catalogue.wording import cues, lexicon_count
from tests.conftest import QUESTIONS_DIR

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def bank_entries() -> list[Entry]:
    cat = load_catalogue(QUESTIONS_DIR)
    return [
        Entry(e.skill_id, e.content)
        for e in cat.items.values()
        if isinstance(e.content, ChoiceItem)
    ]


def legacy_entries() -> list[Entry]:
    """The bank before issue 10, one pseudo-skill per id prefix."""
    raw = yaml.safe_load((FIXTURES / "legacy_choice_items.yaml").read_text())["items"]
    return [Entry(i["id"].split(".")[0], ChoiceItem.model_validate(i)) for i in raw]


def scenarios_before_issue_22() -> list[Entry]:
    raw = yaml.safe_load((FIXTURES / "scenarios_before_issue_22.yaml").read_text())["skills"]
    return [
        Entry(skill, ChoiceItem.model_validate(item))
        for skill, items in raw.items()
        for item in items
    ]


def by_name(report):
    return {(r.kind, r.select, r.name): r for r in report.results}


def item(item_id: str, texts: list[str], key: int, kind: str = "scenario", **extra) -> ChoiceItem:
    return ChoiceItem.model_validate(
        {
            "id": item_id,
            "kind": kind,
            "select": "single",
            "prompt": "Which one?",
            "options": [
                {
                    "id": "abcde"[i],
                    "text": t,
                    "correct": i == key,
                    **extra.get("moves", [{}] * 5)[i],
                }
                for i, t in enumerate(texts)
            ],
            "explanation": "Because.",
            "difficulty": extra.get("difficulty", 2),
        }
    )


@pytest.fixture(scope="module")
def bank_report():
    return run(bank_entries())


def test_no_strategy_beats_chance_on_either_kind_of_the_bank(bank_report):
    assert bank_report.passed, "\n".join(format_table(bank_report))
    results = bank_report.results
    for kind in ("knowledge", "scenario"):
        single = [r for r in results if r.kind == kind and r.select == "single"]
        names = {r.name for r in single}
        assert {"max:length", "max:lexicon", "model:logit", "model:word-odds"} <= names
        assert all(r.limit == pytest.approx(r.chance + SINGLE_MARGIN) for r in single)
    scenario_moves = [r for r in results if r.kind == "scenario" and r.family == "moves"]
    assert {"pick:deliberative", "avoid:hold", "pick:act"} <= {r.name for r in scenario_moves}
    assert all(r.limit == MULTIPLE_LIMIT for r in results if r.select == "multiple")


def test_senior_items_are_not_easier_to_guess_than_supervisor_items(bank_report):
    assert [d.kind for d in bank_report.difficulty] == ["knowledge", "scenario"]
    for check in bank_report.difficulty:
        assert min(check.items1, check.items3) >= 15, "too few items at a level to compare"
        assert check.passed, check


def test_the_audit_fails_on_the_scenarios_before_issue_22():
    report = by_name(run(scenarios_before_issue_22()))
    logit = report[("scenario", "single", "model:logit")]
    odds = report[("scenario", "single", "model:word-odds")]
    lexicon = report[("scenario", "single", "max:lexicon")]
    assert logit.items == 135
    assert logit.score > 60, logit
    assert odds.score > 55, odds
    assert lexicon.score > 45, lexicon
    assert not logit.passed
    assert not odds.passed
    assert not lexicon.passed


def test_the_audit_fails_on_the_bank_before_issue_10():
    report = by_name(run(legacy_entries()))
    longest = report[("knowledge", "single", "max:length")]
    assert longest.score > 75
    assert not longest.passed
    assert not report[("knowledge", "multiple", "choose-all")].passed


def test_chance_is_one_over_the_number_of_options():
    entry = Entry(
        "x", item("x.know.one", ["A much longer and complete answer", "Short", "Briefer"], 0)
    )
    report = by_name(run([entry]))
    longest = report[("scenario", "single", "max:length")]
    assert longest.chance == pytest.approx(100 / 3)
    assert longest.score == 100
    assert report[("scenario", "single", "min:length")].score == 0
    # Ruling out the shortest leaves a guess between two options.
    assert report[("scenario", "single", "drop-min:length")].score == 50


def test_the_lexicon_finds_the_good_manager_option():
    assert lexicon_count("Ask the team and agree a plan together") == 5
    entry = Entry(
        "x",
        item(
            "x.scen.one",
            ["Stop the press now", "Discuss it with the team", "Run the order", "Call it done"],
            1,
        ),
    )
    assert by_name(run([entry]))[("scenario", "single", "max:lexicon")].score == 100


def test_moves_pay_when_one_kind_is_always_keyed():
    moves = [{"move": m} for m in ("act", "consult", "investigate", "hold")]
    entries = [
        Entry(f"s{n}", item(f"s{n}.scen.x", [f"Do {w} thing {n}" for w in "pqrs"], 1, moves=moves))
        for n in range(8)
    ]
    report = by_name(run(entries))
    assert report[("scenario", "single", "pick:consult")].score == 100
    assert report[("scenario", "single", "pick:deliberative")].score == 50
    assert report[("scenario", "single", "avoid:hold")].score == pytest.approx(100 / 3)
    assert not report[("scenario", "single", "pick:consult")].passed


def _bank_with_a_planted_word(word: str | None) -> list[Entry]:
    """Eight skills of six items; the key of each holds `word` when given. Every option's words
    are drawn from one shared pool, so nothing else tells the key."""
    pool = ["press", "line", "shift", "order", "stock", "crew", "batch", "tool"]
    entries = []
    for n in range(48):
        texts = [
            f"Move the {pool[(n + i) % 8]} {pool[(n + 3 * i + 1) % 8]} {pool[(2 * n + i) % 8]}"
            for i in range(4)
        ]
        key = n % 4
        if word:
            texts[key] += f" {word}"
            texts[(key + 1) % 4] += f" {pool[n % 8]}"
        entries.append(Entry(f"skill{n % 8}", item(f"s.scen.n{n}", texts, key)))
    return entries


def test_the_wording_models_learn_a_cue_from_other_skills():
    planted = by_name(run(_bank_with_a_planted_word("promptly")))
    assert planted[("scenario", "single", "model:logit")].score == 100
    assert planted[("scenario", "single", "model:word-odds")].score == 100
    clean = by_name(run(_bank_with_a_planted_word(None)))
    assert clean[("scenario", "single", "model:word-odds")].score <= 40
    assert clean[("scenario", "single", "model:logit")].score <= 40


def test_the_wording_models_learn_an_opening_word():
    """Every option holds the same words, but only distractors open with "Ask": a reader who
    learns to avoid options that open by handing the job on finds the key."""
    pool = ["press", "line", "shift", "order", "stock", "crew", "batch", "tool"]
    entries = []
    for n in range(48):
        key = n % 4
        texts = [
            f"Ask the {pool[(n + i) % 8]} and move the {pool[(2 * n + i) % 8]}"
            if i != key
            else f"Move the {pool[(n + i) % 8]} and ask the {pool[(2 * n + i) % 8]}"
            for i in range(4)
        ]
        entries.append(Entry(f"skill{n % 8}", item(f"s.scen.n{n}", texts, key)))
    report = by_name(run(entries))
    assert report[("scenario", "single", "model:word-odds")].score == 100
    assert not report[("scenario", "single", "model:logit")].passed


def test_cues_name_the_words_that_mark_keys():
    marking_keys, marking_distractors = cues(_bank_with_a_planted_word("promptly"))
    assert marking_keys[0].word == "promptly"
    assert (marking_keys[0].in_keys, marking_keys[0].in_distractors) == (48, 0)
    assert marking_distractors[0].in_keys == 0


def test_the_difficulty_rule_fails_when_senior_items_give_themselves_away():
    entries = []
    for n in range(16):
        level = 3 if n % 2 else 1
        texts = ["Stop the line", "Call the buyer", "Hold the stock", "Run the order"]
        key = n % 4
        if level == 3:  # the key is the longest by far
            texts[key] = "Take every step needed to sort it out properly"
        entries.append(
            Entry(f"s{n}", item(f"s.know.n{n}", texts, key, "knowledge", difficulty=level))
        )
    (check,) = run(entries).difficulty
    assert check.level3 > check.level1
    assert not check.passed


def test_the_cli_prints_each_kind_and_a_skill(app):
    result = app.test_cli_runner().invoke(
        args=["questions", "audit", "--skill", "quality-control", "--cues", "--top", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "knowledge, single-choice" in result.output
    assert "scenario, single-choice" in result.output
    assert "quality.scen." in result.output
    assert "words marking keys" in result.output
    assert "ok: no knowledge-free strategy beats its limit" in result.output
    unknown = app.test_cli_runner().invoke(args=["questions", "audit", "--skill", "nope"])
    assert unknown.exit_code == 2
    assert "unknown skill" in unknown.output


def test_skill_lines_list_each_item_of_the_skill(bank_report):
    lines = skill_lines(bank_report, "quality-control")
    cat = load_catalogue(QUESTIONS_DIR)
    ids = [e.id for e in cat.items_by_skill["quality-control"] if e.kind != "self_rating"]
    assert all(any(line.startswith(i + " ") for line in lines) for i in ids)
