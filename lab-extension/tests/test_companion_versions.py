"""The companion relays the student's notebook versions (the Versions panel) to the collector, GET only.

A fake collector records what reaches it: this tests the relay (path, query, stamp, credential,
methods), not the collector's answers, which the collector's own tests cover.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
from cell_monitor.credentials import student_credential
from conftest import STUDENT, NamedUser
from tornado.httpclient import HTTPClientError

MASTER_KEY = "companion-versions-key-0123456789"
CREDENTIAL = student_credential(MASTER_KEY, STUDENT)  # carries its issue time: made once


class FakeCollector(BaseHTTPRequestHandler):
    seen: list = []

    def log_message(self, *args):  # quiet
        pass

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.seen.append({"method": self.command, "path": self.path, "user": unquote(self.headers.get("X-Cell-Monitor-User", "")), "auth": self.headers.get("Authorization")})
        body = json.dumps({"items": [], "total": 0, "skip": 0, "limit": 50, "branches": [], "asked": self.path}).encode()
        status = 404 if self.path.endswith("/999") else 200
        if status == 404:
            body = json.dumps({"error": "version_not_found", "message": "no such version"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = answer
    do_POST = answer


@pytest.fixture(scope="module")
def fake_collector():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeCollector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def jp_server_config(fake_collector):
    return {
        "ServerApp": {"jpserver_extensions": {"cell_monitor": True}, "identity_provider_class": NamedUser},
        "CellMonitor": {"collector_url": fake_collector, "user": STUDENT, "credential": CREDENTIAL, "request_timeout": 2.0},
    }


async def test_the_version_list_and_one_version_reach_the_collector_as_the_stamped_student(jp_fetch):
    FakeCollector.seen.clear()
    reply = await jp_fetch("cell-monitor", "student", "notebook-versions", method="GET", params={"notebook_path": "week 1/課題.ipynb", "limit": "20"})
    assert reply.code == 200
    assert reply.headers["Cache-Control"] == "no-store"
    assert json.loads(reply.body)["total"] == 0
    reply = await jp_fetch("cell-monitor", "student", "notebook-versions", "42", method="GET")
    assert reply.code == 200
    listed, one = FakeCollector.seen
    assert listed["method"] == "GET" and listed["path"].startswith("/api/v1/student/notebook-versions?")
    assert unquote(listed["path"].split("?", 1)[1]).replace("+", " ") in ("notebook_path=week 1/課題.ipynb&limit=20", "limit=20&notebook_path=week 1/課題.ipynb")
    assert one["path"] == "/api/v1/student/notebook-versions/42"
    for request in (listed, one):
        assert request["user"] == STUDENT
        assert request["auth"] == f"Bearer {CREDENTIAL}"


async def test_the_collectors_404_comes_back_unchanged(jp_fetch):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", "student", "notebook-versions", "999", method="GET")
    assert caught.value.code == 404
    assert json.loads(caught.value.response.body)["error"] == "version_not_found"


async def test_versions_are_read_only_and_other_paths_are_not_relayed(jp_fetch):
    FakeCollector.seen.clear()
    for path in (("notebook-versions",), ("notebook-versions", "42")):
        with pytest.raises(HTTPClientError) as caught:
            await jp_fetch("cell-monitor", "student", *path, method="POST", body=b"{}")
        assert caught.value.code == 405
    for path in (("notebook-versions", "42", "restore"), ("notebook-versions", "abc"), ("notebook-versionsX",)):
        with pytest.raises(HTTPClientError) as caught:
            await jp_fetch("cell-monitor", "student", *path, method="GET")
        assert caught.value.code == 404
    assert FakeCollector.seen == []


async def test_versions_require_jupyter_authentication(jp_fetch):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", "student", "notebook-versions", method="GET", headers={"Authorization": ""})
    assert caught.value.code == 403
