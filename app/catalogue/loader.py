"""Read `questions/`, validate it strictly and build the immutable catalogue."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.catalogue import rules
from app.catalogue.schema import (
    ChoiceItem,
    Item,
    ItemsFile,
    Role,
    SelfRatingItem,
    Skill,
    SkillsFile,
    Source,
    SourcesFile,
)

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (ten times faster), else the pure one."""


class CatalogueError(Exception):
    """One or more problems in the question files, each naming the file and the path inside it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CatalogueItem:
    """An item with the skill it assesses and the hash of its content (its version key)."""

    skill_id: str
    content: SelfRatingItem | ChoiceItem
    content_hash: str

    @property
    def id(self) -> str:
        return self.content.id

    @property
    def kind(self) -> str:
        return self.content.kind


@dataclass(frozen=True)
class Catalogue:
    sources: Mapping[str, Source]
    skills: Mapping[str, Skill]
    roles: Mapping[str, Role]
    items: Mapping[str, CatalogueItem]
    items_by_skill: Mapping[str, tuple[CatalogueItem, ...]] = field(default_factory=dict)

    def roles_in_order(self) -> list[Role]:
        return sorted(self.roles.values(), key=lambda r: r.order)


def item_content_hash(item: SelfRatingItem | ChoiceItem) -> str:
    """A stable hash of everything a user sees of an item; any edit gives a new version."""
    canonical = json.dumps(item.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _format_loc(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("self_rating", "knowledge", "scenario")]
    return ".".join(parts) or "(top level)"


def _read(path: Path, model: type[BaseModel], problems: list[str], base: Path) -> Any:
    rel = path.relative_to(base).as_posix()
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{rel}: cannot read file: {exc}")
        return None
    except yaml.YAMLError as exc:
        problems.append(f"{rel}: not valid YAML: {exc}".replace("\n", " "))
        return None
    try:
        return TypeAdapter(model).validate_python(raw)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(f"{rel}: {_format_loc(err['loc'])}: {err['msg']}")
        return None


def _duplicates(ids: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    dup: set[str] = set()
    for i in ids:
        (dup if i in seen else seen).add(i)
    return dup


def load_catalogue(directory: Path) -> Catalogue:
    """Load and cross-check every file; raise CatalogueError listing every problem found."""
    directory = Path(directory)
    problems: list[str] = []
    if not directory.is_dir():
        raise CatalogueError([f"{directory}: question directory not found"])

    sources_file = _read(directory / "sources.yaml", SourcesFile, problems, directory)
    skills_file = _read(directory / "skills.yaml", SkillsFile, problems, directory)
    sources = {s.id: s for s in sources_file.sources} if sources_file else {}
    skills = {s.id: s for s in skills_file.skills} if skills_file else {}
    for dup in sorted(_duplicates(s.id for s in (sources_file.sources if sources_file else []))):
        problems.append(f"sources.yaml: sources: duplicate source id {dup!r}")
    for dup in sorted(_duplicates(s.id for s in (skills_file.skills if skills_file else []))):
        problems.append(f"skills.yaml: skills: duplicate skill id {dup!r}")

    roles: dict[str, Role] = {}
    for path in sorted((directory / "roles").glob("*.yaml")):
        role = _read(path, Role, problems, directory)
        if role is None:
            continue
        rel = path.relative_to(directory).as_posix()
        if role.slug != path.stem:
            problems.append(f"{rel}: slug: {role.slug!r} does not match the file name")
        if role.slug in roles:
            problems.append(f"{rel}: slug: duplicate role slug {role.slug!r}")
        problems.extend(_check_role_refs(rel, role, skills, sources))
        roles[role.slug] = role
    if not roles and not any(p.startswith("roles/") for p in problems):
        problems.append("roles/: no role files found")

    items, by_skill = _read_items(directory, skills, sources, problems)
    if problems:
        raise CatalogueError(problems)
    return Catalogue(
        sources=MappingProxyType(sources),
        skills=MappingProxyType(skills),
        roles=MappingProxyType(roles),
        items=MappingProxyType(items),
        items_by_skill=MappingProxyType({k: tuple(v) for k, v in by_skill.items()}),
    )


def _read_items(
    directory: Path,
    skills: Mapping[str, Skill],
    sources: Mapping[str, Source],
    problems: list[str],
) -> tuple[dict[str, CatalogueItem], dict[str, list[CatalogueItem]]]:
    """Every item file, checked item by item against the writing rules, then as a bank."""
    items: dict[str, CatalogueItem] = {}
    by_skill: dict[str, list[CatalogueItem]] = {}
    choice_items: list[rules.Located] = []
    for path in sorted((directory / "items").glob("*.yaml")):
        items_file = _read(path, ItemsFile, problems, directory)
        if items_file is None:
            continue
        rel = path.relative_to(directory).as_posix()
        if items_file.skill not in skills:
            problems.append(f"{rel}: skill: unknown skill {items_file.skill!r}")
        elif items_file.skill in by_skill:
            problems.append(f"{rel}: skill: a second file for skill {items_file.skill!r}")
        for index, item in enumerate(items_file.items):
            where = f"{rel}: items.{index}"
            if item.id in items:
                problems.append(f"{where}.id: duplicate item id {item.id!r}")
                continue
            if isinstance(item, ChoiceItem):
                problems.extend(f"{where}.{p}" for p in rules.check_choice_item(item, sources))
                choice_items.append(rules.Located(rel, index, items_file.skill, item))
            entry = CatalogueItem(items_file.skill, item, item_content_hash(item))
            items[item.id] = entry
            by_skill.setdefault(items_file.skill, []).append(entry)
    problems.extend(rules.near_duplicates(choice_items))
    problems.extend(rules.check_scenario_keys("items/", (c.item for c in choice_items)))
    for skill_id in skills:
        entries = by_skill.get(skill_id, [])
        problems.extend(_check_skill_items(f"items/{skill_id}.yaml", entries))
        levels = {
            e.content.difficulty
            for e in entries
            if isinstance(e.content, ChoiceItem) and e.content.difficulty is not None
        }
        problems.extend(
            rules.check_skill_coverage(
                f"items/{skill_id}.yaml", skill_id, [e.kind for e in entries], levels
            )
        )
    return items, by_skill


def _check_skill_items(file: str, entries: list[CatalogueItem]) -> list[str]:
    """A skill's scenario keys and its self-ratings against its choice items."""
    ratings = [e.content for e in entries if isinstance(e.content, SelfRatingItem)]
    choice = [e.content for e in entries if isinstance(e.content, ChoiceItem)]
    positions = {e.id: index for index, e in enumerate(entries)}
    scenarios = [c for c in choice if c.kind == "scenario"]
    return [
        *rules.check_scenario_keys(f"{file}: items", scenarios),
        *rules.self_rating_leaks(file, positions, ratings, choice),
    ]


