"""The hot queries, the statements the busiest pages run, with realistic parameters, and their
PostgreSQL plans. Used by `make bench-scale` (plans at 100,000 members) and by
tests/web/test_query_plans.py (plans on a seeded database of moderate size)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.auth.session import _user_by_id
from app.services import attempts, milestones, report, skill_estimates

# Tables that grow with the community; a sequential scan of one of them on a hot path is a bug.
LARGE_TABLES = frozenset(
    {
        "users",
        "attempts",
        "attempt_items",
        "answers",
        "skill_scores",
        "skill_estimates",
        "positions",
        "education",
        "certifications",
        "activities",
    }
)


@dataclass(frozen=True)
class Plan:
    name: str
    scans: tuple[tuple[str, str], ...]  # (node type, table) of every scan in the plan
    text: str

    @property
    def sequential_scans_of_large_tables(self) -> list[str]:
        return [t for node, t in self.scans if node.endswith("Seq Scan") and t in LARGE_TABLES]


def hot_queries(conn: Connection) -> dict[str, tuple[Any, dict[str, Any]]]:
    """Each hot statement with the parameters of the most active member (the hardest case)."""
    keen = conn.execute(
        sa.text(
            "SELECT user_id, max(id) AS attempt_id FROM attempts GROUP BY user_id "
            "ORDER BY count(*) DESC LIMIT 1"
        )
    ).one()
    skills = [r[0] for r in conn.execute(sa.text("SELECT DISTINCT skill_id FROM item_versions"))]
    version = conn.execute(sa.text("SELECT item_id, content_hash FROM item_versions LIMIT 1")).one()
    lock = {"b_attempt_id": keen.attempt_id, "b_user_id": keen.user_id}
    return {
        "user by id (every logged-in request)": (_user_by_id(), {"user_id": keen.user_id}),
        "one question with every status (quiz page)": (
            attempts._question_page(),
            {"attempt_id": keen.attempt_id, "user_id": keen.user_id, "position": 1},
        ),
        "attempt with its questions (review, submit, result)": (
            attempts._attempt_with_questions(),
            {"attempt_id": keen.attempt_id, "user_id": keen.user_id},
        ),
        "the question asked (answer POST)": (
            attempts._asked_item(),
            {**lock, "b_position": 1},
        ),
        "save the answer while the attempt is open (answer POST)": (
            attempts._save_if_open("postgresql"),
            {
                **lock,
                "b_now": datetime.now(UTC),
                "b_position": 1,
                "b_item_id": version.item_id,
                "b_content_hash": version.content_hash,
                "b_rating": 3,
                "b_choices": None,
                "b_skipped": False,
                "b_credit": 0.5,
                "b_answered_at": datetime.now(UTC),
            },
        ),
        "items seen before (quiz start)": (
            attempts._exposures_query(),
            {"user_id": keen.user_id, "skill_ids": skills[:3]},
        ),
        "latest attempts with scores (report)": (
            report._progress_query(),
            {"user_id": keen.user_id},
        ),
        "milestones of every kind (report)": (
            milestones._all_kinds_newest_first(),
            {"user_id": keen.user_id},
        ),
        "skill estimates (report, dashboard)": (
            skill_estimates._current_query(),
            {"user_id": keen.user_id},
        ),
    }


def scans_in(node: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(node type, table) of every node of a JSON plan that reads a table."""
    if "Relation Name" in node:
        yield node["Node Type"], node["Relation Name"]
    for child in node.get("Plans", ()):
        yield from scans_in(child)


def explain(conn: Connection, statement: Any, params: dict[str, Any]) -> dict[str, Any]:
    """EXPLAIN (FORMAT JSON) of a statement with these parameters, without running it."""
    compiled = statement.compile(dialect=conn.dialect)
    # IN lists expand into one parameter per value, as they do when the statement runs.
    expanded = compiled.construct_expanded_state(compiled.construct_params(params))
    raw = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + expanded.statement, expanded.parameters)
    document = raw.scalar()
    return (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]


def hot_plans(conn: Connection) -> list[Plan]:
    plans = []
    for name, (statement, params) in hot_queries(conn).items():
        plan = explain(conn, statement, params)
        plans.append(Plan(name, tuple(scans_in(plan)), json.dumps(plan)))
    return plans
