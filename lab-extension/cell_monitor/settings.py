"""The companion route's settings: ``c.CellMonitor.…`` in jupyter_server_config.py (companion.py uses them)."""

from __future__ import annotations

import os

from traitlets import Bool, Float, Int, Unicode, default
from traitlets.config import Configurable


class CellMonitor(Configurable):
    """Settings of the companion route (``c.CellMonitor.…`` in jupyter_server_config.py)."""

    collector_url = Unicode(
        help="Base URL of the cell-monitor collector. Default: $CELL_MONITOR_COLLECTOR_URL or http://127.0.0.1:8765.",
    ).tag(config=True)

    credential = Unicode(
        help="This student's credential (cmc1_…, from the collector's `issue-credential` or "
        "cell_monitor.hub.spawner_environment), sent to the collector as Authorization: Bearer. "
        "It speaks for `user` only. Default: $CELL_MONITOR_CREDENTIAL (removed from the environment "
        "at load). Never sent to the browser.",
    ).tag(config=True)

    user = Unicode(
        help="The user every request is stamped with: the server's owner, the name the credential "
        "was issued for. Default: $CELL_MONITOR_USER, else $JUPYTERHUB_USER, else empty, meaning "
        "the Jupyter-authenticated user of each request.",
    ).tag(config=True)

    ingest_key = Unicode(
        help="No longer read (nor $CELL_MONITOR_INGEST_KEY): the collector's master key must not be on "
        "student servers. Setting it logs an error; configure `credential` instead.",
    ).tag(config=True)

    privacy_notice = Unicode(
        "",
        help="What the students are told, once, when JupyterLab first opens: what is recorded, where it "
        "goes, who sees it. Empty: the extension's default text (English and Japanese). Changing it "
        "shows it again (and, in consent mode, asks again).",
    ).tag(config=True)

    consent_required = Bool(
        False,
        help="Consent mode: nothing is recorded until the student agrees to the notice (they can withdraw "
        "under Help > About data collection).",
    ).tag(config=True)

    connect_timeout = Float(3.0, help="Seconds to wait for a connection to the collector.").tag(config=True)
    request_timeout = Float(10.0, help="Seconds to wait for the collector's answer.").tag(config=True)
    max_body_bytes = Int(6 * 1024 * 1024, help="Larger request bodies are refused with 413 here.").tag(config=True)

    @default("collector_url")
    def _default_collector_url(self):
        return os.environ.get("CELL_MONITOR_COLLECTOR_URL", "http://127.0.0.1:8765")

    @default("credential")
    def _default_credential(self):
        return os.environ.get("CELL_MONITOR_CREDENTIAL", "")

    @default("user")
    def _default_user(self):
        return os.environ.get("CELL_MONITOR_USER") or os.environ.get("JUPYTERHUB_USER", "")

    @property
    def events_url(self) -> str:
        return self.collector_url.rstrip("/") + "/api/v1/events"

    @property
    def ready_url(self) -> str:
        return self.collector_url.rstrip("/") + "/readyz"
