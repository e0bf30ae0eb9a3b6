"""`flask questions export`: the choice items in GIFT and Moodle XML, read back and compared."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import combinations

import pytest

from app.catalogue.credit import choice_score
from app.catalogue.loader import load_catalogue
from app.catalogue.moodle import to_gift, to_moodle_xml
from app.catalogue.schema import ChoiceItem
from tests.conftest import QUESTIONS_DIR


@pytest.fixture(scope="module")
def bank():
    cat = load_catalogue(QUESTIONS_DIR)
    items = [
        (skill_id, e.content)
        for skill_id in cat.skills
        for e in cat.items_by_skill[skill_id]
        if isinstance(e.content, ChoiceItem)
    ]
    return cat, items


def read_moodle_xml(text: str) -> dict[str, dict]:
    """Each multichoice question by name, with the category it sits in."""
    root = ET.fromstring(text)
    assert root.tag == "quiz"
    category = None
    out = {}
    for question in root.findall("question"):
        if question.get("type") == "category":
            category = question.findtext("category/text")
            continue
        assert question.get("type") == "multichoice"
        name = question.findtext("name/text")
        out[name] = {
            "category": category,
            "prompt": question.findtext("questiontext/text"),
            "feedback": question.findtext("generalfeedback/text"),
            "single": question.findtext("single") == "true",
            "answers": [
                (a.findtext("text"), float(a.get("fraction"))) for a in question.iter("answer")
            ],
            "tags": [t.text for t in question.iterfind("tags/tag/text")],
        }
    return out


_UNESCAPE = re.compile(r"\\(.)")


def unescape(text: str) -> str:
    return _UNESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def read_gift(text: str) -> dict[str, dict]:
    """A reader for the GIFT subset the export writes: categories, named multiple-choice
    questions with =right, ~wrong or ~%fraction% answers and ####general feedback."""
    out = {}
    category = None
    blocks = re.split(r"\n(?=\$CATEGORY: |::)", text)
    for block in blocks:
        if block.startswith("$CATEGORY: "):
            category = block.split("\n", 1)[0].removeprefix("$CATEGORY: ")
            continue
        if not block.startswith("::"):
            continue
        match = re.match(
            r"::((?:\\.|[^:\\])+)::\[markdown\]((?:\\.|[^{\\])*) \{\n(.*)\n\}", block, re.S
        )
        assert match, block
        name, prompt, body = (unescape(match.group(1)), unescape(match.group(2)), match.group(3))
        answers, feedback = [], None
        for line in body.split("\n"):
            line = line.removeprefix("\t")
            if line.startswith("####"):
                feedback = unescape(line[4:])
            elif line.startswith("="):
                answers.append((unescape(line[1:]), 100.0))
            elif m := re.match(r"~%(-?[\d.]+)%(.*)", line):
                answers.append((unescape(m.group(2)), float(m.group(1))))
            elif line.startswith("~"):
                answers.append((unescape(line[1:]), 0.0))
            else:
                raise AssertionError(f"unexpected GIFT line {line!r}")
        out[name] = {
            "category": category,
            "prompt": prompt,
            "feedback": feedback,
            "answers": answers,
        }
    return out


def expected_answers(item: ChoiceItem) -> list[tuple[str, float]]:
    if item.select == "single":
        return [(o.text, 100.0 if o.correct else 0.0) for o in item.options]
    share = 100 / len(item.correct_ids)
    return [(o.text, share if o.correct else -share) for o in item.options]


def test_moodle_xml_reads_back_as_the_bank(bank):
    cat, items = bank
    read = read_moodle_xml(to_moodle_xml(items, cat.skills))
    assert len(read) == len(items) >= 16 * len(cat.skills)
    for skill_id, item in items:
        question = read[item.id]
        assert question["category"] == f"$course$/top/ProdReady/{cat.skills[skill_id].name}"
        assert question["prompt"] == item.prompt
        assert question["feedback"] == item.explanation
        assert question["single"] == (item.select == "single")
        assert [t for t, _ in question["answers"]] == [o.text for o in item.options]
        assert [f for _, f in question["answers"]] == pytest.approx(
            [f for _, f in expected_answers(item)], abs=1e-5
        )
        assert question["tags"] == [item.kind, f"difficulty-{item.difficulty}"]


def test_gift_reads_back_as_the_bank(bank):
    cat, items = bank
    read = read_gift(to_gift(items, cat.skills))
    assert len(read) == len(items)
    for skill_id, item in items:
        question = read[item.id]
        assert question["category"] == f"ProdReady/{cat.skills[skill_id].name}"
        assert question["prompt"] == item.prompt
        assert question["feedback"] == item.explanation
        assert [t for t, _ in question["answers"]] == [o.text for o in item.options]
        assert [f for _, f in question["answers"]] == pytest.approx(
            [f for _, f in expected_answers(item)]
        )


def test_multiple_select_fractions_give_the_products_scores(bank):
    """Moodle sums the chosen answers' fractions and floors at zero: ProdReady's rule."""
    _, items = bank
    multiple = [i for _, i in items if i.select == "multiple"]
    assert multiple
    for item in multiple:
        fractions = dict(
            zip((o.id for o in item.options), (f for _, f in expected_answers(item)), strict=True)
        )
        for size in (1, 2, 3):
            for chosen in combinations([o.id for o in item.options], size):
                moodle = max(0.0, sum(fractions[c] for c in chosen))
                assert moodle == pytest.approx(
                    choice_score(frozenset(chosen), item.correct_ids, "multiple")
                )


def test_gift_escapes_its_control_characters(bank):
    cat, _ = bank
    awkward = ChoiceItem.model_validate(
        {
            "id": "x.know.awkward",
            "kind": "knowledge",
            "select": "single",
            "prompt": "Ratio a:b = {2~3} #1?\nSecond line\\",
            "options": [
                {"id": "a", "text": "=100% {right}", "correct": True},
                {"id": "b", "text": "~wrong: #2"},
                {"id": "c", "text": "plain"},
            ],
            "explanation": "Feedback with #### and a } brace.",
            "difficulty": 1,
        }
    )
    skill = next(iter(cat.skills))
    read = read_gift(to_gift([(skill, awkward)], cat.skills))["x.know.awkward"]
    assert read["prompt"] == awkward.prompt
    assert read["answers"] == [("=100% {right}", 100.0), ("~wrong: #2", 0.0), ("plain", 0.0)]
    assert read["feedback"] == awkward.explanation
    xml = read_moodle_xml(to_moodle_xml([(skill, awkward)], cat.skills))["x.know.awkward"]
    assert xml["prompt"] == awkward.prompt


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml"])
def test_the_cli_writes_one_skill_to_a_file(app, tmp_path, fmt):
    out = tmp_path / f"bank.{fmt}"
    result = app.test_cli_runner().invoke(
        args=[
            "questions",
            "export",
            "--format",
            fmt,
            "--skill",
            "quality-control",
            "--output",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    read = read_gift(text) if fmt == "gift" else read_moodle_xml(text)
    cat = app.extensions["catalogue"]
    expected = {e.id for e in cat.items_by_skill["quality-control"] if e.kind != "self_rating"}
    assert set(read) == expected


def test_the_cli_refuses_an_unknown_skill_or_format(app):
    runner = app.test_cli_runner()
    assert (
        runner.invoke(args=["questions", "export", "--format", "gift", "--skill", "nope"]).exit_code
        == 2
    )
    assert runner.invoke(args=["questions", "export", "--format", "qti"]).exit_code == 2
