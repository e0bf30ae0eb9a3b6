"""Running the suite in parallel with pytest-xdist (`make test`): which tests share a worker.

Most tests go one by one to whichever worker is free. Tests that share an expensive fixture go
to one worker together, so that it is built once instead of once per worker:

- every browser test (one live gunicorn server and one Chromium for them all);
- the tests of a module that use one of its module-scoped fixtures (the simulated bank audit,
  the seeded community of the query plans, a gunicorn server on a schema of its own, ...);
- tests marked `xdist_group(name)`, as pytest-xdist's `--dist loadgroup` documents.

Built once or once per worker, each such fixture is still correct: every worker has its own
databases and temporary directory (tests/conftest.py). The groups only save the time.

xdist's own loadgroup renames each grouped test (`nodeid@group`) for its scheduler to see the
group, and pytest 9.2 no longer lets a plugin rename a test: the rename is silently lost and
the groups with it. So each worker writes the groups it collected to a file instead (in a
directory the controller names in `workerinput`), and `GroupScheduling`, the controller's
scheduler for `--dist loadgroup`, reads them. Groups are sent first, largest first, while
single tests fill in around them.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"
SHARED_SCOPES = ("module", "class", "package")
GROUPS_DIR = "prodready_groups_dir"  # the key in a worker's workerinput
GROUPS_DIR_KEY = pytest.StashKey[Path]()


def group_of(item: pytest.Item) -> str | None:
    """The group a test belongs to, or None if it can run anywhere on its own."""
    for mark in item.iter_markers("xdist_group"):
        return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    if item.path.is_relative_to(BROWSER_TESTS):
        return "browser"
    info = getattr(item, "_fixtureinfo", None)
    if info is not None and any(
        defs and defs[-1].scope in SHARED_SCOPES for defs in info.name2fixturedefs.values()
    ):
        return item.nodeid.split("::", 1)[0]  # its module
    return None


def configure_node(node: Any) -> None:
    """Controller: tell a starting worker where to write its groups."""
    config: pytest.Config = node.config
    if GROUPS_DIR_KEY not in config.stash:
        config.stash[GROUPS_DIR_KEY] = Path(tempfile.mkdtemp(prefix="prodready-xdist-"))
    node.workerinput[GROUPS_DIR] = str(config.stash[GROUPS_DIR_KEY])


def write_groups(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Worker: record the group of each grouped test, before reporting the collection."""
    workerinput = getattr(config, "workerinput", None)
    if not workerinput or GROUPS_DIR not in workerinput:
        return
    groups = {item.nodeid: group for item in items if (group := group_of(item))}
    path = Path(workerinput[GROUPS_DIR]) / f"{workerinput['workerid']}.json"
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(groups))
    partial.replace(path)  # whole or not at all


def make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Controller: the scheduler for `--dist loadgroup`."""
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """LoadScopeScheduling (a unit of work is sent whole to one worker; units with more
        tests are sent first) whose units are the groups above and single tests."""

        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:
                # Called once every worker has reported its collection, so after every
                # worker wrote its file; the collections are the same, so any file will do.
                files = sorted(config.stash[GROUPS_DIR_KEY].glob("*.json"))
                self.groups = json.loads(files[0].read_text()) if files else {}
            # A group's name never contains "::", a test's id always does: they cannot meet.
            return self.groups.get(nodeid, nodeid)

    return GroupScheduling(config, log)


def unconfigure(config: pytest.Config) -> None:
    directory = config.stash.get(GROUPS_DIR_KEY, None)
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
