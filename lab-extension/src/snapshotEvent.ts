/**
 * A notebook snapshot (issue 21) between the companion's answer and the queue, pure (tested in
 * Node): what the settings and the class policy let it carry, its secrets masked, and which
 * notebooks are due for a timed one. snapshots.ts does the JupyterLab side.
 *
 * | the notebook's effective settings (privacy.ts `effective`) | the snapshot carries |
 * |-------------------------------------------------------------|----------------------|
 * | recording off, no consent, Send cell code off, or the class policy `metadata` | nothing (no request) |
 * | Send cell output off, or the class policy `code`            | sources              |
 * | otherwise (`code_and_output`)                               | sources and outputs  |
 *
 * The companion applies the class policy too (it reads it from the collector): the stricter wins.
 */
import type { NotebookSnapshot } from '@cell-monitor/shared';
import type { Redactor } from './redaction/index.ts';
import { redactEvent } from './redaction/index.ts';
import type { MonitorSettings } from './settings.ts';

export type SnapshotTrigger = NotebookSnapshot['trigger'];

/** GET {baseUrl}cell-monitor/snapshot (the companion, snapshot_handler.py). */
export interface SnapshotAnswer {
  /** null: the class allows activity only on this notebook (`reason: 'policy_metadata'`). */
  snapshot: NotebookSnapshot | null;
  reason?: string;
  /** Names the cells' content: an unchanged notebook saved again has the same digest. */
  digest?: string;
}

export type SnapshotScope = 'none' | 'sources' | 'sources_and_outputs';

/** What a notebook's snapshots may carry, from its effective settings (the table above). */
export function snapshotScope(settings: Pick<MonitorSettings, 'enabled' | 'captureCode' | 'captureOutput'>): SnapshotScope {
  if (!settings.enabled || !settings.captureCode) return 'none';
  return settings.captureOutput === 'off' ? 'sources' : 'sources_and_outputs';
}

/** The snapshot cut down to a scope: without outputs for `sources`, null for `none`. */
export function withinScope(snapshot: NotebookSnapshot, scope: SnapshotScope): NotebookSnapshot | null {
  if (scope === 'none') return null;
  if (scope === 'sources_and_outputs' || snapshot.cells.every((c) => c.outputs === undefined)) return snapshot;
  return { ...snapshot, cells: snapshot.cells.map(({ outputs: _outputs, ...cell }) => cell) };
}

/** Lets the page paint and handle input between slices of work. */
export const yieldToPage = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** A slice of masking runs at most about this long before the page gets the main thread back. */
export const SLICE_MS = 8;

function maskOutputs(outputs: string, redact: Redactor): { text: string; count: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(outputs);
  } catch {
    return redact(outputs);
  }
  // The same walk as an event's output (base64 media left alone, lists of lines read as one text).
  const masked = redactEvent<{ output: unknown; metadata?: Record<string, unknown> }>({ output: parsed }, redact);
  if (masked.output === parsed) return { text: outputs, count: 0 };
  return { text: JSON.stringify(masked.output), count: Number(masked.metadata?.redactions ?? 0) };
}

/**
 * Every cell's source and outputs with their secrets masked (the rules of every other event: the
 * built-in ones and the admin's patterns), a cell at a time, yielding to the page whenever a slice
 * ran over SLICE_MS. `busyMs`: main-thread time spent masking.
 */
export async function maskSnapshot(
  snapshot: NotebookSnapshot,
  redact: Redactor,
  pause: () => Promise<void> = yieldToPage,
): Promise<{ snapshot: NotebookSnapshot; redactions: number; busyMs: number }> {
  let redactions = 0;
  let busyMs = 0;
  let sliceStart = performance.now();
  const cells: NotebookSnapshot['cells'] = [];
  for (const cell of snapshot.cells) {
    const source = redact(cell.source);
    const outputs = cell.outputs === undefined ? undefined : maskOutputs(cell.outputs, redact);
    redactions += source.count + (outputs?.count ?? 0);
    const outputsMasked = outputs !== undefined && outputs.count > 0;
    cells.push(source.count > 0 || outputsMasked ? { ...cell, source: source.count > 0 ? source.text : cell.source, ...(outputsMasked ? { outputs: outputs.text } : {}) } : cell);
    const now = performance.now();
    if (now - sliceStart > SLICE_MS) {
      busyMs += now - sliceStart;
      await pause();
      sliceStart = performance.now();
    }
  }
  busyMs += performance.now() - sliceStart;
  return { snapshot: { ...snapshot, cells }, redactions, busyMs };
}

/**
 * Per notebook: whether cells ran since its last snapshot, when that was, and its digest. A timed
 * snapshot is due `intervalMs` after the last one (or after the first run seen) once cells ran.
 */
export class NotebookActivity {
  private readonly notebooks = new Map<string, { ran: boolean; since: number; digest?: string }>();

  ran(path: string, now: number): void {
    const known = this.notebooks.get(path);
    if (known) known.ran = true;
    else this.notebooks.set(path, { ran: true, since: now });
  }

  /** A snapshot of the notebook was sent (digest: its content), or none is to be sent for what ran. */
  taken(path: string, now: number, digest?: string): void {
    const known = this.notebooks.get(path);
    this.notebooks.set(path, { ran: false, since: now, digest: digest ?? known?.digest });
  }

  /** The notebook's content is what its last snapshot from this page held. */
  unchanged(path: string, digest: string | undefined): boolean {
    return digest !== undefined && this.notebooks.get(path)?.digest === digest;
  }

  /** Notebooks due for a timed snapshot; none while `intervalMs` is 0 (off). */
  due(now: number, intervalMs: number): string[] {
    if (intervalMs <= 0) return [];
    return [...this.notebooks].filter(([, n]) => n.ran && now - n.since >= intervalMs).map(([path]) => path);
  }

  forget(path: string): void {
    this.notebooks.delete(path);
  }
}
