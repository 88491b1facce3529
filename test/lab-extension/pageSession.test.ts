// A page session over the real recorder and queue (fake-indexeddb); the unload itself (pagehide,
// a reload) is covered by the Chromium E2E (e2e.test.ts: every session_end closes a session_start).
import 'fake-indexeddb/auto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CellEvent } from '@cell-monitor/shared';
import type { Drainer } from '@cell-monitor/lab-extension/drainer';
import { makeEvent, type EventContext } from '@cell-monitor/lab-extension/events';
import { EventQueue } from '@cell-monitor/lab-extension/queue';
import { Recorder } from '@cell-monitor/lab-extension/recorder';
import { DEFAULT_SETTINGS, type MonitorSettings } from '@cell-monitor/lab-extension/settings';
import { PageSession } from '../../lab-extension/src/pageSession.ts';
import type { KeyValueStorage } from '../../lab-extension/src/storage.ts';
import { UnloadStash } from '../../lab-extension/src/unloadStash.ts';
import { memoryStorage } from '../helpers/memoryStorage.ts';

const it = suite('lab-extension page session');

let ids = 0;
const newId = () => `id-${++ids}`;
let dbCounter = 0;
const owner = { baseUrl: '/', user: 'student-1' };

/** One page load: its own session id, the origin's queue and storage. */
async function pageLoad(storage: KeyValueStorage, settings: MonitorSettings = DEFAULT_SETTINGS, queueName = `session-${++dbCounter}`) {
  const ctx: EventContext = { userId: 'student-1', sessionId: newId(), newId };
  const queue = await EventQueue.open({ name: queueName, newId });
  const drainer = { wake() {} } as unknown as Drainer;
  const recorder = new Recorder(ctx, queue, drainer, () => settings);
  const stash = new UnloadStash({ owner, storage: () => storage });
  const queued = async (): Promise<CellEvent[]> => {
    await recorder.flush();
    return (await queue.peek(100)).events;
  };
  return { ctx, queue, stash, recorder, session: new PageSession({ recorder, stash }), queued };
}

it('begin queues session_start with what describes the page', async () => {
  const page = await pageLoad(memoryStorage());
  page.session.begin({ userAgent: 'test-browser', jupyterlab: '4.6.6' });
  const [start] = await page.queued();
  assert.is(start.eventType, 'session_start');
  assert.is(start.sessionId, page.ctx.sessionId);
  assert.equal(start.metadata, { userAgent: 'test-browser', jupyterlab: '4.6.6' });
  page.queue.close();
});

it('end stashes session_end synchronously and queues the same event (one eventId: the collector keeps one)', async () => {
  const storage = memoryStorage();
  const page = await pageLoad(storage);
  page.session.end();
  const stashed = new UnloadStash({ owner, storage: () => storage }).takeAll();
  assert.is(stashed.length, 1, 'in storage before anything was awaited');
  assert.is(stashed[0].eventType, 'session_end');
  assert.is(stashed[0].sessionId, page.ctx.sessionId);
  assert.equal((await page.queued()).map((e) => e.eventId), [stashed[0].eventId]);
  page.queue.close();
});

it("the next page load queues the last page's session_end before its own session_start", async () => {
  const storage = memoryStorage();
  const queueName = `reload-${++dbCounter}`;
  const first = await pageLoad(storage, DEFAULT_SETTINGS, queueName);
  first.session.begin({});
  first.session.end();
  const [, end] = await first.queued(); // here the page lived long enough: the end is queued too
  first.queue.close();
  const second = await pageLoad(storage, DEFAULT_SETTINGS, queueName);
  second.session.begin({});
  const events = await second.queued();
  assert.equal(events.map((e) => [e.eventType, e.sessionId]), [
    ['session_start', first.ctx.sessionId],
    ['session_end', first.ctx.sessionId],
    ['session_end', first.ctx.sessionId],
    ['session_start', second.ctx.sessionId],
  ]);
  assert.equal([events[1].eventId, events[2].eventId], [end.eventId, end.eventId], 'both copies carry one eventId');
  assert.equal(second.stash.takeAll(), [], 'the stash is emptied');
  second.queue.close();
});

it('with recording switched off, nothing is stashed or queued', async () => {
  const storage = memoryStorage();
  const page = await pageLoad(storage, { ...DEFAULT_SETTINGS, enabled: false });
  page.session.begin({});
  page.session.end();
  assert.is(storage.length, 0);
  assert.equal(await page.queued(), []);
  page.queue.close();
});

it('an event stashed by another page load is queued exactly as it was stored', async () => {
  const storage = memoryStorage();
  const other: EventContext = { userId: 'student-1', sessionId: 'older-tab', newId };
  const leftover = makeEvent(other, 'session_end');
  new UnloadStash({ owner, storage: () => storage }).put(leftover);
  const page = await pageLoad(storage);
  page.session.begin({});
  assert.equal((await page.queued())[0], leftover);
  page.queue.close();
});

it.run();
