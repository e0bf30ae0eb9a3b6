"""Migrations match the models and go down and up again; the questions CLI works."""

from __future__ import annotations

import shutil

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from app.models import ItemVersion
from tests.conftest import QUESTIONS_DIR

# A person as every revision stores them (the columns `users` has had from the start).
OLD_USER = sa.text(
    "INSERT INTO users (id, email, display_name, password_hash, session_generation) "
    "VALUES (:id, 'old@example.com', 'Old', 'x', 0)"
)


def test_models_match_the_migrations(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_to_base_and_upgrade_again(app):
    with app.app_context():
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"users", "item_versions"} <= tables


def test_questions_validate_ok(app):
    result = app.test_cli_runner().invoke(args=["questions", "validate"])
    assert result.exit_code == 0, result.output
    assert "ok: 4 roles" in result.output


def test_questions_validate_reports_errors_and_exits_non_zero(app, tmp_path):
    bank = tmp_path / "q"
    shutil.copytree(QUESTIONS_DIR, bank)
    (bank / "skills.yaml").write_text("skills: []\n")
    result = app.test_cli_runner().invoke(args=["questions", "validate", "--dir", str(bank)])
    assert result.exit_code == 1
    assert "error: skills.yaml: skills: List should have at least 1 item" in result.output


def test_questions_load_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["questions", "load"])
    assert first.exit_code == 0, first.output
    assert "153 new versions" in first.output or "new versions stored" in first.output
    second = runner.invoke(args=["questions", "load"])
    assert "0 new versions stored" in second.output
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(ItemVersion))
        assert count == len(app.extensions["catalogue"].items)


def test_migration_stairway(app):
    """Every revision: upgrade to it, downgrade one step, upgrade again."""
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        revisions = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
        assert [r.revision for r in revisions] == sorted(r.revision for r in revisions)
        downgrade(revision="base")
        for rev in revisions:
            upgrade(revision=rev.revision)
            downgrade(revision=rev.down_revision or "base")
            upgrade(revision=rev.revision)
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"users", "attempts", "answers", "positions", "rate_limits"} <= tables
    assert _reusing_ids(app) == []


def test_latest_skill_scores_are_backfilled(app):
    """Revision 0005 fills the projection from scores that existed before it."""
    with app.app_context():
        downgrade(revision="0004")
        with db.engine.begin() as conn:
            conn.execute(OLD_USER, {"id": 901})
            for attempt_id, score in ((911, 20.0), (912, 80.0)):
                conn.execute(
                    sa.text(
                        "INSERT INTO attempts (id, user_id, quiz_key, role_slug, title, status, "
                        "item_count, submitted_at) VALUES (:id, 901, 'skill.leadership', "
                        "'production-manager', 'Leadership', 'submitted', 9, CURRENT_TIMESTAMP)"
                    ),
                    {"id": attempt_id},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO skill_scores (attempt_id, skill_id, combined_score, "
                        "self_count, knowledge_count) VALUES (:a, 'leadership', :s, 1, 1)"
                    ),
                    {"a": attempt_id, "s": score},
                )
        upgrade(revision="0005")
        assert latest_scores() == [(901, "leadership", 912, 80.0)]
        # 0006 replaces the projection with pooled estimates; going back rebuilds it.
        upgrade()
        assert "latest_skill_scores" not in sa.inspect(db.engine).get_table_names()
        downgrade(revision="0005")
        assert latest_scores() == [(901, "leadership", 912, 80.0)]
        upgrade()


def latest_scores() -> list[tuple]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT user_id, skill_id, attempt_id, combined_score FROM latest_skill_scores")
        ).all()
    return [tuple(r) for r in rows]


def test_scores_rebuild_scores_old_answers_and_recomputes_estimates(app, user_client):
    from tests.web.quiz_helpers import answer_all, start

    attempt_id = start(user_client, "skill.leadership")
    answer_all(user_client, app, attempt_id)
    user_client.post(f"/attempts/{attempt_id}/submit")
    with app.app_context(), db.engine.begin() as conn:
        # As data from before revision 0006 looks: no credits and no estimates.
        conn.execute(sa.text("UPDATE answers SET credit = NULL"))
        conn.execute(sa.text("DELETE FROM skill_estimates"))
    result = app.test_cli_runner().invoke(args=["scores", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "rebuilt: 9 answers scored, estimates recomputed for 1 users" in result.output
    with app.app_context(), db.engine.connect() as conn:
        credits = conn.execute(sa.text("SELECT credit FROM answers")).scalars().all()
        rows = conn.execute(sa.text("SELECT skill_id, answers, score FROM skill_estimates")).all()
    assert credits == [1.0] * 9  # every answer was right
    assert [(r.skill_id, r.answers) for r in rows] == [("leadership", 9)]
    assert rows[0].score > 75


def test_attempts_before_0010_are_not_imported(app):
    """0010 marks every existing attempt as taken here; going back drops the mark."""
    with app.app_context():
        downgrade(revision="0009")
        with db.engine.begin() as conn:
            conn.execute(OLD_USER, {"id": 901})
            conn.execute(
                sa.text(
                    "INSERT INTO attempts (id, user_id, quiz_key, role_slug, title, status, "
                    "item_count) VALUES (911, 901, 'skill.leadership', 'production-manager', "
                    "'Leadership', 'in_progress', 9)"
                )
            )
        upgrade(revision="0010")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT imported FROM attempts")).scalars().all() == [False]
        downgrade(revision="0009")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("attempts")}
        assert "imported" not in columns
        upgrade()


def test_0012_adds_the_time_zone_and_going_back_drops_it(app):
    """Existing people get no zone (the browser's is used); downgrading drops the column."""
    with app.app_context():
        downgrade(revision="0011")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("users")}
        assert "time_zone" not in columns
        with db.engine.begin() as conn:
            conn.execute(OLD_USER, {"id": 901})
        upgrade(revision="0012")
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT time_zone FROM users")).scalars().all() == [None]
            conn.execute(sa.text("UPDATE users SET time_zone = 'Asia/Tokyo'"))
        downgrade(revision="0011")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("users")}
        assert "time_zone" not in columns
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT email FROM users")).scalars().all() == [
                "old@example.com"
            ]