def _check_role_refs(
    rel: str, role: Role, skills: Mapping[str, Skill], sources: Mapping[str, Source]
) -> list[str]:
    problems = []
    for index, rs in enumerate(role.skills.items):
        if rs.skill not in skills:
            problems.append(f"{rel}: skills.items.{index}.skill: unknown skill {rs.skill!r}")
    for index, revision in enumerate(role.skills.revisions):
        for skill_id in sorted(set(revision.before) - set(skills)):
            problems.append(f"{rel}: skills.revisions.{index}.before: unknown skill {skill_id!r}")
    groups: dict[str, list[str]] = {
        "titles": role.titles.sources,
        "summary": role.summary.sources,
        "duties": role.duties.sources,
        "skills": role.skills.sources,
        "path": role.path.sources,
    }
    q = role.qualifications
    for name in ("education", "mba", "years_experience", "years_management", "certifications"):
        groups[f"qualifications.{name}"] = getattr(q, name).sources
    for index, fact in enumerate(role.salary.facts):
        groups[f"salary.facts.{index}"] = [fact.source]
    for where, ids in groups.items():
        for sid in ids:
            if sid not in sources:
                problems.append(f"{rel}: {where}.sources: unknown source {sid!r}")
    return problems


ITEM_ADAPTER: TypeAdapter[Any] = TypeAdapter(Item)
