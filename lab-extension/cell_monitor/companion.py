"""The companion route: browser → Jupyter server (authenticated) → collector.

POST {base_url}cell-monitor   body: what the collector's POST /api/v1/events takes (JSON, maybe gzip)
GET  {base_url}cell-monitor   200 {"collector": "reachable" | "not_ready" | "unreachable" | "timeout"}
GET/POST {base_url}cell-monitor/student/(assignments|submissions|notifications|policy)
                              → the collector's /api/v1/student/…: the student's assignments, hand-ins,
                                grades, notifications and capture policy, as the same stamped user
GET  {base_url}cell-monitor/student/notebook-versions[/<id>]
                              → the collector's /api/v1/student/notebook-versions…: her own versions of a
                                notebook (the Versions panel); read-only, a POST is 405
POST {base_url}cell-monitor/check
                              200 {"ok", "hops": [{hop, ok, ms, hint?}]}: the connection check (check.py):
                                companion → collector → credential → stored, with a hint per failure
GET  {base_url}cell-monitor/privacy
                              200 {"notice", "consent_required", "version", "user", "visitor"}: what the students are told
                                (``c.CellMonitor.privacy_notice``; empty: the extension's default text)
                                and whether nothing is recorded until they agree
GET  {base_url}cell-monitor/snapshot?path=…&trigger=save|submission|interval
                              200 {"snapshot", "policy", "digest"}: the saved notebook as a notebook_snapshot
                                payload under the student's capture policy (snapshot_handler.py)

* Jupyter's own authentication applies (token or login cookie, plus XSRF for cookie requests).
* The stamped user goes in ``X-Cell-Monitor-User``, percent-encoded UTF-8: ``c.CellMonitor.user``
  (the server's owner: ``$CELL_MONITOR_USER``, else the hub user ``$JUPYTERHUB_USER``) when set,
  else the Jupyter-authenticated user. The collector trusts ``userId`` only from this stamp.
* A batch names the user whose queue it comes from in ``X-Cell-Monitor-Owner`` (percent-encoded
  UTF-8): when that is not the user this server stamps, the answer is 409 ``owner_mismatch`` and
  nothing is forwarded (the extension keeps the events for their owner's server).
* Under JupyterHub the server belongs to one hub user (``$JUPYTERHUB_USER``); a hub admin with
  ``access:servers`` who opens it is a *visitor*: the privacy route says so (``"visitor": true``),
  the extension then records nothing, and the event and student routes answer 403
  ``visitor_not_recorded`` (an admin's runs are not the student's work, and must not go out under
  her name). The connection check still runs, as the owner (its test event is kept apart).
* ``Authorization: Bearer <credential>`` is added when a per-student credential is configured
  (``cell_monitor.credentials``): it speaks for that one user only, the collector answers 401 for
  any other stamp. It never reaches the browser. The collector's master key is never held here.
* At load the credential and any master/ingest key are removed from ``os.environ``, so kernels and
  terminals started by this server do not inherit them.
* The body is forwarded as-is. The collector's answer (status, JSON body, Retry-After) comes back
  unchanged; an unreachable collector is 502 ``collector_unreachable`` and a slow one 504
  ``collector_timeout``, so the extension keeps the events queued and tries again later.
* GET asks the collector's ``/readyz`` and always answers 200 (this route itself works): while the
  collector is away the extension polls this instead of re-posting, so the student's browser
  console does not fill with failed requests.
"""

from __future__ import annotations

import hashlib
import json
import os
from urllib.parse import unquote

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from .credentials import PREFIX, encode_user
from .settings import CellMonitor
from .snapshot_handler import SnapshotHandler

ROUTE = "cell-monitor"
FORWARDED_HEADERS = ("Content-Type", "Content-Encoding")
PASSED_BACK_HEADERS = ("Retry-After",)
# The student's own notebook versions (issue 21's Versions panel): relayed for GET only.
READ_ONLY_PREFIX = "notebook-versions"
OWNER_HEADER = "X-Cell-Monitor-Owner"  # whose queue a batch comes from (percent-encoded UTF-8)
# Removed from os.environ at load: kernels and terminals started later must not inherit them.
SECRET_VARIABLES = ("CELL_MONITOR_CREDENTIAL", "CELL_MONITOR_INGEST_KEY", "CELL_MONITOR_MASTER_KEY")


