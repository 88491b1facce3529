"""Per-student credentials: the shared vectors, the CLI against the collector's, the JupyterHub helper."""

import json
import os
import subprocess
import sys
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from cell_monitor.credentials import encode_user, student_credential
from cell_monitor.hub import spawner_environment
from conftest import ROOT, collector_command

MASTER_KEY = "credentials-test-master-key-0123456789"
LAB_EXTENSION = os.path.join(ROOT, "lab-extension")

with open(os.path.join(ROOT, "test/vectors/student-credentials.json"), encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{v['user']}@{v['masterKey'][:7]}" for v in VECTORS])
def test_the_derivation_matches_every_shared_vector(vector):
    assert student_credential(vector["masterKey"], vector["user"]) == vector["credential"]
    header = encode_user(vector["user"])
    assert header.isascii() and unquote(header) == vector["user"]
    assert unquote(vector["userHeader"]) == vector["user"]


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
    ours, theirs = python_cli("--user", "alice", master_key=MASTER_KEY), collector_cli("--user", "alice", master_key=MASTER_KEY)
    assert (ours.returncode, theirs.returncode) == (0, 0), ours.stderr + theirs.stderr
    assert ours.stdout == theirs.stdout == student_credential(MASTER_KEY, "alice") + "\n"


def test_several_users_are_name_tab_credential_lines_like_the_collector_cli():
    args = ("--user", "alice", "--user", "王小明", "--user", "jo.smith+lab@school.example")
    ours, theirs = python_cli(*args, master_key=MASTER_KEY), collector_cli(*args, master_key=MASTER_KEY)
    assert (ours.returncode, theirs.returncode) == (0, 0), ours.stderr + theirs.stderr
    assert ours.stdout == theirs.stdout
    assert ours.stdout.splitlines() == [f"{u}\t{student_credential(MASTER_KEY, u)}" for u in ("alice", "王小明", "jo.smith+lab@school.example")]


def test_the_master_key_can_come_on_stdin():
    done = python_cli("--user", "bob", stdin=MASTER_KEY + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == student_credential(MASTER_KEY, "bob") + "\n"


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
    assert env["CELL_MONITOR_CREDENTIAL"](spawner) == student_credential(MASTER_KEY, "alice")
    assert MASTER_KEY not in [value(spawner) for value in env.values()]


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
