/**
 * The student's "Versions" sidebar (issue 21): the versions the class keeps of the notebook in
 * front, newest first; choosing one compares it with the notebook now (compareCells, in the
 * browser), with "Restore this cell" and "Restore as new file". It reads through the companion
 * (studentApi.ts), only when shown or asked, and while the collector is flagged away it probes first
 * (collectorAway.ts), so an outage is one line of text here, not errors in the console.
 */
import { compareCells, type CellChange } from '@cell-monitor/shared/notebookDiff';
import type { HistoryPage, HistoryVersion, HistoryVersionDetail } from '@cell-monitor/shared/notebookHistory';
import { Notification } from '@jupyterlab/apputils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';
import { noteFailedRequest, type CollectorAwayFlag } from './collectorAway.ts';
import type { StudentApi } from './studentApi.ts';
import { applyRestorePlan, currentCells, writeVersionFile } from './versionActions.ts';
import { comparisonNode, el } from './versionComparison.ts';
import { restorePlan, versionCells } from './versionRestore.ts';
import { NO_NOTEBOOK_TEXT, NO_VERSIONS_TEXT, versionOrdinal, versionsErrorText, versionSummary } from './versionsText.ts';

export const VERSIONS_PANEL_ID = 'cell-monitor-versions';

export interface VersionsPanelOptions {
  api: Pick<StudentApi, 'notebookVersions' | 'notebookVersion'>;
  tracker: INotebookTracker;
  contents: Contents.IManager;
  /** Opens a file in JupyterLab (docmanager:open). */
  open: (path: string) => void;
  away: CollectorAwayFlag;
  /** Is the collector there? (the companion's GET; never rejects). */
  probe: () => Promise<boolean>;
}

