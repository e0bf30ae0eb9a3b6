"""Which items work: classical item statistics over stored answers, computed in SQL aggregates.

Per item (its current version only, since an edit makes a different item):
- answers: submitted answers, skipped knowledge items included (they count as wrong), but none
  of an imported attempt (a person's own claim, which must not move everyone's numbers);
- facility: the mean credit, the share answered right;
- discrimination: the corrected item-total correlation, the Pearson (point-biserial) correlation
  between the item's credit and the mean credit of the attempt's other items of the same skill
  and kind (self-ratings with self-ratings, knowledge and scenario items together);
- how often each option was chosen.
Per skill and scale (self-ratings; knowledge and scenario items): Cronbach's alpha. Attempts ask
a sample of the skill's items, so alpha is computed for the most common number k of items per
attempt: k / (k - 1) x (1 - k x mean item variance / variance of attempt totals).

The SQL reads each answer once and aggregates; Python only adds up a few sums per item.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import bindparam, text

from app.catalogue.loader import Catalogue
from app.catalogue.schema import ChoiceItem
from app.catalogue.sync import stored_versions
from app.extensions import db

MIN_ANSWERS = 30
LOW_DISCRIMINATION = 0.2
TOO_EASY = 0.95
TOO_HARD = 0.10

_SUMS = text(
    """
WITH scored AS (
    SELECT ai.item_version_id AS version_id, a.credit AS x, a.choices,
           SUM(a.credit) OVER per_scale AS total, COUNT(*) OVER per_scale AS n
    FROM answers a
    JOIN attempt_items ai ON ai.id = a.attempt_item_id
    JOIN item_versions iv ON iv.id = ai.item_version_id
    JOIN attempts t ON t.id = a.attempt_id
    WHERE t.status = 'submitted' AND NOT t.imported AND a.credit IS NOT NULL
      AND ai.item_version_id IN :versions
    WINDOW per_scale AS (PARTITION BY a.attempt_id, iv.skill_id, iv.kind = 'self_rating')
)
SELECT version_id, choices, n,
       COUNT(*) AS answers, SUM(x) AS sx, SUM(x * x) AS sxx,
       SUM((total - x) / (n - 1)) FILTER (WHERE n > 1) AS py,
       SUM((total - x) * (total - x) / ((n - 1) * (n - 1))) FILTER (WHERE n > 1) AS pyy,
       SUM(x * (total - x) / (n - 1)) FILTER (WHERE n > 1) AS pxy,
       SUM(total / n) AS st, SUM(total * total / n) AS stt
FROM scored
GROUP BY version_id, choices, n
"""
).bindparams(bindparam("versions", expanding=True))
"""One pass over the answers. Each answer sees its scale's total and size in the attempt (a
window, not a join back to a grouped copy), and the sums come out per item version, option
combination and scale size: a few thousand rows at any number of answers, which Python adds
up per item, per option and per scale. Every sum is additive, so nothing is lost; for a scale
group of size n and total T, its n answers each carry T / n, so SUM(total / n) over them is T."""


@dataclass
class _Sums:
    """Running sums for one item: all answers, and those with other items to correlate with."""

    answers: int = 0
    sx: float = 0.0
    sxx: float = 0.0
    pairs: int = 0
    px: float = 0.0
    pxx: float = 0.0
    py: float = 0.0
    pyy: float = 0.0
    pxy: float = 0.0


@dataclass
class _ScaleSums:
    """For one skill, scale and number of items per attempt: attempts, sum and sum of squares
    of the attempt totals."""

    skill_id: str
    scale: str
    n: int
    attempts: float = 0.0
    st: float = 0.0
    stt: float = 0.0


@dataclass(frozen=True)
class ItemStat:
    item_id: str
    skill_id: str
    kind: str
    answers: int
    facility: float | None
    discrimination: float | None
    variance: float | None = None
    options: Mapping[str, int] = field(default_factory=dict)
    flags: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class ScaleStat:
    skill_id: str
    scale: str  # "self-ratings" or "knowledge"
    items_per_attempt: int
    attempts: int
    alpha: float | None


def pearson(n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float) -> float | None:
    """Pearson's r from sums; None when either variable does not vary."""
    if n < 2:
        return None
    vx = n * sxx - sx * sx
    vy = n * syy - sy * sy
    if vx <= 1e-12 or vy <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(vx * vy)


def flags_for(stat: ItemStat, item: object, min_answers: int) -> tuple[str, ...]:
    """Why an item needs a look, once it has `min_answers` answers."""
    if stat.answers < min_answers:
        return ()
    found = []
    if stat.discrimination is None or stat.discrimination < LOW_DISCRIMINATION:
        found.append("low discrimination")
    if isinstance(item, ChoiceItem):
        if stat.facility is not None and stat.facility > TOO_EASY:
            found.append("too easy")
        if stat.facility is not None and stat.facility < TOO_HARD:
            found.append("too hard")
        unpicked = [o.id for o in item.options if not o.correct and not stat.options.get(o.id)]
        found.extend(f"distractor {o} never chosen" for o in unpicked)
    return tuple(found)


