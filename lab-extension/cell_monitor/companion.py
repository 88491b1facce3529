"""The companion route: browser → Jupyter server (authenticated) → collector.

POST {base_url}cell-monitor   body: what the collector's POST /api/v1/events takes (JSON, maybe gzip)
GET  {base_url}cell-monitor   200 {"collector": "reachable" | "not_ready" | "unreachable" | "timeout"}
GET/POST {base_url}cell-monitor/student/(assignments|submissions|notifications)
                              → the collector's /api/v1/student/…: the student's assignments, hand-ins,
                                grades and notifications, as the same stamped user

* Jupyter's own authentication applies (token or login cookie, plus XSRF for cookie requests).
* The authenticated user name (the JupyterHub user under a hub) goes in ``X-Cell-Monitor-User``;
  the collector trusts ``userId`` only from there when it has an ingest key.
* ``Authorization: Bearer <ingest key>`` is added here; the key never reaches the browser.
* The body is forwarded as-is. The collector's answer (status, JSON body, Retry-After) comes back
  unchanged; an unreachable collector is 502 ``collector_unreachable`` and a slow one 504
  ``collector_timeout``, so the extension keeps the events queued and tries again later.
* GET asks the collector's ``/readyz`` and always answers 200 (this route itself works): while the
  collector is away the extension polls this instead of re-posting, so the student's browser
  console does not fill with failed requests.
"""

from __future__ import annotations

import json
import os

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from traitlets import Float, Int, Unicode, default
from traitlets.config import Configurable

ROUTE = "cell-monitor"
FORWARDED_HEADERS = ("Content-Type", "Content-Encoding")
PASSED_BACK_HEADERS = ("Retry-After",)


class CellMonitor(Configurable):
    """Settings of the companion route (``c.CellMonitor.…`` in jupyter_server_config.py)."""

    collector_url = Unicode(
        help="Base URL of the cell-monitor collector. Default: $CELL_MONITOR_COLLECTOR_URL or http://127.0.0.1:8765.",
    ).tag(config=True)

    ingest_key = Unicode(
        help="The collector's INGEST_KEY. Default: $CELL_MONITOR_INGEST_KEY. Never sent to the browser.",
    ).tag(config=True)

    connect_timeout = Float(3.0, help="Seconds to wait for a connection to the collector.").tag(config=True)
    request_timeout = Float(10.0, help="Seconds to wait for the collector's answer.").tag(config=True)
    max_body_bytes = Int(6 * 1024 * 1024, help="Larger request bodies are refused with 413 here.").tag(config=True)

    @default("collector_url")
    def _default_collector_url(self):
        return os.environ.get("CELL_MONITOR_COLLECTOR_URL", "http://127.0.0.1:8765")

    @default("ingest_key")
    def _default_ingest_key(self):
        return os.environ.get("CELL_MONITOR_INGEST_KEY", "")

    @property
    def events_url(self) -> str:
        return self.collector_url.rstrip("/") + "/api/v1/events"

    @property
    def ready_url(self) -> str:
        return self.collector_url.rstrip("/") + "/readyz"


class CompanionHandler(APIHandler):
    """POST relays a batch (transport failures become 502/504); GET says whether the collector is there."""

    def initialize(self, settings: CellMonitor):
        self.cm = settings

    def fail(self, status: int, error: str, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": error, "message": message}))

    async def forward(self, url: str, method: str, body: bytes | None) -> None:
        """Relays one request to the collector as the authenticated user; transport failures → 502/504."""
        if body is not None and len(body) > self.cm.max_body_bytes:
            return self.fail(413, "body_too_large", f"request body over {self.cm.max_body_bytes} bytes")
        headers = {name: self.request.headers[name] for name in FORWARDED_HEADERS if name in self.request.headers}
        headers["X-Cell-Monitor-User"] = self.current_user.username
        if self.cm.ingest_key:
            headers["Authorization"] = f"Bearer {self.cm.ingest_key}"
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


class StudentHandler(CompanionHandler):
    """The student's LMS routes, relayed with the same stamp and key (the user is never in the body)."""

    async def relay(self, resource: str, method: str):
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
        await self.relay(resource, "POST")


def load_extension(serverapp) -> None:
    settings = CellMonitor(parent=serverapp)
    serverapp.web_app.settings["cell_monitor"] = settings
    route = url_path_join(serverapp.web_app.settings["base_url"], ROUTE)
    student_route = url_path_join(route, "student", "(assignments|submissions|notifications)")
    serverapp.web_app.add_handlers(
        ".*$",
        [(route, CompanionHandler, {"settings": settings}), (student_route, StudentHandler, {"settings": settings})],
    )
    serverapp.log.info(
        "cell-monitor companion at %s → %s (ingest key %s)",
        route,
        settings.collector_url,
        "set" if settings.ingest_key else "not set",
    )
