"""The bank's knowledge and scenario items in the two formats Moodle imports: GIFT and Moodle XML.

A training team can then reuse the items in its own quizzes. Each skill becomes a question
category, each item a multiple-choice question named by its id, with the explanation as general
feedback. Multiple-select items carry fractions that reproduce ProdReady's rule: each right pick
earns 100/k %, each wrong pick costs as much, and Moodle floors the total at zero.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping

from app.catalogue.schema import ChoiceItem, Skill

CATEGORY_ROOT = "ProdReady"
_GIFT_SPECIAL = re.compile(r"([~=#{}:\\])")


def fraction(item: ChoiceItem, correct: bool) -> float:
    """The share of the mark (in %) that choosing an option gives."""
    if item.select == "single":
        return 100.0 if correct else 0.0
    share = 100.0 / len(item.correct_ids)
    return share if correct else -share


def _percent(value: float) -> str:
    """Moodle writes fractions with at most five decimals and no trailing zeros."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


def gift_escape(text: str) -> str:
    """Backslash GIFT's control characters and keep a text on one line."""
    return _GIFT_SPECIAL.sub(r"\\\1", text).replace("\n", "\\n")


def _gift_question(item: ChoiceItem) -> list[str]:
    lines = [f"::{gift_escape(item.id)}::[markdown]{gift_escape(item.prompt)} {{"]
    for option in item.options:
        if item.select == "single":
            mark = "=" if option.correct else "~"
        else:
            mark = f"~%{_percent(fraction(item, option.correct))}%"
        lines.append(f"\t{mark}{gift_escape(option.text)}")
    lines.append(f"\t####{gift_escape(item.explanation)}")
    lines.append("}")
    return lines


def to_gift(items: Iterable[tuple[str, ChoiceItem]], skills: Mapping[str, Skill]) -> str:
    """GIFT text: a `$CATEGORY:` line per skill, then its questions, a blank line apart."""
    lines = ["// ProdReady question bank: knowledge and scenario items (GIFT format)."]
    current = None
    for skill_id, item in items:
        if skill_id != current:
            current = skill_id
            lines += ["", f"$CATEGORY: {CATEGORY_ROOT}/{skills[skill_id].name}"]
        lines += ["", f"// {item.kind}, difficulty {item.difficulty}", *_gift_question(item)]
    return "\n".join(lines) + "\n"


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = value
    return element


def _xml_question(quiz: ET.Element, item: ChoiceItem) -> None:
    question = ET.SubElement(quiz, "question", {"type": "multichoice"})
    _text(question, "name", item.id)
    _text(question, "questiontext", item.prompt, "markdown")
    _text(question, "generalfeedback", item.explanation, "markdown")
    for tag, value in (
        ("defaultgrade", "1"),
        ("penalty", "0"),
        ("hidden", "0"),
        ("idnumber", item.id),
        ("single", "true" if item.select == "single" else "false"),
        ("shuffleanswers", "true"),
        ("answernumbering", "abc"),
    ):
        ET.SubElement(question, tag).text = value
    for option in item.options:
        answer = ET.SubElement(
            question,
            "answer",
            {"fraction": _percent(fraction(item, option.correct)), "format": "plain_text"},
        )
        ET.SubElement(answer, "text").text = option.text
    tags = ET.SubElement(question, "tags")
    for tag in (item.kind, f"difficulty-{item.difficulty}"):
        _text(tags, "tag", tag)


def to_moodle_xml(items: Iterable[tuple[str, ChoiceItem]], skills: Mapping[str, Skill]) -> str:
    """Moodle XML: a category question before each skill's items."""
    quiz = ET.Element("quiz")
    current = None
    for skill_id, item in items:
        if skill_id != current:
            current = skill_id
            category = ET.SubElement(quiz, "question", {"type": "category"})
            _text(category, "category", f"$course$/top/{CATEGORY_ROOT}/{skills[skill_id].name}")
        _xml_question(quiz, item)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, "unicode") + "\n"
