import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBackoff, sleep } from '../../collector/src/backoff.ts';

test('backoff grows exponentially with jitter up to the cap and resets', () => {
  const backoff = createBackoff(100, 2000);
  const delays = Array.from({ length: 8 }, () => backoff.next());
  const caps = [100, 200, 400, 800, 1600, 2000, 2000, 2000];
  delays.forEach((d, i) => assert.ok(d >= caps[i] / 2 && d <= caps[i], `delay ${i} = ${d}`));
  assert.is(backoff.failures, 8);
  backoff.reset();
  assert.is(backoff.failures, 0);
  assert.ok(backoff.next() <= 100);
});

test('sleep ends at once when aborted (shutdown does not wait out a backoff)', async () => {
  const stopper = new AbortController();
  const started = Date.now();
  const slept = sleep(60_000, stopper.signal);
  stopper.abort();
  await slept;
  assert.ok(Date.now() - started < 1000);
});

test.run();
