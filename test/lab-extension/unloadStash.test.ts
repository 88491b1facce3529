import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeEvent, type EventContext } from '@cell-monitor/lab-extension/events';
import { STASH_PREFIX, UnloadStash } from '../../lab-extension/src/unloadStash.ts';
import { memoryStorage } from '../helpers/memoryStorage.ts';

const it = suite('lab-extension unload stash');

let ids = 0;
const ctx: EventContext = { userId: 'student-1', sessionId: 's-1', newId: () => `id-${++ids}` };

it('a stashed event is taken back whole by the next page load, and only once', () => {
  const storage = memoryStorage();
  const end = makeEvent(ctx, 'session_end');
  new UnloadStash({ storage: () => storage }).put(end);
  assert.is(storage.map.get(STASH_PREFIX + end.eventId), JSON.stringify(end), 'written at once, under its eventId');
  const nextPage = new UnloadStash({ storage: () => storage });
  assert.equal(nextPage.takeAll(), [end]);
  assert.equal(nextPage.takeAll(), []);
  assert.is(storage.map.size, 0);
});

it('takes every stashed event and leaves what other code keeps in storage alone', () => {
  const storage = memoryStorage();
  storage.setItem('cell-monitor:collector-away', '2026-11-23T09:00:00.000Z');
  const stash = new UnloadStash({ storage: () => storage });
  const events = [makeEvent(ctx, 'session_end'), makeEvent(ctx, 'session_end')];
  for (const event of events) stash.put(event);
  assert.equal(stash.takeAll().map((e) => e.eventId).sort(), events.map((e) => e.eventId).sort());
  assert.equal([...storage.map.keys()], ['cell-monitor:collector-away']);
});

it('storage disabled or full: nothing is stashed or recovered, and nothing throws', () => {
  const disabled = new UnloadStash({
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
  const stash = new UnloadStash({ storage: () => full });
  stash.put(makeEvent(ctx, 'session_end'));
  assert.equal(stash.takeAll(), []);
});

it.run();
