// The queue and the drainer on fake-indexeddb (an in-memory IndexedDB for Node); the real browser
// IndexedDB, reloads and Web Locks are covered by the Chromium E2E (e2e.test.ts).
import 'fake-indexeddb/auto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CellEvent } from '@cell-monitor/shared';
import { Drainer } from '@cell-monitor/lab-extension/drainer';
import { overflowEvent, makeEvent, type EventContext } from '@cell-monitor/lab-extension/events';
import { EventQueue, LEGACY_DB_NAME } from '@cell-monitor/lab-extension/queue';
import { adoptLegacyQueue } from '../../lab-extension/src/legacyQueue.ts';
import { drainLockName, queueName, type QueueOwner } from '../../lab-extension/src/queueOwner.ts';
import type { IngestAnswer } from '@cell-monitor/lab-extension/sendPolicy';
import { DEFAULT_SETTINGS, type MonitorSettings } from '@cell-monitor/lab-extension/settings';
import { waitFor } from '../helpers/services.ts';

let ids = 0;
const newId = () => `id-${++ids}`;
const ctx: EventContext = { userId: 'student-1', sessionId: 's-1', newId };
let dbCounter = 0;
const openQueue = (name = `q-${++dbCounter}`) => EventQueue.open({ name, newId });
const cellEvents = (n: number): CellEvent[] => Array.from({ length: n }, (_, i) => makeEvent(ctx, 'cell_execution_complete', { cellIndex: i }));

const queue = suite('lab-extension offline queue');

queue('events come out oldest first and leave only when removed; the queue survives closing the database', async () => {
  const name = `persist-${++dbCounter}`;
  const q = await openQueue(name);
  const events = cellEvents(5);
  await q.add(events.slice(0, 3), 100);
  await q.add(events.slice(3), 100);
  const first = await q.peek(2);
  assert.equal(first.events.map((e) => e.eventId), events.slice(0, 2).map((e) => e.eventId));
  assert.is((await q.peek(2)).keys[0], first.keys[0], 'peek does not remove');
  await q.remove(first.keys);
  q.close();
  const reopened = await openQueue(name);
  assert.is(await reopened.size(), 3);
  assert.equal((await reopened.peek(10)).events.map((e) => e.eventId), events.slice(2).map((e) => e.eventId));
  reopened.close();
});

queue('at its bound the queue keeps what it has, counts what it could not keep, and reports it until delivered', async () => {
  const q = await openQueue();
  const result = await q.add(cellEvents(8), 5);
  assert.equal(result, { stored: 5, dropped: 3, size: 5 });
  await q.add(cellEvents(2), 5);
  const batch = await q.peek(100);
  assert.is(batch.events.length, 5);
  assert.is(batch.drops?.count, 5);
  const reportId = batch.drops!.reportId;
  // More drops before the report is delivered: they stay, under a new report id.
  await q.add(cellEvents(1), 5);
  await q.remove(batch.keys, batch.drops);
  const after = await q.peek(100);
  assert.is(after.events.length, 0);
  assert.is(after.drops?.count, 1);
  assert.is.not(after.drops?.reportId, reportId);
  await q.remove(after.keys, after.drops);
  assert.is((await q.peek(100)).drops, undefined);
  q.close();
});

const drain = suite('lab-extension drainer');

function drainerFor(q: EventQueue, answers: Array<IngestAnswer | ((events: CellEvent[]) => IngestAnswer)>, settings: Partial<MonitorSettings> = {}) {
  const posted: CellEvent[][] = [];
  const drainer = new Drainer({
    queue: q,
    settings: () => ({ ...DEFAULT_SETTINGS, ...settings }),
    overflowEvent: (drops) => overflowEvent(ctx, drops),
    random: () => 0.5,
    post: async (events) => {
      posted.push(events);
      const next = answers.length > 1 ? answers.shift()! : answers[0];
      return typeof next === 'function' ? next(events) : next;
    },
  });
  return { drainer, posted };
}

drain('sends batches of at most batchSize, oldest first, and empties the queue on 202', async () => {
  const q = await openQueue();
  const events = cellEvents(25);
  await q.add(events, 1000);
  const { drainer, posted } = drainerFor(q, [{ status: 202, body: { accepted: 10, duplicates: 0, rejected: [] } }], { batchSize: 10 });
  assert.is(await drainer.step(), 'sent');
  assert.is(await drainer.step(), 'sent');
  assert.is(await drainer.step(), 'sent');
  assert.is(await drainer.step(), 'empty');
  assert.equal(posted.map((b) => b.length), [10, 10, 5]);
  assert.equal(posted.flat().map((e) => e.eventId), events.map((e) => e.eventId));
  assert.is(await q.size(), 0);
  q.close();
});

