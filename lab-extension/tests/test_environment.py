"""Secrets in the server's environment do not reach its kernels, and are read before they are removed."""

import json
import os

import pytest
from cell_monitor.credentials import student_credential
from conftest import STUDENT, NamedUser, server_log_records, stored_user

MASTER_KEY = "environment-test-master-key-0123456789"
SECRETS = {
    "CELL_MONITOR_CREDENTIAL": student_credential(MASTER_KEY, STUDENT),
    "CELL_MONITOR_INGEST_KEY": "old-shared-ingest-key-0123456789",
    "CELL_MONITOR_MASTER_KEY": MASTER_KEY,
}
PROBE = 'import os, json; print(json.dumps({"names": sorted(k for k in os.environ if k.startswith("CELL_MONITOR")), "values": list(os.environ.values())}))'


@pytest.fixture
def server_environment(monkeypatch, collector):
    """What a careless spawner might give the server; set before the extension loads."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CELL_MONITOR_USER", STUDENT)
    monkeypatch.setenv("CELL_MONITOR_COLLECTOR_URL", collector["url"])


@pytest.fixture
def server_log():
    with server_log_records() as records:
        yield records


@pytest.fixture
def jp_server_config(server_environment, server_log):
    # Nothing under CellMonitor: user, credential and collector URL come from the environment.
    return {"ServerApp": {"jpserver_extensions": {"cell_monitor": True}, "identity_provider_class": NamedUser}}


async def run_in_kernel(jp_fetch, serverapp, code: str) -> str:
    reply = await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": "python3"}))
    kernel_id = json.loads(reply.body)["id"]
    client = serverapp.kernel_manager.get_kernel(kernel_id).client()
    client.start_channels()
    out = []
    try:
        await client.wait_for_ready(timeout=60)
        done = await client.execute_interactive(
            code, timeout=60,
            output_hook=lambda msg: out.append(msg["content"]["text"]) if msg["msg_type"] == "stream" else None,
        )
        assert done["content"]["status"] == "ok"
    finally:
        client.stop_channels()
        await jp_fetch("api", "kernels", kernel_id, method="DELETE")
    return "".join(out)


async def test_kernels_inherit_neither_the_credential_nor_any_key(jp_fetch, jp_serverapp):
    seen = json.loads(await run_in_kernel(jp_fetch, jp_serverapp, PROBE))
    # The kernel does inherit the server's environment (CELL_MONITOR_USER is no secret), but not these.
    assert seen["names"] == ["CELL_MONITOR_COLLECTOR_URL", "CELL_MONITOR_USER"]
    for value in SECRETS.values():
        assert not any(value in v for v in seen["values"])
    # Nor does anything else this server starts later: they are gone from its own environment.
    for name in SECRETS:
        assert name not in os.environ


def test_the_startup_log_names_the_user_and_the_old_variable_but_no_secret(jp_serverapp, jp_base_url, server_log):
    messages = [(r.levelname, r.getMessage()) for r in server_log]
    assert ("INFO", f"cell-monitor companion at {jp_base_url}cell-monitor → {os.environ['CELL_MONITOR_COLLECTOR_URL']} (credential set; user: {STUDENT})") in messages
    assert any(level == "ERROR" and "CELL_MONITOR_INGEST_KEY is no longer read" in text for level, text in messages)
    assert not any(value in text for _, text in messages for value in SECRETS.values())


async def test_the_credential_was_read_before_it_was_removed(jp_fetch, collector):
    reply = await jp_fetch("cell-monitor", method="POST", headers={"Content-Type": "application/json"}, body=json.dumps([{
        "eventId": "environment-1", "eventType": "cell_execution_complete", "eventTime": "2026-11-23T09:00:00.000Z",
        "userId": "someone-else", "notebookPath": "/course/week1.ipynb", "cellId": "c1",
    }]))
    assert reply.code == 202
    assert await stored_user(collector["store"], "environment-1") == STUDENT
