"""Per-student credentials: the shared vectors, the CLI against the collector's, the JupyterHub helper."""

import json
import os
import subprocess
import sys
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from cell_monitor.credentials import UserIdError, encode_user, normalise_user, student_credential, student_credential_v1
from cell_monitor.hub import spawner_environment
from conftest import ROOT, collector_command

MASTER_KEY = "credentials-test-master-key-0123456789"
LAB_EXTENSION = os.path.join(ROOT, "lab-extension")

with open(os.path.join(ROOT, "test/vectors/student-credentials.json"), encoding="utf-8") as f:
    ALL_VECTORS = json.load(f)
VECTORS = ALL_VECTORS["vectors"]
V2_VECTORS = ALL_VECTORS["v2Vectors"]
USER_IDS = ALL_VECTORS["userIds"]
ISSUED_AT = 1764650000000


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{v['user']}@{v['masterKey'][:7]}" for v in VECTORS])
def test_the_derivation_matches_every_shared_vector(vector):
    assert student_credential_v1(vector["masterKey"], vector["user"]) == vector["credential"]
    header = encode_user(vector["user"])
    assert header.isascii() and unquote(header) == vector["user"]
    assert unquote(vector["userHeader"]) == vector["user"]


@pytest.mark.parametrize("vector", V2_VECTORS, ids=[f"{v['user']!r}@{v['issuedAt']}" for v in V2_VECTORS])
def test_v2_credentials_match_the_shared_vectors_with_the_name_normalised(vector):
    assert student_credential(vector["masterKey"], vector["user"], vector["issuedAt"]) == vector["credential"]


@pytest.mark.parametrize("case", USER_IDS, ids=[repr(c["raw"])[:40] for c in USER_IDS])
def test_user_names_normalise_as_the_collector_does(case):
    if "error" in case:
        with pytest.raises(UserIdError) as refused:
            normalise_user(case["raw"])
        assert refused.value.id == case["error"]
    else:
        assert normalise_user(case["raw"]) == case["normalised"]


def python_cli(*args, master_key=None, stdin=None):
    env = {key: value for key, value in os.environ.items() if key != "CELL_MONITOR_MASTER_KEY"}
    if master_key is not None:
        env["CELL_MONITOR_MASTER_KEY"] = master_key
    return subprocess.run(
        [sys.executable, "-m", "cell_monitor.credentials", *args],
        cwd=LAB_EXTENSION, env=env, input=stdin or "", capture_output=True, text=True, timeout=30,
    )


