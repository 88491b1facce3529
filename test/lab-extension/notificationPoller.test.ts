import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { StudentNotification } from '@cell-monitor/shared';
import { NotificationPoller, NOTIFICATION_CURSOR, notificationCursorKey, type NotificationPollerOptions } from '../../lab-extension/src/notificationPoller.ts';
import { ownerKey } from '../../lab-extension/src/queueOwner.ts';
import { memoryStorage } from '../helpers/memoryStorage.ts';

const it = suite('lab-extension notification poller');

const graded = (id: number, score: number, feedback: string | null = null): StudentNotification => ({
  id,
  type: 'assignment_graded',
  event: 'assignment_graded',
  assignment_id: 1,
  submission_id: 10 + id,
  score,
  feedback,
  graded_at: '2026-11-23T09:00:00.000Z',
});

/** A poller over a fake companion: `answers` are what successive notification calls return (or throw). */
function pollerWith(answers: Array<StudentNotification[] | Error>, overrides: Partial<NotificationPollerOptions> = {}) {
  const seen = { asked: [] as number[], shown: [] as string[], refreshed: 0, resolved: [] as Array<string | null>, probes: 0, away: false, there: false, hidden: false };
  const storage = memoryStorage();
  const poller = new NotificationPoller({
    api: {
      notifications: async (after) => {
        seen.asked.push(after);
        const next = answers.shift() ?? [];
        if (next instanceof Error) throw next;
        return next;
      },
    },
    intervalMs: 60_000,
    away: { get: () => seen.away, set: (away) => (seen.away = away) },
    probe: async () => {
      seen.probes += 1;
      return seen.there;
    },
    notify: (text) => seen.shown.push(text),
    onGraded: () => (seen.refreshed += 1),
    onHelpResolved: (path) => seen.resolved.push(path),
    storage: () => storage,
    hidden: () => seen.hidden,
    ...overrides,
  });
  return { poller, seen, storage };
}

const httpError = (status?: number) => Object.assign(new Error(`HTTP ${status}`), { status });

it('each grading is shown once, with score and feedback; the panel reloads; the cursor moves past it', async () => {
  const { poller, seen, storage } = pollerWith([[graded(4, 92, 'Nice work'), graded(7, 60)], []]);
  await poller.tick();
  assert.equal(seen.shown, ['Your submission was graded: 92/100 — Nice work', 'Your submission was graded: 60/100']);
  assert.is(seen.refreshed, 1);
  assert.is(storage.getItem(NOTIFICATION_CURSOR), '7');
  await poller.tick();
  assert.equal(seen.asked, [0, 7], 'the next poll asks only for newer ones');
  assert.is(seen.shown.length, 2);
  assert.is(seen.refreshed, 1, 'nothing new, no reload');
});

it('a cursor kept by an earlier page load (or another tab) is where polling resumes', async () => {
  const { poller, seen, storage } = pollerWith([[]]);
  storage.setItem(NOTIFICATION_CURSOR, '41');
  await poller.tick();
  assert.equal(seen.asked, [41]);
});

it('collector unreachable (no answer, 502, 503, 504): marked away; then only the probe is asked until it is back', async () => {
  for (const failure of [httpError(undefined), httpError(502), httpError(503), httpError(504)]) {
    const { poller, seen } = pollerWith([failure, [graded(1, 80)]]);
    await poller.tick();
    assert.is(seen.away, true, `status ${(failure as { status?: number }).status}`);
    await poller.tick();
    assert.equal([seen.asked.length, seen.probes], [1, 1], 'probed instead of polling');
    seen.there = true;
    await poller.tick();
    assert.is(seen.away, false);
    assert.equal(seen.shown, ['Your submission was graded: 80/100']);
  }
});

it('a resolved help request says so and resets the help button of its notebook; a class message is shown as sent; neither reloads the assignments', async () => {
  const resolved: StudentNotification = { id: 8, type: 'help_resolved', help_request_id: 3, notebook_path: 'week1/lab1.ipynb', resolved_by: 'Ms Sato', resolved_at: '2026-11-24T09:00:00.000Z' };
  const message: StudentNotification = { id: 9, type: 'broadcast', broadcast_id: 1, class_id: 2, class_name: 'Data 101', message: '10 minutes left', sent_by: 'Ms Sato', sent_at: '2026-11-24T09:01:00.000Z' };
  const unknown = { id: 10, type: 'something_newer', text: 'x' } as unknown as StudentNotification;
  const { poller, seen, storage } = pollerWith([[resolved, message, unknown]]);
  await poller.tick();
  assert.equal(seen.shown, ['Your help request on lab1.ipynb was resolved by Ms Sato.', 'Message from Ms Sato: 10 minutes left']);
  assert.equal(seen.resolved, ['week1/lab1.ipynb']);
  assert.is(seen.refreshed, 0);
  assert.is(storage.getItem(NOTIFICATION_CURSOR), '10', 'an unknown kind is skipped, not shown, and not asked for again');
});

it('other failures (404, 500, 401) do not mark the collector away', async () => {
  const { poller, seen } = pollerWith([httpError(404), httpError(500), httpError(401)]);
  for (let i = 0; i < 3; i += 1) await poller.tick();
  assert.is(seen.away, false);
  assert.is(seen.probes, 0);
  assert.is(seen.asked.length, 3);
});

it('no poll while the page is hidden, nor while the previous poll is still waiting', async () => {
  let release: (notes: StudentNotification[]) => void = () => undefined;
  const { poller, seen } = pollerWith([], {
    api: {
      notifications: (after) => {
        seen.asked.push(after);
        return new Promise((resolve) => (release = resolve));
      },
    },
  });
  seen.hidden = true;
  await poller.tick();
  assert.equal(seen.asked, []);
  seen.hidden = false;
  const first = poller.tick();
  await poller.tick();
  assert.is(seen.asked.length, 1, 'the second tick was skipped');
  release([graded(3, 70)]);
  await first;
  assert.is(seen.shown.length, 1);
});

it("a shared lab PC under a hub (one localStorage): the next student's cursor is his own, so he still sees gradings older than the last student's", async () => {
  const alice = pollerWith([[graded(50, 80)]], { cursorKey: notificationCursorKey(ownerKey({ baseUrl: '/user/alice/', user: 'alice' })) });
  await alice.poller.tick();
  assert.equal(alice.seen.asked, [0]);
  const taro = pollerWith([[graded(30, 95)]], {
    cursorKey: notificationCursorKey(ownerKey({ baseUrl: '/user/%E3%81%9F%E3%82%8D%E3%81%86/', user: 'たろう' })),
    storage: () => alice.storage,
  });
  await taro.poller.tick();
  assert.equal(taro.seen.asked, [0], "not after alice's cursor (50)");
  assert.equal(taro.seen.shown, ['Your submission was graded: 95/100']);
});

it.run();
