"""The item-writing rules: each planted fault is reported as `file: path: problem`.

Every test plants one item into a copy of the real bank. The planted item passes every rule as
written (`test_the_planted_item_is_clean`), so each failure below comes from its one change.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from app.catalogue.loader import CatalogueError, load_catalogue
from tests.conftest import QUESTIONS_DIR

FILE = "items/quality-control.yaml"

CLEAN_ITEM = {
    "id": "quality.know.planted",
    "kind": "knowledge",
    "select": "single",
    "difficulty": 2,
    "source": "montgomery-sqc",
    "prompt": "A histogram of shaft diameters shows two separate peaks. What does that suggest?",
    "options": [
        {"id": "a", "text": "Parts from two sources or settings were mixed", "correct": True},
        {"id": "b", "text": "The gauge was read wrongly on about half the parts"},
        {"id": "c", "text": "The process is capable but slightly off-centre"},
        {"id": "d", "text": "The sample was too small to show a single peak"},
    ],
    "explanation": "Two peaks usually mean two populations, such as two machines or two lots.",
}


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    target = tmp_path / "questions"
    shutil.copytree(QUESTIONS_DIR, target)
    return target


def plant(
    bank: Path, change: Callable[[dict], None] | None = None, item: dict | None = None
) -> int:
    """Append a copy of the clean item (changed by `change`) to the file; return its index."""
    path = bank / FILE
    data = yaml.safe_load(path.read_text())
    planted = copy.deepcopy(item or CLEAN_ITEM)
    if change:
        change(planted)
    data["items"].append(planted)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return len(data["items"]) - 1


def problems(directory: Path) -> list[str]:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(directory)
    return info.value.problems


def test_the_planted_item_is_clean(bank):
    plant(bank)
    assert "quality.know.planted" in load_catalogue(bank).items


def _set(path: str, value: object) -> Callable[[dict], None]:
    def change(item: dict) -> None:
        target = item
        *parents, last = path.split(".")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is None:
            target.pop(last)
        else:
            target[last] = value

    return change


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (_set("difficulty", None), "difficulty", "missing; give 1 (any supervisor)"),
        (_set("difficulty", 4), "difficulty", "less than or equal to 3"),
        (_set("source", None), "source", "missing; name a seed article or a reference"),
        (_set("source", "wikipedia"), "source", "unknown source 'wikipedia'"),
        (
            _set(
                "options.0.text",
                "Parts from two different sources or machine settings were mixed together",
            ),
            "options",
            "the correct option is the longest by a wide margin",
        ),
        (
            _set("options.3.text", "Too few"),
            "options",
            "the longest option is 2.5 times the shortest",
        ),
        (
            _set("options.1.text", "The gauge is always read wrongly on half the parts"),
            "options.1.text",
            "absolute word 'always' appears only in distractors",
        ),
        (
            _set("options.3.text", "All of the above are possible causes of this"),
            "options.3.text",
            "'all/none of the above'",
        ),
        (
            _set("prompt", "A histogram shows two peaks. Which cause is NOT likely?"),
            "prompt",
            "negative wording in the question",
        ),
        (
            _set("prompt", "A histogram of shaft diameters shows two separate peaks."),
            "prompt",
            "the stem must ask a complete question",
        ),
        (
            _set("prompt", "Mixed parts from two sources or settings: what do two peaks show?"),
            "options",
            "the correct option repeats 4 of the stem's words",
        ),
        (
            _set("kind", "scenario"),
            "explanation",
            "a scenario's explanation says why the keyed action is best",
        ),
        (
            _set("options", CLEAN_ITEM["options"][:2]),
            "options",
            "a single-choice item has 3 to 5 options, not 2",
        ),
    ],
)
def test_a_planted_fault_is_reported_with_file_and_path(bank, change, where, message):
    index = plant(bank, change)
    found = [p for p in problems(bank) if p.startswith(f"{FILE}: items.{index}.{where}: ")]
    assert found, problems(bank)
    assert message in found[0]


def test_a_negative_in_bold_is_allowed(bank):
    plant(bank, _set("prompt", "A histogram shows two peaks. Which cause is **NOT** likely?"))
    load_catalogue(bank)


def multiple(prompt: str, correct: tuple[int, ...] = (0, 2)) -> dict:
    item = copy.deepcopy(CLEAN_ITEM)
    item.update(select="multiple", prompt=prompt)
    item["options"].append({"id": "e", "text": "The operators changed between the two shifts"})
    for index, option in enumerate(item["options"]):
        option["correct"] = index in correct
    return item


def test_a_multiple_select_item_says_how_many_to_choose(bank):
    index = plant(bank, item=multiple("Two peaks show up on a histogram. What could cause it?"))
    expected = (
        f"{FILE}: items.{index}.prompt: a multiple-select item ends by saying how many to "
        "choose, e.g. 'Choose two.'"
    )
    assert expected in problems(bank)


def test_the_stated_count_must_match_the_keys(bank):
    index = plant(bank, item=multiple("What could cause two peaks? Choose three."))
    assert (
        f"{FILE}: items.{index}.prompt: says 'Choose three.' but 2 options are marked correct"
        in problems(bank)
    )


def test_choosing_everything_must_not_pay(bank):
    index = plant(bank, item=multiple("What could cause two peaks? Choose four.", (0, 1, 2, 3)))
    assert any(
        p.startswith(f"{FILE}: items.{index}.options: a multiple-select item needs at least 2")
        for p in problems(bank)
    )


def test_a_well_formed_multiple_select_item_loads(bank):
    plant(bank, item=multiple("What could cause two peaks on a histogram? Choose two."))
    item = load_catalogue(bank).items["quality.know.planted"].content
    assert item.choose_count == 2


def test_a_copied_item_is_a_near_duplicate(bank):
    data = yaml.safe_load((bank / FILE).read_text())
    original = next(i for i in data["items"] if i["id"] == "quality.know.capability")
    index = plant(bank, _set("id", "quality.know.copy"), item=original)
    assert (
        f"{FILE}: items.{index}: near duplicate of 'quality.know.capability' ({FILE}): "
        "the same stem" in problems(bank)
    )


def test_reworded_stem_with_the_same_options_is_a_near_duplicate(bank):
    data = yaml.safe_load((bank / FILE).read_text())
    original = next(i for i in data["items"] if i["id"] == "quality.know.capability")
    index = plant(
        bank,
        lambda i: i.update(id="quality.know.copy", prompt="Cp is 1.6 and Cpk 0.8. Why?"),
        item=original,
    )
    assert any(
        p.startswith(f"{FILE}: items.{index}: near duplicate of 'quality.know.capability'")
        for p in problems(bank)
    )


def test_a_skill_under_the_minimums_is_reported(bank):
    path = bank / FILE
    data = yaml.safe_load(path.read_text())
    data["items"] = [i for i in data["items"] if i["kind"] != "scenario"][:-2]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    found = problems(bank)
    skill = f"{FILE}: items: skill 'quality-control'"
    assert f"{skill} has 0 scenario items; at least 8 are needed" in found
    assert f"{skill} has 6 knowledge items; at least 8 are needed" in found
    assert any("has 6 knowledge/scenario items; at least 16" in p for p in found)


def test_a_skill_must_span_two_difficulties(bank):
    path = bank / FILE
    data = yaml.safe_load(path.read_text())
    for item in data["items"]:
        if item["kind"] != "self_rating":
            item["difficulty"] = 2
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    assert (
        f"{FILE}: items: skill 'quality-control' spans difficulty [2]; its items must span at "
        "least 2 levels" in problems(bank)
    )


def test_a_reference_source_has_no_seed_file(bank):
    path = bank / "sources.yaml"
    data = yaml.safe_load(path.read_text())
    data["sources"][-1]["file"] = "000_23274708122501ee.txt"
    data["sources"][0].pop("file")
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    found = problems(bank)
    assert any(
        p.startswith("sources.yaml: sources.0: Value error, an article names") for p in found
    )
    last = len(data["sources"]) - 1
    assert any(
        p.startswith(f"sources.yaml: sources.{last}: Value error, a reference") for p in found
    )


# --- scenario moves and self-ratings (issue 22) -------------------------------------------------

CLEAN_SCENARIO = {
    "id": "quality.scen.planted",
    "kind": "scenario",
    "select": "single",
    "difficulty": 2,
    "source": "montgomery-sqc",
    "prompt": (
        "This morning the bore gauge at final inspection read 0.05 mm high against its master "
        "ring; yesterday afternoon it read true. What do you do with the bushes it passed?"
    ),
    "options": [
        {
            "id": "a",
            "text": "Hold every bush gauged since yesterday's check and regauge them",
            "correct": True,
            "move": "act",
        },
        {
            "id": "b",
            "text": "Phone the buyer and agree whether the bushes may go as they are",
            "move": "consult",
        },
        {
            "id": "c",
            "text": "Send the gauge to the laboratory and await its calibration report",
            "move": "investigate",
        },
        {
            "id": "d",
            "text": "Carry on with the spare gauge and let this morning's bushes go out",
            "move": "hold",
        },
    ],
    "explanation": (
        "A gauge found out of calibration makes every result since its last good check suspect, "
        "so those parts are held and regauged before any ship. Asking the buyer hands the "
        "customer a decision about parts you have reason to doubt."
    ),
}


def _scenario(change: Callable[[dict], None] | None = None) -> dict:
    item = copy.deepcopy(CLEAN_SCENARIO)
    if change:
        change(item)
    return item


def test_the_planted_scenario_is_clean(bank):
    plant(bank, item=_scenario())
    assert "quality.scen.planted" in load_catalogue(bank).items


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (_set("options.1.move", None), "options.1.move", "missing; give one of act, escalate"),
        (
            lambda item: (
                _set("options.2.move", "consult")(item),
                _set("options.3.move", "act")(item),
            ),
            "options",
            "at least 3 kinds of move, not 2",
        ),
        (
            lambda item: (
                _set("options.1.move", "hold")(item),
                _set("options.2.move", "escalate")(item),
            ),
            "options",
            "a scenario offers a consult or investigate option",
        ),
        (
            lambda item: (
                _set("options.0.move", "investigate")(item),
                _set("options.2.move", "escalate")(item),
                _set("options.1.move", "act")(item),
            ),
            "options",
            "the only consult or investigate option is the key",
        ),
    ],
)
def test_a_planted_move_fault_is_reported(bank, change, where, message):
    index = plant(bank, item=_scenario(change))
    found = [p for p in problems(bank) if p.startswith(f"{FILE}: items.{index}.{where}: ")]
    assert any(message in p for p in found), problems(bank)


def test_knowledge_options_carry_no_move(bank):
    index = plant(bank, _set("options.0.move", "act"))
    assert f"{FILE}: items.{index}.options: only scenario options carry a move" in problems(bank)


def test_a_skill_may_not_key_the_consult_option_in_most_scenarios(bank):
    """Twelve planted scenarios keyed on investigating push the skill's deliberative share of
    keys past half (the bank's eight keep at most three)."""
    for n in range(12):

        def change(item: dict, n: int = n) -> None:
            item["id"] = f"quality.scen.planted-{n}"
            item["prompt"] = f"Case {n}: " + item["prompt"]
            item["options"][0]["move"] = "investigate"
            item["options"][1]["move"] = "investigate"

        plant(bank, item=_scenario(change))
    found = [p for p in problems(bank) if "scenario keys are consult or investigate" in p]
    assert any(p.startswith(f"{FILE}: items: ") and "of 20 scenario keys" in p for p in found)


def test_a_self_rating_may_not_state_a_key(bank):
    plant(bank, item=_scenario())
    rating = {
        "id": "quality.self.planted",
        "kind": "self_rating",
        "prompt": "What do you do when a gauge fails its check?",
        "levels": {
            1: "I tell my supervisor when a gauge looks wrong.",
            2: "I stop using a gauge that fails its daily check.",
            3: "I regauge every bush gauged since yesterday's check.",
            4: "I trace which lots a failed gauge passed and who holds them.",
            5: "Others follow the way I set up gauge checks, and I review it yearly.",
        },
        "observed": {
            "prompt": "What do they do when a gauge fails its check?",
            "levels": {
                1: "Tells their supervisor when a gauge looks wrong.",
                2: "Stops using a gauge that fails its daily check.",
                3: "Checks again the lots gauged since the last good check.",
                4: "Traces which lots a failed gauge passed and who holds them.",
                5: "Has set up gauge checks that others follow, and reviews them yearly.",
            },
        },
    }
    index = plant(bank, item=rating)
    flagged = [p for p in problems(bank) if p.startswith(f"{FILE}: items.{index}.levels.")]
    assert len(flagged) == 1, problems(bank)
    assert flagged[0].startswith(
        f"{FILE}: items.{index}.levels.3: states the key of 'quality.scen.planted' ("
    )
    assert "since yesterday" in flagged[0]
    assert flagged[0].endswith("describe the habit, not the answer")


def test_numeric_option_sets_are_not_near_duplicates_by_their_words(bank):
    def numeric(item_id: str, prompt: str, values: list[str]) -> dict:
        item = copy.deepcopy(CLEAN_ITEM)
        item["id"] = item_id
        item["prompt"] = prompt
        for option, value in zip(item["options"], values, strict=True):
            option["text"] = f"About {value} days"
        return item

    plant(
        bank,
        item=numeric("quality.know.n1", "Stock 300, use 10 a day. Days of cover?", list("1234")),
    )
    plant(
        bank,
        item=numeric(
            "quality.know.n2", "Lead time 6 weeks plus 2 of review. Days in all?", list("5678")
        ),
    )
    loaded = load_catalogue(bank)
    assert {"quality.know.n1", "quality.know.n2"} <= set(loaded.items)
