"""GET {base_url}cell-monitor/snapshot?path=<notebook>&trigger=save|submission|interval (issue 21).

The saved notebook, read through the server's contents manager, as the ``notebook_snapshot``
payload the extension masks and queues (snapshot.py builds it; shared/src/notebookSnapshot.ts
declares it). Only the extension reads this route, after a save, a hand-in or N minutes of runs; it
never takes part in the save itself.

| answer | when |
|--------|------|
| 200 ``{"snapshot": {...}, "policy", "digest"}`` | the notebook, within the caps; ``policy`` the one applied (null: unknown, the extension's own caps it), ``digest`` names the cells' content |
| 200 ``{"snapshot": null, "reason": "policy_metadata", "policy": "metadata"}`` | the class allows activity only on this notebook |
| 400 ``path_required`` / ``invalid_trigger`` / ``not_a_notebook`` | a bad request |
| 404 ``notebook_not_found`` | no such file (or hidden from the contents manager: 403 → 404) |
| 422 ``unreadable_notebook`` | the file is not a notebook nbformat reads |

The capture policy is the student's own, read from the collector (``/api/v1/student/policy``, as the
stamped user with this server's credential) and applied per notebook as policy_for_notebook says.
When the collector does not answer, the last policy read here holds; none read yet: no cap here
(``policy`` null), and the extension applies the policy it last knew — as for every other event.
"""

from __future__ import annotations

import json

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import ensure_async
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from .credentials import encode_user
from .snapshot import SNAPSHOT_TRIGGERS, notebook_snapshot, policy_for_notebook, snapshot_digest


class SnapshotHandler(APIHandler):
    """Answers the snapshot of one saved notebook under the student's capture policy."""

    # The last policy the collector gave, per stamped user: it holds while the collector is away.
    known_policies: dict = {}

    def initialize(self, settings):
        self.cm = settings

    def fail(self, status: int, error: str, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": error, "message": message}))

    def reply(self, body: dict) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        # A lone surrogate in a cell (valid JSON, not UTF-8) becomes "?" rather than a failed answer.
        self.finish(json.dumps(body, ensure_ascii=False).encode("utf-8", "replace"))

    async def student_policy(self, user: str) -> dict | None:
        """The collector's answer for this student, or the last one read (None: never read)."""
        headers = {"X-Cell-Monitor-User": encode_user(user)}
        if self.cm.credential:
            headers["Authorization"] = f"Bearer {self.cm.credential}"
        request = HTTPRequest(
            self.cm.collector_url.rstrip("/") + "/api/v1/student/policy",
            method="GET",
            headers=headers,
            connect_timeout=self.cm.connect_timeout,
            request_timeout=min(self.cm.request_timeout, 5.0),
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
            if response.code == 200:
                policy = json.loads(response.body)
                if isinstance(policy, dict):
                    self.known_policies[user] = policy
            else:
                self.log.info("cell-monitor: the student's capture policy was not read (HTTP %s); the last known one applies", response.code)
        except (HTTPClientError, OSError, ValueError) as err:
            self.log.info("cell-monitor: the student's capture policy was not read (%s); the last known one applies", err)
        return self.known_policies.get(user)

    @web.authenticated
    async def get(self):
        path = self.get_query_argument("path", "").strip()
        trigger = self.get_query_argument("trigger", "save")
        if not path:
            return self.fail(400, "path_required", "path (the notebook's path on this server) is required")
        if trigger not in SNAPSHOT_TRIGGERS:
            return self.fail(400, "invalid_trigger", f"trigger must be one of {', '.join(SNAPSHOT_TRIGGERS)}")
        if not path.lower().endswith(".ipynb"):
            return self.fail(400, "not_a_notebook", "only notebooks (.ipynb) have snapshots")
        user = self.cm.user or self.current_user.username
        known = await self.student_policy(user)
        policy = policy_for_notebook(known, path) if known is not None else None
        if policy == "metadata":
            return self.reply({"snapshot": None, "reason": "policy_metadata", "policy": policy})
        contents = self.contents_manager
        try:
            model = await ensure_async(contents.get(path, content=True, type="notebook"))
        except web.HTTPError as err:
            if err.status_code in (403, 404):
                return self.fail(404, "notebook_not_found", "no notebook at this path")
            return self.fail(422, "unreadable_notebook", "the file could not be read as a notebook")
        notebook = model.get("content") if isinstance(model, dict) else None
        if not isinstance(notebook, dict):
            return self.fail(422, "unreadable_notebook", "the file could not be read as a notebook")
        snapshot = notebook_snapshot(notebook, trigger, with_outputs=policy in ("code_and_output", None))
        if snapshot["truncated"]:
            self.log.info(
                "cell-monitor: a %s snapshot was cut to fit (%d of %d cells, %d bytes in the notebook)",
                trigger, len(snapshot["cells"]), snapshot["totalCells"], snapshot["totalBytes"],
            )
        self.reply({"snapshot": snapshot, "policy": policy, "digest": snapshot_digest(snapshot)})
