import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backoffDelay, backoffWindow, createBackoff } from '@cell-monitor/shared/backoff';

const options = { baseMs: 100, maxMs: 2_000 };
/** Just below 1: Math.random() never returns 1 itself. */
const almostOne = () => 1 - Number.EPSILON;

test('the window starts at baseMs, doubles per attempt and stops growing at maxMs', () => {
  assert.equal([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffWindow(attempt, options)), [100, 200, 400, 800, 1_600, 2_000, 2_000, 2_000]);
});

test('full jitter: random 0 waits 0, random → 1 waits almost the whole window (not its upper half only)', () => {
  for (const attempt of [1, 2, 3, 4, 5, 6]) {
    const window = backoffWindow(attempt, options);
    assert.is(backoffDelay(attempt, options, () => 0), 0, `attempt ${attempt}`);
    assert.is(backoffDelay(attempt, options, () => 0.25), window / 4, `attempt ${attempt}: a quarter of the window is a possible wait`);
    const longest = backoffDelay(attempt, options, almostOne);
    assert.ok(longest < window && longest > window * 0.999, `attempt ${attempt}: ${longest} just under ${window}`);
  }
});

test('with Math.random the delays spread over the whole window', () => {
  const delays = Array.from({ length: 200 }, () => backoffDelay(3, options));
  assert.ok(delays.every((d) => d >= 0 && d < 400), 'every delay inside [0, 400)');
  assert.ok(delays.some((d) => d < 200), 'some in the lower half of the window (equal jitter would never go there)');
  assert.ok(delays.some((d) => d >= 200), 'some in the upper half');
  assert.ok(new Set(delays).size > 100, 'a classroom of retries does not come back at once');
});

test('createBackoff counts failures: next() waits by the attempt it counted, reset() starts again at attempt 1', () => {
  const windows: number[] = [];
  const backoff = createBackoff(options, almostOne);
  assert.is(backoff.failures, 0);
  for (let i = 0; i < 8; i += 1) windows.push(Math.ceil(backoff.next()));
  assert.equal(windows, [100, 200, 400, 800, 1_600, 2_000, 2_000, 2_000]);
  assert.is(backoff.failures, 8);
  backoff.reset();
  assert.is(backoff.failures, 0);
  assert.ok(backoff.next() < 100, 'after a success the first window again');
  assert.is(backoff.failures, 1);
});

test('createBackoff uses Math.random unless told otherwise', () => {
  const backoff = createBackoff(options);
  const delays = Array.from({ length: 50 }, () => {
    backoff.reset();
    return backoff.next();
  });
  assert.ok(delays.every((d) => d >= 0 && d < 100));
  assert.ok(new Set(delays).size > 10);
});

test('huge, zero, negative or non-numeric attempts never overflow: at most maxMs, never NaN', () => {
  for (const attempt of [1_000, 1_000_000, Number.MAX_SAFE_INTEGER, Infinity]) {
    assert.is(backoffWindow(attempt, options), 2_000, `attempt ${attempt}`);
    assert.ok(Number.isFinite(backoffDelay(attempt, options, almostOne)), `attempt ${attempt}`);
  }
  const huge = { baseMs: 1_000, maxMs: Number.MAX_VALUE };
  assert.ok(Number.isFinite(backoffWindow(1e9, huge)), 'the exponent is capped even when maxMs is not a cap');
  for (const attempt of [0, -5, NaN]) assert.is(backoffWindow(attempt, options), 100, `attempt ${attempt} counts as the first`);
  const counted = createBackoff(options, almostOne);
  for (let i = 0; i < 10_000; i += 1) counted.next();
  assert.ok(counted.next() < 2_000 && counted.failures === 10_001);
});

test.run();
