/**
 * Polls the student's notifications (every `intervalMs`, not while the page is hidden) and shows
 * each grading once. The cursor (the id of the last notification shown) is kept in localStorage, so
 * a reload or another tab does not show a grading again. While the collector is away (a flag shared
 * with the drainer) it asks the companion's probe instead, so an outage does not fill the console
 * with failed requests. Pure: no JupyterLab import; what is shown and where it is kept are options.
 */
import type { StudentNotification } from '@cell-monitor/shared';
import type { StudentApi } from './studentApi.ts';
import { browserStorage, type KeyValueStorage } from './storage.ts';

export const NOTIFICATION_CURSOR = 'cell-monitor:notifications-after';

/** Answers meaning the collector (not the request) is the problem: probe before the next poll. */
const COLLECTOR_AWAY = new Set([undefined, 502, 503, 504]);

export interface GradingPollerOptions {
  api: Pick<StudentApi, 'notifications'>;
  intervalMs: number;
  /** "The collector is away", shared with the drainer (collectorAway.ts). */
  away: { get(): boolean; set(away: boolean): void };
  /** Is the collector there? (the companion's GET; never rejects). */
  probe: () => Promise<boolean>;
  /** Shows one line to the student (a JupyterLab notification that stays until closed). */
  notify: (text: string) => void;
  /** New notifications arrived (the Assignments panel reloads). */
  onGraded: () => void;
  /** Where the cursor is kept; localStorage unless told otherwise. */
  storage?: () => KeyValueStorage;
  /** Whether the page is hidden; `document.hidden` unless told otherwise. */
  hidden?: () => boolean;
}

/** What the student reads for one grading. */
export function gradedText(note: Pick<StudentNotification, 'score' | 'feedback'>): string {
  return `Your submission was graded: ${note.score}/100${note.feedback ? ` — ${note.feedback}` : ''}`;
}

export class GradingPoller {
  private busy = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: GradingPollerOptions) {}

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
    const { api, away, probe, notify, onGraded, storage = browserStorage, hidden = () => document.hidden } = this.options;
    if (this.busy || hidden()) return;
    this.busy = true;
    try {
      if (away.get()) {
        if (!(await probe())) return;
        away.set(false);
      }
      const notes = await api.notifications(Number(storage().getItem(NOTIFICATION_CURSOR) ?? 0) || 0);
      for (const note of notes) {
        if (note.type === 'assignment_graded') notify(gradedText(note));
        storage().setItem(NOTIFICATION_CURSOR, String(note.id));
      }
      if (notes.length) onGraded();
    } catch (error) {
      if (COLLECTOR_AWAY.has((error as { status?: number }).status)) away.set(true);
    } finally {
      this.busy = false;
    }
  }
}