def visiting(handler: APIHandler) -> bool:
    """Under JupyterHub: the browser's hub user is not the one this server belongs to (an admin visiting)."""
    owner = os.environ.get("JUPYTERHUB_USER")
    return bool(owner) and handler.current_user.username != owner


class CompanionHandler(APIHandler):
    """POST relays a batch (transport failures become 502/504); GET says whether the collector is there."""

    def initialize(self, settings: CellMonitor):
        self.cm = settings

    def refuse_visitor(self) -> bool:
        if not visiting(self):
            return False
        self.fail(403, "visitor_not_recorded", f"this server belongs to {os.environ['JUPYTERHUB_USER']}; nothing is recorded or sent while another hub user visits it")
        return True

    def fail(self, status: int, error: str, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": error, "message": message}))

    async def forward(self, url: str, method: str, body: bytes | None) -> None:
        """Relays one request to the collector as the stamped user; transport failures → 502/504."""
        if body is not None and len(body) > self.cm.max_body_bytes:
            return self.fail(413, "body_too_large", f"request body over {self.cm.max_body_bytes} bytes")
        headers = {name: self.request.headers[name] for name in FORWARDED_HEADERS if name in self.request.headers}
        # The server's owner when configured (under a hub, also when an admin visits the server).
        headers["X-Cell-Monitor-User"] = encode_user(self.cm.user or self.current_user.username)
        if self.cm.credential:
            headers["Authorization"] = f"Bearer {self.cm.credential}"
        request = HTTPRequest(
            url,
            method=method,
            body=body,
            headers=headers,
            connect_timeout=self.cm.connect_timeout,
            request_timeout=self.cm.request_timeout,
            decompress_response=True,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except HTTPClientError as err:  # 599 from the simple client: timeout or connection error
            return self.transport_failure(err)
        except OSError as err:  # connection refused, unreachable host, DNS
            self.log.warning("cell-monitor: collector unreachable at %s: %s", self.cm.collector_url, err)
            return self.fail(502, "collector_unreachable", "the cell-monitor collector cannot be reached; events stay queued")
        if response.code == 599:
            return self.transport_failure(response.error)
        self.set_status(response.code)
        for name in PASSED_BACK_HEADERS:
            if name in response.headers:
                self.set_header(name, response.headers[name])
        self.set_header("Content-Type", response.headers.get("Content-Type", "application/json"))
        self.finish(response.body or b"")

    @web.authenticated
    async def post(self):
        if self.refuse_visitor():
            return
        # The extension keeps one queue per (server, user) and names its owner: a batch is never sent
        # under anyone else's name (on a shared PC under a hub, the next student's page must not).
        owner = self.request.headers.get(OWNER_HEADER)
        if owner is not None and unquote(owner) != (self.cm.user or self.current_user.username):
            return self.fail(409, "owner_mismatch", "these events were recorded for another user; they stay queued for that user's server")
        await self.forward(self.cm.events_url, "POST", self.request.body)

    @web.authenticated
    async def get(self):
        request = HTTPRequest(
            self.cm.ready_url,
            method="GET",
            connect_timeout=self.cm.connect_timeout,
            request_timeout=min(self.cm.request_timeout, 5.0),
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
            code = response.code
            error = str(response.error) if code == 599 else ""
        except (HTTPClientError, OSError) as err:
            code, error = 599, str(err)
        if code == 200:
            state = "reachable"
        elif code != 599:
            state = "not_ready"
        elif "Timeout" in error or "timed out" in error.lower():
            state = "timeout"
        else:
            state = "unreachable"
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"collector": state}))

    def transport_failure(self, err) -> None:
        text = str(err)
        if "Timeout" in text or "timed out" in text.lower():
            self.log.warning("cell-monitor: collector at %s did not answer in time", self.cm.collector_url)
            return self.fail(504, "collector_timeout", "the cell-monitor collector did not answer in time; events stay queued")
        self.log.warning("cell-monitor: collector unreachable at %s: %s", self.cm.collector_url, text)
        return self.fail(502, "collector_unreachable", "the cell-monitor collector cannot be reached; events stay queued")


