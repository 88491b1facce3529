/**
 * The student's "Assignments" sidebar: the assignments of their classes with submission status and
 * grade, and a "Submit current notebook" button on each. The panel never says who the student is
 * (the companion stamps the Jupyter user). Student-visible text goes through text nodes only.
 */
import type { StudentAssignment } from '@cell-monitor/shared';
import { Notification } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import { Signal, type ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type { StudentApi } from './studentApi.ts';

export const ASSIGNMENTS_PANEL_ID = 'cell-monitor-assignments';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Where the student stands on one assignment, in words. */
function statusText(a: Pick<StudentAssignment, 'submission_status' | 'latest_submission'>): string {
  const s = a.latest_submission;
  if (a.submission_status === 'graded' && s) return `Graded: ${s.score}/100${s.feedback ? ` — ${s.feedback}` : ''}`;
  if (a.submission_status === 'submitted' && s) return `Submitted${s.is_late ? ' (late)' : ''}`;
  return 'Not submitted';
}

export class AssignmentsPanel extends Widget {
  private readonly list = el('div', 'cm-Assignments-list');
  private readonly message = el('div', 'cm-Assignments-message');
  private readonly handedIn = new Signal<this, string>(this);

  constructor(
    private readonly api: StudentApi,
    private readonly tracker: INotebookTracker,
  ) {
    super();
    this.id = ASSIGNMENTS_PANEL_ID;
    this.title.caption = 'Assignments';
    this.addClass('cm-Assignments');
    const header = el('div', 'cm-Assignments-header');
    header.appendChild(el('h2', 'cm-Assignments-title', 'Assignments'));
    const refresh = el('button', 'jp-Button jp-mod-minimal cm-Assignments-refresh', 'Refresh');
    refresh.addEventListener('click', () => void this.refresh());
    header.appendChild(refresh);
    this.node.append(header, this.message, this.list);
  }

  /** The path of a notebook just handed in (after the collector took it): snapshots.ts takes its version. */
  get submitted(): ISignal<this, string> {
    return this.handedIn;
  }

  protected onAfterShow(): void {
    void this.refresh();
  }

  /** Reloads the list; never rejects (an unreachable collector is a line of text in the panel). */
  async refresh(): Promise<void> {
    let assignments: StudentAssignment[];
    try {
      assignments = await this.api.assignments();
    } catch {
      this.message.textContent = 'Assignments are not available right now.';
      return;
    }
    this.message.textContent = assignments.length ? '' : 'No assignments in your classes yet.';
    this.list.replaceChildren(...assignments.map((a) => this.renderItem(a)));
  }

  private renderItem(a: StudentAssignment): HTMLElement {
    const item = el('div', 'cm-Assignment');
    item.dataset.assignmentId = String(a.id);
    item.dataset.status = a.submission_status;
    item.appendChild(el('div', 'cm-Assignment-title', a.title));
    item.appendChild(el('div', 'cm-Assignment-meta', `${a.class_name} · ${a.notebook_path}${a.due_date ? ` · due ${new Date(a.due_date).toLocaleString()}` : ''}`));
    item.appendChild(el('div', 'cm-Assignment-status', statusText(a)));
    const submit = el('button', 'jp-Button jp-mod-styled jp-mod-accept cm-Assignment-submit', 'Submit current notebook');
    submit.addEventListener('click', () => void this.submitCurrent(a, submit));
    item.appendChild(submit);
    return item;
  }

  /** Saves the notebook in front and hands it in for this assignment. */
  private async submitCurrent(a: StudentAssignment, button: HTMLButtonElement): Promise<void> {
    const panel = this.tracker.currentWidget;
    if (!panel) {
      Notification.warning('Open the notebook you want to hand in first.', { autoClose: 5000 });
      return;
    }
    button.disabled = true;
    try {
      await panel.context.save();
      const result = await this.api.submit({ assignment_id: a.id, notebook_content: panel.context.model.toJSON() as object, submission_comment: null });
      this.handedIn.emit(panel.context.path);
      Notification.success(`"${panel.context.path}" was submitted for "${a.title}"${result.is_late ? ' (late)' : ''}.`, { autoClose: 5000 });
      await this.refresh();
    } catch (error) {
      Notification.error(`The submission did not go through: ${(error as Error).message}`, { autoClose: false });
    } finally {
      button.disabled = false;
    }
  }
}