def collector_cli(*args, master_key):
    env = {**os.environ, "INGEST_KEY": master_key}
    env.pop("DATABASE_URL", None)
    return subprocess.run(collector_command("issue-credential", *args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_the_python_cli_prints_what_the_collector_cli_prints_for_one_user():
    args = ("--user", "alice", "--issued-at", str(ISSUED_AT))
    ours, theirs = python_cli(*args, master_key=MASTER_KEY), collector_cli(*args, master_key=MASTER_KEY)
    assert (ours.returncode, theirs.returncode) == (0, 0), ours.stderr + theirs.stderr
    assert ours.stdout == theirs.stdout == student_credential(MASTER_KEY, "alice", ISSUED_AT) + "\n"


def test_both_clis_issue_now_by_default_and_normalise_the_name_the_same_way():
    before = int(__import__("time").time() * 1000)
    ours = python_cli("--user", "\u3000Zoe\u0301\u00a0", master_key=MASTER_KEY)
    theirs = collector_cli("--user", "\ufeffZoe\u0301", master_key=MASTER_KEY)
    assert (ours.returncode, theirs.returncode) == (0, 0), ours.stderr + theirs.stderr
    for out in (ours.stdout, theirs.stdout):
        issued = int(out.split("_")[1])
        assert before <= issued <= before + 120_000
        assert out == student_credential(MASTER_KEY, "Zo\u00e9", issued) + "\n"


@pytest.mark.parametrize("name", ["al\u200bice", "alice\u202e", "\u2066alice\u2069"])
def test_both_clis_refuse_invisible_and_bidi_characters_in_a_name(name):
    ours, theirs = python_cli("--user", name, master_key=MASTER_KEY), collector_cli("--user", name, master_key=MASTER_KEY)
    assert (ours.returncode, theirs.returncode) == (2, 2)
    assert ours.stdout == theirs.stdout == ""
    assert "user_id_invisible_character" in ours.stderr and "user_id_invisible_character" in theirs.stderr


def test_several_users_are_name_tab_credential_lines_like_the_collector_cli():
    args = ("--user", "alice", "--user", "王小明", "--user", "jo.smith+lab@school.example", "--issued-at", str(ISSUED_AT))
    ours, theirs = python_cli(*args, master_key=MASTER_KEY), collector_cli(*args, master_key=MASTER_KEY)
    assert (ours.returncode, theirs.returncode) == (0, 0), ours.stderr + theirs.stderr
    assert ours.stdout == theirs.stdout
    assert ours.stdout.splitlines() == [f"{u}\t{student_credential(MASTER_KEY, u, ISSUED_AT)}" for u in ("alice", "王小明", "jo.smith+lab@school.example")]


def test_the_master_key_can_come_on_stdin():
    done = python_cli("--user", "bob", "--issued-at", str(ISSUED_AT), stdin=MASTER_KEY + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == student_credential(MASTER_KEY, "bob", ISSUED_AT) + "\n"


@pytest.mark.parametrize(
    "args, master_key, stdin, complaint",
    [
        (("--user", "bob"), None, "", "master key"),  # no variable, empty stdin
        (("--user", "bob"), "", None, "master key"),  # variable set but empty
        (("--user", "bob"), "too-short", None, "at least 16"),
        ((), MASTER_KEY, None, "--user"),
        (("--user", "  "), MASTER_KEY, None, "--user"),
    ],
)
def test_missing_input_exits_2_with_a_message(args, master_key, stdin, complaint):
    done = python_cli(*args, master_key=master_key, stdin=stdin)
    assert done.returncode == 2 and done.stdout == ""
    assert complaint in done.stderr


def test_spawner_environment_gives_each_server_its_users_credential():
    env = spawner_environment(MASTER_KEY)
    assert set(env) == {"CELL_MONITOR_USER", "CELL_MONITOR_CREDENTIAL"}
    # JupyterHub calls callable values with the spawner as the only argument.
    spawner = SimpleNamespace(user=SimpleNamespace(name="alice"))
    assert env["CELL_MONITOR_USER"](spawner) == "alice"
    credential = env["CELL_MONITOR_CREDENTIAL"](spawner)
    issued = int(credential.split("_")[1])  # issued at spawn: a respawn after a revocation gets one that works
    assert credential == student_credential(MASTER_KEY, "alice", issued)
    assert MASTER_KEY not in [value(spawner) for value in env.values()]


def test_spawner_environment_normalises_the_hub_name_and_refuses_invisible_characters():
    env = spawner_environment(MASTER_KEY)
    spawner = SimpleNamespace(user=SimpleNamespace(name="\ufeffZoe\u0301\u3000"))
    assert env["CELL_MONITOR_USER"](spawner) == "Zo\u00e9"
    credential = env["CELL_MONITOR_CREDENTIAL"](spawner)
    assert credential == student_credential(MASTER_KEY, "Zo\u00e9", int(credential.split("_")[1]))
    with pytest.raises(UserIdError, match="user_id_invisible_character"):
        env["CELL_MONITOR_USER"](SimpleNamespace(user=SimpleNamespace(name="al\u200bice")))


@pytest.mark.parametrize("master_key", ["", "fifteen-chars!!"])
def test_spawner_environment_refuses_an_empty_or_short_master_key(master_key):
    with pytest.raises(ValueError, match="at least 16"):
        spawner_environment(master_key)


def test_the_hub_helper_does_not_import_jupyterhub():
    done = subprocess.run(
        [sys.executable, "-c", "import sys, cell_monitor.hub; print('jupyterhub' in sys.modules)"],
        cwd=LAB_EXTENSION, capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
