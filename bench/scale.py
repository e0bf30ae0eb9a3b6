"""`make bench-scale`: do the busiest pages stay fast when the database holds a real community?

1. Seed two schemas with the small bench database (`make bench`'s users); to one of them add
   100,000 members with 1,000,000 submitted attempts and about 10,000,000 answers
   (bench/community.py: set-based SQL inside PostgreSQL), then VACUUM ANALYZE.
2. Serve each with its own gunicorn and measure the same rows on both, small and large back to
   back in every round, so that the machine's drift cancels out of each round's slowdown.
3. Time `flask questions stats` on both, record table and index sizes, and EXPLAIN every hot
   query (bench/plans.py).
4. Write bench/SCALE.md. The schemas are dropped afterwards unless --keep is given.

Not part of `make test`: about 10 minutes and 3.5 GB of disk (tables, indexes and WAL) on the
2-core machine; bench/SCALE.md has the last run's figures.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

import sqlalchemy as sa

from bench.community import Community, seed_community
from bench.plans import Plan, hot_plans
from bench.run import (
    BASELINE,
    REFERENCE,
    WRK_THREADS,
    Measure,
    Row,
    arguments,
    bench_env,
    machine,
    pg_url,
    prepare,
    rows_from_rounds,
    run_wrk,
    seed,
    server_url,
)
from tests.live import ROOT, gunicorn, server_env

SCHEMA = "bench_scale"
SMALL_SCHEMA = "bench_scale_small"
SCALE_MD = ROOT / "bench" / "SCALE.md"
PAGE_LIMIT = 1.5  # each page within 1.5x of its time on the small database
STATS_LIMIT_S = 60.0


@dataclass(frozen=True)
class TableSize:
    name: str
    rows: int
    heap_bytes: int
    index_bytes: int

    @property
    def total(self) -> int:
        return self.heap_bytes + self.index_bytes


def time_stats(url: str) -> tuple[float, str]:
    """Wall time of `flask questions stats` on the database at `url`, and its summary line."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "flask", "questions", "stats"],
        cwd=ROOT,
        env=server_env(url),
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, done.stdout.strip().splitlines()[-1]


def table_sizes(conn: sa.Connection) -> list[TableSize]:
    rows = conn.execute(
        sa.text(
            """
            SELECT c.relname, c.reltuples::bigint, pg_table_size(c.oid), pg_indexes_size(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind = 'r'
            ORDER BY pg_total_relation_size(c.oid) DESC
            """
        )
    )
    return [TableSize(name, max(n, 0), heap, index) for name, n, heap, index in rows]


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f}"


def per_request_ms(row: Row) -> float:
    return 1000 / row.rps


