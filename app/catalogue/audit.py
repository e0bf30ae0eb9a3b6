"""The bank's audit: how far a test-wise person gets without the skill, per kind of item.

Every strategy (surface features, a "good manager" lexicon, kinds of move, models learned from
the wording of other skills' options) answers every item it can, and its mean credit is compared
with chance, separately for knowledge and scenario items. A sound bank keeps every single-choice
strategy within `SINGLE_MARGIN` points of chance on each kind, every multiple-select strategy
under `MULTIPLE_LIMIT`, and does not make its senior-leader items (difficulty 3) easier to guess
than its supervisor items (difficulty 1) by more than the choice of items explains.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.catalogue.testwise import Entry, Strategy, chance_credit, surface_strategies
from app.catalogue.wording import lexicon_strategies, model_strategies, move_strategies

SINGLE_MARGIN = 10.0
"""Points above chance that any single-choice strategy may reach, on each kind of item."""
MULTIPLE_LIMIT = 60.0
"""Score that any multiple-select strategy may reach."""
DIFFICULTY_Z = 1.645
"""One-sided 5 % point of the normal distribution, for the difficulty rule."""
DIFFICULTY_STRATEGIES = 5
"""The difficulty rule follows this many of a group's strongest strategies: averaged over every
strategy, one that picks the longest option and one that avoids it cancel out, and a cue planted
in the senior items would go unseen."""
KINDS = ("knowledge", "scenario")


@dataclass(frozen=True)
class StrategyResult:
    name: str
    family: str
    description: str
    kind: str  # "knowledge" or "scenario"
    select: str  # "single" or "multiple"
    items: int
    score: float
    chance: float
    limit: float

    @property
    def passed(self) -> bool:
        return self.score <= self.limit

    @property
    def margin(self) -> float:
        return self.score - self.chance


@dataclass(frozen=True)
class Group:
    """The items of one kind and one select mode, and every applicable strategy's credits."""

    kind: str
    select: str
    entries: tuple[Entry, ...]
    results: tuple[StrategyResult, ...]
    credits: dict[str, list[float]] = field(repr=False)


@dataclass(frozen=True)
class DifficultyCheck:
    """Mean credit above chance of the strongest single-choice strategies on levels 1 and 3.

    Level-3 items may not be easier to guess than level-1 items by more than the choice of
    items explains: the rule fails when the gap exceeds `DIFFICULTY_Z` standard errors of the
    difference (a one-sided test at the 5 % level), since two sets of thirty-odd items that are
    equally hard to guess still differ a little."""

    kind: str
    level1: float
    level3: float
    items1: int
    items3: int
    standard_error: float

    @property
    def passed(self) -> bool:
        return self.level3 - self.level1 <= DIFFICULTY_Z * self.standard_error


@dataclass(frozen=True)
class AuditReport:
    groups: tuple[Group, ...]
    difficulty: tuple[DifficultyCheck, ...]

    @property
    def results(self) -> list[StrategyResult]:
        return [r for g in self.groups for r in g.results]

    def failures(self) -> list[str]:
        out = [f"{r.kind} {r.select} {r.name}" for r in self.results if not r.passed]
        out += [
            f"{d.kind}: difficulty-3 items easier to guess than difficulty-1 items"
            for d in self.difficulty
            if not d.passed
        ]
        return out

    @property
    def passed(self) -> bool:
        return not self.failures()


def strategies() -> list[Strategy]:
    return [*surface_strategies(), *lexicon_strategies(), *move_strategies(), *model_strategies()]


def _applies(strategy: Strategy, kind: str, select: str) -> bool:
    """Move strategies read the scenario options' tags; everything else reads any item."""
    return strategy.select == select and (strategy.family != "moves" or kind == "scenario")


def _group(kind: str, select: str, entries: Sequence[Entry]) -> Group:
    chance = 100 * statistics.fmean(chance_credit(e.item) for e in entries)
    limit = chance + SINGLE_MARGIN if select == "single" else MULTIPLE_LIMIT
    credits: dict[str, list[float]] = {}
    results = []
    for strategy in strategies():
        if not _applies(strategy, kind, select):
            continue
        credits[strategy.name] = strategy.credits(entries)
        score = 100 * statistics.fmean(credits[strategy.name])
        results.append(
            StrategyResult(
                strategy.name,
                strategy.family,
                strategy.description,
                kind,
                select,
                len(entries),
                score,
                chance,
                limit,
            )
        )
    return Group(kind, select, tuple(entries), tuple(results), credits)


