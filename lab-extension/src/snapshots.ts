/**
 * Snapshots of the student's notebooks for their version history (issue 21): when a save completes,
 * after a hand-in, and every N minutes (setting `snapshotIntervalMinutes`; 0: off) while cells ran
 * since the last one. Each asks the companion for the saved notebook (`{baseUrl}cell-monitor/snapshot`,
 * read through the server's contents manager, the class policy and the caps applied there), masks
 * its secrets (snapshotEvent.ts) and records a `notebook_snapshot` event through the recorder like
 * any other event: consent, the settings, the class policy and `prepare` apply, and the queue
 * delivers it. Asking and masking happen after the save, off its path: a failure is a line in the
 * developer console, never a failed save nor a dialog. One snapshot at a time per notebook, in order.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { URLExt } from '@jupyterlab/coreutils';
import { NotebookActions, type INotebookTracker, type Notebook, type NotebookPanel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { EVENT_TYPES } from '@cell-monitor/shared/eventTypes';
import type { Privacy } from './privacy.ts';
import type { Recorder } from './recorder.ts';
import type { MonitorSettings } from './settings.ts';
import { maskSnapshot, NotebookActivity, snapshotScope, withinScope, type SnapshotAnswer, type SnapshotTrigger } from './snapshotEvent.ts';
import { COMPANION_PATH } from './transport.ts';

/** One performance measure per snapshot recorded: `{ trigger, cells, busyMs, redactions }` as detail. */
export const SNAPSHOT_MEASURE = 'cell-monitor:snapshot';

/** How often due timed snapshots are looked for. */
const TICK_MS = 60_000;

export interface SnapshotsOptions {
  app: JupyterFrontEnd;
  tracker: INotebookTracker;
  /** The recorder once the queue is open (CellMonitor.started); undefined: nothing is recorded. */
  recorder: Promise<Pick<Recorder, 'record'> | undefined>;
  /** What start-up read: the privacy rules and the local settings. */
  parts: Promise<{ privacy: Privacy; local: () => MonitorSettings }>;
  /** The path of a notebook just handed in (the Assignments panel). */
  submitted: ISignal<unknown, string>;
}

/** The companion's snapshot of the saved notebook at `path`; rejects on a failed request. */
export async function fetchSnapshot(settings: ServerConnection.ISettings, path: string, trigger: SnapshotTrigger): Promise<SnapshotAnswer> {
  const url = URLExt.join(settings.baseUrl, COMPANION_PATH, 'snapshot') + URLExt.objectToQueryString({ path, trigger });
  const response = await ServerConnection.makeRequest(url, { method: 'GET', cache: 'no-store' }, settings);
  const body = (await response.json().catch(() => undefined)) as (SnapshotAnswer & { error?: string }) | undefined;
  if (!response.ok || !body) throw new Error(`the companion answered ${response.status}${body?.error ? ` ${body.error}` : ''}`);
  return body;
}

export function startSnapshots(options: SnapshotsOptions): void {
  const { app, tracker } = options;
  const server = app.serviceManager.serverSettings;
  const activity = new NotebookActivity();
  const chains = new Map<string, Promise<void>>();

  async function snapshot(path: string, trigger: SnapshotTrigger): Promise<void> {
    const [{ privacy, local }, recorder] = await Promise.all([options.parts, options.recorder]);
    if (!recorder) return;
    // Nothing asked when nothing could be sent (off, no consent, no code, the `metadata` policy).
    if (snapshotScope(privacy.effective(local(), path)) === 'none') return activity.taken(path, Date.now());
    const answer = await fetchSnapshot(server, path, trigger);
    if (!answer.snapshot) return activity.taken(path, Date.now());
    // The same content again (a save without changes): no new version. A hand-in always is one.
    if (trigger !== 'submission' && activity.unchanged(path, answer.digest)) return activity.taken(path, Date.now());
    const masked = await maskSnapshot(answer.snapshot, privacy.redactorFor(local()));
    // Read again after the waits: the policy or the settings may have changed meanwhile.
    const snap = withinScope(masked.snapshot, snapshotScope(privacy.effective(local(), path)));
    if (!snap) return activity.taken(path, Date.now());
    recorder.record(EVENT_TYPES.notebookSnapshot, { notebookPath: path, metadata: { snapshot: snap, ...(masked.redactions ? { redactions: masked.redactions } : {}) } });
    activity.taken(path, Date.now(), answer.digest);
    performance.measure(SNAPSHOT_MEASURE, { end: performance.now(), duration: masked.busyMs, detail: { trigger, cells: snap.cells.length, busyMs: masked.busyMs, redactions: masked.redactions } });
    if (snap.truncated) console.debug(`cell-monitor: the ${trigger} snapshot was cut to fit (${snap.cells.length} of ${snap.totalCells} cells)`);
  }

  /** Queues a snapshot of the notebook behind the ones already asked for it. */
  const take = (path: string, trigger: SnapshotTrigger) => {
    if (!/\.ipynb$/i.test(path)) return;
    const next = (chains.get(path) ?? Promise.resolve())
      .then(() => snapshot(path, trigger))
      .catch((error) => console.debug(`cell-monitor: no ${trigger} snapshot of a notebook`, error));
    chains.set(path, next);
    void next.then(() => chains.get(path) === next && chains.delete(path));
  };

  const watch = (panel: NotebookPanel) => {
    panel.context.saveState.connect((_, state) => {
      if (state === 'completed') take(panel.context.path, 'save');
    });
    panel.disposed.connect(() => activity.forget(panel.context.path));
  };
  tracker.widgetAdded.connect((_, panel) => watch(panel));
  tracker.forEach(watch);
  NotebookActions.executed.connect((_, args: { notebook: Notebook }) => {
    const path = tracker.find((panel) => panel.content === args.notebook)?.context.path;
    if (path) activity.ran(path, Date.now());
  });
  options.submitted.connect((_, path) => take(path, 'submission'));
  void options.parts.then(({ local }) => {
    setInterval(() => {
      for (const path of activity.due(Date.now(), local().snapshotIntervalMinutes * 60_000)) take(path, 'interval');
    }, TICK_MS);
  }, () => undefined);
}