def write_scale(
    args: argparse.Namespace,
    small: list[Row],
    large: list[Row],
    stats: tuple[tuple[float, str], tuple[float, str]],
    seeding: dict[str, float],
    sizes: list[TableSize],
    plans: list[Plan],
    elapsed: float,
) -> str:
    small_by, large_by = {r.name: r for r in small}, {r.name: r for r in large}
    lines = [
        "# Scale benchmark",
        "",
        f"Run: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} · `make bench-scale` "
        f"({elapsed / 60:.0f} minutes) · {machine()} · gunicorn {args.workers} sync workers "
        "per database · "
        f"PostgreSQL on the same machine · wrk {WRK_THREADS} threads, {args.connections} "
        "connections · "
        f"{args.rounds} rounds of {args.duration} s per row and database.",
        "",
        f"The large database holds the small one plus {args.users:,} members with "
        f"{args.attempts:,} submitted attempts (`bench/community.py`: skewed attempts per "
        "member, time ordered, answers following each member's ability).",
        "",
        "## Pages: small database vs 100,000 members",
        "",
        "Each round measures a row on the small database and at once on the large one (which "
        "goes first alternates by round), and the "
        "slowdown is the median over rounds of large ms/req ÷ small ms/req (this shared "
        "machine's speed drifts by up to 2x within minutes, but not within seconds). "
        f"Target: every page within {PAGE_LIMIT}x.",
        "",
        "| endpoint | small ms/req | large ms/req | slowdown (per round) | p50 small / large "
        "ms | p99 small / large ms | verdict |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, s_row in small_by.items():
        g = large_by[name]
        per_round = [a.rps / b.rps for a, b in zip(s_row.rounds, g.rounds, strict=True)]
        slowdown = median(per_round)
        verdict = (
            "—" if name in (BASELINE, REFERENCE) else "met" if slowdown <= PAGE_LIMIT else "MISSED"
        )
        lines.append(
            f"| {name} | {per_request_ms(s_row):.2f} | {per_request_ms(g):.2f} | "
            f"{slowdown:.2f}x ({', '.join(f'{x:.2f}' for x in per_round)}) | "
            f"{s_row.p50_ms:.0f} / {g.p50_ms:.0f} | {s_row.p99_ms:.0f} / {g.p99_ms:.0f} | "
            f"{verdict} |"
        )
    (small_s, _), (large_s, large_line) = stats
    lines += [
        "",
        "ms/req is the inverse of the median throughput at 16 connections (machine time per "
        "request); the baseline and the reference rows show what the growth costs a bare query "
        "and a logged-in page that only looks up the user.",
        "",
        "## Item statistics",
        "",
        f"`flask questions stats` over every answer: {small_s:.1f} s on the small database, "
        f"**{large_s:.1f} s** on the large one (target: under {STATS_LIMIT_S:.0f} s — "
        f"{'met' if large_s < STATS_LIMIT_S else 'MISSED'}). Its last line: `{large_line}`.",
        "",
        "## Seeding",
        "",
        "| step | seconds |",
        "|---|---:|",
        *(f"| {step} | {seconds:,.1f} |" for step, seconds in seeding.items()),
        f"| **total** | **{sum(seeding.values()):,.1f}** |",
        "",
        "## Table and index sizes (large database)",
        "",
        "| table | rows | table MB | indexes MB | total MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for t in sizes:
        if t.total >= 2**20:
            lines.append(
                f"| {t.name} | {t.rows:,} | {_mb(t.heap_bytes)} | {_mb(t.index_bytes)} | "
                f"{_mb(t.total)} |"
            )
    total = sum(t.total for t in sizes)
    users = next(t.rows for t in sizes if t.name == "users")
    lines += [
        f"| **all tables** | | {_mb(sum(t.heap_bytes for t in sizes))} | "
        f"{_mb(sum(t.index_bytes for t in sizes))} | **{_mb(total)}** |",
        "",
        f"Bytes per member: {total / max(users, 1):,.0f} (all tables and indexes over "
        f"{users:,} members).",
        "",
        "## Plans of the hot queries (large database)",
        "",
        "| query | tables read, and how | sequential scan of a large table |",
        "|---|---|---|",
    ]
    for plan in plans:
        reads = ", ".join(f"{table}: {node}" for node, table in plan.scans)
        bad = ", ".join(plan.sequential_scans_of_large_tables) or "none"
        lines.append(f"| {plan.name} | {reads} | {bad} |")
    lines += [
        "",
        "Parameters are those of the most active member (the hardest case). "
        "`tests/web/test_query_plans.py` keeps these plans on a database of 2,000 members.",
        "Decisions and what would change at 10x: docs/performance.md.",
        "",
    ]
    SCALE_MD.write_text("\n".join(lines))
    return "\n".join(lines)


def measure_both(
    small_url: str, large_url: str, args: argparse.Namespace
) -> tuple[list[Row], list[Row]]:
    """Every row on both databases, back to back within each round."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        gunicorn(bench_env(small_url), Path(tmp), args.workers) as small,
        gunicorn(bench_env(large_url), Path(tmp), args.workers) as large,
    ):
        plans = {small.base: prepare(small.base), large.base: prepare(large.base)}
        rounds: dict[str, list[dict[str, Measure]]] = {small.base: [], large.base: []}
        for number in range(args.rounds):
            results: dict[str, dict[str, Measure]] = {small.base: {}, large.base: {}}
            # Alternate which database goes first, so that neither always runs warmer.
            order = (small.base, large.base) if number % 2 == 0 else (large.base, small.base)
            for name in plans[small.base]:
                for base in order:
                    results[base][name] = run_wrk(
                        base, name, plans[base][name], args.duration, args.connections
                    )
            for base, measured in results.items():
                rounds[base].append(measured)
    return rows_from_rounds(rounds[small.base]), rows_from_rounds(rounds[large.base])


def main() -> None:
    parser = arguments(
        "Measure the busiest pages with 100,000 members; writes bench/SCALE.md", rounds=3
    )
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the seeded schemas")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    started = time.perf_counter()
    small_url, large_url = pg_url(SMALL_SCHEMA), pg_url(SCHEMA)
    try:
        seed(small_url)
        seed(large_url)
        print(f"seeding {args.users:,} members, {args.attempts:,} attempts", flush=True)
        engine = sa.create_engine(large_url)
        with engine.connect() as conn:
            seeding = seed_community(conn, Community(args.users, args.attempts))
        print("measuring both databases", flush=True)
        small, large = measure_both(small_url, large_url, args)
        stats = (time_stats(small_url), time_stats(large_url))
        with engine.connect() as conn:
            sizes = table_sizes(conn)
            plans = hot_plans(conn)
        engine.dispose()
        elapsed = time.perf_counter() - started
        print(write_scale(args, small, large, stats, seeding, sizes, plans, elapsed))
    finally:
        if not args.keep:
            admin = sa.create_engine(server_url())
            with admin.begin() as conn:
                for schema in (SCHEMA, SMALL_SCHEMA):
                    conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            admin.dispose()


if __name__ == "__main__":
    main()