drain('collector unreachable: the same events (same eventIds) are sent again after a backoff or Retry-After', async () => {
  const q = await openQueue();
  await q.add(cellEvents(3), 1000);
  const { drainer, posted } = drainerFor(q, [{ status: 502 }, {}, { status: 503, retryAfter: '7' }, { status: 202 }]);
  assert.is(await drainer.step(), 'retry');
  assert.is(await drainer.step(), 'retry');
  assert.is(await drainer.step(), 'retry');
  assert.is((drainer as unknown as { retryDelayMs: number }).retryDelayMs, 7000);
  assert.is(await q.size(), 3, 'nothing left the queue while the collector was away');
  assert.is(await drainer.step(), 'sent');
  assert.equal(posted[3].map((e) => e.eventId), posted[0].map((e) => e.eventId));
  assert.is(await q.size(), 0);
  q.close();
});

drain('once a post found the collector away, the drainer probes before posting again (no failed requests while it is down)', async () => {
  const q = await openQueue();
  await q.add(cellEvents(2), 1000);
  let there = false;
  let probes = 0;
  let remembered = false;
  const posted: CellEvent[][] = [];
  const answers: IngestAnswer[] = [{ status: 502 }, { status: 202 }];
  const newDrainer = () =>
    new Drainer({
      queue: q,
      settings: () => DEFAULT_SETTINGS,
      overflowEvent: (drops) => overflowEvent(ctx, drops),
      random: () => 0.5,
      probe: async () => {
        probes += 1;
        return there;
      },
      awayMemory: { get: () => remembered, set: (away) => (remembered = away) },
      post: async (events) => {
        posted.push(events);
        return answers.shift()!;
      },
    });
  const drainer = newDrainer();
  assert.is(await drainer.step(), 'retry');
  assert.is(probes, 0, 'the first try posts directly');
  assert.is(remembered, true);
  assert.is(await drainer.step(), 'retry');
  assert.is(await drainer.step(), 'retry');
  assert.is(posted.length, 1, 'no post while the probe says the collector is away');
  assert.is(probes, 2);
  // A reload (a new drainer) remembers: it probes before its first post.
  const reloaded = newDrainer();
  assert.is(await reloaded.step(), 'retry');
  assert.is(posted.length, 1);
  assert.is(probes, 3);
  there = true;
  assert.is(await reloaded.step(), 'sent');
  assert.is(posted.length, 2);
  assert.is(remembered, false);
  assert.is(await q.size(), 0);
  q.close();
});

drain('a post that throws counts as a network failure, not a crash', async () => {
  const q = await openQueue();
  await q.add(cellEvents(1), 1000);
  const { drainer } = drainerFor(q, [
    () => {
      throw new TypeError('Failed to fetch');
    },
  ]);
  assert.is(await drainer.step(), 'retry');
  assert.is(await q.size(), 1);
  q.close();
});

drain('413 halves the batch until it fits; a refused batch (400) leaves the queue', async () => {
  const q = await openQueue();
  await q.add(cellEvents(8), 1000);
  const { drainer, posted } = drainerFor(q, [(events) => (events.length > 2 ? { status: 413 } : { status: 202 })]);
  assert.is(await drainer.step(), 'split');
  assert.is(await drainer.step(), 'split');
  assert.is(await drainer.step(), 'sent');
  assert.equal(posted.map((b) => b.length), [8, 4, 2]);
  assert.is(await q.size(), 6);

  const q2 = await openQueue();
  await q2.add(cellEvents(2), 1000);
  const refused = drainerFor(q2, [{ status: 400, body: { error: 'invalid_json' } }]);
  assert.is(await refused.drainer.step(), 'drop');
  assert.is(await q2.size(), 0);
  q.close();
  q2.close();
});

drain('dropped events are reported once, in the next batch, as client_queue_overflow', async () => {
  const q = await openQueue();
  await q.add(cellEvents(4), 2);
  const { drainer, posted } = drainerFor(q, [{ status: 502 }, { status: 202 }]);
  assert.is(await drainer.step(), 'retry');
  assert.is(await drainer.step(), 'sent');
  const report = posted[1].at(-1)!;
  assert.is(report.eventType, 'client_queue_overflow');
  assert.equal(report.metadata?.droppedEvents, 2);
  assert.is(posted[0].at(-1)!.eventId, report.eventId, 'the resent report keeps its id');
  assert.is(await drainer.step(), 'empty');
  q.close();
});

drain('run() sends when woken for a full batch, picks up a partial one at the next flush, and ends on stop()', async () => {
  const q = await openQueue();
  const { drainer, posted } = drainerFor(q, [{ status: 202 }], { batchSize: 5, flushIntervalMs: 60_000 });
  const running = drainer.run();
  await new Promise((r) => setTimeout(r, 50)); // an absence: nothing may be sent while the queue is empty
  assert.is(posted.length, 0);
  await q.add(cellEvents(5), 1000);
  drainer.wake();
  await waitUntil(() => posted.length === 1);
  await q.add(cellEvents(2), 1000);
  await new Promise((r) => setTimeout(r, 50)); // an absence: the partial batch must not go before the flush
  assert.is(posted.length, 1, 'a partial batch waits for the flush interval');
  drainer.wake(); // as the flush timer would: the loop finds the 2 waiting events and sends them
  await waitUntil(() => posted.length === 2);
  assert.equal(posted.map((b) => b.length), [5, 2]);
  drainer.stop();
  await running;
  q.close();
});

