"""`make bench`: seed PostgreSQL, serve with gunicorn on 127.0.0.1, measure with wrk, write
bench/RESULTS.md.

Every endpoint is reported as a ratio to two rows measured in the same run: a bare one-query
baseline (/readyz) and the reference, a logged-in page that only looks up the user (the floor
of any logged-in page). The endpoints are measured in rounds, each round measuring every row
once with the reference before and after it, and a ratio is the median of the per-round ratios,
each to the two reference runs beside the row: this shared machine's speed drifts by up to 2x
within minutes, and runs measured seconds apart drift together.

Usage: python -m bench.run [--rounds 5] [--duration 5] [--connections 16] [--workers cores+1]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
import timeit
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean, median

import requests
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.catalogue.sync import ensure_versions
from app.extensions import db
from app.models import User
from app.services import accounts
from config import DevelopmentConfig
from tests.live import ROOT, gunicorn, server_env
from tests.seed import seed_submitted_attempts

SCHEMA = "bench"
PASSWORD = "benchmark passphrase"
# Two per connection: each wrk thread cycles over its own 16 quiz takers with 8 connections, so
# a taker's next answer is sent long after the last one was saved.
QUIZ_USERS = 32
WRK_THREADS = 2
COMMUNITY_USERS = 200
"""Other users with a short history each, so the tables hold many users as a live database
would (with one user owning almost every row, PostgreSQL's statistics mislead its planner)."""
COMMUNITY_ATTEMPTS = 10
ROLE = "production-manager"
RESULTS = ROOT / "bench" / "RESULTS.md"
BASELINE = "baseline (GET /readyz, one query)"
REFERENCE = "reference: logged-in page, no query beyond the user (GET /roles)"
"""Not a target: the floor of any logged-in page (signed session, user lookup, base layout)."""


@dataclass
class Measure:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def server_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )


def pg_url(schema: str = SCHEMA) -> str:
    """A fresh, empty schema on the PostgreSQL server, and the URL that uses it."""
    base = server_url()
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return f"{base}?options=-csearch_path%3D{schema}"


