import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CellEvent } from '@cell-monitor/shared';
import { makeEvent, type EventContext } from '@cell-monitor/lab-extension/events';
import type { QueueOwner } from '../../lab-extension/src/queueOwner.ts';
import { ownerStashPrefix, STASH_PREFIX, UnloadStash } from '../../lab-extension/src/unloadStash.ts';
import { memoryStorage } from '../helpers/memoryStorage.ts';

const it = suite('lab-extension unload stash');

let ids = 0;
const ctx: EventContext = { userId: 'student-1', sessionId: 's-1', newId: () => `id-${++ids}` };
const owner: QueueOwner = { baseUrl: '/', user: 'student-1' };

it('a stashed event is taken back whole by the next page load, and only once', () => {
  const storage = memoryStorage();
  const end = makeEvent(ctx, 'session_end');
  new UnloadStash({ owner, storage: () => storage }).put(end);
  assert.is(storage.map.get(ownerStashPrefix(owner) + end.eventId), JSON.stringify(end), 'written at once, under its owner and eventId');
  const nextPage = new UnloadStash({ owner, storage: () => storage });
  assert.equal(nextPage.takeAll(), [end]);
  assert.equal(nextPage.takeAll(), []);
  assert.is(storage.map.size, 0);
});

it('takes every stashed event and leaves what other code keeps in storage alone', () => {
  const storage = memoryStorage();
  storage.setItem('cell-monitor:collector-away', '2026-11-23T09:00:00.000Z');
  const stash = new UnloadStash({ owner, storage: () => storage });
  const events = [makeEvent(ctx, 'session_end'), makeEvent(ctx, 'session_end')];
  for (const event of events) stash.put(event);
  assert.equal(stash.takeAll().map((e) => e.eventId).sort(), events.map((e) => e.eventId).sort());
  assert.equal([...storage.map.keys()], ['cell-monitor:collector-away']);
});

it('storage disabled or full: nothing is stashed or recovered, and nothing throws', () => {
  const disabled = new UnloadStash({
    owner,
    storage: () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    },
  });
  disabled.put(makeEvent(ctx, 'session_end'));
  assert.equal(disabled.takeAll(), []);
  const full = memoryStorage();
  full.setItem = () => {
    throw new DOMException('quota', 'QuotaExceededError');
  };
  const stash = new UnloadStash({ owner, storage: () => full });
  stash.put(makeEvent(ctx, 'session_end'));
  assert.equal(stash.takeAll(), []);
});

it("a shared lab PC under a hub: the next student's page leaves the last one's stash alone, her next page takes it", () => {
  const storage = memoryStorage();
  const alice: QueueOwner = { baseUrl: 'http://127.0.0.1:8000/user/alice/', user: 'alice' };
  const taro: QueueOwner = { baseUrl: 'http://127.0.0.1:8000/user/%E3%81%9F%E3%82%8D%E3%81%86/', user: 'たろう' };
  const hers = makeEvent({ ...ctx, userId: 'alice' }, 'session_end');
  new UnloadStash({ owner: alice, storage: () => storage }).put(hers);
  assert.equal(new UnloadStash({ owner: taro, storage: () => storage }).takeAll(), []);
  assert.is(storage.map.size, 1, 'still there');
  assert.equal(new UnloadStash({ owner: alice, storage: () => storage }).takeAll(), [hers]);
});

it('a stash of an earlier version (owner not recorded) is taken only by the page of the user who recorded it', () => {
  const storage = memoryStorage();
  const alices = makeEvent({ ...ctx, userId: 'alice' }, 'session_end');
  const unknown = { ...makeEvent(ctx, 'session_end'), userId: undefined } as unknown as CellEvent;
  storage.setItem(STASH_PREFIX + alices.eventId, JSON.stringify(alices));
  storage.setItem(STASH_PREFIX + unknown.eventId, JSON.stringify(unknown));
  assert.equal(new UnloadStash({ owner: { baseUrl: '/user/bob/', user: 'bob' }, storage: () => storage }).takeAll(), []);
  assert.equal(new UnloadStash({ owner: { baseUrl: '/user/alice/', user: 'alice' }, storage: () => storage }).takeAll(), [alices]);
  assert.equal([...storage.map.keys()], [STASH_PREFIX + unknown.eventId], 'the one of an unknown owner stays');
});

it.run();
