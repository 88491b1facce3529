/**
 * The `notebook_snapshot` event's payload, declared once: the Jupyter companion reads the saved
 * notebook through the server's contents manager and sends it as the event's `metadata.snapshot`
 * (issue 21); the collector (history/snapshotProjection.ts) checks it again with
 * `checkNotebookSnapshot` and stores its cells content-addressed. No dependency but depth.ts.
 *
 * Why `metadata.snapshot`, with each cell's outputs as ONE JSON text: the normaliser counts every
 * key and array item of an event's metadata (LIMITS.maxMetadataKeys, 10,000) and refuses more.
 * A cell here is at most 4 keys and 1 item, so 1,000 cells cost 5,000 — while nbformat's own shape
 * (sources as arrays of lines, outputs as nested objects: `data`, a key per MIME type, `metadata`)
 * passes 10,000 at about 200 cells. The event's `code` (1,000,000 characters) and `output`
 * (capped at 64 KB, replaced by a preview) cannot carry a notebook.
 *
 * | field        | what                                                                        |
 * |--------------|-----------------------------------------------------------------------------|
 * | trigger      | `save` (the contents manager saved it), `submission` (handed in), `interval` |
 * | cells        | the notebook's cells in order: `{ id?, type, source, outputs? }`             |
 * | cells[].id   | nbformat ≥ 4.5 cell id (absent in older notebooks), ≤ 128 characters        |
 * | cells[].type | `code`, `markdown` or `raw`                                                 |
 * | cells[].source  | the cell's source, one string (nbformat's list of lines joined)          |
 * | cells[].outputs | the cell's nbformat `outputs` array as JSON text; only under the class's `code_and_output` capture policy, absent otherwise |
 * | truncated    | the sender cut the notebook (over NOTEBOOK_SNAPSHOT_LIMITS.maxBytes)         |
 * | totalCells, totalBytes | the whole notebook's cells and bytes (sources + outputs, UTF-8), before any cut |
 *
 * Over the cap a snapshot is never refused (a save must not fail, nor an event be dead-lettered):
 * first the outputs go, then the cells past the cap, and the version says `truncated`.
 */
import { utf8Length } from './depth.ts';

export const SNAPSHOT_TRIGGERS = ['save', 'submission', 'interval'] as const;
export type SnapshotTrigger = (typeof SNAPSHOT_TRIGGERS)[number];

export const SNAPSHOT_CELL_TYPES = ['code', 'markdown', 'raw'] as const;
export type SnapshotCellType = (typeof SNAPSHOT_CELL_TYPES)[number];

export const NOTEBOOK_SNAPSHOT_LIMITS = {
  /**
   * Sources + outputs, UTF-8 bytes, stored per snapshot. Under INGEST_MAX_BYTES (5 MB) with room
   * for JSON escaping of the outputs' text; a course notebook is typically 20–500 KB.
   */
  maxBytes: 2 * 1024 * 1024,
  /** Cells per snapshot (5 metadata keys each: see the docblock). */
  maxCells: 1_000,
  /** One cell's outputs JSON text; longer is replaced by a truncated preview (as an event's output). */
  maxOutputChars: 64 * 1024,
  /** The preview kept of outputs over maxOutputChars. */
  outputPreviewChars: 2 * 1024,
  maxCellIdLength: 128,
} as const;

export interface SnapshotCell {
  id?: string;
  type: SnapshotCellType;
  source: string;
  outputs?: string;
}

export interface NotebookSnapshot {
  trigger: SnapshotTrigger;
  cells: SnapshotCell[];
  truncated?: boolean;
  totalCells?: number;
  totalBytes?: number;
}

/** The `metadata` of a `notebook_snapshot` event. */
export interface NotebookSnapshotMetadata {
  snapshot: NotebookSnapshot;
}

/** A snapshot as the collector stores it: the caps applied, sizes counted. */
export interface CheckedSnapshot {
  trigger: SnapshotTrigger;
  cells: Array<{ id: string | null; type: SnapshotCellType; source: string; outputs: string | null }>;
  /** Cut by the sender or here (outputs dropped, cells past the cap left out, an output previewed). */
  truncated: boolean;
  totalCells: number;
  totalBytes: number;
}

export type SnapshotCheck = { ok: true; snapshot: CheckedSnapshot } | { ok: false; error: 'invalid_snapshot'; message: string };

const bad = (message: string): SnapshotCheck => ({ ok: false, error: 'invalid_snapshot', message });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 2_147_483_647;

