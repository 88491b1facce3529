import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { classifyAnswer, DEFAULT_BACKOFF, parseRetryAfter } from '@cell-monitor/lab-extension/sendPolicy';

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
  assert.equal(classifyAnswer({ status: undefined }, ctx()), { kind: 'retry', delayMs: 500, reason: 'network' });
});

it('Retry-After from the server wins over the backoff, in seconds or as a date, capped', () => {
  assert.equal(classifyAnswer({ status: 503, retryAfter: '30' }, ctx()), { kind: 'retry', delayMs: 30_000, reason: 'http_503' });
  const date = new Date(now + 12_000).toUTCString();
  assert.equal(classifyAnswer({ status: 429, retryAfter: date }, ctx()), { kind: 'retry', delayMs: 12_000, reason: 'http_429' });
  assert.is((classifyAnswer({ status: 503, retryAfter: '86400' }, ctx()) as { delayMs: number }).delayMs, 5 * 60_000);
  assert.is(parseRetryAfter('soon', now), undefined);
  assert.is(parseRetryAfter(new Date(now - 5_000).toUTCString(), now), 0);
});

it('without Retry-After the wait is the shared full-jitter backoff: from 1 s, doubling, anywhere in [0, window), at most 5 min', () => {
  const delay = (attempt: number, random: () => number) => (classifyAnswer({ status: 503 }, { ...ctx(attempt), random }) as { delayMs: number }).delayMs;
  assert.equal(DEFAULT_BACKOFF, { baseMs: 1_000, maxMs: 5 * 60_000 });
  assert.equal([1, 2, 3, 4].map((a) => delay(a, () => 0.5)), [500, 1_000, 2_000, 4_000]);
  assert.is(delay(3, () => 0), 0, 'full jitter: a retry may come at once');
  assert.is(delay(30, () => 0.5), 150_000, 'the window stops growing at 5 min');
  const backoff = { baseMs: 100, maxMs: 1_000 };
  assert.is((classifyAnswer({ status: 502 }, { ...ctx(2), backoff, random: () => 0.5 }) as { delayMs: number }).delayMs, 100, 'a backoff given in the context is used');
});

it('a batch too large is split; other client errors drop the batch with the collector error id', () => {
  assert.equal(classifyAnswer({ status: 413, body: { error: 'too_many_events' } }, ctx(1, 100)), { kind: 'split', reason: 'http_413' });
  assert.equal(classifyAnswer({ status: 413, body: { error: 'body_too_large' } }, ctx(1, 1)), { kind: 'drop', reason: 'body_too_large' });
  assert.equal(classifyAnswer({ status: 422, body: { error: 'invalid_batch' } }, ctx()), { kind: 'drop', reason: 'invalid_batch' });
  assert.equal(classifyAnswer({ status: 400 }, ctx()), { kind: 'drop', reason: 'http_400' });
});

it("the companion refusing a batch of another user's queue (409 owner_mismatch) keeps it queued for its owner's server, and waits long before asking again", () => {
  assert.equal(classifyAnswer({ status: 409, body: { error: 'owner_mismatch' } }, ctx()), { kind: 'retry', delayMs: 5 * 60_000, reason: 'owner_mismatch' });
  assert.equal(classifyAnswer({ status: 409, body: { error: 'something_else' } }, ctx()), { kind: 'drop', reason: 'something_else' });
});

it.run();
