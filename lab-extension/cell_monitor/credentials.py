"""Per-student credentials: what a student's Jupyter server holds instead of the master key.

    credential = "cmc2_" + issued_at + "_" + base64url_without_padding(
        HMAC-SHA256(key = master key (UTF-8),
                    message = "cell-monitor student credential v2\\n" + issued_at + "\\n" + user name (UTF-8)))

``issued_at`` is the issue time in milliseconds since 1970 (decimal): the collector refuses a
student's credentials issued before her revocation (``revoke-credential``), so a leaked one is
revoked without rotating everyone's. The older ``cmc1_`` form (no issue time; ``student_credential_v1``)
stays valid until its student is revoked. The user name is normalised first (``normalise_user``:
trimmed of NBSP, U+3000, BOM…, NFC; invisible, control and bidi characters refused), exactly as the
collector does (``shared/src/userId.ts``).

The collector's ``INGEST_KEY`` is the master key; it stays on the collector and (under JupyterHub)
in the hub's own environment. A credential speaks for one user only: whatever a student's server
holds, its kernels can read, and with this the worst a student can do is send events as themself.
The collector computes the same value (``collector/src/auth/studentCredential.ts``); both sides are
checked against ``test/vectors/student-credentials.json``.

CLI, printing what ``cell-monitor-collector issue-credential`` prints::

    CELL_MONITOR_MASTER_KEY=… python -m cell_monitor.credentials --user alice [--user bob …] [--issued-at MS]

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
import re
import sys
import time
import unicodedata
from urllib.parse import quote

PREFIX = "cmc1_"
CONTEXT = "cell-monitor student credential v1\n"
PREFIX_V2 = "cmc2_"
CONTEXT_V2 = "cell-monitor student credential v2\n"
MIN_MASTER_KEY_CHARS = 16  # the collector refuses a shorter INGEST_KEY
MAX_USER_CHARS = 255  # the collector's limit on user ids (code points)

# The ECMAScript whitespace set that String.prototype.trim removes, spelled out (Python's
# str.strip differs: it keeps the BOM and strips U+001C-U+001F and U+0085).
_EDGE_SPACE = "[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_TRIM = re.compile(f"^{_EDGE_SPACE}+|{_EDGE_SPACE}+$")
_BLANK_FILLERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}


class UserIdError(ValueError):
    """A refused user name; ``id`` is the collector's error id (user_id_empty, user_id_too_long, user_id_invisible_character)."""

    def __init__(self, error_id: str, message: str):
        super().__init__(f"{message} ({error_id})")
        self.id = error_id


def normalise_user(user: str) -> str:
    """The user name in its one form (as shared/src/userId.ts): trimmed, NFC; raises UserIdError when refused."""
    name = unicodedata.normalize("NFC", _TRIM.sub("", user))
    if not name:
        raise UserIdError("user_id_empty", "the user name is empty")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch in _BLANK_FILLERS for ch in name):
        raise UserIdError("user_id_invisible_character", "the user name contains an invisible, control or text-direction character")
    if len(name) > MAX_USER_CHARS:
        raise UserIdError("user_id_too_long", f"the user name is longer than {MAX_USER_CHARS} characters")
    return name


def _mac(master_key: str, message: str) -> str:
    mac = hmac.new(master_key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def student_credential_v1(master_key: str, user: str) -> str:
    """The older credential of ``user`` (no issue time; accepted until the student is revoked)."""
    return PREFIX + _mac(master_key, CONTEXT + user)


def student_credential(master_key: str, user: str, issued_at_ms: int | None = None) -> str:
    """The credential of ``user`` (normalised) under ``master_key``, issued at ``issued_at_ms`` (default now)."""
    issued = str(int(time.time() * 1000) if issued_at_ms is None else int(issued_at_ms))
    message = CONTEXT_V2 + issued + "\n" + normalise_user(user)
    return PREFIX_V2 + issued + "_" + _mac(master_key, message)


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
    parser.add_argument("--issued-at", type=int, default=None, metavar="MS", help="the issue time in ms since 1970 (default: now)")
    args = parser.parse_args(argv)
    if not args.user:
        parser.error(f"give --user NAME (1-{MAX_USER_CHARS} characters) at least once")  # exits 2
    names = []
    for raw in args.user:  # normalised the collector's way
        try:
            names.append(normalise_user(raw))
        except UserIdError as err:
            parser.error(f"--user {raw!r}: {err}")
    issued_at = int(time.time() * 1000) if args.issued_at is None else args.issued_at
    if issued_at < 0:
        parser.error("--issued-at is milliseconds since 1970")
    try:
        master_key = check_master_key(_read_master_key())
    except ValueError as err:
        print(f"{parser.prog}: {err}; set CELL_MONITOR_MASTER_KEY or pipe it on stdin", file=sys.stderr)
        return 2
    if len(names) == 1:
        print(student_credential(master_key, names[0], issued_at))
    else:
        for name in names:
            print(f"{name}\t{student_credential(master_key, name, issued_at)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
