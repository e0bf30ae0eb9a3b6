"""Knowledge-free strategies must not pass the quizzes: the real bank holds, the old one did not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.catalogue.loader import load_catalogue
from app.catalogue.schema import ChoiceItem
from app.services.testwise import MULTIPLE_LIMIT, SINGLE_MARGIN, audit, format_table
from tests.conftest import QUESTIONS_DIR

LEGACY = Path(__file__).resolve().parent.parent / "fixtures" / "legacy_choice_items.yaml"


def bank_items() -> list[ChoiceItem]:
    cat = load_catalogue(QUESTIONS_DIR)
    return [e.content for e in cat.items.values() if isinstance(e.content, ChoiceItem)]


def legacy_items() -> list[ChoiceItem]:
    return [ChoiceItem.model_validate(i) for i in yaml.safe_load(LEGACY.read_text())["items"]]


def by_name(results):
    return {(r.kind, r.name): r for r in results}


def test_no_strategy_beats_chance_on_the_bank():
    results = audit(bank_items())
    failed = [r for r in results if not r.passed]
    assert not failed, "\n".join(format_table(results))
    single = [r for r in results if r.kind == "single"]
    assert len(single) >= 40  # every feature, four ways
    assert all(r.limit == pytest.approx(r.chance + SINGLE_MARGIN) for r in single)
    assert all(r.limit == MULTIPLE_LIMIT for r in results if r.kind == "multiple")


def test_the_check_fails_on_the_bank_before_issue_10():
    results = by_name(audit(legacy_items()))
    assert not results[("single", "max:length")].passed
    assert results[("single", "max:length")].score > 85
    assert not results[("single", "max:words")].passed
    assert not results[("single", "max:clauses")].passed
    assert not results[("multiple", "choose-all")].passed
    assert results[("multiple", "choose-all")].score > 60


def test_chance_is_one_over_the_number_of_options():
    item = ChoiceItem.model_validate(
        {
            "id": "x.know.one",
            "kind": "knowledge",
            "select": "single",
            "prompt": "Which one?",
            "options": [
                {"id": "a", "text": "A much longer and more complete answer", "correct": True},
                {"id": "b", "text": "Short"},
                {"id": "c", "text": "Briefer"},
            ],
            "explanation": "Because.",
        }
    )
    results = by_name(audit([item]))
    longest = results[("single", "max:length")]
    assert longest.chance == pytest.approx(100 / 3)
    assert longest.score == 100
    assert results[("single", "min:length")].score == 0
    # Ruling out the shortest leaves a guess between two options.
    assert results[("single", "drop-min:length")].score == 50


def test_choosing_everything_scores_nothing_on_choose_two_items():
    items = [i for i in bank_items() if i.select == "multiple"]
    assert items, "the bank has multiple-select items"
    assert all(i.choose_count == 2 for i in items)
    results = by_name(audit(items))
    assert results[("multiple", "choose-all")].score == 0
    assert results[("multiple", "all-plausible")].score == 0


def test_the_cli_prints_the_table_and_passes_on_the_bank(app):
    result = app.test_cli_runner().invoke(args=["questions", "audit"])
    assert result.exit_code == 0, result.output
    assert "max:length" in result.output
    assert "ok: no knowledge-free strategy beats its limit" in result.output
