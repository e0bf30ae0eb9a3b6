"""A community of members generated inside PostgreSQL, for the scale benchmark and the query-plan
test: set-based INSERT ... SELECT over generate_series, never a row at a time from Python.

The shape follows what a live service would hold:
- attempts per member are skewed (a few members take hundreds of quizzes, most take a handful):
  member = floor(users x u^SKEW) for uniform u, so low-numbered members are the keen ones (at
  100,000 members and 1,000,000 attempts: the keenest has 734, the 99th percentile 36, the
  median 9);
- 96 % of attempts are skill quizzes of 9 questions, 4 % full assessments of 36 (4 per skill);
- each member has an ability; a choice item is answered right with the Rasch probability for
  its difficulty, and a self-rating sits around the same ability, so item statistics and scores
  come out as real data would;
- attempts run in time order, and members log a few positions, degrees and certifications.

The data is consistent by construction, so the load runs with triggers (foreign-key checks)
off, as pg_restore --disable-triggers does; every index and CHECK constraint stays in force.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

SKEW = 1.6
FULL_EVERY = 25  # every 25th attempt is a full assessment (4 %)
SKILL_QUIZ_ITEMS = 9
FULL_ITEMS_PER_SKILL = 4
FULL_SKILLS = 9


@dataclass(frozen=True)
class Community:
    users: int
    attempts: int


def _steps(size: Community) -> list[tuple[str, str]]:
    """(label, SQL) in order; :users, :attempts and the id bases are bound by the caller."""
    return [
        (
            "items",
            """
            CREATE TEMP TABLE scale_items ON COMMIT DROP AS
            SELECT v.id AS version_id, s.skill_no, s.n_items,
                   row_number() OVER (PARTITION BY v.skill_id ORDER BY v.item_id) - 1 AS idx,
                   v.kind <> 'self_rating' AS is_choice,
                   (hashtext(v.item_id) % 100) / 50.0 AS difficulty
            FROM item_versions v
            JOIN (SELECT skill_id, count(*) AS n_items,
                         row_number() OVER (ORDER BY skill_id) - 1 AS skill_no
                  FROM item_versions GROUP BY skill_id) s ON s.skill_id = v.skill_id;
            CREATE INDEX ON scale_items (skill_no, idx);
            CREATE TEMP TABLE scale_skills ON COMMIT DROP AS
            SELECT DISTINCT skill_no, n_items FROM scale_items;
            """,
        ),
        (
            "users",
            """
            INSERT INTO users (id, email, display_name, password_hash, target_role,
                               session_generation, created_at, is_admin)
            SELECT :user_base + g, 'member' || g || '@scale.example', 'Member ' || g,
                   'unusable',
                   (ARRAY['production-manager', 'head-of-production', 'production-executive',
                          'chief-production-officer'])[1 + g % 4],
                   0, timestamptz '2023-01-01' + g * interval '5 minutes', false
            FROM generate_series(1, :users) g
            """,
        ),
        (
            "attempts",
            """
            CREATE TEMP TABLE scale_attempts ON COMMIT DROP AS
            SELECT :attempt_base + g AS id,
                   :user_base + 1 + floor(:users * power(random(), :skew))::int AS user_id,
                   g % :full_every = 0 AS full,
                   (g::bigint * 7919) % (SELECT count(*) FROM scale_skills) AS skill_no,
                   timestamptz '2024-01-01' + g * (interval '2 years' / :attempts) AS submitted_at
            FROM generate_series(1, :attempts) g;
            ALTER TABLE scale_attempts ADD COLUMN ability float;
            UPDATE scale_attempts SET ability = ((hashtext(user_id::text) % 1000) / 400.0)
                                               + (id % 7) * 0.03;
            INSERT INTO attempts (id, user_id, quiz_key, role_slug, title, status, item_count,
                                  overall_score, started_at, submitted_at, last_activity_at)
            SELECT a.id, a.user_id,
                   CASE WHEN a.full THEN 'full.production-manager'
                        ELSE 'skill.' || s.skill_id END,
                   'production-manager',
                   CASE WHEN a.full THEN 'Full assessment' ELSE 'Skill quiz' END,
                   'submitted',
                   CASE WHEN a.full THEN :full_items ELSE :skill_items END,
                   round((100 / (1 + exp(-a.ability)))::numeric, 1),
                   a.submitted_at - interval '12 minutes', a.submitted_at, a.submitted_at
            FROM scale_attempts a
            JOIN (SELECT DISTINCT skill_no, skill_id FROM scale_items i
                  JOIN item_versions v ON v.id = i.version_id) s ON s.skill_no = a.skill_no
            """,
        ),
        (
            "attempt_items",
            """
            INSERT INTO attempt_items (attempt_id, position, item_version_id)
            SELECT a.id, p, i.version_id
            FROM scale_attempts a
            CROSS JOIN LATERAL generate_series(
                1, CASE WHEN a.full THEN :full_items ELSE :skill_items END) p
            JOIN scale_skills k ON k.skill_no = CASE WHEN a.full
                 THEN ((p - 1) % :full_skills + a.skill_no) % (SELECT count(*) FROM scale_skills)
                 ELSE a.skill_no END
            JOIN scale_items i ON i.skill_no = k.skill_no
                 AND i.idx = (a.id + CASE WHEN a.full THEN (p - 1) / :full_skills ELSE p END)
                             % k.n_items
            """,
        ),
        (
            "answers",
            """
            INSERT INTO answers (attempt_id, attempt_item_id, rating, choices, skipped,
                                 answered_at, credit)
            SELECT r.attempt_id, r.id,
                   CASE WHEN NOT r.is_choice THEN r.rating END,
                   CASE WHEN r.is_choice THEN CASE WHEN r.correct THEN 'a' ELSE 'b' END END,
                   false, r.submitted_at - interval '1 minute',
                   CASE WHEN r.is_choice THEN r.correct::int ELSE (r.rating - 1) / 4.0 END
            FROM (
                SELECT ai.id, ai.attempt_id, a.submitted_at, i.is_choice,
                       random() < 1 / (1 + exp(i.difficulty - a.ability)) AS correct,
                       greatest(1, least(5, round(3 + a.ability + random() * 2 - 1)))::int
                           AS rating
                FROM attempt_items ai
                JOIN scale_attempts a ON a.id = ai.attempt_id
                JOIN scale_items i ON i.version_id = ai.item_version_id
            ) r
            """,
        ),
        (
            "skill_scores",
            """
            INSERT INTO skill_scores (attempt_id, skill_id, self_score, knowledge_score,
                                      combined_score, self_count, knowledge_count)
            SELECT an.attempt_id, v.skill_id,
                   100 * avg(an.credit) FILTER (WHERE v.kind = 'self_rating'),
                   100 * avg(an.credit) FILTER (WHERE v.kind <> 'self_rating'),
                   100 * avg(an.credit),
                   count(*) FILTER (WHERE v.kind = 'self_rating'),
                   count(*) FILTER (WHERE v.kind <> 'self_rating')
            FROM answers an
            JOIN attempt_items ai ON ai.id = an.attempt_item_id
            JOIN item_versions v ON v.id = ai.item_version_id
            WHERE an.attempt_id > :attempt_base
            GROUP BY an.attempt_id, v.skill_id
            """,
        ),
        (
            "skill_estimates",
            """
            INSERT INTO skill_estimates (user_id, skill_id, score, low, high, answers,
                                         updated_at)
            SELECT a.user_id, s.skill_id, avg(s.combined_score),
                   greatest(0, avg(s.combined_score) - 40 / sqrt(count(*) + 1)),
                   least(100, avg(s.combined_score) + 40 / sqrt(count(*) + 1)),
                   sum(s.self_count + s.knowledge_count), max(a.submitted_at)
            FROM skill_scores s JOIN attempts a ON a.id = s.attempt_id
            WHERE a.id > :attempt_base
            GROUP BY a.user_id, s.skill_id
            """,
        ),
        (
            "milestones",
            """
            INSERT INTO positions (user_id, title, organisation, start_date, end_date,
                                   in_production, managed_people, people_managed, created_at)
            SELECT :user_base + g, 'Production supervisor', 'Plant ' || (g % 500),
                   date '2010-01-01' + (g % 3000) + k * 900,
                   CASE WHEN k < g % 4 - 1 THEN date '2010-01-01' + (g % 3000) + k * 900 + 880
                   END,
                   true, k > 0, CASE WHEN k > 0 THEN 5 + k * 4 END, now()
            FROM generate_series(1, :users) g CROSS JOIN LATERAL generate_series(0, g % 4 - 1) k;
            INSERT INTO education (user_id, level, field, institution, status, start_date,
                                   end_date, created_at)
            SELECT :user_base + g, (ARRAY['bachelor', 'master', 'mba'])[1 + g % 3],
                   'Industrial engineering', 'University ' || (g % 200),
                   CASE WHEN g % 5 = 0 THEN 'in_progress' ELSE 'completed' END,
                   date '2005-09-01' + (g % 2000), date '2009-06-30' + (g % 2000), now()
            FROM generate_series(1, :users) g WHERE g % 10 < 7;
            INSERT INTO certifications (user_id, name, issuer, earned_on, expires_on, created_at)
            SELECT :user_base + g, 'CPIM', 'ASCM', date '2018-01-01' + (g % 2000), NULL, now()
            FROM generate_series(1, :users) g WHERE g % 10 < 3;
            INSERT INTO activities (user_id, kind, title, occurred_on, notes, created_at)
            SELECT :user_base + g, (ARRAY['conference', 'course', 'mentoring'])[1 + g % 3],
                   'Lean manufacturing summit', date '2022-01-01' + (g % 900) + k * 120, '', now()
            FROM generate_series(1, :users) g CROSS JOIN LATERAL generate_series(1, g % 3) k;
            """,
        ),
    ]


def seed_community(conn: Connection, size: Community) -> dict[str, float]:
    """Add `size` members and their history to the database `conn` is on (PostgreSQL, with the
    schema migrated and the item versions loaded). Returns seconds per step; commits."""
    conn.exec_driver_sql("SET synchronous_commit = off")
    conn.exec_driver_sql("SET session_replication_role = replica")  # no FK triggers
    conn.exec_driver_sql("SELECT setseed(0.42)")
    user_base = conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM users"))
    attempt_base = conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM attempts"))
    params = {
        "users": size.users,
        "attempts": size.attempts,
        "user_base": user_base,
        "attempt_base": attempt_base,
        "skew": SKEW,
        "full_every": FULL_EVERY,
        "full_items": FULL_ITEMS_PER_SKILL * FULL_SKILLS,
        "skill_items": SKILL_QUIZ_ITEMS,
        "full_skills": FULL_SKILLS,
    }
    timings: dict[str, float] = {}
    for label, sql in _steps(size):
        started = time.perf_counter()
        for statement in filter(str.strip, sql.split(";")):
            used = {k: v for k, v in params.items() if f":{k}" in statement}
            conn.execute(sa.text(statement), used)
        timings[label] = time.perf_counter() - started
    for table in ("users", "attempts"):
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    conn.exec_driver_sql("SET session_replication_role = origin")
    conn.commit()
    started = time.perf_counter()
    # What autovacuum does after a bulk load: statistics for the planner, and the visibility
    # map that lets index-only scans skip the table.
    conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.perf_counter() - started
    return timings
