/**
 * The recording side of the extension, put together once per page load: who records (the Jupyter
 * user, this page's session id), the IndexedDB queue, the drainer that sends it to the companion,
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
import { PageSession } from './pageSession.ts';
import { EventQueue } from './queue.ts';
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

  async start(settings: () => MonitorSettings, prepare?: (event: CellEvent) => CellEvent): Promise<void> {
    const { app, tracker } = this.options;
    const ctx = await this.eventContext();
    let queue: EventQueue;
    try {
      queue = await EventQueue.open({ newId: ctx.newId });
    } catch (error) {
      // No IndexedDB (a locked-down browser profile): record nothing rather than break JupyterLab.
      console.debug('cell-monitor: IndexedDB unavailable, not recording', error);
      return;
    }
    const server = app.serviceManager.serverSettings;
    const drainer = new Drainer({
      queue,
      settings,
      post: companionPoster(server, (stats) => performance.mark(BATCH_MARK, { detail: stats })),
      probe: companionProbe(server),
      awayMemory: collectorAwayFlag(),
      overflowEvent: (drops) => overflowEvent(ctx, drops),
    });
    const recorder = new Recorder(ctx, queue, drainer, settings, prepare);
    this.started = recorder;
    const session = new PageSession({ recorder, stash: new UnloadStash() });
    session.begin({ userAgent: navigator.userAgent, jupyterlab: app.version });
    new Capture(app, tracker, recorder).start();
    window.addEventListener('online', () => drainer.backOnline());
    window.addEventListener('pagehide', () => session.end());
    drainer.runExclusive().catch((error) => console.debug('cell-monitor: the drainer stopped', error));
  }

  /**
   * The Jupyter user as the server names it (only a fallback: the companion stamps the user and the
   * collector trusts only that stamp) and a new session id for this page load.
   */
  private async eventContext(): Promise<EventContext> {
    const user = this.options.app.serviceManager.user;
    await user.ready.catch(() => undefined);
    return {
      userId: user.identity?.username ?? 'unknown',
      sessionId: UUID.uuid4(),
      newId: () => UUID.uuid4(),
    };
  }
}