class CheckHandler(APIHandler):
    """Runs the connection check as this server's student, with its credential (never sent to the browser)."""

    def initialize(self, settings: CellMonitor):
        self.cm = settings

    @web.authenticated
    async def post(self):
        from .check import check_connection  # here, so `python -m cell_monitor.check` runs a fresh module

        user = self.cm.user or self.current_user.username
        result = await check_connection(self.cm.collector_url, user, self.cm.credential, timeout=min(self.cm.request_timeout, 5.0))
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(result, ensure_ascii=False))


class PrivacyHandler(APIHandler):
    """The notice and consent mode the admin configured, for the extension to show."""

    def initialize(self, settings: CellMonitor):
        self.cm = settings

    @web.authenticated
    def get(self):
        notice = self.cm.privacy_notice.strip()
        digest = hashlib.sha256(f"{notice}\n{self.cm.consent_required}".encode()).hexdigest()[:12]
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        version = digest if notice else ("default-consent" if self.cm.consent_required else "default")
        # The student the events are stamped with: the consent and the notice are theirs.
        user = self.cm.user or self.current_user.username
        self.finish(json.dumps({"notice": notice, "consent_required": self.cm.consent_required, "version": version, "user": user, "visitor": visiting(self)}))


class StudentHandler(CompanionHandler):
    """The student's LMS routes, relayed with the same stamp and credential (the user is never in the body)."""

    async def relay(self, resource: str, method: str):
        if self.refuse_visitor():
            return
        url = f"{self.cm.collector_url.rstrip('/')}/api/v1/student/{resource}"
        if self.request.query:
            url += "?" + self.request.query
        self.set_header("Cache-Control", "no-store")
        await self.forward(url, method, self.request.body if method == "POST" else None)

    @web.authenticated
    async def get(self, resource: str):
        await self.relay(resource, "GET")

    @web.authenticated
    async def post(self, resource: str):
        if resource.startswith(READ_ONLY_PREFIX):
            return self.fail(405, "method_not_allowed", "the notebook versions are read-only here")
        await self.relay(resource, "POST")


def load_extension(serverapp) -> None:
    settings = CellMonitor(parent=serverapp)
    # Read the environment defaults now: the variables are removed just below.
    credential, user = settings.credential, settings.user
    if settings.ingest_key or os.environ.get("CELL_MONITOR_INGEST_KEY"):
        serverapp.log.error(
            "cell-monitor: c.CellMonitor.ingest_key / $CELL_MONITOR_INGEST_KEY is no longer read and never sent: "
            "the collector's master key must not be on student servers. Issue this student's credential "
            "(collector `issue-credential --user NAME`, or cell_monitor.hub.spawner_environment under JupyterHub) "
            "and set CELL_MONITOR_CREDENTIAL and CELL_MONITOR_USER."
        )
    if credential and not credential.startswith(PREFIX):
        serverapp.log.error("cell-monitor: the credential is not a per-student credential (%s…); the collector will refuse it", PREFIX)
    # jupyter_client and terminado build each kernel's/terminal's environment from a copy of
    # os.environ when it starts, so nothing started from here on inherits these. A kernel running as
    # the same Unix user can still read /proc/<server pid>/environ (the environment as exec'd): that
    # is why the credential is bound to the one student, so reading it lets a student send only as
    # themself, and why the master key never belongs here.
    for name in SECRET_VARIABLES:
        os.environ.pop(name, None)
    serverapp.web_app.settings["cell_monitor"] = settings
    route = url_path_join(serverapp.web_app.settings["base_url"], ROUTE)
    student_route = url_path_join(route, "student", f"(assignments|submissions|notifications|policy|{READ_ONLY_PREFIX}(?:/[0-9]+)?)")
    serverapp.web_app.add_handlers(
        ".*$",
        [
            (route, CompanionHandler, {"settings": settings}),
            (student_route, StudentHandler, {"settings": settings}),
            (url_path_join(route, "privacy"), PrivacyHandler, {"settings": settings}),
            (url_path_join(route, "check"), CheckHandler, {"settings": settings}),
            (url_path_join(route, "snapshot"), SnapshotHandler, {"settings": settings}),
        ],
    )
    serverapp.log.info(
        "cell-monitor companion at %s → %s (credential %s; user: %s)",
        route,
        settings.collector_url,
        "set" if credential else "not set",
        user or "the Jupyter-authenticated user",
    )
