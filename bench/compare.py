"""`python -m bench.compare`: paired comparison of server set-ups on one seeded bench database.

Every set-up is a gunicorn serving that database, all started at once (a server is idle while
another is measured). Each round measures every set-up's rows as `make bench` does (its own
reference before and after each row), the set-ups in a new random order each round, so that the
machine's drift falls on all of them alike: a difference that shows in most rounds is real, one
that shows in a few is noise. It answered two questions in docs/performance.md: how many workers
serve the most, and how much of the answer POST's gap is the durable commit.

Usage: python -m bench.compare [--workers 3,4,5] [--unflushed] [--rows answer,quiz] [--rounds 7]

`--unflushed` adds the first worker count with `synchronous_commit = off` on the app's
connections: an experiment only (the app never commits that way, since a crash could then lose
answers it has confirmed), to measure what flushing the WAL at each answer costs.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from bench.run import REFERENCE, bench_env, measure_round, pg_url, prepare, round_arguments, seed
from tests.live import gunicorn

ROWS = {
    "quiz": "quiz page",
    "answer": "answer",
    "report20": "report, 20",
    "report2000": "report, 2,000",
}
SCHEMA = "bench_compare"
UNFLUSHED = "%20-csynchronous_commit%3Doff"  # pg_url's URL ends with its `options` value


@dataclass(frozen=True)
class SetUp:
    name: str
    url: str
    workers: int


def set_ups(url: str, workers: list[int], unflushed: bool) -> list[SetUp]:
    found = [SetUp(f"{w} workers", url, w) for w in workers]
    if unflushed:
        found.append(SetUp(f"{workers[0]} workers, WAL flush off", url + UNFLUSHED, workers[0]))
    return found


def row_names(keys: str) -> tuple[str, ...]:
    """`answer,quiz` -> the starts of those rows' names in `bench.run.prepare`."""
    try:
        return tuple(ROWS[key] for key in keys.split(","))
    except KeyError as error:
        raise argparse.ArgumentTypeError(f"no row {error}; rows: {','.join(ROWS)}") from None


def parse_args() -> argparse.Namespace:
    parser = round_arguments("Paired comparison of gunicorn set-ups", rounds=7)
    parser.add_argument("--workers", default="3", help="worker counts to compare: 3,4,5")
    parser.add_argument("--unflushed", action="store_true", help="add a WAL-flush-off set-up")
    parser.add_argument("--rows", type=row_names, default="answer", help=f"any of {','.join(ROWS)}")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    url = pg_url(SCHEMA)
    seed(url)
    ratios: dict[tuple[str, str], list[float]] = {}
    served: dict[tuple[str, str], list[float]] = {}
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        servers = {}
        for s in set_ups(url, counts, args.unflushed):
            servers[s.name] = stack.enter_context(gunicorn(bench_env(s.url), Path(tmp), s.workers))
        plans = {}
        for name, server in servers.items():
            every = prepare(server.base)
            plans[name] = {k: v for k, v in every.items() if k.startswith((*args.rows, REFERENCE))}
        for number in range(args.rounds):
            order = list(servers)
            random.shuffle(order)
            for name in order:
                measured, beside = measure_round(servers[name].base, plans[name], args)
                for row, m in measured.items():
                    ratios.setdefault((name, row), []).append(m.rps / beside[row])
                    served.setdefault((name, row), []).append(m.rps)
                print(f"round {number + 1}: {name} done", flush=True)
    print("| set-up | row | req/s (median) | ratio to reference (median) | every round |")
    print("|---|---|---:|---:|---|")
    for (name, row), values in ratios.items():
        rounds = ", ".join(f"{v:.2f}" for v in values)
        print(
            f"| {name} | {row} | {median(served[name, row]):,.0f} | {median(values):.2f} "
            f"| {rounds} |"
        )


if __name__ == "__main__":
    main()
