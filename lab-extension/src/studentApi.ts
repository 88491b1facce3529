/**
 * The student's routes of the collector, through the companion (`{baseUrl}cell-monitor/student/…`),
 * which stamps the Jupyter user: no request says who the student is. The bodies and answers are
 * declared once, in shared/studentApi.ts. A failed call rejects with an Error carrying the HTTP
 * `status` (undefined when no answer came).
 */
import type { StudentAssignment, StudentNotification, StudentPolicy, StudentSubmissionBody, StudentSubmissionCreated } from '@cell-monitor/shared';
import type { HistoryPage, HistoryVersionDetail } from '@cell-monitor/shared/notebookHistory';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { COMPANION_PATH } from './transport.ts';

export class StudentApi {
  constructor(private readonly settings: ServerConnection.ISettings) {}

  assignments(): Promise<StudentAssignment[]> {
    return this.call('assignments');
  }

  submit(body: StudentSubmissionBody): Promise<StudentSubmissionCreated> {
    return this.call('submissions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** Notifications with an id above `after`, oldest first. */
  notifications(after: number): Promise<StudentNotification[]> {
    return this.call('notifications', {}, `?after=${after}`);
  }

  /** What the student's classes allow to be sent (the strictest of them). */
  policy(): Promise<StudentPolicy> {
    return this.call('policy');
  }

  /** The student's versions of one notebook, newest first (and those on branches of it, e.g. an instructor's fix). */
  notebookVersions(notebookPath: string, skip = 0, limit = 50): Promise<HistoryPage> {
    return this.call('notebook-versions', {}, `?${new URLSearchParams({ notebook_path: notebookPath, skip: String(skip), limit: String(limit) })}`);
  }

  /** One of her versions with its cells (404 `version_not_found` when it is not hers). */
  notebookVersion(id: number): Promise<HistoryVersionDetail> {
    return this.call(`notebook-versions/${id}`);
  }

  private url(resource: string, query = ''): string {
    return URLExt.join(this.settings.baseUrl, COMPANION_PATH, 'student', resource) + query;
  }

  private async call<T>(resource: string, init: RequestInit = {}, query = ''): Promise<T> {
    const response = await ServerConnection.makeRequest(this.url(resource, query), { cache: 'no-store', ...init }, this.settings);
    const body = await response.json().catch(() => undefined);
    if (!response.ok) throw Object.assign(new Error((body as { message?: string } | undefined)?.message ?? `HTTP ${response.status}`), { status: response.status });
    return body as T;
  }
}

/** The companion's privacy notice and consent mode (`{baseUrl}cell-monitor/privacy`); an empty notice means the default. */
export async function companionPrivacy(settings: ServerConnection.ISettings): Promise<{ notice: string; consentRequired: boolean; version: string; user: string; visitor: boolean }> {
  const response = await ServerConnection.makeRequest(URLExt.join(settings.baseUrl, COMPANION_PATH, 'privacy'), { cache: 'no-store' }, settings);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const body = (await response.json()) as { notice?: unknown; consent_required?: unknown; version?: unknown; user?: unknown; visitor?: unknown };
  return {
    notice: typeof body.notice === 'string' ? body.notice : '',
    consentRequired: body.consent_required === true,
    version: typeof body.version === 'string' ? body.version : 'default',
    user: typeof body.user === 'string' ? body.user : '',
    // Under JupyterHub: a hub admin opened someone else's server (companion.py).
    visitor: body.visitor === true,
  };
}
