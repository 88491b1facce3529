/**
 * "Ask for help" in each notebook's toolbar. A first click sends help_request (with the active cell)
 * and the button shows the request is open; a second click sends help_cancel. The state is per
 * notebook and survives a reload (localStorage), so a student is never unsure whether the
 * instructor was asked.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';
import { EVENT_TYPES } from '@cell-monitor/shared/eventTypes';
import type { Recorder } from './recorder.ts';
import { localFlag, storageWorks } from './storage.ts';

export const HELP_TOOLBAR_ITEM = 'cell-monitor-help';
const STORAGE_PREFIX = 'cell-monitor:help:';

const LABELS = {
  idle: { text: 'Ask for help', title: 'Let your instructor know you would like help with this notebook' },
  requested: { text: 'Help requested — cancel', title: 'Your instructor has been asked for help. Click to cancel the request.' },
} as const;

/** The buttons on screen, so a resolved request (notificationPoller.ts) resets the right ones. */
const buttons = new Set<HelpButton>();

/**
 * The instructor resolved the help request on `notebookPath` (null: on a notebook it did not name):
 * that notebook's button (every one when null) returns to "Ask for help", here and after a reload.
 */
export function helpResolved(notebookPath: string | null): void {
  for (const button of buttons) if (notebookPath === null || button.path === notebookPath) button.reset();
  if (notebookPath !== null) localFlag(STORAGE_PREFIX + notebookPath).set(false);
}

export class HelpButton extends Widget {
  private readonly button: HTMLButtonElement;

  /** `recorder`: the page's, once its queue is open (undefined: none will open). */
  constructor(private readonly panel: NotebookPanel, private readonly recorder: Promise<Recorder | undefined>) {
    super();
    this.addClass('cm-HelpButton');
    this.addClass('jp-ToolbarButton');
    this.button = document.createElement('button');
    this.button.type = 'button';
    this.button.className = 'jp-ToolbarButtonComponent jp-mod-minimal jp-Button cm-HelpButton-button';
    this.button.addEventListener('click', () => this.toggle());
    this.node.appendChild(this.button);
    this.render();
    buttons.add(this);
  }

  get path(): string {
    return this.panel.context.path;
  }

  /** Back to "Ask for help" without sending anything (the instructor closed the request). */
  reset(): void {
    this.requested = false;
    this.render();
  }

  dispose(): void {
    buttons.delete(this);
    super.dispose();
  }

  /** Per notebook, in localStorage; where storage is disabled the DOM keeps the state. */
  private get flag() {
    return localFlag(STORAGE_PREFIX + this.panel.context.path);
  }

  get requested(): boolean {
    return storageWorks() ? this.flag.get() : this.node.dataset.requested === 'true';
  }

  private set requested(value: boolean) {
    this.flag.set(value);
    this.node.dataset.requested = String(value);
  }

  /** A click while the page starts counts once the queue is open; without a queue, or with monitoring switched off, nothing would be sent. */
  toggle(): void {
    const notebook = this.panel.content;
    const cell = notebook.activeCell;
    // The cell the student was on when clicking.
    const where = { notebookPath: this.panel.context.path, ...(cell ? { cellId: cell.model.id, cellIndex: notebook.activeCellIndex, cellType: cell.model.type } : {}) };
    void this.recorder.then((recorder) => {
      if (!recorder || !recorder.settings().enabled || this.isDisposed) return;
      const requesting = !this.requested;
      recorder.record(requesting ? EVENT_TYPES.helpRequest : EVENT_TYPES.helpCancel, where);
      this.requested = requesting;
      this.render();
    });
  }

  private render(): void {
    const requested = this.requested;
    const label = requested ? LABELS.requested : LABELS.idle;
    this.button.textContent = label.text;
    this.button.title = label.title;
    this.button.setAttribute('aria-pressed', String(requested));
    this.node.dataset.requested = String(requested);
    this.toggleClass('cm-mod-requested', requested);
  }
}
