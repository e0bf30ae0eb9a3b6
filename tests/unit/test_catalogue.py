"""Strict validation of the question files: each kind of error names the file and the path."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from app.catalogue.loader import CatalogueError, load_catalogue
from tests.conftest import QUESTIONS_DIR


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    target = tmp_path / "questions"
    shutil.copytree(QUESTIONS_DIR, target)
    return target


def edit_yaml(path: Path, change: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def problems(directory: Path) -> str:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(directory)
    return "\n".join(info.value.problems)


def test_the_real_bank_loads():
    cat = load_catalogue(QUESTIONS_DIR)
    assert set(cat.roles) == {
        "production-manager",
        "head-of-production",
        "production-executive",
        "chief-production-officer",
    }
    assert len(cat.items) >= 480


def test_every_skill_meets_the_bank_minimums():
    cat = load_catalogue(QUESTIONS_DIR)
    assert len(cat.skills) == 23
    for skill_id in cat.skills:
        entries = cat.items_by_skill[skill_id]
        kinds = [e.kind for e in entries]
        assert kinds.count("self_rating") >= 5, skill_id
        assert kinds.count("knowledge") >= 8, skill_id
        assert kinds.count("scenario") >= 8, skill_id
        levels = {e.content.difficulty for e in entries if e.kind != "self_rating"}
        assert len(levels) >= 2, skill_id


def test_every_choice_item_names_a_known_source_and_a_difficulty():
    cat = load_catalogue(QUESTIONS_DIR)
    for entry in cat.items.values():
        if entry.kind == "self_rating":
            continue
        assert entry.content.difficulty in {1, 2, 3}, entry.id
        assert entry.content.source in cat.sources, entry.id


def test_no_stem_quotes_an_article():
    """Items test the work, not whether someone read a seed article."""
    cat = load_catalogue(QUESTIONS_DIR)
    for entry in cat.items.values():
        prompt = entry.content.prompt.lower()
        assert "according to" not in prompt, entry.id
        assert "article" not in prompt, entry.id
        assert "the guide" not in prompt, entry.id


def test_unknown_key(bank):
    edit_yaml(bank / "roles/production-manager.yaml", lambda d: d.update(colour="blue"))
    assert "roles/production-manager.yaml: colour: Extra inputs are not permitted" in problems(bank)


def test_missing_field(bank):
    edit_yaml(bank / "roles/head-of-production.yaml", lambda d: d["qualifications"].pop("mba"))
    assert "roles/head-of-production.yaml: qualifications.mba: Field required" in problems(bank)


def test_duplicate_skill_id(bank):
    edit_yaml(bank / "skills.yaml", lambda d: d["skills"].append(dict(d["skills"][0])))
    assert "skills.yaml: skills: duplicate skill id 'leadership'" in problems(bank)


def test_duplicate_item_id(bank):
    def dup(d: dict) -> None:
        d["items"].append(dict(d["items"][0]))

    edit_yaml(bank / "items/marketing.yaml", dup)
    assert "items/marketing.yaml: items.21.id: duplicate item id 'marketing.self.launch'" in (
        problems(bank)
    )


def test_role_naming_unknown_skill(bank):
    def rename(d: dict) -> None:
        d["skills"]["items"][0]["skill"] = "juggling"

    edit_yaml(bank / "roles/production-manager.yaml", rename)
    assert (
        "roles/production-manager.yaml: skills.items.0.skill: unknown skill 'juggling'"
        in problems(bank)
    )


def test_weights_must_add_up_to_100(bank):
    def bump(d: dict) -> None:
        d["skills"]["items"][0]["weight"] += 1

    edit_yaml(bank / "roles/production-executive.yaml", bump)
    assert "skill weights add up to 101; they must add up to 100" in problems(bank)


def test_unknown_source(bank):
    def cite(d: dict) -> None:
        d["duties"]["sources"] = ["wikipedia"]

    edit_yaml(bank / "roles/chief-production-officer.yaml", cite)
    assert (
        "roles/chief-production-officer.yaml: duties.sources: unknown source 'wikipedia'"
        in problems(bank)
    )


def test_invalid_yaml(bank):
    (bank / "skills.yaml").write_text("skills: [unclosed\n")
    assert "skills.yaml: not valid YAML" in problems(bank)


def test_item_file_for_unknown_skill(bank):
    edit_yaml(bank / "items/marketing.yaml", lambda d: d.update(skill="juggling"))
    assert "items/marketing.yaml: skill: unknown skill 'juggling'" in problems(bank)


def test_single_choice_item_with_two_correct_options(bank):
    def two_correct(d: dict) -> None:
        item = next(i for i in d["items"] if i.get("select") == "single")
        for option in item["options"][:2]:
            option["correct"] = True

    edit_yaml(bank / "items/analysis.yaml", two_correct)
    assert "a single-choice item has exactly one correct option" in problems(bank)


def test_self_rating_needs_all_five_levels(bank):
    edit_yaml(bank / "items/leadership.yaml", lambda d: d["items"][0]["levels"].pop(5))
    assert "levels must describe each of 1, 2, 3, 4 and 5" in problems(bank)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Tells my supervisor when a gauge looks wrong.", "my"),
        ("My proposals seldom need a second round.", "My"),
        ("Our team follows the way they set up gauge checks.", "Our"),
        ("We go through the log together.", "We"),
        ("Works out the figures for the area ourselves.", "ourselves"),
        ("Says I'm not sure whether the rule applies.", "I'm"),
        ("Says I\u2019ve checked the gauge.", "I\u2019ve"),
    ],
)
def test_observed_levels_must_be_in_the_third_person(bank, text, found):
    def copy_first_person(d: dict) -> None:
        d["items"][0]["observed"]["levels"][5] = text

    edit_yaml(bank / "items/leadership.yaml", copy_first_person)
    assert f"observed 5 must be in the third person; found {found!r}" in problems(bank)


def test_third_person_check_leaves_capitals_that_are_not_first_person(bank):
    def mention_us_and_usual(d: dict) -> None:
        d["items"][0]["observed"]["levels"][5] = "Usually meets US customers at the gate."

    edit_yaml(bank / "items/leadership.yaml", mention_us_and_usual)
    load_catalogue(bank)


def test_too_few_self_ratings_for_a_skill(bank):
    def keep_two_self_ratings(d: dict) -> None:
        d["items"] = [i for i in d["items"] if i["kind"] != "self_rating"] + [
            i for i in d["items"] if i["kind"] == "self_rating"
        ][:2]

    edit_yaml(bank / "items/marketing.yaml", keep_two_self_ratings)
    assert (
        "items/marketing.yaml: items: skill 'marketing' has 2 self-rating items; at least 5 are "
        "needed" in problems(bank)
    )


def test_slug_must_match_file_name(bank):
    (bank / "roles/production-manager.yaml").rename(bank / "roles/pm.yaml")
    assert "roles/pm.yaml: slug: 'production-manager' does not match the file name" in problems(
        bank
    )


def test_catalogue_is_immutable():
    cat = load_catalogue(QUESTIONS_DIR)
    role = cat.roles["production-manager"]
    with pytest.raises(Exception):  # noqa: B017, PT011 - pydantic raises ValidationError
        role.name = "changed"
    with pytest.raises(TypeError):
        cat.roles["x"] = role  # type: ignore[index]


def test_editing_an_item_changes_its_version_hash(bank):
    before = load_catalogue(bank).items["lean.know.takt"].content_hash

    def edit(d: dict) -> None:
        item = next(i for i in d["items"] if i["id"] == "lean.know.takt")
        item["explanation"] += " Edited."

    edit_yaml(bank / "items/lean-improvement.yaml", edit)
    after = load_catalogue(bank).items["lean.know.takt"].content_hash
    assert before != after


def test_a_weight_revision_keeps_the_weights_before_it_whole(bank):
    def shrink(d: dict) -> None:
        before = d["skills"]["revisions"][0]["before"]
        before[next(iter(before))] -= 1

    edit_yaml(bank / "roles/head-of-production.yaml", shrink)
    assert "the earlier weights add up to 99; they must add up to 100" in problems(bank)


def test_a_weight_revision_names_known_skills(bank):
    def rename(d: dict) -> None:
        before = d["skills"]["revisions"][0]["before"]
        before["juggling"] = before.pop(next(iter(before)))

    edit_yaml(bank / "roles/head-of-production.yaml", rename)
    assert (
        "roles/head-of-production.yaml: skills.revisions.0.before: unknown skill 'juggling'"
        in problems(bank)
    )


def test_weight_revisions_are_listed_newest_first(bank):
    def add_later(d: dict) -> None:
        revisions = d["skills"]["revisions"]
        revisions.append({**revisions[0], "changed_on": "2027-01-01"})

    edit_yaml(bank / "roles/head-of-production.yaml", add_later)
    assert "revisions are listed newest first, one per day" in problems(bank)


def test_the_weights_a_revision_brought_in_are_todays():
    role = load_catalogue(QUESTIONS_DIR).roles["head-of-production"]
    (revision,) = role.skills.revisions
    assert role.skills.weights_after(revision) == role.skills.weights
    assert revision.before["supply-chain"] == 15
    assert "health-safety" not in revision.before
    assert role.skills.weights["health-safety"] == 10
