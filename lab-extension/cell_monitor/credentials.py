"""Per-student credentials: what a student's Jupyter server holds instead of the master key.

    credential = "cmc1_" + base64url_without_padding(
        HMAC-SHA256(key = master key (UTF-8), message = "cell-monitor student credential v1\\n" + user name (UTF-8)))

The collector's ``INGEST_KEY`` is the master key; it stays on the collector and (under JupyterHub)
in the hub's own environment. A credential speaks for one user only: whatever a student's server
holds, its kernels can read, and with this the worst a student can do is send events as themself.
The collector computes the same value (``collector/src/auth/studentCredential.ts``); both sides are
checked against ``test/vectors/student-credentials.json``.

CLI, printing what ``cell-monitor-collector issue-credential`` prints::

    CELL_MONITOR_MASTER_KEY=… python -m cell_monitor.credentials --user alice [--user bob …]

The master key comes from ``$CELL_MONITOR_MASTER_KEY`` or, when that is unset, one line of stdin.
One name: the credential alone; several: ``name<TAB>credential`` lines.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import os
import sys
from urllib.parse import quote

PREFIX = "cmc1_"
CONTEXT = "cell-monitor student credential v1\n"
MIN_MASTER_KEY_CHARS = 16  # the collector refuses a shorter INGEST_KEY
MAX_USER_CHARS = 255  # the collector's limit on user ids


def student_credential(master_key: str, user: str) -> str:
    """The credential of ``user`` under ``master_key``."""
    mac = hmac.new(master_key.encode("utf-8"), (CONTEXT + user).encode("utf-8"), hashlib.sha256).digest()
    return PREFIX + base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def encode_user(user: str) -> str:
    """The user name for ``X-Cell-Monitor-User``: percent-encoded UTF-8 (HTTP headers carry no 王小明)."""
    return quote(user, safe="")


def check_master_key(master_key: str) -> str:
    """Returns the key, or raises ValueError when it is empty or shorter than the collector accepts."""
    if len(master_key or "") < MIN_MASTER_KEY_CHARS:
        raise ValueError(f"the master key (the collector's INGEST_KEY) must be at least {MIN_MASTER_KEY_CHARS} characters")
    return master_key


def _read_master_key() -> str:
    if "CELL_MONITOR_MASTER_KEY" in os.environ:
        return os.environ["CELL_MONITOR_MASTER_KEY"]
    if sys.stdin.isatty():  # typed by hand: do not echo it
        try:
            return getpass.getpass("master key (the collector's INGEST_KEY): ")
        except EOFError:
            return ""
    return sys.stdin.readline().rstrip("\r\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cell_monitor.credentials",
        description="Print the per-student credential of each Jupyter user name. The master key (the "
        "collector's INGEST_KEY) is read from $CELL_MONITOR_MASTER_KEY or, if unset, one line of stdin.",
    )
    parser.add_argument("--user", action="append", default=[], metavar="NAME", help="a Jupyter user name (repeat for several)")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.user]  # the collector trims names the same way
    if not names or any(not name or len(name) > MAX_USER_CHARS for name in names):
        parser.error(f"give --user NAME (1-{MAX_USER_CHARS} characters) at least once")  # exits 2
    try:
        master_key = check_master_key(_read_master_key())
    except ValueError as err:
        print(f"{parser.prog}: {err}; set CELL_MONITOR_MASTER_KEY or pipe it on stdin", file=sys.stderr)
        return 2
    if len(names) == 1:
        print(student_credential(master_key, names[0]))
    else:
        for name in names:
            print(f"{name}\t{student_credential(master_key, name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
