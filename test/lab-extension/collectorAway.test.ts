import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { meansCollectorAway, noteFailedRequest, type CollectorAwayFlag } from '../../lab-extension/src/collectorAway.ts';

const it = suite('lab-extension "the collector is away"');

function flag(initial = false): CollectorAwayFlag & { value: boolean } {
  const state = { value: initial, get: () => state.value, set: (away: boolean) => void (state.value = away) };
  return state;
}

it('no answer, or the companion’s 502/503/504, means the collector is away; an answer of the collector does not', () => {
  for (const status of [undefined, 502, 503, 504]) assert.ok(meansCollectorAway(status), String(status));
  for (const status of [200, 202, 400, 401, 403, 404, 409, 413, 429, 500]) assert.not.ok(meansCollectorAway(status), String(status));
});

it('a failed request raises the flag only when its status says away, and never lowers it', () => {
  const away = flag();
  noteFailedRequest(away, Object.assign(new Error('Bad Gateway'), { status: 502 }));
  assert.ok(away.value);
  noteFailedRequest(away, Object.assign(new Error('Too Many Requests'), { status: 429 }));
  assert.ok(away.value, 'another failure leaves it up (only the probe lowers it)');
  const there = flag();
  noteFailedRequest(there, Object.assign(new Error('Forbidden'), { status: 403 }));
  assert.not.ok(there.value);
  noteFailedRequest(there, new TypeError('Failed to fetch'));
  assert.ok(there.value, 'a network error (no status) is no answer at all');
});

it.run();
