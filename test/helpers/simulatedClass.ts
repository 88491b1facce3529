/**
 * A simulated class for the dashboard tests: the events each student's JupyterLab would have sent,
 * and the status each card must show once they are stored. Times are relative to now.
 */
import type { StudentStatus } from '@cell-monitor/shared';

const MIN = 60_000;
let seq = 0;

/** One event of `type` for `userId`, happened `agoMs` before now. */
export function classEvent(userId: string, type: string, agoMs = 0, fields: Record<string, unknown> = {}) {
  return { eventId: `sim-${process.pid}-${Date.now().toString(36)}-${++seq}`, eventType: type, eventTime: new Date(Date.now() - agoMs).toISOString(), userId, sessionId: `s-${userId}`, notebookPath: 'lab1.ipynb', ...fields };
}

/** A run of cell number `cell` (its index is `cell`), a NameError when it fails. */
export function cellRun(userId: string, cell: number, ok: boolean, agoMs = 0) {
  return classEvent(userId, ok ? 'cell_execution_complete' : 'cell_execution_error', agoMs, {
    cellId: `c${cell}`,
    cellIndex: cell,
    success: ok,
    durationMs: 20,
    code: `answer_${cell} = compute(${cell})`,
    ...(ok ? {} : { error: { name: 'NameError', message: `name 'v${cell}' is not defined`, traceback: `Traceback (most recent call last):\n  Cell In[${cell}], line 1\nNameError: name 'v${cell}' is not defined` } }),
  });
}

/**
 * 30 students (or more; the shares scale): 40% active, 13% stuck on cell 3, 7% asking for help,
 * 10% catching up (their queue drains 14 min late), 13% idle, the rest offline (ended, or never seen).
 */
export function simulatedClass(users: string[]): { events: object[]; expected: Map<string, StudentStatus> } {
  const n = users.length;
  const events: object[] = [];
  const expected = new Map<string, StudentStatus>();
  users.forEach((user, i) => {
    const share = i / n;
    if (share < 0.4) {
      events.push(classEvent(user, 'session_start', 20_000), cellRun(user, 1, true, 15_000), cellRun(user, 2, true, 10_000));
      expected.set(user, 'active');
    } else if (share < 0.533) {
      events.push(classEvent(user, 'session_start', 20_000), cellRun(user, 3, false, 9_000), cellRun(user, 3, false, 6_000), cellRun(user, 3, false, 3_000));
      expected.set(user, 'stuck');
    } else if (share < 0.6) {
      events.push(classEvent(user, 'session_start', 20_000), cellRun(user, 2, false, 5_000), classEvent(user, 'help_request', 4_000 - i, { cellId: 'c2', cellIndex: 2 }));
      expected.set(user, 'help');
    } else if (share < 0.7) {
      events.push(classEvent(user, 'session_start', 15 * MIN), cellRun(user, 1, true, 14 * MIN));
      expected.set(user, 'catching_up');
    } else if (share < 0.833) {
      events.push(classEvent(user, 'session_start', 1_000));
      expected.set(user, 'idle');
    } else if (share < 0.9) {
      events.push(classEvent(user, 'session_start', 30_000), cellRun(user, 1, true, 20_000), classEvent(user, 'session_end', 10_000));
      expected.set(user, 'offline');
    } else {
      expected.set(user, 'offline'); // enrolled, never seen
    }
  });
  return { events, expected };
}