export class VersionsPanel extends Widget {
  private readonly subtitle = el('div', 'cm-Versions-notebook');
  private readonly message = el('div', 'cm-Versions-message');
  private readonly list = el('div', 'cm-Versions-list');
  private readonly detail = el('div', 'cm-Versions-detail');
  /** Loads the next page of older versions (shown while there are more). */
  private readonly more = el('button', 'jp-Button jp-mod-minimal cm-Versions-more', 'Show older versions');
  private path: string | null = null;
  private selected: { version: HistoryVersionDetail; ordinal: number; when: string } | null = null;
  /** The notebook whose edits re-run the comparison (debounced), and the pending re-run. */
  private watched: NotebookPanel | null = null;
  private rerun: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: VersionsPanelOptions) {
    super();
    this.id = VERSIONS_PANEL_ID;
    this.title.caption = 'Versions of this notebook';
    this.addClass('cm-Versions');
    const header = el('div', 'cm-Versions-header');
    header.appendChild(el('h2', 'cm-Versions-title', 'Versions'));
    const refresh = el('button', 'jp-Button jp-mod-minimal cm-Versions-refresh', 'Refresh');
    refresh.addEventListener('click', () => void this.refresh());
    header.appendChild(refresh);
    this.more.hidden = true;
    this.more.addEventListener('click', () => void this.loadOlder());
    this.node.append(header, this.subtitle, this.message, this.list, this.more, this.detail);
    options.tracker.currentChanged.connect(() => this.isVisible && void this.refresh(), this);
  }

  protected onAfterShow(): void {
    void this.refresh();
  }

  /** Reloads the list for the notebook in front; never rejects. */
  async refresh(): Promise<void> {
    const panel = this.options.tracker.currentWidget;
    const path = panel?.context.path ?? null;
    if (path !== this.path) this.select(null);
    this.path = path;
    this.watch(panel ?? null);
    this.subtitle.textContent = path ?? '';
    if (!panel || !path) {
      this.message.textContent = NO_NOTEBOOK_TEXT;
      this.list.replaceChildren();
      this.more.hidden = true;
      return;
    }
    const page = await this.ask(() => this.options.api.notebookVersions(path));
    if (!page || this.path !== path) return;
    this.message.textContent = page.items.length ? '' : NO_VERSIONS_TEXT;
    this.list.replaceChildren(...page.items.map((v, i) => this.renderItem(v, page, i)));
    this.more.hidden = page.skip + page.items.length >= page.total;
    if (this.selected) this.renderComparison();
  }

  /** The next page of older versions, appended to the list. */
  private async loadOlder(): Promise<void> {
    const path = this.path;
    const loaded = this.list.childElementCount;
    if (!path) return;
    const page = await this.ask(() => this.options.api.notebookVersions(path, loaded));
    if (!page || this.path !== path || this.list.childElementCount !== loaded) return;
    this.list.append(...page.items.map((v, i) => this.renderItem(v, page, i)));
    this.more.hidden = page.items.length === 0 || page.skip + page.items.length >= page.total;
  }

  /** While a version is chosen, the student's edits update the comparison (at most every 400 ms). */
  private watch(panel: NotebookPanel | null): void {
    if (this.watched === panel) return;
    this.watched?.model?.contentChanged.disconnect(this.onEdited, this);
    this.watched = panel;
    panel?.model?.contentChanged.connect(this.onEdited, this);
  }

  private onEdited(): void {
    if (!this.selected || !this.isVisible) return;
    clearTimeout(this.rerun);
    this.rerun = setTimeout(() => this.renderComparison(), 400);
  }

  /** One call to the collector; on failure the reason is the panel's message and undefined is returned. */
  private async ask<T>(call: () => Promise<T>): Promise<T | undefined> {
    const { away, probe } = this.options;
    try {
      if (away.get()) {
        if (!(await probe())) throw Object.assign(new Error('the collector is away'), { status: 502 });
        away.set(false);
      }
      return await call();
    } catch (error) {
      noteFailedRequest(away, error);
      this.message.textContent = versionsErrorText(error);
      return undefined;
    }
  }

  private renderItem(version: HistoryVersion, page: HistoryPage, index: number): HTMLElement {
    const ordinal = versionOrdinal(page, index);
    const summary = versionSummary(version, ordinal);
    const item = el('button', 'cm-Version');
    item.dataset.versionId = String(version.id);
    item.dataset.trigger = version.trigger;
    item.classList.toggle('cm-mod-selected', this.selected?.version.id === version.id);
    const top = el('div', 'cm-Version-top');
    top.append(el('span', 'cm-Version-title', summary.title), el('span', 'cm-Version-when', summary.when));
    item.append(top, el('div', 'cm-Version-how', summary.how));
    if (summary.labels.length) {
      const labels = el('div', 'cm-Version-labels');
      labels.append(...summary.labels.map((l) => el('span', 'cm-Version-label', l)));
      item.appendChild(labels);
    }
    if (summary.truncated) item.appendChild(el('div', 'cm-Version-truncated', summary.truncated));
    item.addEventListener('click', () => this.choose(version.id, ordinal, `${summary.title} (${summary.when})`).catch((error) => console.warn('cell-monitor: comparing a version failed', version.id, error)));
    return item;
  }

  private async choose(id: number, ordinal: number, when: string): Promise<void> {
    const version = await this.ask(() => this.options.api.notebookVersion(id));
    if (!version || version.notebook_path !== this.path) return;
    this.message.textContent = '';
    this.select({ version, ordinal, when });
    this.renderComparison();
  }

  private select(selected: VersionsPanel['selected']): void {
    this.selected = selected;
    this.list.querySelectorAll<HTMLElement>('.cm-Version').forEach((node) => node.classList.toggle('cm-mod-selected', node.dataset.versionId === String(selected?.version.id)));
    if (!selected) this.detail.replaceChildren();
  }

  /** The chosen version against the notebook now (again after each restore). */
  private renderComparison(): void {
    const panel = this.options.tracker.currentWidget;
    const selected = this.selected;
    if (!panel || !selected || panel.context.path !== this.path) return this.detail.replaceChildren();
    const from = versionCells(selected.version);
    const current = currentCells(panel);
    const comparison = compareCells(from, current);
    const restoreCell = (change: CellChange) => {
      try {
        const plan = restorePlan(comparison, change, from, current);
        if (plan && applyRestorePlan(panel, plan) === null) Notification.warning('The notebook changed meanwhile: choose the version again.', { autoClose: 5000 });
      } catch (error) {
        console.warn('cell-monitor: restoring a cell failed', selected.version.id, error);
        Notification.error('The cell could not be restored.', { autoClose: 5000 });
      }
      this.renderComparison();
    };
    this.detail.replaceChildren(comparisonNode({ comparison, heading: selected.when, onRestoreCell: restoreCell, onRestoreFile: () => void this.restoreFile(panel) }));
  }

  private async restoreFile(panel: NotebookPanel): Promise<void> {
    const selected = this.selected;
    if (!selected) return;
    try {
      const path = await writeVersionFile({ contents: this.options.contents, panel, version: selected.version, ordinal: selected.ordinal });
      this.options.open(path);
      const incomplete = selected.version.truncated ? ' This version was incomplete: only the cells that were kept are in it.' : '';
      Notification.success(`Version ${selected.ordinal} was written to "${path}".${incomplete}`, { autoClose: 6000 });
    } catch (error) {
      console.warn('cell-monitor: writing a version as a new file failed', error);
      Notification.error(`The version could not be written as a new file: ${(error as Error).message}`, { autoClose: false });
    }
  }
}
