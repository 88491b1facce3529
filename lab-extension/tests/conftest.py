import asyncio
import json
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest

from jupyter_server.auth import IdentityProvider, User

# The package is tested from the source tree (the wheel build needs the labextension built first).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytest_plugins = ["pytest_jupyter.jupyter_server"]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STUDENT = "student-7"


class NamedUser(IdentityProvider):
    """Like JupyterHub's provider: a token-authenticated request is a named user, not an anonymous one."""

    username = STUDENT

    async def get_user(self, handler):
        user = await super().get_user(handler)
        return User(username=self.username) if user else None


@contextmanager
def server_log_records():
    """Records logged on the ServerApp logger, including while extensions load.

    pytest-jupyter empties that logger's handlers and jupyter_server's init_logging() sets
    propagate=False, so records logged during initialize() (when extensions load) reach neither a
    handler nor caplog. A filter on the logger still sees every record.
    """
    records = []

    def keep(record):
        records.append(record)
        return True

    logger = logging.getLogger("ServerApp")
    logger.addFilter(keep)
    try:
        yield records
    finally:
        logger.removeFilter(keep)


async def stored_user(store: str, event_id: str, timeout: float = 10.0):
    """The user_id the collector's store holds for event_id, polled for up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(store):
            with sqlite3.connect(store) as db:
                try:
                    row = db.execute("SELECT user_id FROM events WHERE event_id = ?", (event_id,)).fetchone()
                except sqlite3.OperationalError:
                    row = None
            if row:
                return row[0]
        await asyncio.sleep(0.1)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def collector_command(*args: str) -> list:
    return ["node", "--import", "tsx", os.path.join(ROOT, "collector/src/main.ts"), *args]


@contextmanager
def running_collector(data_dir, **extra_env):
    """The real collector CLI (embedded store in data_dir) on a free port; yields its URL and store path."""
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": "0", "DATA_DIR": str(data_dir), "LOG_LEVEL": "info", **extra_env}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen(collector_command("start"), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port = None
    deadline = time.monotonic() + 60
    lines = []
    while port is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if '"collector listening"' in line:
            port = json.loads(line)["address"]["port"]
    if port is None:
        proc.kill()
        raise RuntimeError("collector did not start:\n" + "".join(lines))
    try:
        yield {"url": f"http://127.0.0.1:{port}", "store": os.path.join(str(data_dir), "cell-monitor.sqlite")}
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.fixture(scope="module")
def collector(request, tmp_path_factory):
    """The real collector CLI (embedded) for one test module, with that module's MASTER_KEY as INGEST_KEY."""
    with running_collector(tmp_path_factory.mktemp("collector-data"), INGEST_KEY=request.module.MASTER_KEY) as running:
        yield running