def seed(url: str) -> None:
    """Users with 20 and 2,000 submitted attempts, and quiz takers with an attempt open."""
    cfg = type("BenchSeed", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(cfg)
    with app.app_context():
        upgrade()
        cat = app.extensions["catalogue"]
        ensure_versions(cat.items.values())  # as `flask questions load` does in `make run`
        for email, n in (("light@example.com", 20), ("heavy@example.com", 2000)):
            user = accounts.register_user(email, email.split("@")[0], PASSWORD)
            accounts.set_target_role(user, ROLE)
            seed_submitted_attempts(cat, user.id, n, ROLE)
        for i in range(QUIZ_USERS):
            user = accounts.register_user(f"quiz{i}@example.com", f"Quiz {i}", PASSWORD)
            accounts.set_target_role(user, ROLE)
        community = db.session.scalars(
            sa.insert(User).returning(User.id),
            [
                {
                    "email": f"member{i}@example.com",
                    "display_name": f"Member {i}",
                    "password_hash": "unusable",
                    "target_role": ROLE,
                }
                for i in range(COMMUNITY_USERS)
            ],
        ).all()
        for user_id in community:
            seed_submitted_attempts(cat, user_id, COMMUNITY_ATTEMPTS, ROLE)
        db.session.commit()
        # Planner statistics, as autovacuum would have them on a live database after a bulk load.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
        db.engine.dispose()


@dataclass
class CommitCost:
    """Milliseconds of one small write that commits on its own (median of many)."""

    durable: float
    unflushed: float

    def __str__(self) -> str:
        return f"{self.durable:.2f} ms ({self.unflushed:.2f} ms without the WAL flush)"


def commit_cost(url: str, writes: int = 300) -> CommitCost:
    """Time a one-row update in autocommit, as durable as every saved answer, and the same
    update with `synchronous_commit = off` (never used by the app) on a second connection,
    interleaved so that both see the same disk. The difference is what this server's WAL flush
    costs each answer; a slower disk lowers the answer POST's ratio whatever the app does."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    update = "UPDATE commit_probe SET n = n + 1 WHERE id = 1"
    try:
        with engine.connect() as durable, engine.connect() as unflushed:
            durable.exec_driver_sql("CREATE TABLE commit_probe (id int PRIMARY KEY, n int)")
            durable.exec_driver_sql("INSERT INTO commit_probe VALUES (1, 0)")
            unflushed.exec_driver_sql("SET synchronous_commit = off")
            times: dict[sa.Connection, list[float]] = {durable: [], unflushed: []}
            for _ in range(writes):
                for conn, spent in times.items():
                    started = time.perf_counter()
                    conn.exec_driver_sql(update)
                    spent.append((time.perf_counter() - started) * 1000)
            durable.exec_driver_sql("DROP TABLE commit_probe")
    finally:
        engine.dispose()
    return CommitCost(median(times[durable]), median(times[unflushed]))


YARDSTICK = "sum(range(100_000))"
YARDSTICK_REPEATS = 7


def python_speed() -> float:
    """Milliseconds one core takes for YARDSTICK, a fixed pure-Python loop (best of
    YARDSTICK_REPEATS): this CPU's yardstick. Every page's work is Python, and at a fixed
    number of connections a row's latency is mostly its queue (connections / req/s), so on a
    CPU half as fast every row's p50 and p99 about double while the ratios between rows barely
    move."""
    return min(timeit.repeat(YARDSTICK, number=50, repeat=YARDSTICK_REPEATS)) / 50 * 1000


@dataclass
class MachineReading:
    """What sets one machine's figures apart from another's, read outside the rounds: its disk
    (the durable commit each answer waits for) and its CPU (every page's work)."""

    commit: CommitCost
    python_ms: float


def read_machine(url: str) -> MachineReading:
    return MachineReading(commit_cost(url), python_speed())


def token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def login(base: str, email: str) -> requests.Session:
    s = requests.Session()
    page = s.get(f"{base}/login").text
    r = s.post(
        f"{base}/login", data={"csrf_token": token(page), "email": email, "password": PASSWORD}
    )
    r.raise_for_status()
    return s


def lua_script(requests_: list[tuple[str, str, str, dict[str, str]]]) -> str:
    """A wrk script that cycles through prepared requests. Each of wrk's threads takes every
    WRK_THREADS-th request (all of them if there are fewer), so two threads never send the same
    quiz taker's requests: a person answers one question at a time, and two answers to one
    attempt in flight at once would wait on each other's row lock and WAL flush."""

    def lua_str(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    rows = []
    for method, path, body, headers in requests_:
        hdrs = ", ".join(f"[{lua_str(k)}] = {lua_str(v)}" for k, v in headers.items())
        rows.append(f"  {{{lua_str(method)}, {lua_str(path)}, {lua_str(body)}, {{{hdrs}}}}}")
    return (
        "local reqs = {\n" + ",\n".join(rows) + "\n}\n"
        "local started = 0\n"
        "function setup(thread)\n"
        '  thread:set("number", started)\n'
        "  started = started + 1\n"
        "end\n"
        "local mine, i\n"
        "function init(args)\n"
        "  mine = {}\n"
        f"  for j = number + 1, #reqs, {WRK_THREADS} do mine[#mine + 1] = reqs[j] end\n"
        f"  if #reqs < {WRK_THREADS} then mine = reqs end\n"
        "  i = math.random(#mine)\n"
        "end\n"
        "request = function()\n"
        "  i = i % #mine + 1\n"
        "  local r = mine[i]\n"
        '  if r[3] == "" then return wrk.format(r[1], r[2], r[4]) end\n'
        "  return wrk.format(r[1], r[2], r[4], r[3])\n"
        "end\n"
    )


def cookie_header(s: requests.Session) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in s.cookies)}


def prepare(base: str) -> dict[str, list[tuple[str, str, str, dict[str, str]]]]:
    quiz_pages, answers = [], []
    for i in range(QUIZ_USERS):
        s = login(base, f"quiz{i}@example.com")
        page = s.get(f"{base}/quizzes").text
        r = s.post(
            f"{base}/quizzes/full.{ROLE}/start",
            data={"csrf_token": token(page)},
            allow_redirects=False,
        )
        path = r.headers["Location"]
        page = s.get(f"{base}{path}?q=1").text
        headers = cookie_header(s)
        quiz_pages.append(("GET", f"{path}?q=1", "", headers))
        # What the page's form posts: its hidden fields, a level and the button pressed.
        shown = re.search(r'name="item" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {
                "csrf_token": token(page),
                "position": "1",
                "item": shown,
                "answer": "3",
                "save": "Save and continue",
            }
        )
        answers.append(
            (
                "POST",
                f"{path}/answer",
                body,
                {**headers, "Content-Type": "application/x-www-form-urlencoded"},
            )
        )
    light = cookie_header(login(base, "light@example.com"))
    heavy = cookie_header(login(base, "heavy@example.com"))
    return {
        BASELINE: [("GET", "/readyz", "", {})],
        "quiz page (GET /attempts/<id>?q=1)": quiz_pages,
        "answer (POST /attempts/<id>/answer)": answers,
        "report, 20 attempts (GET /report)": [("GET", "/report", "", light)],
        "report, 2,000 attempts (GET /report)": [("GET", "/report", "", heavy)],
        REFERENCE: [("GET", "/roles", "", light)],
    }


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(base: str, name: str, reqs, duration: int, connections: int) -> Measure:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua_script(reqs))
        script = f.name
    # A short warm-up, then the measured run.
    subprocess.run(
        ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", "-d1s", "-s", script, base],
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [
            "wrk",
            f"-t{WRK_THREADS}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "5s",
            "-s",
            script,
            base,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"\s50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    total_errors = int(errors.group(1)) if errors else 0
    if socket_errors:
        total_errors += sum(int(g) for g in socket_errors.groups())
    return Measure(name, rps, _ms(*p50.groups()), _ms(*p99.groups()), total_errors)


TARGETS = {  # ratio to the reference row
    "quiz page": 0.75,
    "answer": 0.75,
    "report, 20": 0.40,
    "report, 2,000": 0.40,
}
P99_LIMIT_MS = 100.0


@dataclass
class Row:
    """One endpoint over all rounds: its measures and its per-round ratios."""

    name: str
    rounds: list[Measure]
    to_baseline: list[float]
    to_reference: list[float]

    @property
    def rps(self) -> float:
        return median(m.rps for m in self.rounds)

    @property
    def p50_ms(self) -> float:
        return median(m.p50_ms for m in self.rounds)

    @property
    def p99_ms(self) -> float:
        return median(m.p99_ms for m in self.rounds)

    @property
    def worst_p99_ms(self) -> float:
        return max(m.p99_ms for m in self.rounds)

    @property
    def errors(self) -> int:
        return sum(m.errors for m in self.rounds)

    @property
    def target(self) -> float | None:
        return next((t for k, t in TARGETS.items() if self.name.startswith(k)), None)

    @property
    def meets_target(self) -> bool:
        ratio_ok = self.target is None or median(self.to_reference) >= self.target
        return ratio_ok and self.p99_ms < P99_LIMIT_MS and self.errors == 0


def rows_from_rounds(
    rounds: list[dict[str, Measure]], beside: list[dict[str, float]] | None = None
) -> list[Row]:
    """Per endpoint, the ratio of each round to that round's baseline and reference: by
    default the round's reference row, or `beside[round][name]`, the req/s of the reference
    runs measured next to that endpoint."""
    names = list(rounds[0])

    def reference(number: int, name: str) -> float:
        return beside[number][name] if beside else rounds[number][REFERENCE].rps

    return [
        Row(
            name,
            [r[name] for r in rounds],
            [r[name].rps / r[BASELINE].rps for r in rounds],
            [r[name].rps / reference(number, name) for number, r in enumerate(rounds)],
        )
        for name in names
    ]


def machine() -> str:
    """Cores, memory and Python of this machine, for the results' header."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB RAM, {platform.python_implementation()} "
        f"{platform.python_version()}"
    )


def write_results(
    rows: list[Row], args: argparse.Namespace, readings: tuple[MachineReading, MachineReading]
) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} · `make bench` · "
        f"{machine()} · gunicorn {args.workers} sync workers on 127.0.0.1 · "
        f"PostgreSQL · wrk {WRK_THREADS} threads, {args.connections} connections · "
        f"{args.rounds} rounds, "
        f"each measuring every row for {args.duration} s after a 1 s warm-up, with the "
        "reference before and after each row.",
        "",
        "| endpoint | req/s | ratio to baseline | ratio to reference | target | p50 ms | p99 ms "
        "| errors | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        target = f"≥ {row.target:.2f}" if row.target else "—"
        verdict = (
            "—" if row.name in (BASELINE, REFERENCE) else ("met" if row.meets_target else "MISSED")
        )
        spread = ", ".join(f"{r:.2f}" for r in row.to_reference)
        lines.append(
            f"| {row.name} | {row.rps:,.0f} | {median(row.to_baseline):.2f} | "
            f"{median(row.to_reference):.2f} ({spread}) | {target} | {row.p50_ms:.1f} | "
            f"{row.p99_ms:.1f} (worst {row.worst_p99_ms:.1f}) | {row.errors} | {verdict} |"
        )
    by_name = {r.name: r for r in rows}
    light = by_name["report, 20 attempts (GET /report)"]
    heavy = by_name["report, 2,000 attempts (GET /report)"]
    scale = light.rps / heavy.rps
    measured = [r for r in rows if r.name not in (BASELINE, REFERENCE)]
    lines += [
        "",
        f"Report at 2,000 attempts vs 20 attempts: {scale:.2f}x slower in req/s "
        f"(target: within 2x) — {'met' if scale <= 2 else 'MISSED'}.",
        f"p99 under {P99_LIMIT_MS:.0f} ms at {args.connections} connections (median of rounds): "
        f"{'met for every row' if all(r.p99_ms < P99_LIMIT_MS for r in rows) else 'MISSED'}.",
        f"Targets (ratio to the reference, p99, no errors): "
        f"{'all met' if all(r.meets_target for r in measured) else 'not all met'}.",
        f"This machine, before and after the rounds. PostgreSQL's durable commit (a one-row "
        f"write in autocommit, as each answer's): {readings[0].commit} before, "
        f"{readings[1].commit} after. CPython's yardstick (`{YARDSTICK}`, best of "
        f"{YARDSTICK_REPEATS}): "
        f"{readings[0].python_ms:.2f} ms before, {readings[1].python_ms:.2f} ms after. Every "
        "answer POST waits for the commit and the reference writes nothing, so the answer's "
        "ratio falls as the disk's flush slows. At a fixed number of connections a row's "
        "latency is mostly its queue (connections / req/s), so every row's p99 rises as the "
        "CPU slows (docs/performance.md).",
        "",
        "Ratios and latencies are medians over the rounds; the reference ratio lists every "
        "round's in brackets, each to the mean of the two reference runs just before and after "
        "that row. The reference row is the floor of any logged-in page here (signed "
        "session, user lookup, base layout); the baseline is a bare one-query endpoint.",
        f"The quiz rows cycle over {QUIZ_USERS} users, each with a full assessment open, each "
        f"wrk thread over its own {QUIZ_USERS // WRK_THREADS} (a person answers one question "
        "at a time); the answer POST sends what the page's form sends (with the item it "
        "showed), saves (upserts) question 1 and redirects. The reports are of one user each.",
        "What was profiled and changed, and why: docs/performance.md. At 100,000 users: "
        "bench/SCALE.md (`make bench-scale`).",
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    return "\n".join(lines)


def bench_env(url: str) -> dict[str, str]:
    """What a benched gunicorn serving `url` runs with: no rate limit (wrk sends every request
    from one address), and one secret, so that a session signed by one server is valid on all."""
    return server_env(url, PRODREADY_RATELIMIT_ENABLED="false", SECRET_KEY="bench-secret")


def measure(url: str, args: argparse.Namespace) -> list[Row]:
    """Serve the database at `url` with gunicorn and measure every row in rounds."""
    env = bench_env(url)
    with tempfile.TemporaryDirectory() as tmp, gunicorn(env, Path(tmp), args.workers) as server:
        plans = prepare(server.base)
        rounds = [measure_round(server.base, plans, args) for _ in range(args.rounds)]
    return rows_from_rounds([measured for measured, _ in rounds], [ref for _, ref in rounds])


def measure_round(
    base: str, plans: dict, args: argparse.Namespace
) -> tuple[dict[str, Measure], dict[str, float]]:
    """Every row once, with the reference measured before the first row and after each one;
    returns the measures and, per row, the mean req/s of the two reference runs beside it, so
    that a drift of the machine's speed during the round moves the reference as it moved
    the row. The reference row itself is the mean of all its runs."""

    def run(name: str) -> Measure:
        return run_wrk(base, name, plans[name], args.duration, args.connections)

    references = [run(REFERENCE)]
    measured: dict[str, Measure] = {}
    beside: dict[str, float] = {}
    for name in plans:
        if name == REFERENCE:
            continue
        measured[name] = run(name)
        references.append(run(REFERENCE))
        beside[name] = (references[-2].rps + references[-1].rps) / 2
    measured[REFERENCE] = Measure(
        REFERENCE,
        mean(m.rps for m in references),
        mean(m.p50_ms for m in references),
        max(m.p99_ms for m in references),
        sum(m.errors for m in references),
    )
    beside[REFERENCE] = measured[REFERENCE].rps
    return measured, beside


def round_arguments(description: str, rounds: int) -> argparse.ArgumentParser:
    """The options of measuring in rounds (`measure_round`), shared by every bench command."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=rounds, help="a row shows its median")
    parser.add_argument("--duration", type=int, default=5, help="seconds per row and round")
    parser.add_argument("--connections", type=int, default=16)
    return parser


def arguments(description: str, rounds: int) -> argparse.ArgumentParser:
    parser = round_arguments(description, rounds)
    parser.add_argument(
        "--workers",
        type=int,
        default=(os.cpu_count() or 1) + 1,
        help="gunicorn workers (default: cores + 1, which served the most requests on every row "
        "here, where PostgreSQL and wrk share the cores; docs/performance.md)",
    )
    return parser


def main() -> None:
    # Five rounds: a row's ratio moves by up to ±0.1 from one round to the next on this shared
    # machine, and the median of five is steadier than that of three (docs/performance.md).
    args = arguments(
        "Load test against gunicorn + PostgreSQL; writes bench/RESULTS.md", rounds=5
    ).parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    url = pg_url()
    seed(url)
    before = read_machine(url)
    rows = measure(url, args)
    print(write_results(rows, args, (before, read_machine(url))))


if __name__ == "__main__":
    main()
