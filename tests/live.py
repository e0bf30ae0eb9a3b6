"""Start the real app under gunicorn on 127.0.0.1 for browser and reliability tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.mail import Inbox, free_port, smtp_inbox

ROOT = Path(__file__).resolve().parents[1]
PORT_ATTEMPTS = 3


class PortTakenError(RuntimeError):
    """gunicorn could not bind the port chosen for it."""


@dataclass
class LiveServer:
    base: str
    process: subprocess.Popen
    log: Path
    inbox: Inbox | None  # where its mail arrives, unless the caller set MAIL_URL

    def worker_pids(self) -> list[int]:
        """PIDs of gunicorn's worker processes (children of the master)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "FLASK_APP": "app",
        "PRODREADY_ENV": "development",
        "SECRET_KEY": "live-test-secret",
        "DATABASE_URL": database_url,
        **extra,
    }


@contextmanager
def gunicorn(
    env: dict[str, str], workdir: Path, workers: int = 2, migrate: bool = True
) -> Iterator[LiveServer]:
    """Migrate the database (unless `migrate` is false, for a server whose database is away),
    serve it with gunicorn, wait until it answers, stop it after. Without a MAIL_URL in `env`,
    its mail goes to an inbox of its own (`LiveServer.inbox`)."""
    if migrate:
        subprocess.run(
            [sys.executable, "-m", "flask", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    with ExitStack() as stack:
        if "MAIL_URL" not in env:
            inbox = stack.enter_context(smtp_inbox())
            env = {**env, "MAIL_URL": inbox.url}
        else:
            inbox = None
        # The port is free when chosen, but another process (a parallel test worker's server,
        # an outgoing connection) may take it before gunicorn binds it: then try another.
        for attempt in range(PORT_ATTEMPTS):
            server = _start(env, workdir, workers, inbox)
            try:
                _wait_until_up(server, workers)
                break
            except PortTakenError:
                if attempt == PORT_ATTEMPTS - 1:
                    raise
        try:
            yield server
        finally:
            server.process.terminate()
            server.process.wait(timeout=15)


def _start(env: dict[str, str], workdir: Path, workers: int, inbox: Inbox | None) -> LiveServer:
    port = free_port()
    env = {"PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", **env}
    log_path = workdir / f"gunicorn-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return LiveServer(f"http://127.0.0.1:{port}", process, log_path, inbox)


def _wait_until_up(server: LiveServer, workers: int, timeout: float = 30) -> None:
    """Until the server answers and every worker is forked (the master forks them one by one,
    and with the app preloaded the first one answers before the last exists)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(server.base + "/healthz", timeout=2)
            if len(server.worker_pids()) >= workers:
                return
        except OSError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            server.process.kill()
            server.process.wait()
            log = server.log.read_text()
            if "Address already in use" in log or "Connection in use" in log:
                raise PortTakenError(f"port taken:\n{log}")
            raise RuntimeError(f"server did not start:\n{log}")
        time.sleep(0.1)
