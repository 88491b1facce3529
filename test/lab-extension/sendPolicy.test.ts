import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { backoffDelay, classifyAnswer, parseRetryAfter } from '@cell-monitor/lab-extension/sendPolicy';

const it = suite('lab-extension send policy');
const now = Date.UTC(2026, 10, 23, 9, 0, 0);
const ctx = (attempt = 1, batchSize = 100) => ({ attempt, batchSize, now, random: () => 0.5 });

it('a 202 takes the batch off the queue and reports the collector counts', () => {
  const outcome = classifyAnswer({ status: 202, body: { accepted: 97, duplicates: 2, rejected: [{ index: 4, error: 'invalid_event', message: 'x' }] } }, ctx());
  assert.equal(outcome, { kind: 'sent', accepted: 97, duplicates: 2, rejected: 1 });
});

it('collector down, hung or full, or the Jupyter login lapsed, keeps the events queued for a later try', () => {
  for (const status of [undefined, 502, 503, 504, 500, 429, 408, 401, 403]) {
    const outcome = classifyAnswer({ status }, ctx());
    assert.is(outcome.kind, 'retry', `status ${status}`);
  }
  assert.equal(classifyAnswer({ status: undefined }, ctx()), { kind: 'retry', delayMs: 750, reason: 'network' });
});

it('Retry-After from the server wins over the backoff, in seconds or as a date, capped', () => {
  assert.equal(classifyAnswer({ status: 503, retryAfter: '30' }, ctx()), { kind: 'retry', delayMs: 30_000, reason: 'http_503' });
  const date = new Date(now + 12_000).toUTCString();
  assert.equal(classifyAnswer({ status: 429, retryAfter: date }, ctx()), { kind: 'retry', delayMs: 12_000, reason: 'http_429' });
  assert.is((classifyAnswer({ status: 503, retryAfter: '86400' }, ctx()) as { delayMs: number }).delayMs, 5 * 60_000);
  assert.is(parseRetryAfter('soon', now), undefined);
  assert.is(parseRetryAfter(new Date(now - 5_000).toUTCString(), now), 0);
});

it('backoff doubles per attempt, stays within [window/2, window] and stops growing at the cap', () => {
  const opts = { baseMs: 1_000, maxMs: 60_000 };
  assert.equal([1, 2, 3, 4].map((a) => backoffDelay(a, opts, () => 1)), [1_000, 2_000, 4_000, 8_000]);
  assert.equal([1, 2, 3, 4].map((a) => backoffDelay(a, opts, () => 0)), [500, 1_000, 2_000, 4_000]);
  assert.is(backoffDelay(30, opts, () => 1), 60_000);
  const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(5, opts)));
  assert.ok(spread.size > 10, 'jitter spreads a classroom of retries');
  for (const d of spread) assert.ok(d >= 8_000 && d <= 16_000, `delay ${d} within the window`);
});

it('a batch too large is split; other client errors drop the batch with the collector error id', () => {
  assert.equal(classifyAnswer({ status: 413, body: { error: 'too_many_events' } }, ctx(1, 100)), { kind: 'split', reason: 'http_413' });
  assert.equal(classifyAnswer({ status: 413, body: { error: 'body_too_large' } }, ctx(1, 1)), { kind: 'drop', reason: 'body_too_large' });
  assert.equal(classifyAnswer({ status: 422, body: { error: 'invalid_batch' } }, ctx()), { kind: 'drop', reason: 'invalid_batch' });
  assert.equal(classifyAnswer({ status: 400 }, ctx()), { kind: 'drop', reason: 'http_400' });
});

it.run();
