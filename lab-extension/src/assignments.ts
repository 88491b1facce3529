/**
 * The student's "Assignments" sidebar: the assignments of their classes with submission status and
 * grade, a "Submit current notebook" button, and a JupyterLab notification when a submission is
 * graded. Everything goes through the companion (`{baseUrl}cell-monitor/student/…`), which stamps
 * the Jupyter user; the panel never says who the student is.
 */
import { Notification } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';
import { COMPANION_PATH } from './transport.ts';

export const ASSIGNMENTS_PANEL_ID = 'cell-monitor-assignments';
const NOTIFICATION_CURSOR = 'cell-monitor:notifications-after';

export interface StudentAssignment {
  id: number;
  title: string;
  class_name: string;
  notebook_path: string;
  description: string | null;
  due_date: string | null;
  submission_status: 'not_submitted' | 'submitted' | 'graded';
  latest_submission: { id: number; is_late: boolean; score: number | null; feedback: string | null; submitted_at: string } | null;
}

interface GradedNotification {
  id: number;
  type: string;
  assignment_id: number;
  submission_id: number;
  score: number;
  feedback: string | null;
}

export class StudentApi {
  constructor(private readonly settings: ServerConnection.ISettings) {}

  private url(resource: string, query = ''): string {
    return URLExt.join(this.settings.baseUrl, COMPANION_PATH, 'student', resource) + query;
  }

  private async call<T>(resource: string, init: RequestInit = {}, query = ''): Promise<T> {
    const response = await ServerConnection.makeRequest(this.url(resource, query), { cache: 'no-store', ...init }, this.settings);
    const body = await response.json().catch(() => undefined);
    if (!response.ok) throw Object.assign(new Error((body as { message?: string } | undefined)?.message ?? `HTTP ${response.status}`), { status: response.status });
    return body as T;
  }

  assignments(): Promise<StudentAssignment[]> {
    return this.call('assignments');
  }

  submit(assignmentId: number, notebook: unknown, comment: string | null): Promise<{ submission_id: number; is_late: boolean }> {
    return this.call('submissions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ assignment_id: assignmentId, notebook_content: notebook, submission_comment: comment }),
    });
  }

  notifications(after: number): Promise<GradedNotification[]> {
    return this.call('notifications', {}, `?after=${after}`);
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function statusText(a: StudentAssignment): string {
  const s = a.latest_submission;
  if (a.submission_status === 'graded' && s) return `Graded: ${s.score}/100${s.feedback ? ` — ${s.feedback}` : ''}`;
  if (a.submission_status === 'submitted' && s) return `Submitted${s.is_late ? ' (late)' : ''}`;
  return 'Not submitted';
}

export class AssignmentsPanel extends Widget {
  private readonly list = el('div', 'cm-Assignments-list');
  private readonly message = el('div', 'cm-Assignments-message');

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

  protected onAfterShow(): void {
    void this.refresh();
  }

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
      const result = await this.api.submit(a.id, panel.context.model.toJSON(), null);
      Notification.success(`"${panel.context.path}" was submitted for "${a.title}"${result.is_late ? ' (late)' : ''}.`, { autoClose: 5000 });
      await this.refresh();
    } catch (error) {
      Notification.error(`The submission did not go through: ${(error as Error).message}`, { autoClose: false });
    } finally {
      button.disabled = false;
    }
  }
}

/**
 * Polls the student's notifications (every `intervalMs`, not while the page is hidden) and shows
 * each grading as a JupyterLab notification. While the collector is away (shared with the drainer)
 * it asks the companion's probe instead, so an outage does not fill the console with failed requests.
 */
export function pollGradings(
  api: StudentApi,
  options: { intervalMs: number; away: { get(): boolean; set(away: boolean): void }; probe: () => Promise<boolean>; onGraded: () => void },
): () => void {
  let busy = false;
  const readCursor = () => Number(localStorage.getItem(NOTIFICATION_CURSOR) ?? 0) || 0;
  const tick = async () => {
    if (busy || document.hidden) return;
    busy = true;
    try {
      if (options.away.get()) {
        if (!(await options.probe())) return;
        options.away.set(false);
      }
      const notes = await api.notifications(readCursor());
      for (const note of notes) {
        if (note.type === 'assignment_graded') {
          Notification.info(`Your submission was graded: ${note.score}/100${note.feedback ? ` — ${note.feedback}` : ''}`, { autoClose: false });
        }
        localStorage.setItem(NOTIFICATION_CURSOR, String(note.id));
      }
      if (notes.length) options.onGraded();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === undefined || status === 502 || status === 503 || status === 504) options.away.set(true);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs);
  void tick();
  return () => clearInterval(timer);
}
