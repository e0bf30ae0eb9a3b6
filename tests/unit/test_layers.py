"""Imports point downwards: blueprints -> services -> catalogue, models and the database helpers.

Command-line modules (`cli.py`) are entry points like the blueprints and may reach any layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
BLUEPRINTS = ("admin", "api", "auth", "main", "milestones", "profile", "quiz", "report", "roles")
# For each lower layer, the packages it must never import.
FORBIDDEN = {
    "models": ("app.services", "app.catalogue", *(f"app.{b}" for b in BLUEPRINTS)),
    "catalogue": ("app.services", *(f"app.{b}" for b in BLUEPRINTS)),
    "services": tuple(f"app.{b}" for b in BLUEPRINTS),
    "upsert.py": ("app.services", "app.catalogue", *(f"app.{b}" for b in BLUEPRINTS)),
    "extensions.py": ("app.services", "app.catalogue", "app.models"),
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def modules_of(layer: str) -> list[Path]:
    target = APP / layer
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    return [f for f in files if f.name != "cli.py"]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_lower_layers_never_import_upper_ones(layer):
    offending = [
        f"{path.relative_to(APP.parent)} imports {name}"
        for path in modules_of(layer)
        for name in sorted(imported_modules(path))
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offending == []


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "sync.py"
    module.write_text("from app.services.upsert import insert_ignore\n")
    assert "app.services.upsert" in imported_modules(module)