def item_statistics(
    cat: Catalogue, skill_id: str | None = None, min_answers: int = MIN_ANSWERS
) -> tuple[list[ItemStat], list[ScaleStat]]:
    """Statistics of every current item (or one skill's), flagged items first."""
    entries = [e for e in cat.items.values() if skill_id in (None, e.skill_id)]
    versions = stored_versions(entries)
    if not versions:
        return [], []
    entry_of = {version: cat.items[item_id] for item_id, version in versions.items()}
    sums: dict[str, _Sums] = defaultdict(_Sums)
    options: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    scales: dict[tuple[str, str, int], _ScaleSums] = {}
    rows = db.session.execute(_SUMS, {"versions": sorted(versions.values())})
    for r in rows.all():
        entry = entry_of[r.version_id]
        item = sums[entry.id]
        item.answers += r.answers
        item.sx += r.sx
        item.sxx += r.sxx
        if r.n > 1:
            item.pairs += r.answers
            item.px += r.sx
            item.pxx += r.sxx
            item.py += r.py
            item.pyy += r.pyy
            item.pxy += r.pxy
        scale = "self" if entry.kind == "self_rating" else "knowledge"
        if scale == "knowledge" and r.choices:
            for option in r.choices.split(","):
                options[entry.id][option] += r.answers
        group = scales.setdefault(
            (entry.skill_id, scale, r.n), _ScaleSums(entry.skill_id, scale, r.n)
        )
        group.attempts += r.answers / r.n
        group.st += r.st
        group.stt += r.stt
    stats = []
    for entry in entries:
        r = sums.get(entry.id)
        stat = ItemStat(
            item_id=entry.id,
            skill_id=entry.skill_id,
            kind=entry.kind,
            answers=r.answers if r else 0,
            facility=r.sx / r.answers if r else None,
            discrimination=pearson(r.pairs, r.px, r.py, r.pxx, r.pyy, r.pxy)
            if r and r.pairs
            else None,
            variance=_variance(r.answers, r.sx, r.sxx) if r else None,
            options=dict(options.get(entry.id, {})),
        )
        stats.append(_with_flags(stat, entry.content, min_answers))
    stats.sort(key=lambda s: (not s.flagged, s.skill_id, s.item_id))
    return stats, _alphas(scales.values(), stats)


def _variance(n: int, sx: float, sxx: float) -> float | None:
    """Sample variance from the count, sum and sum of squares."""
    return (sxx - sx * sx / n) / (n - 1) if n > 1 else None


def _with_flags(stat: ItemStat, item: object, min_answers: int) -> ItemStat:
    return ItemStat(**{**stat.__dict__, "flags": flags_for(stat, item, min_answers)})


def _alphas(rows: Iterable[_ScaleSums], stats: list[ItemStat]) -> list[ScaleStat]:
    """Cronbach's alpha per skill and scale, for the most common number of items per attempt."""
    variances: dict[tuple[str, str], list[float]] = defaultdict(list)
    for s in stats:
        if s.variance is not None:
            scale = "self" if s.kind == "self_rating" else "knowledge"
            variances[(s.skill_id, scale)].append(s.variance)
    by_scale: dict[tuple[str, str], list] = defaultdict(list)
    for r in rows:
        by_scale[(r.skill_id, r.scale)].append(r)
    result = []
    for (skill_id, scale), groups in sorted(by_scale.items()):
        best = max(groups, key=lambda g: (g.attempts, g.n))
        k, m = best.n, round(best.attempts)
        alpha = None
        item_vars = variances.get((skill_id, scale))
        if k > 1 and m > 1 and item_vars:
            total_var = (best.stt - best.st * best.st / m) / (m - 1)
            if total_var > 1e-12:
                alpha = k / (k - 1) * (1 - k * (sum(item_vars) / len(item_vars)) / total_var)
        name = "self-ratings" if scale == "self" else "knowledge"
        result.append(ScaleStat(skill_id, name, k, m, alpha))
    return result


COLUMNS = (
    "item",
    "skill",
    "kind",
    "answers",
    "facility",
    "discrimination",
    "options chosen",
    "flags",
)


def _fixed(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def table_row(stat: ItemStat) -> tuple[str, ...]:
    """One item as text cells, in the order of COLUMNS (CLI, CSV and the admin page)."""
    return (
        stat.item_id,
        stat.skill_id,
        stat.kind,
        str(stat.answers),
        _fixed(stat.facility),
        _fixed(stat.discrimination),
        " ".join(f"{k}:{v}" for k, v in sorted(stat.options.items())),
        "; ".join(stat.flags),
    )
