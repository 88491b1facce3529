/**
 * The recording side of the extension, put together once per page load: the capture of notebook and
 * kernel signals (`listen()`, at activation), then, once the page knows who records (`start()`: the
 * queue's owner, this Jupyter server and the user its companion stamps; this page's session id), the
 * owner's IndexedDB queue (and what of the old per-origin queue is the owner's), the drainer that
 * sends it to the companion under the owner's lock, the recorder, and this page's session_start /
 * session_end. What capture saw in between waits for the recorder (recorderGate.ts). Where
 * IndexedDB is missing it records nothing rather than break JupyterLab.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { CellEvent } from '@cell-monitor/shared';
import { UUID } from '@lumino/coreutils';
import { Capture } from './capture.ts';
import type { CollectorAwayFlag } from './collectorAway.ts';
import { Drainer } from './drainer.ts';
import { overflowEvent, type EventContext } from './events.ts';
import { adoptLegacyQueue } from './legacyQueue.ts';
import { PageSession } from './pageSession.ts';
import { EventQueue } from './queue.ts';
import { drainLockName, type QueueOwner } from './queueOwner.ts';
import { Recorder } from './recorder.ts';
import { RecorderGate } from './recorderGate.ts';
import type { MonitorSettings } from './settings.ts';
import { companionPoster, companionProbe } from './transport.ts';
import { UnloadStash } from './unloadStash.ts';

/** One performance mark per batch sent, with `{ events, bytes, jsonBytes, gzip, status }` as detail. */
export const BATCH_MARK = 'cell-monitor:batch';

export interface CellMonitorOptions {
  app: JupyterFrontEnd;
  tracker: INotebookTracker;
  /** "The collector is away" (collectorAway.ts), shared with the notification poller. */
  away: CollectorAwayFlag;
}

export class CellMonitor {
  private readonly events = new RecorderGate();
  private capture: Capture | undefined;

  constructor(private readonly options: CellMonitorOptions) {}

  /** Where events go; undefined until `start()` has opened the queue (and for good without IndexedDB). */
  get recorder(): Recorder | undefined {
    return this.events.current;
  }

  /** The recorder once `start()` has opened the queue; undefined when none will open. */
  get started(): Promise<Recorder | undefined> {
    return this.events.ready;
  }

  /**
   * Listens to notebooks and kernels from now on (the plugin's activation, before any notebook
   * opens). What it sees before `start()` has opened the queue is recorded then, with its time.
   */
  listen(): void {
    if (this.capture) return;
    this.capture = new Capture(this.options.app, this.options.tracker, this.events);
    this.capture.start();
  }

  /** No queue will open (the start-up failed): capture stops and what it held is dropped. */
  close(): void {
    this.capture?.stop();
    this.events.close();
  }

  /** `owner`: whose queue this page records into and drains (known before anything is queued). */
  async start(owner: QueueOwner, settings: () => MonitorSettings, prepare?: (event: CellEvent) => CellEvent): Promise<void> {
    const { app } = this.options;
    const ctx: EventContext = { userId: owner.user, sessionId: UUID.uuid4(), newId: () => UUID.uuid4() };
    let queue: EventQueue;
    try {
      queue = await EventQueue.open({ owner, newId: ctx.newId });
    } catch (error) {
      // No IndexedDB (a locked-down browser profile): record nothing rather than break JupyterLab.
      console.debug('cell-monitor: IndexedDB unavailable, not recording', error);
      this.close();
      return;
    }
    const server = app.serviceManager.serverSettings;
    const drainer = new Drainer({
      queue,
      lockName: drainLockName(owner),
      settings,
      post: companionPoster(server, owner.user, (stats) => performance.mark(BATCH_MARK, { detail: stats })),
      probe: companionProbe(server),
      awayMemory: this.options.away,
      overflowEvent: (drops) => overflowEvent(ctx, drops),
    });
    const recorder = new Recorder(ctx, queue, drainer, settings, prepare);
    const session = new PageSession({ recorder, stash: new UnloadStash({ owner }) });
    session.begin({ userAgent: navigator.userAgent, jupyterlab: app.version });
    // After this page's session_start: what capture saw while the page started, then everything as it comes.
    this.events.open(recorder);
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
