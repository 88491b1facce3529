/**
 * The recording side of the extension, put together once per page load: who records (the queue's
 * owner: this Jupyter server and the user its companion stamps; this page's session id), the owner's
 * IndexedDB queue (and what of the old per-origin queue is the owner's), the drainer that sends it
 * to the companion under the owner's lock,
 * the recorder, the capture of notebook and kernel signals, and this page's session_start /
 * session_end. Where IndexedDB is missing it records nothing rather than break JupyterLab.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { CellEvent } from '@cell-monitor/shared';
import { UUID } from '@lumino/coreutils';
import { Capture } from './capture.ts';
import { collectorAwayFlag } from './collectorAway.ts';
import { Drainer } from './drainer.ts';
import { overflowEvent, type EventContext } from './events.ts';
import { adoptLegacyQueue } from './legacyQueue.ts';
import { PageSession } from './pageSession.ts';
import { EventQueue } from './queue.ts';
import { drainLockName, type QueueOwner } from './queueOwner.ts';
import { Recorder } from './recorder.ts';
import type { MonitorSettings } from './settings.ts';
import { companionPoster, companionProbe } from './transport.ts';
import { UnloadStash } from './unloadStash.ts';

/** One performance mark per batch sent, with `{ events, bytes, jsonBytes, gzip, status }` as detail. */
export const BATCH_MARK = 'cell-monitor:batch';

export interface CellMonitorOptions {
  app: JupyterFrontEnd;
  tracker: INotebookTracker;
}

export class CellMonitor {
  private started: Recorder | undefined;

  constructor(private readonly options: CellMonitorOptions) {}

  /** Where events go; undefined until `start()` has opened the queue (and for good without IndexedDB). */
  get recorder(): Recorder | undefined {
    return this.started;
  }

  /** `owner`: whose queue this page records into and drains (known before anything is queued). */
  async start(owner: QueueOwner, settings: () => MonitorSettings, prepare?: (event: CellEvent) => CellEvent): Promise<void> {
    const { app, tracker } = this.options;
    const ctx: EventContext = { userId: owner.user, sessionId: UUID.uuid4(), newId: () => UUID.uuid4() };
    let queue: EventQueue;
    try {
      queue = await EventQueue.open({ owner, newId: ctx.newId });
    } catch (error) {
      // No IndexedDB (a locked-down browser profile): record nothing rather than break JupyterLab.
      console.debug('cell-monitor: IndexedDB unavailable, not recording', error);
      return;
    }
    const server = app.serviceManager.serverSettings;
    const drainer = new Drainer({
      queue,
      lockName: drainLockName(owner),
      settings,
      post: companionPoster(server, owner.user, (stats) => performance.mark(BATCH_MARK, { detail: stats })),
      probe: companionProbe(server),
      awayMemory: collectorAwayFlag(),
      overflowEvent: (drops) => overflowEvent(ctx, drops),
    });
    const recorder = new Recorder(ctx, queue, drainer, settings, prepare);
    this.started = recorder;
    const session = new PageSession({ recorder, stash: new UnloadStash({ owner }) });
    session.begin({ userAgent: navigator.userAgent, jupyterlab: app.version });
    new Capture(app, tracker, recorder).start();
    window.addEventListener('online', () => drainer.backOnline());
    window.addEventListener('pagehide', () => session.end());
    drainer.runExclusive().catch((error) => console.debug('cell-monitor: the drainer stopped', error));
    void this.adoptLegacy(queue, owner, settings).then(() => drainer.wake());
  }

  /** This owner's events from the queue of earlier versions (one per origin, owner unknown): legacyQueue.ts. */
  private async adoptLegacy(queue: EventQueue, owner: QueueOwner, settings: () => MonitorSettings): Promise<void> {
    const adopt = () => adoptLegacyQueue(queue, owner, settings().maxQueueSize);
    try {
      const locks = globalThis.navigator?.locks;
      const { adopted, left } = await (locks ? locks.request('cell-monitor:legacy-queue', adopt) : adopt());
      if (adopted > 0 || left > 0) console.debug(`cell-monitor: the old shared queue held ${adopted} events of ${owner.user} (now queued) and ${left} of other students (left for them)`);
    } catch (error) {
      console.debug('cell-monitor: the old shared queue could not be read', error);
    }
  }
}
