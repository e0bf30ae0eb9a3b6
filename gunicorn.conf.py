"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py "app:create_app()"`.

Every value can be overridden from the environment (BIND, WEB_CONCURRENCY, ...) or on the
command line, which wins over this file.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Sync workers, two per core plus one: requests wait on PostgreSQL about a third of their time.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request that takes longer than this is stuck (the slowest page takes well under a second).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM a worker finishes the request it is serving, for up to this long, then exits.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then, jittered so that they do not all restart together.
max_requests = 5000
max_requests_jitter = 500
# The app is built once, in the master, and every worker is a fork of it: starting or recycling
# a worker costs a fork instead of a second of CPU (imports, reading the question bank), which
# at 5,000 requests a worker was a tenth of the machine under load. New code therefore needs a
# new master (restart, or USR2 then TERM to the old one), not a HUP.
preload_app = True
# No control socket (gunicorn 25.1+): nothing here uses `gunicornc`, its default path
# (~/.gunicorn/gunicorn.ctl) is shared by every gunicorn of the user on the host, and it runs
# an asyncio thread in the master that gunicorn stops and restarts around each fork.
control_socket_disable = True
# The app logs its own access lines (JSON, with request ids); gunicorn logs only its own events.
accesslog = None
errorlog = "-"
# The environment every worker starts with: production settings unless told otherwise.
raw_env = [f"PRODREADY_ENV={os.environ.get('PRODREADY_ENV', 'production')}"]


def _metrics_directory() -> None:
    """Metrics of all workers add up through files in one directory, emptied at each start.

    Named here, when gunicorn reads this file, rather than in a hook: prometheus_client reads
    the variable when it is imported, and the preloaded app imports it before any hook runs.
    """
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(
        Path(tempfile.gettempdir()) / f"prodready-metrics-{os.getpid()}"
    )
    shutil.rmtree(directory, ignore_errors=True)
    Path(directory).mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory


_metrics_directory()


def when_ready(server: object) -> None:
    """Warm the app in the master, once, before the workers are forked, then freeze it:

    - a worker started or recycled later (every ~5,000 requests) would otherwise configure the
      ORM and compile each template on its first pages (app.web.warm_up), 50-150 ms of CPU
      while requests queue behind it;
    - `gc.freeze()` moves everything the master built (the question bank, the ORM, templates)
      out of the collector's sight, as Python's documentation advises before forking: a
      worker's collections no longer walk it (nor touch its shared pages), and a recycled
      worker exits in tens of ms instead of ~0.4 s spent collecting it at interpreter exit,
      during which its place stayed empty (docs/performance.md)."""
    if not server.cfg.preload_app:  # type: ignore[attr-defined]
        return  # each worker builds its own app; warming this one would not reach them
    from app.web import warm_up

    count = warm_up(server.app.wsgi())  # type: ignore[attr-defined]
    gc.freeze()
    log = server.log  # type: ignore[attr-defined]
    log.info("warmed up: %d templates compiled, %d objects frozen", count, gc.get_freeze_count())


def post_fork(server: object, worker: object) -> None:
    """A worker must not share the master's database connections (there should be none)."""
    from app.extensions import db

    app = server.app.wsgi()  # type: ignore[attr-defined]
    with app.app_context():
        db.engine.dispose(close=False)


def on_exit(server: object) -> None:
    shutil.rmtree(os.environ.get("PROMETHEUS_MULTIPROC_DIR", ""), ignore_errors=True)


def child_exit(server: object, worker: object) -> None:
    """A dead worker's live gauges (connections in use) stop counting."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
