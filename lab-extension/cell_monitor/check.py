"""Connection check: browser → companion → collector → stored, hop by hop, with a plain hint per failure.

The companion runs it for ``POST {base_url}cell-monitor/check`` (JupyterLab's "Cell Monitor: Check
connection"); admins run the same from the student's Jupyter server::

    python -m cell_monitor.check            # reads CELL_MONITOR_COLLECTOR_URL / _USER / _CREDENTIAL

A test event (``eventType: connection_test``) takes the whole ingest path — the collector's buffer,
stream and persister — and is stored apart from the analytics (kept 10 minutes); the last hop asks
the collector's test API (``GET /api/v1/test/events/{id}``) whether it arrived.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from datetime import datetime, timezone

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from .credentials import encode_user

STORED_WITHIN_SECONDS = 10.0


def _ms(start: float) -> int:
    return round((time.monotonic() - start) * 1000)


async def _fetch(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None, timeout: float = 5.0):
    """(status, parsed JSON or None); status 599 for a transport failure, with the error text."""
    request = HTTPRequest(url, method=method, body=body, headers=headers or {}, connect_timeout=timeout, request_timeout=timeout)
    try:
        response = await AsyncHTTPClient().fetch(request, raise_error=False)
    except (HTTPClientError, OSError) as err:
        return 599, {"error": str(err)}
    if response.code == 599:
        return 599, {"error": str(response.error)}
    try:
        return response.code, json.loads(response.body or b"null")
    except ValueError:
        return response.code, None


async def check_connection(collector_url: str, user: str, credential: str, timeout: float = 5.0) -> dict:
    base = collector_url.rstrip("/")
    event_id = f"check-{uuid.uuid4()}"
    hops = [{"hop": "companion", "ok": True, "ms": 0}]
    result = {"ok": False, "collectorUrl": base, "user": user, "eventId": event_id, "hops": hops}

    start = time.monotonic()
    status, _ = await _fetch(f"{base}/healthz", timeout=timeout)
    if status == 599:
        hops.append({"hop": "collector", "ok": False, "ms": None, "hint": f"The collector at {base} cannot be reached: is it running, and is CELL_MONITOR_COLLECTOR_URL (c.CellMonitor.collector_url) right?"})
        return result
    hops.append({"hop": "collector", "ok": status == 200, "ms": _ms(start), "status": status, **({} if status == 200 else {"hint": f"Something answers at {base} but it is not a working cell-monitor collector (HTTP {status})."})})
    if status != 200:
        return result

    if not credential:
        hops.append({"hop": "credential", "ok": False, "ms": None, "hint": f"No credential is configured for {user}: set CELL_MONITOR_CREDENTIAL (from the collector's issue-credential --user {user})."})
        return result
    event = {"eventId": event_id, "eventType": "connection_test", "eventTime": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"), "userId": user, "metadata": {"source": "connection check"}}
    headers = {"Content-Type": "application/json", "X-Cell-Monitor-User": encode_user(user), "Authorization": f"Bearer {credential}"}
    start = time.monotonic()
    status, body = await _fetch(f"{base}/api/v1/events", "POST", json.dumps([event]).encode(), headers, timeout)
    if status == 202:
        hops.append({"hop": "credential", "ok": True, "ms": _ms(start), "status": status})
    else:
        error = (body or {}).get("error") if isinstance(body, dict) else None
        if status in (401, 403) or error in ("unauthorized", "invalid_user_header"):
            hint = f"The collector refused the credential for {user}: it was issued for another user or another master key. Issue a new one (issue-credential --user {user}) and set CELL_MONITOR_CREDENTIAL."
        elif status == 503:
            hint = "The collector cannot write its buffer (disk full or its size cap reached): tell the administrator."
        else:
            hint = f"The collector refused the test event (HTTP {status} {error or ''})."
        hops.append({"hop": "credential", "ok": False, "ms": _ms(start), "status": status, "hint": hint})
        return result

    start = time.monotonic()
    while time.monotonic() - start < STORED_WITHIN_SECONDS:
        status, _ = await _fetch(f"{base}/api/v1/test/events/{event_id}", headers={k: v for k, v in headers.items() if k != "Content-Type"}, timeout=timeout)
        if status == 200:
            hops.append({"hop": "stored", "ok": True, "ms": _ms(start), "status": status})
            result["ok"] = True
            return result
        await asyncio.sleep(0.25)
    ready, body = await _fetch(f"{base}/readyz", timeout=timeout)
    if ready != 200:
        hint = "The collector has the event safely in its buffer, but its database (or Redis) is down: it will be stored when they are back. Tell the administrator."
    else:
        hint = f"The event was accepted but not stored within {STORED_WITHIN_SECONDS:.0f} s: the collector is behind; try again in a minute."
    hops.append({"hop": "stored", "ok": False, "ms": _ms(start), "status": ready, "hint": hint})
    return result


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m cell_monitor.check", description="Check that this Jupyter server's events reach the cell-monitor collector and are stored.")
    parser.add_argument("--collector-url", default=os.environ.get("CELL_MONITOR_COLLECTOR_URL", "http://127.0.0.1:8765"))
    parser.add_argument("--user", default=os.environ.get("CELL_MONITOR_USER") or os.environ.get("JUPYTERHUB_USER", ""))
    parser.add_argument("--credential", default=os.environ.get("CELL_MONITOR_CREDENTIAL", ""), help="default: $CELL_MONITOR_CREDENTIAL")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if not args.user:
        parser.error("--user (or CELL_MONITOR_USER / JUPYTERHUB_USER) is required")
    result = asyncio.run(check_connection(args.collector_url, args.user, args.credential))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for hop in result["hops"]:
            timing = f"{hop['ms']} ms" if hop.get("ms") is not None else "-"
            print(f"{'OK ' if hop['ok'] else 'FAIL'} {hop['hop']:<10} {timing}{'  ' + hop['hint'] if hop.get('hint') else ''}")
        print("connection OK: events reach the collector and are stored" if result["ok"] else "connection check failed")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
