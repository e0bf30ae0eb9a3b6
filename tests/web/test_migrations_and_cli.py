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
