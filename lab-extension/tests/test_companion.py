"""The companion route against the real collector (the CLI, embedded mode, INGEST_KEY set)."""

import asyncio
import gzip
import json
import os
import socket
import sqlite3
import time

import pytest
from conftest import STUDENT, NamedUser, free_port, running_collector
from tornado.httpclient import HTTPClientError

INGEST_KEY = "companion-test-key-0123456789"


@pytest.fixture(scope="module")
def collector(tmp_path_factory):
    with running_collector(tmp_path_factory.mktemp("collector-data"), INGEST_KEY=INGEST_KEY) as running:
        yield running


@pytest.fixture
def collector_url(collector):
    return collector["url"]


@pytest.fixture
def jp_server_config(collector_url):
    return {
        "ServerApp": {"jpserver_extensions": {"cell_monitor": True}, "identity_provider_class": NamedUser},
        "CellMonitor": {"collector_url": collector_url, "ingest_key": INGEST_KEY, "request_timeout": 2.0},
    }


def event(event_id: str, **extra):
    return {
        "eventId": event_id,
        "eventType": "cell_execution_complete",
        "eventTime": "2026-11-23T09:00:00.000Z",
        "userId": "someone-else",
        "notebookPath": "/course/week1.ipynb",
        "cellId": "c1",
        "code": "print(1)",
        "success": True,
        **extra,
    }


async def stored_user(store: str, event_id: str, timeout: float = 10.0):
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


async def jupyter_user(jp_fetch) -> str:
    me = await jp_fetch("api", "me")
    return json.loads(me.body)["identity"]["username"]


async def test_stamps_the_jupyter_user_and_adds_the_ingest_key(jp_fetch, collector):
    reply = await jp_fetch("cell-monitor", method="POST", body=json.dumps([event("companion-1")]), headers={"Content-Type": "application/json"})
    assert reply.code == 202
    assert json.loads(reply.body) == {"accepted": 1, "duplicates": 0, "rejected": []}
    # The body said "someone-else"; the collector stored the authenticated Jupyter user.
    assert await jupyter_user(jp_fetch) == STUDENT
    assert await stored_user(collector["store"], "companion-1") == STUDENT
    assert INGEST_KEY not in reply.body.decode() and all(INGEST_KEY not in v for v in reply.headers.values())


async def test_forwards_gzip_bodies_unchanged(jp_fetch, collector):
    body = gzip.compress(json.dumps({"events": [event("companion-gz")]}).encode())
    reply = await jp_fetch("cell-monitor", method="POST", body=body, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert reply.code == 202
    assert await stored_user(collector["store"], "companion-gz") == STUDENT


async def test_relays_the_collectors_rejections(jp_fetch):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", method="POST", body="{not json", headers={"Content-Type": "application/json"})
    assert caught.value.code == 400
    assert json.loads(caught.value.response.body)["error"] == "malformed_json"


async def test_requires_jupyter_authentication(jp_fetch, collector):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", method="POST", body=json.dumps([event("companion-anon")]), headers={"Authorization": ""})
    assert caught.value.code == 403
    assert await stored_user(collector["store"], "companion-anon", timeout=1.0) is None


@pytest.mark.parametrize("collector_url", [f"http://127.0.0.1:{free_port()}"])
async def test_unreachable_collector_is_502(jp_fetch):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", method="POST", body=json.dumps([event("companion-502")]))
    assert caught.value.code == 502
    assert json.loads(caught.value.response.body)["error"] == "collector_unreachable"


@pytest.fixture
def silent_upstream():
    """Accepts connections and never answers: a hung collector."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()


async def test_hung_collector_is_504(jp_fetch, jp_serverapp, silent_upstream):
    settings = jp_serverapp.web_app.settings["cell_monitor"]
    settings.collector_url = silent_upstream
    settings.request_timeout = 0.5
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", method="POST", body=json.dumps([event("companion-504")]))
    assert caught.value.code == 504
    assert json.loads(caught.value.response.body)["error"] == "collector_timeout"



async def test_get_says_whether_the_collector_is_there_and_always_answers_200(jp_fetch, jp_serverapp, silent_upstream, collector_url):
    async def state():
        reply = await jp_fetch("cell-monitor", method="GET")
        assert reply.code == 200
        return json.loads(reply.body)["collector"]

    settings = jp_serverapp.web_app.settings["cell_monitor"]
    assert await state() == "reachable"
    settings.collector_url = f"http://127.0.0.1:{free_port()}"
    assert await state() == "unreachable"
    settings.collector_url = silent_upstream
    settings.request_timeout = 0.5
    assert await state() == "timeout"
    settings.collector_url = collector_url


async def test_get_requires_jupyter_authentication(jp_fetch):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", method="GET", headers={"Authorization": ""})
    assert caught.value.code == 403