def _difficulty(group: Group) -> DifficultyCheck:
    by_level: dict[int, list[float]] = {1: [], 3: []}
    ranked = sorted(group.results, key=lambda r: -r.score)[:DIFFICULTY_STRATEGIES]
    strongest = {r.name: group.credits[r.name] for r in ranked}
    for index, entry in enumerate(group.entries):
        level = entry.item.difficulty
        if level in by_level:
            chance = 1 / len(entry.item.options)
            mean = statistics.fmean(credits[index] for credits in strongest.values())
            by_level[level].append(100 * (mean - chance))

    def mean(values: list[float]) -> float:
        return statistics.fmean(values) if values else 0.0

    def variance_of_mean(values: list[float]) -> float:
        return statistics.variance(values) / len(values) if len(values) > 1 else 0.0

    one, three = by_level[1], by_level[3]
    return DifficultyCheck(
        group.kind,
        mean(one),
        mean(three),
        len(one),
        len(three),
        (variance_of_mean(one) + variance_of_mean(three)) ** 0.5,
    )


def run(entries: Iterable[Entry]) -> AuditReport:
    """Every strategy on every kind of item, and the difficulty rule on single-choice items."""
    entries = list(entries)
    groups = []
    for kind in KINDS:
        for select in ("single", "multiple"):
            chosen = [e for e in entries if e.item.kind == kind and e.item.select == select]
            if chosen:
                groups.append(_group(kind, select, chosen))
    difficulty = tuple(_difficulty(g) for g in groups if g.select == "single")
    return AuditReport(tuple(groups), difficulty)


def format_table(report: AuditReport, top: int | None = None) -> list[str]:
    """Lines of a plain-text table per group, strongest strategy first (`top` of each)."""
    lines = []
    for group in report.groups:
        lines.append(f"{group.kind}, {group.select}-choice: {len(group.entries)} items")
        lines.append(f"  {'strategy':<26} {'family':<8} {'score':>6} {'chance':>6} {'limit':>6}")
        ranked = sorted(group.results, key=lambda r: -r.score)
        for r in ranked[:top] if top else ranked:
            flag = "" if r.passed else "  FAIL"
            lines.append(
                f"  {r.name:<26} {r.family:<8} {r.score:>6.1f} {r.chance:>6.1f} "
                f"{r.limit:>6.1f}{flag}"
            )
    for d in report.difficulty:
        flag = "" if d.passed else "  FAIL"
        lines.append(
            f"{d.kind}: the {DIFFICULTY_STRATEGIES} strongest strategies above chance on "
            f"difficulty 1: {d.level1:+.1f} points ({d.items1} items), on difficulty 3: "
            f"{d.level3:+.1f} ({d.items3} items), "
            f"allowed gap {DIFFICULTY_Z * d.standard_error:.1f}{flag}"
        )
    return lines


def skill_lines(report: AuditReport, skill_id: str) -> list[str]:
    """Per item of one skill: its key, and the strategies that find it (for authors)."""
    lines = []
    for group in report.groups:
        families = {r.name: r.family for r in group.results}
        for index, entry in enumerate(group.entries):
            if entry.skill_id != skill_id:
                continue
            item = entry.item
            keys = ",".join(sorted(item.correct_ids))
            moves = " ".join(f"{o.id}={o.move.value}" for o in item.options if o.move)
            chance = 1 / len(item.options) if item.select == "single" else 0.0
            found = sorted(
                (name for name, c in group.credits.items() if c[index] > chance + 1e-9),
                key=lambda name: -group.credits[name][index],
            )
            lines.append(
                f"{item.id} ({group.kind}, difficulty {item.difficulty}, key {keys}"
                + (f"; {moves}" if moves else "")
                + ")"
            )
            for family in ("model", "lexicon", "moves"):
                right = [n for n in found if families[n] == family]
                if right or family != "moves" or group.kind == "scenario":
                    lines.append(f"  {family} right: {', '.join(right) or 'none'}")
            surface = sum(1 for n in found if families[n] == "surface")
            lines.append(f"  surface strategies better than chance: {surface}")
    lines.append(f"{skill_id}: score of each strategy on this skill's items")
    for group in report.groups:
        index = [i for i, e in enumerate(group.entries) if e.skill_id == skill_id]
        if not index:
            continue
        chance = 100 * statistics.fmean(chance_credit(group.entries[i].item) for i in index)
        scored = sorted(
            ((100 * statistics.fmean(c[i] for i in index), n) for n, c in group.credits.items()),
            reverse=True,
        )
        best = ", ".join(f"{n} {s:.0f}" for s, n in scored[:8])
        lines.append(
            f"  {group.kind} {group.select} ({len(index)} items, chance {chance:.0f}): {best}"
        )
    return lines
