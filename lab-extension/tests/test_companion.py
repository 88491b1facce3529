"""The companion route against the real collector (the CLI, embedded mode, INGEST_KEY = master key set)."""

import gzip
import json
import os
import socket
import sqlite3
import subprocess
import sys

import pytest
from cell_monitor.credentials import student_credential
from conftest import STUDENT, NamedUser, free_port, stored_user
from tornado.httpclient import HTTPClientError

MASTER_KEY = "companion-test-key-0123456789"


class WangXiaoming(NamedUser):
    username = "王小明"


@pytest.fixture
def collector_url(collector):
    return collector["url"]


@pytest.fixture
def identity_provider():
    """Who Jupyter authenticates each request as."""
    return NamedUser


@pytest.fixture
def identity():
    """(c.CellMonitor.user, the user whose credential the server holds); tests override it."""
    return STUDENT, STUDENT


@pytest.fixture
def jp_server_config(collector_url, identity_provider, identity):
    user, credential_owner = identity
    return {
        "ServerApp": {"jpserver_extensions": {"cell_monitor": True}, "identity_provider_class": identity_provider},
        "CellMonitor": {
            "collector_url": collector_url,
            "user": user,
            "credential": student_credential(MASTER_KEY, credential_owner),
            "request_timeout": 2.0,
        },
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


async def jupyter_user(jp_fetch) -> str:
    me = await jp_fetch("api", "me")
    return json.loads(me.body)["identity"]["username"]


async def test_stamps_the_user_and_adds_the_students_credential(jp_fetch, collector):
    reply = await jp_fetch("cell-monitor", method="POST", body=json.dumps([event("companion-1")]), headers={"Content-Type": "application/json"})
    assert reply.code == 202
    assert json.loads(reply.body) == {"accepted": 1, "duplicates": 0, "rejected": []}
    # The body said "someone-else"; the collector stored the stamped user.
    assert await jupyter_user(jp_fetch) == STUDENT
    assert await stored_user(collector["store"], "companion-1") == STUDENT
    # The credential goes to the collector only, never back to the browser.
    credential = student_credential(MASTER_KEY, STUDENT)
    for secret in (credential, MASTER_KEY):
        assert secret not in reply.body.decode() and all(secret not in v for v in reply.headers.values())


@pytest.mark.parametrize("identity", [("alice", "alice")])
async def test_the_configured_user_is_stamped_whoever_is_logged_in(jp_fetch, collector):
    # The server belongs to alice (no hub: nothing says who else may use it); a request
    # authenticated as someone else still records alice's events, with alice's credential. Under a
    # hub a visitor is not recorded (the next test).
    assert await jupyter_user(jp_fetch) == STUDENT
    reply = await jp_fetch("cell-monitor", method="POST", body=json.dumps([event("companion-owner")]), headers={"Content-Type": "application/json"})
    assert reply.code == 202
    assert await stored_user(collector["store"], "companion-owner") == "alice"


@pytest.mark.parametrize("identity", [("alice", "alice")])
async def test_under_a_hub_a_visiting_admin_is_not_recorded(jp_fetch, collector, monkeypatch):
    # The hub spawned this server for alice ($JUPYTERHUB_USER); the browser's hub user is someone else.
    monkeypatch.setenv("JUPYTERHUB_USER", "alice")
    assert await jupyter_user(jp_fetch) == STUDENT
    privacy = json.loads((await jp_fetch("cell-monitor", "privacy", method="GET")).body)
    assert (privacy["user"], privacy["visitor"]) == ("alice", True)
    for path in (("cell-monitor",), ("cell-monitor", "student", "submissions")):
        with pytest.raises(HTTPClientError) as caught:
            await jp_fetch(*path, method="POST", body=json.dumps([event("companion-visitor")]), headers={"Content-Type": "application/json"})
        assert caught.value.code == 403
        assert json.loads(caught.value.response.body)["error"] == "visitor_not_recorded"
    assert await stored_user(collector["store"], "companion-visitor", timeout=1.0) is None
    # The connection check still tests alice's path for the admin.
    assert all(hop["ok"] for hop in (await check(jp_fetch))["hops"])
    # Alice herself (the hub user the server belongs to) is recorded.
    monkeypatch.setenv("JUPYTERHUB_USER", STUDENT)
    privacy = json.loads((await jp_fetch("cell-monitor", "privacy", method="GET")).body)
    assert privacy["visitor"] is False
    reply = await jp_fetch("cell-monitor", method="POST", body=json.dumps([event("companion-owner-hub")]), headers={"Content-Type": "application/json"})
    assert reply.code == 202


@pytest.mark.parametrize("identity_provider, identity", [(WangXiaoming, ("", "王小明"))])
async def test_a_non_ascii_jupyter_user_gets_events_through(jp_fetch, collector):
    # No c.CellMonitor.user: the Jupyter-authenticated user is stamped, percent-encoded in the header.
    assert await jupyter_user(jp_fetch) == "王小明"
    reply = await jp_fetch("cell-monitor", method="POST", body=json.dumps([event("companion-wang")]), headers={"Content-Type": "application/json"})
    assert reply.code == 202
    assert await stored_user(collector["store"], "companion-wang") == "王小明"


@pytest.mark.parametrize("identity", [("たろう", "たろう")])
async def test_a_batch_of_another_users_queue_is_refused_and_never_forwarded(jp_fetch, collector):
    # A shared lab PC under a hub: the page of this server (たろう's) must not send alice's queue.
    headers = {"Content-Type": "application/json", "X-Cell-Monitor-Owner": "alice"}
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", method="POST", body=json.dumps([event("companion-alices")]), headers=headers)
    assert caught.value.code == 409
    assert json.loads(caught.value.response.body)["error"] == "owner_mismatch"
    assert await stored_user(collector["store"], "companion-alices", timeout=1.0) is None
    # Its own queue (the owner percent-encoded, as the extension sends it) goes through.
    headers["X-Cell-Monitor-Owner"] = "%E3%81%9F%E3%82%8D%E3%81%86"
    reply = await jp_fetch("cell-monitor", method="POST", body=json.dumps([event("companion-taros")]), headers=headers)
    assert reply.code == 202
    assert await stored_user(collector["store"], "companion-taros") == "たろう"


@pytest.mark.parametrize("identity", [("bob", "alice")])
async def test_another_users_credential_is_refused_by_the_collector(jp_fetch, collector):
    # A server stamped "bob" holding alice's credential: the collector's 401 is relayed, nothing stored.
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", method="POST", body=json.dumps([event("companion-bob")]), headers={"Content-Type": "application/json"})
    assert caught.value.code == 401
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", "student", "notifications", method="GET")
    assert caught.value.code == 401
    assert await stored_user(collector["store"], "companion-bob", timeout=1.0) is None


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


async def test_privacy_says_what_the_admin_configured_and_a_new_text_is_a_new_version(jp_fetch, jp_serverapp):
    async def privacy():
        reply = await jp_fetch("cell-monitor", "privacy", method="GET")
        assert reply.code == 200
        assert reply.headers["Cache-Control"] == "no-store"
        return json.loads(reply.body)

    settings = jp_serverapp.web_app.settings["cell_monitor"]
    assert await privacy() == {"notice": "", "consent_required": False, "version": "default", "user": STUDENT, "visitor": False}
    settings.privacy_notice = "Your runs are recorded for the course. <b>not markup</b>"
    settings.consent_required = True
    first = await privacy()
    assert first["notice"] == "Your runs are recorded for the course. <b>not markup</b>"
    assert first["consent_required"] is True
    settings.privacy_notice = "Your runs and outputs are recorded for the course."
    assert (await privacy())["version"] != first["version"]
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", "privacy", method="GET", headers={"Authorization": ""})
    assert caught.value.code == 403


async def check(jp_fetch):
    reply = await jp_fetch("cell-monitor", "check", method="POST", body=b"")
    assert reply.code == 200
    return json.loads(reply.body)


async def test_check_connection_every_hop_green_and_the_test_event_stays_out_of_the_events(jp_fetch, collector):
    result = await check(jp_fetch)
    assert [(h["hop"], h["ok"]) for h in result["hops"]] == [("companion", True), ("collector", True), ("credential", True), ("stored", True)]
    assert result["ok"] is True and result["user"] == STUDENT
    assert all(isinstance(h["ms"], int) for h in result["hops"])
    store = sqlite3.connect(collector["store"])
    try:
        assert store.execute("SELECT user_id FROM connection_tests WHERE event_id = ?", (result["eventId"],)).fetchone() == (STUDENT,)
        assert store.execute("SELECT count(*) FROM events WHERE event_id = ?", (result["eventId"],)).fetchone() == (0,)
    finally:
        store.close()


@pytest.mark.parametrize("identity", [("bob", "alice")])
async def test_check_connection_names_a_wrong_credential(jp_fetch, collector):
    result = await check(jp_fetch)
    assert result["ok"] is False
    failing = result["hops"][-1]
    assert (failing["hop"], failing["ok"], failing["status"]) == ("credential", False, 401)
    assert "refused the credential for bob" in failing["hint"]


@pytest.mark.parametrize("collector_url", [f"http://127.0.0.1:{free_port()}"])
async def test_check_connection_names_an_unreachable_collector(jp_fetch):
    result = await check(jp_fetch)
    assert [(h["hop"], h["ok"]) for h in result["hops"]] == [("companion", True), ("collector", False)]
    assert "cannot be reached" in result["hops"][-1]["hint"]


def test_check_cli_for_admins(collector):
    """The same check from the command line, as an admin runs it on a student's server."""
    out = subprocess.run(
        [sys.executable, "-m", "cell_monitor.check", "--collector-url", collector["url"], "--user", STUDENT, "--credential", student_credential(MASTER_KEY, STUDENT)],
        capture_output=True, text=True, timeout=60, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "connection OK" in out.stdout
    wrong = subprocess.run(
        [sys.executable, "-m", "cell_monitor.check", "--collector-url", collector["url"], "--user", STUDENT, "--credential", student_credential(MASTER_KEY, "someone-else")],
        capture_output=True, text=True, timeout=60, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert wrong.returncode == 1
    assert "FAIL credential" in wrong.stdout
