"""A saved notebook as a ``notebook_snapshot`` payload (issue 21), and the capture-policy rule: pure.

The payload is declared once, in shared/src/notebookSnapshot.ts (``metadata.snapshot``); the
collector checks it again there and stores its cells content-addressed. Built here, on the
student's server, from what the contents manager read (snapshot_handler.py):

| field        | what                                                                          |
|--------------|-------------------------------------------------------------------------------|
| trigger      | ``save``, ``submission`` or ``interval``                                      |
| cells        | ``{id?, type, source, outputs?}`` in order; ``source`` one string (nbformat's lines joined), ``outputs`` the nbformat outputs array as JSON text (code cells, ``code_and_output`` only) |
| truncated    | something was cut to fit the caps below                                       |
| totalCells, totalBytes | the whole notebook: cells, and UTF-8 bytes of what the policy captures (sources, plus outputs under ``code_and_output``) before any cut |

The caps, in this order (a save never fails for its size; the version says ``truncated``):

1. more than ``maxCells`` cells: the cells past it are left out;
2. one cell's outputs text over ``maxOutputChars`` (UTF-16 units, as JavaScript counts ``length``):
   a preview object ``{"truncated": true, "originalChars", "preview"}``, as the collector makes;
3. sources + outputs over ``maxBytes`` (UTF-8): every output is dropped; sources still over it: the
   cells past the cap are left out.

Step 2 comes before 3 (the collector's ``withinCap`` previews last): one large plot then costs its
own outputs only, not every cell's. What leaves here is within every cap, so the collector's check
changes nothing.
"""

from __future__ import annotations

import hashlib
import json

# In step with NOTEBOOK_SNAPSHOT_LIMITS in shared/src/notebookSnapshot.ts: change both together
# (tests/test_snapshot.py reads that file and fails when they differ).
NOTEBOOK_SNAPSHOT_LIMITS = {
    "maxBytes": 2 * 1024 * 1024,
    "maxCells": 1_000,
    "maxOutputChars": 64 * 1024,
    "outputPreviewChars": 2 * 1024,
    "maxCellIdLength": 128,
}
SNAPSHOT_TRIGGERS = ("save", "submission", "interval")
SNAPSHOT_CELL_TYPES = ("code", "markdown", "raw")
# shared/src/capturePolicy.ts, loosest last.
CAPTURE_POLICIES = ("metadata", "code", "code_and_output")


def policy_for_notebook(policy: dict, notebook_path: str) -> str | None:
    """``policyForNotebook`` of shared/src/capturePolicy.ts: the notebook's own policy, else the default.

    ``policy`` is the collector's ``GET /api/v1/student/policy`` answer; None when it names no known policy.
    """
    notebooks = policy.get("notebooks")
    own = notebooks.get(notebook_path) if isinstance(notebooks, dict) and notebook_path else None
    if own in CAPTURE_POLICIES:
        return own
    return policy.get("policy") if policy.get("policy") in CAPTURE_POLICIES else None


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def utf16_length(text: str) -> int:
    """``text.length`` in JavaScript."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _joined(value) -> str:
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def _json_text(value) -> str:
    """As JavaScript's JSON.stringify writes it (no spaces, non-ASCII as is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def capped_outputs(text: str) -> tuple[str, bool]:
    """One cell's outputs text, or its preview object when over maxOutputChars (and whether it was cut)."""
    length = utf16_length(text)
    if length <= NOTEBOOK_SNAPSHOT_LIMITS["maxOutputChars"]:
        return text, False
    units = text.encode("utf-16-le", "surrogatepass")[: NOTEBOOK_SNAPSHOT_LIMITS["outputPreviewChars"] * 2]
    preview = units.decode("utf-16-le", "ignore")  # a surrogate pair cut in two is left out
    return _json_text({"truncated": True, "originalChars": length, "preview": preview}), True


def notebook_snapshot(notebook: dict, trigger: str, with_outputs: bool) -> dict:
    """The snapshot of an nbformat 4 notebook (a dict), within the caps (the module's docblock)."""
    limits = NOTEBOOK_SNAPSHOT_LIMITS
    raw_cells = notebook.get("cells") if isinstance(notebook.get("cells"), list) else []
    truncated = len(raw_cells) > limits["maxCells"]
    total_bytes = 0
    cells = []
    for index, raw in enumerate(raw_cells):
        if not isinstance(raw, dict):
            continue
        cell_type = raw.get("cell_type") if raw.get("cell_type") in SNAPSHOT_CELL_TYPES else "raw"
        cell = {"type": cell_type, "source": _joined(raw.get("source"))}
        cell_id = raw.get("id")
        if isinstance(cell_id, str) and 0 < len(cell_id) <= limits["maxCellIdLength"]:
            cell = {"id": cell_id, **cell}
        total_bytes += utf8_length(cell["source"])
        if with_outputs and cell_type == "code":
            text = _json_text(raw.get("outputs") if isinstance(raw.get("outputs"), list) else [])
            total_bytes += utf8_length(text)
            cell["outputs"], cut = capped_outputs(text)
            truncated = truncated or cut
        if index < limits["maxCells"]:
            cells.append(cell)
    source_bytes = sum(utf8_length(c["source"]) for c in cells)
    output_bytes = sum(utf8_length(c["outputs"]) for c in cells if "outputs" in c)
    if source_bytes + output_bytes > limits["maxBytes"]:
        truncated = True
        cells = [{k: v for k, v in c.items() if k != "outputs"} for c in cells]
        if source_bytes > limits["maxBytes"]:
            kept, size = [], 0
            for c in cells:
                size += utf8_length(c["source"])
                if size > limits["maxBytes"]:
                    break
                kept.append(c)
            cells = kept
    return {"trigger": trigger, "cells": cells, "truncated": truncated, "totalCells": len(raw_cells), "totalBytes": total_bytes}


def snapshot_digest(snapshot: dict) -> str:
    """Names the cells' content (not the trigger): the same notebook saved twice has the same digest."""
    return hashlib.sha256(json.dumps(snapshot["cells"], ensure_ascii=True, sort_keys=True).encode()).hexdigest()