def _single_integer_key(table: sa.Table) -> bool:
    keys = list(table.primary_key.columns)
    return len(keys) == 1 and isinstance(keys[0].type, sa.Integer)


def _reusing_ids(app) -> list[str]:
    """Tables with an integer id whose migrated SQLite schema lacks AUTOINCREMENT (none on
    PostgreSQL, whose sequences never hand an id out twice)."""
    with_ids = [t for t in db.metadata.sorted_tables if _single_integer_key(t)]
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            return []
        schema = dict(conn.execute(sa.text("SELECT name, sql FROM sqlite_master")).all())
    return [t.name for t in with_ids if "AUTOINCREMENT" not in schema[t.name]]


def test_every_table_with_an_id_never_hands_it_out_twice(app):
    """Each model with an integer id asks for AUTOINCREMENT (table_args), and on SQLite the
    migrated schema has it: a later migration that rebuilt a table in batch mode without
    `table_kwargs={'sqlite_autoincrement': True}` would silently drop it (the stairway test
    checks the same after every step down and up)."""
    with_ids = [t for t in db.metadata.sorted_tables if _single_integer_key(t)]
    assert len(with_ids) >= 18
    assert [t.name for t in with_ids if not t.dialect_options["sqlite"]["autoincrement"]] == []
    assert _reusing_ids(app) == []


def test_0014_keeps_the_rows_and_the_next_id_is_new(app):
    """Upgrading keeps every row; afterwards a deleted newest row's id is not given again.
    Downgrading keeps the rows too."""
    insert = sa.text(
        "INSERT INTO users (email, display_name, password_hash, session_generation) "
        "VALUES (:email, 'Someone', 'x', 0)"
    )
    with app.app_context():
        downgrade(revision="0013")
        with db.engine.begin() as conn:
            conn.execute(insert, [{"email": "first@example.com"}, {"email": "second@example.com"}])
        upgrade(revision="0014")
        with db.engine.begin() as conn:
            emails = conn.execute(sa.text("SELECT email FROM users ORDER BY id")).scalars()
            assert list(emails) == ["first@example.com", "second@example.com"]
            newest = conn.execute(sa.text("SELECT max(id) FROM users")).scalar_one()
            conn.execute(sa.text("DELETE FROM users WHERE id = :id"), {"id": newest})
            conn.execute(insert, {"email": "third@example.com"})
            third = conn.execute(
                sa.text("SELECT id FROM users WHERE email = 'third@example.com'")
            ).scalar_one()
        assert third > newest
        downgrade(revision="0013")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar_one() == 2
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM users"))


def test_0015_hides_drafts_saved_before_it_from_every_browser(app):
    """A draft saved before drafts had an owner belongs to no browser once upgraded: shown to
    nobody (the link's maker included), while an untouched link stays open to whoever opens it."""
    with app.app_context():
        downgrade(revision="0014")
        with db.engine.begin() as conn:
            conn.execute(OLD_USER, {"id": 1})
            conn.execute(
                sa.text(
                    "INSERT INTO feedback_rounds (id, user_id, role_slug, closed_at) "
                    "VALUES (1, 1, 'pm', NULL), (2, 1, 'pm', '2026-01-01')"
                )
            )
            # 1: a draft in the open round; 2: an untouched link; 3: a draft of a closed round.
            for invitation_id, round_id in ((1, 1), (2, 1), (3, 2)):
                conn.execute(
                    sa.text(
                        "INSERT INTO feedback_invitations (id, round_id, token_hash, "
                        "relationship, expires_at) VALUES (:id, :round, :hash, 'peer', :expires)"
                    ),
                    {
                        "id": invitation_id,
                        "round": round_id,
                        "hash": str(invitation_id) * 64,
                        "expires": "2030-01-01",
                    },
                )
            for invitation_id in (1, 3):
                conn.execute(
                    sa.text(
                        "INSERT INTO feedback_ratings (invitation_id, skill_id, item_id, level) "
                        "VALUES (:id, 'leadership', 'leadership.self.a', 4)"
                    ),
                    {"id": invitation_id},
                )
        upgrade(revision="0015")
        with db.engine.connect() as conn:
            owners = conn.execute(
                sa.text("SELECT id, device_hash FROM feedback_invitations ORDER BY id")
            ).all()
        assert owners == [(1, "unknown"), (2, None), (3, None)]  # a closed round keeps none
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM users"))
