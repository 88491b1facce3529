"""Issue 4's whole workflow with the student side going through the real companion route.

admin (created with the CLI) creates an instructor → the instructor logs in, creates a class,
enrolls the Jupyter user, creates an assignment → the student submits through
{base_url}cell-monitor/student/submissions (identity stamped by Jupyter) → the instructor grades →
the student's notifications hold assignment_graded → "my submissions" shows the score. And a
student's server, holding that student's credential, only ever sees that student's records.
"""

import json
import os
import subprocess
import urllib.request

import pytest
from cell_monitor.credentials import encode_user, student_credential
from conftest import ROOT, STUDENT, NamedUser, collector_command, running_collector
from tornado.httpclient import HTTPClientError

MASTER_KEY = "lms-workflow-master-key-0123456789"
JWT_SECRET = "lms-workflow-jwt-secret-0123456789abcdef"
NOTEBOOK = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": "1 + 1", "metadata": {}, "outputs": [], "execution_count": 1}]}


def api(base: str, method: str, path: str, token: str = None, body=None, headers=None):
    """The instructor side, straight to the collector (as the dashboard will)."""
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


@pytest.fixture(scope="module")
def collector(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("lms-data")
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
def instructor(collector):
    """Tom's token: the admin (made with the CLI) creates him, he logs in."""
    base = collector["url"]
    status, admin = api(base, "POST", "/api/v1/auth/login", body={"email": "admin@example.org", "password": "admin-password-1"})
    assert status == 200
    status, _ = api(base, "POST", "/api/v1/instructors", admin["token"], {"email": "tom@example.org", "name": "Tom", "password": "tom-password-1"})
    assert status == 201
    status, tom = api(base, "POST", "/api/v1/auth/login", body={"email": "tom@example.org", "password": "tom-password-1"})
    assert status == 200
    return tom["token"]


@pytest.fixture
def server_owner():
    """The student whose server this is (c.CellMonitor.user) and whose credential it holds."""
    return STUDENT


@pytest.fixture
def jp_server_config(collector, server_owner):
    return {
        "ServerApp": {"jpserver_extensions": {"cell_monitor": True}, "identity_provider_class": NamedUser},
        "CellMonitor": {"collector_url": collector["url"], "user": server_owner, "credential": student_credential(MASTER_KEY, server_owner)},
    }


def as_student(base: str, user: str, method: str, path: str, body=None):
    """What another student's companion sends the collector: that student's stamp and credential."""
    return api(base, method, path, student_credential(MASTER_KEY, user), body, {"X-Cell-Monitor-User": encode_user(user)})


async def student(jp_fetch, method: str, resource: str, body=None, params=None):
    reply = await jp_fetch(
        "cell-monitor", "student", resource, method=method, params=params or {},
        body=None if body is None else json.dumps(body), headers={"Content-Type": "application/json"},
    )
    return json.loads(reply.body)


async def test_submit_grade_notify_through_the_companion(jp_fetch, collector, instructor):
    base, token = collector["url"], instructor
    status, cls = api(base, "POST", "/api/v1/classes", token, {"name": "Python 101", "class_code": "PY101"})
    assert status == 201
    status, _ = api(base, "POST", f"/api/v1/classes/{cls['id']}/students", token, {"user_id": STUDENT})
    assert status == 201
    status, assignment = api(base, "POST", "/api/v1/assignments", token, {"class_id": cls["id"], "notebook_path": "week1/hw.ipynb", "title": "HW 1"})
    assert status == 201

    mine = await student(jp_fetch, "GET", "assignments")
    assert [(a["title"], a["submission_status"]) for a in mine] == [("HW 1", "not_submitted")]
    # A user_id in the body is refused: the student is whoever Jupyter authenticated.
    with pytest.raises(HTTPClientError) as caught:
        await student(jp_fetch, "POST", "submissions", {"assignment_id": assignment["id"], "notebook_content": NOTEBOOK, "user_id": "someone-else"})
    assert caught.value.code == 422
    submitted = await student(jp_fetch, "POST", "submissions", {"assignment_id": assignment["id"], "notebook_content": NOTEBOOK, "submission_comment": "done"})
    assert submitted["status"] == "submitted"

    status, graded = api(base, "PUT", f"/api/v1/submissions/{submitted['submission_id']}", token, {"score": 92, "feedback": "Great"})
    assert status == 200 and graded["status"] == "graded"

    notes = await student(jp_fetch, "GET", "notifications")
    assert [(n["type"], n["submission_id"], n["score"], n["feedback"]) for n in notes] == [("assignment_graded", submitted["submission_id"], 92, "Great")]
    assert await student(jp_fetch, "GET", "notifications", params={"after": str(notes[-1]["id"])}) == []
    history = await student(jp_fetch, "GET", "submissions")
    assert [(s["assignment_title"], s["score"], s["status"]) for s in history] == [("HW 1", 92, "graded")]


@pytest.mark.parametrize("server_owner", ["alice"])
async def test_a_students_server_only_sees_that_students_records(jp_fetch, collector, instructor):
    base, token = collector["url"], instructor
    status, cls = api(base, "POST", "/api/v1/classes", token, {"name": "Python 102", "class_code": "PY102"})
    assert status == 201
    for user in ("alice", "bob"):
        status, _ = api(base, "POST", f"/api/v1/classes/{cls['id']}/students", token, {"user_id": user})
        assert status == 201
    status, assignment = api(base, "POST", "/api/v1/assignments", token, {"class_id": cls["id"], "notebook_path": "week2/hw.ipynb", "title": "HW 2"})
    assert status == 201
    status, bobs = as_student(base, "bob", "POST", "/api/v1/student/submissions", {"assignment_id": assignment["id"], "notebook_content": NOTEBOOK})
    assert status == 201
    alices = await student(jp_fetch, "POST", "submissions", {"assignment_id": assignment["id"], "notebook_content": NOTEBOOK})
    for submission, score in ((bobs, 95), (alices, 70)):
        status, _ = api(base, "PUT", f"/api/v1/submissions/{submission['submission_id']}", token, {"score": score, "feedback": "ok"})
        assert status == 200
    status, bob_notes = as_student(base, "bob", "GET", "/api/v1/student/notifications")
    assert status == 200 and [(n["submission_id"], n["score"]) for n in bob_notes] == [(bobs["submission_id"], 95)]

    # Alice's server (her stamp, her credential) gets only hers, whatever the query asks for.
    for params in ({}, {"user_id": "bob"}, {"user": "bob"}):
        notes = await student(jp_fetch, "GET", "notifications", params=params)
        assert [(n["submission_id"], n["score"]) for n in notes] == [(alices["submission_id"], 70)]
    history = await student(jp_fetch, "GET", "submissions")
    assert [(s["assignment_title"], s["score"]) for s in history] == [("HW 2", 70)]


async def test_student_routes_need_jupyter_authentication(jp_fetch):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", "student", "assignments", method="GET", headers={"Authorization": ""})
    assert caught.value.code == 403


async def test_only_the_three_student_resources_are_relayed(jp_fetch):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("cell-monitor", "student", "grades-of-everyone", method="GET")
    assert caught.value.code == 404
