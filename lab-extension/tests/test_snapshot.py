"""Notebook snapshots (issue 21): GET {base_url}cell-monitor/snapshot through a real Jupyter server,
with the student's capture policy read from the real collector (CLI, embedded store), and the caps."""

import json
import os
import re
import subprocess

import nbformat
import pytest
from cell_monitor.credentials import student_credential
from cell_monitor.snapshot import NOTEBOOK_SNAPSHOT_LIMITS, notebook_snapshot, policy_for_notebook
from conftest import ROOT, NamedUser, collector_command, free_port, running_collector
from test_lms_workflow import api
from tornado.httpclient import HTTPClientError

MASTER_KEY = "snapshot-test-master-key-0123456789"
JWT_SECRET = "snapshot-test-jwt-secret-0123456789abcdef"
LIMITS = NOTEBOOK_SNAPSHOT_LIMITS


@pytest.fixture(scope="module")
def collector(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("snapshot-data")
    env = {**os.environ, "DATA_DIR": str(data_dir), "LOG_LEVEL": "warn", "CELL_MONITOR_PASSWORD": "admin-password-1"}
    env.pop("DATABASE_URL", None)
    created = subprocess.run(
        collector_command("create-instructor", "--email", "admin@example.org", "--name", "Admin"),
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert created.returncode == 0, created.stderr
    with running_collector(data_dir, INGEST_KEY=MASTER_KEY, JWT_SECRET=JWT_SECRET) as running:
        yield running


@pytest.fixture(scope="module")
def classes(collector):
    """Classes with each policy: `code` (cody's), `metadata` (meta's, and mixed's home class), and a
    `code_and_output` class that enrols mixed later and assigns hw/open.ipynb. nina is in no class."""
    base = collector["url"]
    status, admin = api(base, "POST", "/api/v1/auth/login", body={"email": "admin@example.org", "password": "admin-password-1"})
    assert status == 200
    token = admin["token"]

    def make(name: str, policy: str, students: list) -> dict:
        status, cls = api(base, "POST", "/api/v1/classes", token, {"name": name, "class_code": name.upper()})
        assert status == 201
        assert api(base, "PUT", f"/api/v1/classes/{cls['id']}/capture-policy", token, {"policy": policy})[0] == 200
        for user in students:
            assert api(base, "POST", f"/api/v1/classes/{cls['id']}/students", token, {"user_id": user})[0] == 201
        return cls

    made = {"token": token, "codeonly": make("codeonly", "code", ["cody"]), "quiet": make("quiet", "metadata", ["meta", "mixed"])}
    made["open"] = make("open", "code_and_output", ["mixed"])
    status, _ = api(base, "POST", "/api/v1/assignments", token, {"class_id": made["open"]["id"], "notebook_path": "hw/open.ipynb", "title": "Open"})
    assert status == 201
    return made


@pytest.fixture
def owner():
    """The student whose server this is (c.CellMonitor.user), holding her credential."""
    return "nina"


@pytest.fixture
def collector_url(collector):
    return collector["url"]


@pytest.fixture
def jp_server_config(collector_url, owner):
    return {
        "ServerApp": {"jpserver_extensions": {"cell_monitor": True}, "identity_provider_class": NamedUser},
        "CellMonitor": {"collector_url": collector_url, "user": owner, "credential": student_credential(MASTER_KEY, owner), "request_timeout": 2.0},
    }


def write_notebook(root, name: str, cells: list) -> str:
    """cells: (cell_type, source, outputs) triples, written as nbformat 4.5 (cell ids) under the server's root."""
    nb = nbformat.v4.new_notebook()
    for i, (kind, source, outputs) in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source, outputs=outputs) if kind == "code" else nbformat.v4.new_markdown_cell(source)
        cell["id"] = f"c{i}"
        nb.cells.append(cell)
    path = os.path.join(str(root), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    nbformat.write(nb, path)
    return name


PRINTED = [nbformat.v4.new_output("stream", name="stdout", text="hello\nworld\n")]
NOTEBOOK = [("markdown", "# Week 1", None), ("code", "print('hello')\nprint('world')", PRINTED), ("code", "x = 1", [])]


async def snapshot(jp_fetch, path: str, trigger: str = "save") -> dict:
    reply = await jp_fetch("cell-monitor", "snapshot", method="GET", params={"path": path, "trigger": trigger})
    assert reply.code == 200 and reply.headers["Cache-Control"] == "no-store"
    return json.loads(reply.body)


async def failure(jp_fetch, params: dict, headers=None) -> tuple:
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", "snapshot", method="GET", params=params, headers=headers or {})
    body = caught.value.response.body
    return caught.value.code, json.loads(body) if body and caught.value.code != 403 else None


async def test_code_and_output_sends_sources_joined_and_outputs_as_json_text(jp_fetch, jp_root_dir, classes):
    write_notebook(jp_root_dir, "week1.ipynb", NOTEBOOK)
    answer = await snapshot(jp_fetch, "week1.ipynb", "submission")
    assert answer["policy"] == "code_and_output"
    snap = answer["snapshot"]
    assert snap["trigger"] == "submission" and snap["truncated"] is False and snap["totalCells"] == 3
    assert [(c.get("id"), c["type"], c["source"]) for c in snap["cells"]] == [
        ("c0", "markdown", "# Week 1"), ("c1", "code", "print('hello')\nprint('world')"), ("c2", "code", "x = 1"),
    ]
    assert "outputs" not in snap["cells"][0]
    assert json.loads(snap["cells"][1]["outputs"]) == [{"output_type": "stream", "name": "stdout", "text": "hello\nworld\n"}]
    assert snap["cells"][2]["outputs"] == "[]"
    assert snap["totalBytes"] == sum(len(c["source"].encode()) + len(c.get("outputs", "").encode()) for c in snap["cells"])
    # The digest names the content: the same file under another trigger has the same one.
    assert (await snapshot(jp_fetch, "week1.ipynb", "interval"))["digest"] == answer["digest"]


@pytest.mark.parametrize("owner", ["cody"])
async def test_the_code_policy_sends_sources_only(jp_fetch, jp_root_dir, classes):
    write_notebook(jp_root_dir, "week1.ipynb", NOTEBOOK)
    answer = await snapshot(jp_fetch, "week1.ipynb")
    assert answer["policy"] == "code"
    assert [c["source"] for c in answer["snapshot"]["cells"]] == ["# Week 1", "print('hello')\nprint('world')", "x = 1"]
    assert all("outputs" not in c for c in answer["snapshot"]["cells"])


@pytest.mark.parametrize("owner", ["meta"])
async def test_the_metadata_policy_sends_no_snapshot(jp_fetch, jp_root_dir, classes):
    write_notebook(jp_root_dir, "week1.ipynb", NOTEBOOK)
    assert await snapshot(jp_fetch, "week1.ipynb") == {"snapshot": None, "reason": "policy_metadata", "policy": "metadata"}


@pytest.mark.parametrize("owner", ["mixed"])
async def test_an_assignment_notebook_follows_its_own_classs_policy(jp_fetch, jp_root_dir, classes):
    # Home class "quiet" (metadata) decides elsewhere; hw/open.ipynb is assigned by "open" (code_and_output) only.
    write_notebook(jp_root_dir, "hw/open.ipynb", NOTEBOOK)
    write_notebook(jp_root_dir, "scratch.ipynb", NOTEBOOK)
    assert (await snapshot(jp_fetch, "scratch.ipynb"))["snapshot"] is None
    answer = await snapshot(jp_fetch, "hw/open.ipynb")
    assert answer["policy"] == "code_and_output" and "outputs" in answer["snapshot"]["cells"][1]


@pytest.mark.parametrize("owner", ["meta-offline"])
async def test_the_last_known_policy_holds_while_the_collector_is_away(jp_fetch, jp_serverapp, jp_root_dir, collector, classes):
    write_notebook(jp_root_dir, "week1.ipynb", NOTEBOOK)
    settings = jp_serverapp.web_app.settings["cell_monitor"]
    settings.collector_url = f"http://127.0.0.1:{free_port()}"
    # Never read: no cap here (the extension caps with the policy it last knew).
    first = await snapshot(jp_fetch, "week1.ipynb")
    assert first["policy"] is None and "outputs" in first["snapshot"]["cells"][1]
    # Read once (in no class yet: code_and_output), then enrolled in a metadata class and the collector goes away.
    settings.collector_url = collector["url"]
    assert (await snapshot(jp_fetch, "week1.ipynb"))["policy"] == "code_and_output"
    assert api(collector["url"], "POST", f"/api/v1/classes/{classes['quiet']['id']}/students", classes["token"], {"user_id": "meta-offline"})[0] == 201
    assert (await snapshot(jp_fetch, "week1.ipynb"))["snapshot"] is None
    settings.collector_url = f"http://127.0.0.1:{free_port()}"
    assert (await snapshot(jp_fetch, "week1.ipynb"))["reason"] == "policy_metadata"


async def test_large_outputs_are_previewed_and_the_version_says_truncated(jp_fetch, jp_root_dir, classes):
    big = [nbformat.v4.new_output("stream", name="stdout", text="é" * (LIMITS["maxOutputChars"] + 10))]
    write_notebook(jp_root_dir, "big.ipynb", [("code", "print('é' * 70000)", big), ("code", "print(1)", PRINTED)])
    snap = (await snapshot(jp_fetch, "big.ipynb"))["snapshot"]
    assert snap["truncated"] is True
    preview = json.loads(snap["cells"][0]["outputs"])
    assert preview["truncated"] is True and preview["originalChars"] > LIMITS["maxOutputChars"]
    assert len(preview["preview"]) == LIMITS["outputPreviewChars"]
    assert json.loads(snap["cells"][1]["outputs"])[0]["text"] == "hello\nworld\n", "the other cell keeps its outputs"


async def test_error_answers(jp_fetch, jp_root_dir, classes):
    write_notebook(jp_root_dir, "week1.ipynb", NOTEBOOK)
    (jp_root_dir / "notes.txt").write_text("not a notebook")
    (jp_root_dir / "broken.ipynb").write_text("{ not json")
    assert await failure(jp_fetch, {"trigger": "save"}) == (400, {"error": "path_required", "message": "path (the notebook's path on this server) is required"})
    assert (await failure(jp_fetch, {"path": "week1.ipynb", "trigger": "hourly"}))[1]["error"] == "invalid_trigger"
    assert (await failure(jp_fetch, {"path": "notes.txt"}))[1]["error"] == "not_a_notebook"
    assert await failure(jp_fetch, {"path": "missing.ipynb"}) == (404, {"error": "notebook_not_found", "message": "no notebook at this path"})
    assert await failure(jp_fetch, {"path": "broken.ipynb"}) == (422, {"error": "unreadable_notebook", "message": "the file could not be read as a notebook"})
    assert (await failure(jp_fetch, {"path": "week1.ipynb"}, {"Authorization": ""}))[0] == 403


def test_the_caps_match_the_shared_declaration():
    """NOTEBOOK_SNAPSHOT_LIMITS here and in shared/src/notebookSnapshot.ts are the same numbers."""
    with open(os.path.join(ROOT, "shared/src/notebookSnapshot.ts"), encoding="utf-8") as f:
        block = re.search(r"NOTEBOOK_SNAPSHOT_LIMITS = \{(.*?)\} as const", f.read(), re.S).group(1)
    declared = {}
    for name, expression in re.findall(r"^\s*(\w+):\s*([\d_ *]+),", block, re.M):
        declared[name] = eval(expression.replace("_", ""), {"__builtins__": {}})  # digits and * only
    assert declared == LIMITS


def cells(n: int, source: str = "x", outputs=None) -> dict:
    return {"cells": [{"cell_type": "code", "id": f"c{i}", "source": source, "outputs": outputs or []} for i in range(n)]}


def test_more_cells_than_the_cap_keeps_the_first_ones():
    snap = notebook_snapshot(cells(LIMITS["maxCells"] + 5), "save", with_outputs=False)
    assert len(snap["cells"]) == LIMITS["maxCells"] and snap["totalCells"] == LIMITS["maxCells"] + 5 and snap["truncated"] is True


def test_over_the_byte_cap_outputs_go_first_then_the_cells_past_it():
    text = "y" * 60_000
    with_outputs = notebook_snapshot(cells(40, "s" * 10_000, [{"output_type": "stream", "name": "stdout", "text": text}]), "save", True)
    assert with_outputs["truncated"] is True and len(with_outputs["cells"]) == 40
    assert all("outputs" not in c for c in with_outputs["cells"]), "2.4 MB of outputs: all dropped, sources kept"
    assert with_outputs["totalBytes"] > LIMITS["maxBytes"]
    sources = notebook_snapshot(cells(300, "s" * 10_000), "save", False)
    assert sources["truncated"] is True and len(sources["cells"]) == LIMITS["maxBytes"] // 10_000
    assert sources["totalCells"] == 300 and sources["totalBytes"] == 3_000_000
    small = notebook_snapshot(cells(3), "save", True)
    assert small["truncated"] is False and len(small["cells"]) == 3


def test_odd_cells_are_sent_in_a_shape_the_collector_takes():
    nb = {"cells": [
        {"cell_type": "code", "id": "x" * 200, "source": ["a = 1\n", "b = 2"], "outputs": []},
        {"cell_type": "heading", "source": "old", "metadata": {}},
        "not a cell",
    ]}
    snap = notebook_snapshot(nb, "interval", True)
    assert snap["cells"] == [{"type": "code", "source": "a = 1\nb = 2", "outputs": "[]"}, {"type": "raw", "source": "old"}]


def test_policy_for_notebook_is_the_shared_rule():
    told = {"policy": "code", "notebooks": {"hw/a.ipynb": "metadata", "hw/b.ipynb": "bogus", "constructor": "code_and_output"}}
    assert policy_for_notebook(told, "hw/a.ipynb") == "metadata"
    assert policy_for_notebook(told, "hw/b.ipynb") == "code"
    assert policy_for_notebook(told, "other.ipynb") == "code"
    assert policy_for_notebook({"policy": "code_and_output"}, "x.ipynb") == "code_and_output"
    assert policy_for_notebook({"policy": "nonsense"}, "x.ipynb") is None