const waitUntil = (check: () => boolean) => waitFor(check, 2_000, 'the drainer to post');

const owners = suite('lab-extension queues per owner (a shared lab PC under JupyterHub: one origin, many students)');

// Under a hub every student's server is on one origin: http://hub/user/<name>/.
const alice: QueueOwner = { baseUrl: 'http://127.0.0.1:8000/user/alice/', user: 'alice' };
const taro: QueueOwner = { baseUrl: 'http://127.0.0.1:8000/user/%E3%81%9F%E3%82%8D%E3%81%86/', user: 'たろう' };
const eventsOf = (user: string, n: number) => Array.from({ length: n }, (_, i) => makeEvent({ ...ctx, userId: user }, 'cell_execution_complete', { cellIndex: i }));

/** A page of `owner`'s server: its queue, and a drainer whose posts reach a collector that keeps them (as the companion would stamp them). */
async function pageOf(owner: QueueOwner, stored: Array<{ stamped: string; event: CellEvent }>) {
  const q = await EventQueue.open({ owner, newId });
  const drainer = new Drainer({
    queue: q,
    lockName: drainLockName(owner),
    settings: () => DEFAULT_SETTINGS,
    overflowEvent: (drops) => overflowEvent(ctx, drops),
    post: async (events) => {
      for (const event of events) stored.push({ stamped: owner.user, event });
      return { status: 202, body: { accepted: events.length, duplicates: 0, rejected: [] } };
    },
  });
  const drainAll = async () => {
    while ((await drainer.step()) !== 'empty');
  };
  return { q, drainer, drainAll };
}

owners("alice's queue and the next student's are separate: his page sends only his events, hers go when her page drains", async () => {
  const stored: Array<{ stamped: string; event: CellEvent }> = [];
  const hers = eventsOf('alice', 3);
  const alicePage = await pageOf(alice, stored);
  await alicePage.q.add(hers, 1000); // the collector was away: they wait
  alicePage.q.close();
  const taroPage = await pageOf(taro, stored);
  const his = eventsOf('たろう', 2);
  await taroPage.q.add(his, 1000);
  await taroPage.drainAll();
  assert.equal(stored.map((s) => s.event.eventId), his.map((e) => e.eventId), "his page sent his events and none of alice's");
  assert.ok(stored.every((s) => s.stamped === 'たろう'));
  taroPage.q.close();
  const aliceBack = await pageOf(alice, stored);
  assert.is(await aliceBack.q.size(), 3, 'hers waited, untouched');
  await aliceBack.drainAll();
  assert.equal(stored.filter((s) => s.stamped === 'alice').map((s) => s.event.eventId), hers.map((e) => e.eventId));
  assert.is(stored.length, 5);
  aliceBack.q.close();
});

owners('the database and the drain lock are named after the server and the user, unambiguously', () => {
  assert.is.not(queueName(alice), queueName(taro));
  assert.is.not(drainLockName(alice), drainLockName(taro));
  assert.is(queueName(alice), queueName({ ...alice, baseUrl: '/user/alice' }), 'the same server, however its base URL is written');
  assert.is.not(queueName({ baseUrl: '/a/', user: 'b:c' }), queueName({ baseUrl: '/a/b:', user: 'c' }));
  assert.is.not(queueName(alice), LEGACY_DB_NAME);
});

owners("the old shared queue (owner not recorded): a page takes only its own user's events from it, never another's or an unknown owner's", async () => {
  const legacyName = `legacy-${++dbCounter}`;
  const legacy = await EventQueue.open({ name: legacyName, newId });
  const hers = eventsOf('alice', 2);
  const unknown = { ...makeEvent(ctx, 'cell_execution_complete'), userId: undefined } as unknown as CellEvent;
  await legacy.add([hers[0], unknown, hers[1]], 1000);
  legacy.close();
  const stored: Array<{ stamped: string; event: CellEvent }> = [];
  const taroPage = await pageOf(taro, stored);
  assert.equal(await adoptLegacyQueue(taroPage.q, taro, 1000, legacyName), { adopted: 0, left: 3 });
  await taroPage.drainAll();
  assert.is(stored.length, 0, "the next student's page sent nothing of the old queue");
  taroPage.q.close();
  const alicePage = await pageOf(alice, stored);
  assert.equal(await adoptLegacyQueue(alicePage.q, alice, 1000, legacyName), { adopted: 2, left: 1 });
  await alicePage.drainAll();
  assert.equal(stored.map((s) => [s.stamped, s.event.eventId]), hers.map((e) => ['alice', e.eventId]));
  alicePage.q.close();
  const after = await EventQueue.open({ name: legacyName, newId });
  assert.equal((await after.peek(10)).events, [unknown], 'the event of an unknown owner stays where it was, unsent');
  after.close();
  assert.equal(await adoptLegacyQueue(alicePage.q, alice, 1000, `never-there-${++dbCounter}`), { adopted: 0, left: 0 }, 'no old queue: nothing to do');
});

queue.run();
drain.run();
owners.run();