/** Outputs over the per-cell cap become a preview object, as capOutput does for an event's output. */
function capOutputs(outputs: string): { text: string; cut: boolean } {
  if (outputs.length <= NOTEBOOK_SNAPSHOT_LIMITS.maxOutputChars) return { text: outputs, cut: false };
  return { text: JSON.stringify({ truncated: true, originalChars: outputs.length, preview: outputs.slice(0, NOTEBOOK_SNAPSHOT_LIMITS.outputPreviewChars) }), cut: true };
}

/**
 * The event's snapshot (its `metadata`), every field checked — a body is untrusted — and the caps
 * applied; or why it is not one (`invalid_snapshot` and the field).
 */
export function checkNotebookSnapshot(metadata: unknown): SnapshotCheck {
  const raw = isObject(metadata) ? metadata.snapshot : undefined;
  if (!isObject(raw)) return bad('metadata.snapshot must be an object');
  if (!SNAPSHOT_TRIGGERS.includes(raw.trigger as SnapshotTrigger)) return bad(`metadata.snapshot.trigger must be one of ${SNAPSHOT_TRIGGERS.join(', ')}`);
  if (!Array.isArray(raw.cells)) return bad('metadata.snapshot.cells must be an array');
  if (raw.cells.length > NOTEBOOK_SNAPSHOT_LIMITS.maxCells) return bad(`metadata.snapshot.cells holds more than ${NOTEBOOK_SNAPSHOT_LIMITS.maxCells} cells`);
  if (raw.truncated !== undefined && typeof raw.truncated !== 'boolean') return bad('metadata.snapshot.truncated must be a boolean');
  for (const key of ['totalCells', 'totalBytes'] as const) if (raw[key] !== undefined && !count(raw[key])) return bad(`metadata.snapshot.${key} must be a non-negative integer`);
  const cells: CheckedSnapshot['cells'] = [];
  for (const [i, cell] of raw.cells.entries()) {
    const at = `metadata.snapshot.cells[${i}]`;
    if (!isObject(cell)) return bad(`${at} must be an object`);
    if (cell.id !== undefined && cell.id !== null && (typeof cell.id !== 'string' || cell.id.length > NOTEBOOK_SNAPSHOT_LIMITS.maxCellIdLength)) return bad(`${at}.id must be a string of at most ${NOTEBOOK_SNAPSHOT_LIMITS.maxCellIdLength} characters`);
    if (!SNAPSHOT_CELL_TYPES.includes(cell.type as SnapshotCellType)) return bad(`${at}.type must be one of ${SNAPSHOT_CELL_TYPES.join(', ')}`);
    if (typeof cell.source !== 'string') return bad(`${at}.source must be a string`);
    if (cell.outputs !== undefined && cell.outputs !== null && typeof cell.outputs !== 'string') return bad(`${at}.outputs must be the outputs' JSON text (a string)`);
    cells.push({ id: (cell.id as string | undefined) ?? null, type: cell.type as SnapshotCellType, source: cell.source, outputs: (cell.outputs as string | undefined) ?? null });
  }
  return { ok: true, snapshot: withinCap(raw.trigger as SnapshotTrigger, cells, raw) };
}

/** The cells within the caps: outputs previewed, then (over maxBytes) outputs dropped, then cells cut. */
function withinCap(trigger: SnapshotTrigger, cells: CheckedSnapshot['cells'], raw: Record<string, unknown>): CheckedSnapshot {
  let truncated = raw.truncated === true;
  let sourceBytes = 0;
  let outputBytes = 0;
  for (const cell of cells) {
    sourceBytes += utf8Length(cell.source);
    if (cell.outputs !== null) outputBytes += utf8Length(cell.outputs);
  }
  const totalBytes = Math.max(count(raw.totalBytes) ? raw.totalBytes : 0, sourceBytes + outputBytes);
  const totalCells = Math.max(count(raw.totalCells) ? raw.totalCells : 0, cells.length);
  let kept = cells;
  if (sourceBytes + outputBytes > NOTEBOOK_SNAPSHOT_LIMITS.maxBytes) {
    truncated = true;
    kept = cells.map((c) => ({ ...c, outputs: null }));
    if (sourceBytes > NOTEBOOK_SNAPSHOT_LIMITS.maxBytes) {
      let bytes = 0;
      const fit = kept.findIndex((c) => (bytes += utf8Length(c.source)) > NOTEBOOK_SNAPSHOT_LIMITS.maxBytes);
      kept = kept.slice(0, fit);
    }
  }
  kept = kept.map((c) => {
    if (c.outputs === null) return c;
    const capped = capOutputs(c.outputs);
    if (capped.cut) truncated = true;
    return capped.cut ? { ...c, outputs: capped.text } : c;
  });
  return { trigger, cells: kept, truncated, totalCells, totalBytes };
}
