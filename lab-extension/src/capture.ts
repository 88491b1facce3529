/**
 * The JupyterLab side of capture: listens to notebook, cell and kernel signals and hands plain facts
 * to events.ts. Each handler does a few property reads and pushes one event; the time it takes on
 * the main thread is recorded as a `cell-monitor:capture` performance measure (the E2E test prints
 * it per cell execution). It listens from the plugin's activation on: the facts are read when the
 * signal comes, the event is made by the recorder gate (recorderGate.ts) — at once, or once the
 * queue is open.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { Cell, ICodeCellModel } from '@jupyterlab/cells';
import { NotebookActions, type INotebookTracker, type Notebook, type NotebookPanel } from '@jupyterlab/notebook';
import { Signal } from '@lumino/signaling';
import type { KernelEnvironmentMetadata } from '@cell-monitor/shared';
import { EVENT_TYPES } from '@cell-monitor/shared/eventTypes';
import { executionEndEvent, executionStartEvent, type CellFacts, type ExecutionFacts, type OutputLike } from './events.ts';
import { probeEnvironment, type ProbedKernel } from './environmentProbe.ts';
import type { RecordAction } from './recorderGate.ts';

export const CAPTURE_MEASURE = 'cell-monitor:capture';

/** Commands that interrupt the kernel (toolbar button, Kernel menu, `I, I`). */
const INTERRUPT_COMMANDS = new Set(['notebook:interrupt-kernel', 'kernelmenu:interrupt']);

function timed<A extends unknown[]>(phase: string, handler: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    const start = performance.now();
    try {
      handler(...args);
    } catch (error) {
      // Capture must never break the notebook; the reason is only for a developer's console.
      console.debug('cell-monitor: capture failed', error);
    } finally {
      performance.measure(CAPTURE_MEASURE, { start, end: performance.now(), detail: { phase } });
    }
  };
}

export class Capture {
  /** performance.now() when each cell (by model id) was scheduled to run. */
  private readonly scheduledAt = new Map<string, number>();
  private readonly panels = new Set<NotebookPanel>();
  private stopped = false;

  constructor(
    private readonly app: JupyterFrontEnd,
    private readonly tracker: INotebookTracker,
    /** The recorder gate's `use` (recorderGate.ts): the action runs with the recorder, now or once the queue is open. */
    private readonly events: { use(action: RecordAction): void },
  ) {}

  start(): void {
    NotebookActions.executionScheduled.connect(this.onScheduled, this);
    NotebookActions.executed.connect(this.onExecuted, this);
    this.tracker.widgetAdded.connect((_, panel) => this.watchPanel(panel), this);
    this.tracker.forEach((panel) => this.watchPanel(panel));
    this.app.commands.commandExecuted.connect(this.onCommand, this);
  }

  /** Stops listening (no queue will open: nothing is recorded). */
  stop(): void {
    this.stopped = true;
    Signal.disconnectReceiver(this);
  }

  pathOf(notebook: Notebook): string | undefined {
    return this.tracker.find((panel) => panel.content === notebook)?.context.path;
  }

  private cellFacts(notebook: Notebook, cell: Cell): CellFacts | undefined {
    if (cell.model.type !== 'code') return undefined;
    return {
      notebookPath: this.pathOf(notebook) ?? '',
      cellId: cell.model.id,
      cellIndex: notebook.widgets.indexOf(cell),
      code: cell.model.sharedModel.getSource(),
    };
  }

  private onScheduled = timed('scheduled', (_: unknown, args: { notebook: Notebook; cell: Cell }) => {
    const facts = this.cellFacts(args.notebook, args.cell);
    if (!facts) return;
    this.scheduledAt.set(facts.cellId, performance.now());
    this.events.use((recorder) => recorder.push(executionStartEvent(recorder.ctx, facts, recorder.settings())));
  });

  private onExecuted = timed(
    'executed',
    (_: unknown, args: { notebook: Notebook; cell: Cell; success: boolean; error?: { errorName: string; errorValue: string; traceback: string[] } | null }) => {
      const facts = this.cellFacts(args.notebook, args.cell);
      if (!facts) return;
      const model = args.cell.model as ICodeCellModel;
      const startedAt = this.scheduledAt.get(facts.cellId);
      this.scheduledAt.delete(facts.cellId);
      const execution: ExecutionFacts = {
        ...facts,
        executionCount: model.executionCount,
        durationMs: startedAt === undefined ? 0 : performance.now() - startedAt,
        success: args.success,
        outputs: model.outputs.toJSON() as OutputLike[],
        error: args.error ? { name: args.error.errorName, message: args.error.errorValue, traceback: args.error.traceback } : null,
      };
      this.events.use((recorder) => recorder.push(executionEndEvent(recorder.ctx, execution, recorder.settings())));
    },
  );

  private onCommand = timed('command', (_: unknown, args: { id: string }) => {
    if (!INTERRUPT_COMMANDS.has(args.id)) return;
    const panel = this.tracker.currentWidget;
    const fields = { ...(panel ? { notebookPath: panel.context.path } : {}), metadata: { kernelName: panel?.sessionContext.kernelDisplayName } };
    this.events.use((recorder) => recorder.record(EVENT_TYPES.kernelInterrupt, fields));
  });

  private watchPanel(panel: NotebookPanel): void {
    if (this.panels.has(panel)) return;
    this.panels.add(panel);
    const record = (type: string, metadata?: Record<string, unknown>) => {
      const fields = { notebookPath: panel.context.path, ...(metadata ? { metadata } : {}) };
      this.events.use((recorder) => recorder.record(type, fields));
    };
    void panel.context.ready.then(() => {
      if (!panel.isDisposed) record(EVENT_TYPES.notebookOpened, { cells: panel.content.widgets.length });
    });
    panel.context.saveState.connect((_, state) => {
      if (state === 'completed') record(EVENT_TYPES.notebookSaved, { cells: panel.content.widgets.length });
    }, this);
    // The kernel's environment once per kernel process: at start, after a kernel change, after a
    // restart. Asked once the queue is open (never without one): the kernel of that moment.
    const probe = () =>
      this.events.use(() => {
        const kernel = panel.sessionContext.session?.kernel;
        if (!kernel || panel.isDisposed || this.stopped) return;
        probeEnvironment(kernel as unknown as ProbedKernel)
          .then((environment) => environment && record(EVENT_TYPES.kernelEnvironment, { environment } satisfies KernelEnvironmentMetadata))
          .catch((error) => console.debug('cell-monitor: kernel environment not read', error));
      });
    void panel.sessionContext.ready.then(probe);
    panel.sessionContext.kernelChanged.connect((_, change) => {
      if (change.newValue && change.oldValue) void panel.sessionContext.ready.then(probe);
    }, this);
    // One restart emits 'restarting' more than once; count it once, until the kernel is back.
    let restarting = false;
    panel.sessionContext.statusChanged.connect((_, status) => {
      if ((status === 'restarting' || status === 'autorestarting') && !restarting) {
        restarting = true;
        record(EVENT_TYPES.kernelRestart, { reason: status === 'autorestarting' ? 'kernel_died' : 'user', kernelName: panel.sessionContext.kernelDisplayName });
      } else if (status === 'idle' || status === 'busy') {
        if (restarting && status === 'idle') probe();
        restarting = false;
      }
    }, this);
    panel.disposed.connect(() => {
      this.panels.delete(panel);
      record(EVENT_TYPES.notebookClosed);
    }, this);
  }
}
