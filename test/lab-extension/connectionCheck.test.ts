/** The hops "Check connection" shows, from the companion's answer or from how the request to it failed (pure). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConnectionCheck } from '@cell-monitor/shared';
import { checkHops } from '../../lab-extension/src/connectionCheck.ts';

const it = suite('lab-extension connection check hops');

const answer = (hops: ConnectionCheck['hops']): ConnectionCheck => ({ ok: hops.every((h) => h.ok), collectorUrl: 'http://c', user: 'u', eventId: 'e', hops });

it('the browser-to-companion time is the round trip less what the companion spent on the other hops', () => {
  const hops = checkHops({ status: 200, body: answer([{ hop: 'companion', ok: true, ms: 0 }, { hop: 'collector', ok: true, ms: 5 }, { hop: 'credential', ok: true, ms: 20 }, { hop: 'stored', ok: true, ms: 300 }]) }, 340.4);
  assert.equal(hops.map((h) => [h.hop, h.ok, h.ms]), [['companion', true, 15], ['collector', true, 5], ['credential', true, 20], ['stored', true, 300]]);
});

it('no companion (404): the server extension is not enabled, and the hint says how to fix it', () => {
  const [hop] = checkHops({ status: 404 }, 12);
  assert.equal([hop.hop, hop.ok], ['companion', false]);
  assert.match(hop.hint!, /server extension is not enabled/);
});

it('no answer at all and a refused login each get their own hint', () => {
  assert.match(checkHops({ status: 0 }, 5)[0].hint!, /cannot be reached from the browser/);
  assert.match(checkHops({ status: 403 }, 5)[0].hint!, /login may have expired/);
});

it.run();
