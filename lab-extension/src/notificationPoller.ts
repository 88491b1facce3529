/**
 * Polls the student's notifications (every `intervalMs`, not while the page is hidden) and shows
 * each once: a grading, a help request the instructor resolved (the "Ask for help" button returns
 * to normal), a message the instructor sent to the class. The cursor (the id of the last notification shown) is kept in localStorage, so
 * a reload or another tab does not show a grading again; one cursor per student's server (`cursorKey`),
 * since under JupyterHub every student's server shares one origin and so one localStorage: the next
 * student on a shared PC must not skip his gradings because the last one read hers. While the collector is away (a flag shared
 * with the drainer) it asks the companion's probe instead, so an outage does not fill the console
 * with failed requests. Pure: no JupyterLab import; what is shown and where it is kept are options.
 */
import type { StudentNotification } from '@cell-monitor/shared';
import { noteFailedRequest, type CollectorAwayFlag } from './collectorAway.ts';
import { notebookName } from '@cell-monitor/shared/notebookName';
import type { StudentApi } from './studentApi.ts';
import { browserStorage, type KeyValueStorage } from './storage.ts';

export const NOTIFICATION_CURSOR = 'cell-monitor:notifications-after';

/** The cursor of one student's server (queueOwner.ts's key: base URL and stamped user). */
export const notificationCursorKey = (ownerKey: string): string => `${NOTIFICATION_CURSOR}:${ownerKey}`;

export interface NotificationPollerOptions {
  api: Pick<StudentApi, 'notifications'>;
  intervalMs: number;
  /** "The collector is away", shared with the drainer (collectorAway.ts). */
  away: CollectorAwayFlag;
  /** Is the collector there? (the companion's GET; never rejects). */
  probe: () => Promise<boolean>;
  /** Shows one line to the student (a JupyterLab notification that stays until closed). */
  notify: (text: string) => void;
  /** A grading arrived (the Assignments panel reloads). */
  onGraded: () => void;
  /** The instructor resolved a help request on this notebook (null: the request named none). */
  onHelpResolved: (notebookPath: string | null) => void;
  /** Where the cursor is kept; localStorage unless told otherwise. */
  storage?: () => KeyValueStorage;
  /** Its key there (`notificationCursorKey(…)`); NOTIFICATION_CURSOR (the one per origin of earlier versions) unless told otherwise. */
  cursorKey?: string;
  /** Whether the page is hidden; `document.hidden` unless told otherwise. */
  hidden?: () => boolean;
}

/** What the student reads for one notification. */
export function notificationText(note: StudentNotification): string {
  switch (note.type) {
    case 'assignment_graded':
      return `Your submission was graded: ${note.score}/100${note.feedback ? ` — ${note.feedback}` : ''}`;
    case 'help_resolved':
      return `Your help request${note.notebook_path ? ` on ${notebookName(note.notebook_path)}` : ''} was resolved${note.resolved_by ? ` by ${note.resolved_by}` : ''}.`;
    case 'broadcast':
      return `Message from ${note.sent_by || 'your instructor'}: ${note.message}`;
  }
}

export class NotificationPoller {
  private busy = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: NotificationPollerOptions) {}

  /** Polls now and then every `intervalMs`, until `stop()`. */
  start(): void {
    this.stop();
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    void this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One poll; skipped while the page is hidden or the previous poll still runs. Never rejects. */
  async tick(): Promise<void> {
    const { api, away, probe, notify, onGraded, onHelpResolved, storage = browserStorage, cursorKey = NOTIFICATION_CURSOR, hidden = () => document.hidden } = this.options;
    if (this.busy || hidden()) return;
    this.busy = true;
    try {
      if (away.get()) {
        if (!(await probe())) return;
        away.set(false);
      }
      // No cursor of its own yet (the first page load after per-server cursors): the origin's old one, as before.
      const notes = await api.notifications(Number(storage().getItem(cursorKey) ?? storage().getItem(NOTIFICATION_CURSOR) ?? 0) || 0);
      let graded = false;
      for (const note of notes) {
        // A kind this version does not know (a newer collector) is skipped, not shown raw.
        if (note.type === 'assignment_graded' || note.type === 'help_resolved' || note.type === 'broadcast') notify(notificationText(note));
        if (note.type === 'assignment_graded') graded = true;
        if (note.type === 'help_resolved') onHelpResolved(note.notebook_path);
        storage().setItem(cursorKey, String(note.id));
      }
      if (graded) onGraded();
    } catch (error) {
      // The collector (not the request) is the problem: probe before the next poll.
      noteFailedRequest(away, error);
    } finally {
      this.busy = false;
    }
  }
}
