/**
 * The mode's coordination object, both modes: what reaches the wire in Redis mode (the seed's
 * `broadcast` and `notifications:{user}` channels with their exact message shapes, the lock key, the
 * login limiter's keys), what two collectors share (a lock, a limiter's counts, live messages), and
 * what the embedded mode answers in their place (one collector: its own bus, every lock, counts in
 * memory, no streams). Real Redis, never a mock of it.
 */
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { createCoordination, type Coordination } from '../../../collector/src/coordination/createCoordination.ts';
import { createLogger } from '../../../collector/src/core/logger.ts';
import { DEAD_LETTER_STREAM_KEY, STREAM_KEY } from '../../../collector/src/redis/streamNames.ts';
import { startRedis, waitFor, type RedisServer } from '../../helpers/services.ts';

const log = createLogger('silent');
const view = { id: 7, classId: 3, message: '10 minutes left', sentAt: '2026-01-01T00:00:00.000Z', sentBy: { id: 1, name: 'Ada' }, recipients: 2 };

const embedded = suite('coordination [embedded]');

embedded('one collector: live messages on its own bus, every lock its own, counts in memory, no streams, nothing more to be ready', async () => {
  const one = createCoordination({ mode: { kind: 'embedded' }, collectorId: 'a', log });
  try {
    const heard: unknown[] = [];
    one.channels.helpRequests.subscribe((m) => heard.push(m));
    await one.channels.helpRequests.publish({ userId: 'alice' });
    one.relay('cell-monitor:help-requests', JSON.stringify({ userId: 'bob' })); // from the pipeline thread
    assert.equal(heard, [{ userId: 'alice' }, { userId: 'bob' }]);
    await one.channels.broadcast.publish({ type: 'system_message', ...view }); // nobody listens: no error
    assert.equal([await one.lock('retention-sweep').take(60_000), await one.lock('retention-sweep').take(60_000)], [true, true]);
    const limiter = one.limiter('login-attempts', { points: 2, duration: 60 });
    await limiter.consume('k');
    await limiter.consume('k');
    await limiter.consume('k').then(() => assert.unreachable('a third attempt'), (res) => assert.ok(res.msBeforeNext > 0));
    assert.equal([one.mode, one.readiness, one.streams.gauges], ['embedded', {}, []]);
    assert.equal([await one.streams.deadLetters(), await one.streams.retryDeadLetter('1-0'), await one.streams.clearDeadLetters()], [[], false, 0]);
  } finally {
    one.close();
  }
});

const redis = suite('coordination [redis]');
let server: RedisServer;
let raw: Redis;
let a: Coordination;
let b: Coordination;

redis.before(async () => {
  server = await startRedis();
  raw = new Redis(server.url);
  a = createCoordination({ mode: { kind: 'redis', redisUrl: server.url }, collectorId: 'collector-a', log });
  b = createCoordination({ mode: { kind: 'redis', redisUrl: server.url }, collectorId: 'collector-b', log });
  await waitFor(async () => (await a.readiness.redis()) === 'PONG' && (await b.readiness.redis()) === 'PONG', 10_000, 'both coordinations connected');
});

redis.after(async () => {
  a?.close();
  b?.close();
  raw?.disconnect();
  await server?.stop();
});

redis("the seed's channels carry the same names and JSON as before: `broadcast` a system_message, `notifications:{user}` the grading", async () => {
  const listener = raw.duplicate();
  const got: Array<[string, unknown]> = [];
  listener.on('message', (channel: string, text: string) => got.push([channel, JSON.parse(text)]));
  await listener.subscribe('broadcast', 'notifications:alice');
  const grading = { event: 'assignment_graded', assignment_id: 1, submission_id: 2, score: 90, feedback: null, graded_at: '2026-01-01T00:00:00.000Z' };
  await a.channels.broadcast.publish({ type: 'system_message', ...view });
  await a.channels.notifications('alice').publish(grading);
  await waitFor(() => got.length === 2, 5_000, 'both messages');
  assert.equal(got, [['broadcast', { type: 'system_message', ...view }], ['notifications:alice', grading]]);
  listener.disconnect();
});

redis('a live message published by one collector is heard by the other, once', async () => {
  const heard: unknown[] = [];
  const off = b.channels.erasures.subscribe((m) => heard.push(m));
  await waitFor(async () => {
    await a.channels.erasures.publish({ userId: 'probe' }); // until b's SUBSCRIBE is in place
    return heard.length > 0;
  }, 5_000, 'the subscription');
  await a.channels.erasures.publish({ userId: 'carol' });
  await waitFor(() => heard.some((m) => (m as { userId: string }).userId === 'carol'), 5_000, 'the erasure');
  await new Promise((r) => setTimeout(r, 100)); // a second copy would have come by now
  assert.equal(heard.filter((m) => (m as { userId: string }).userId === 'carol'), [{ userId: 'carol' }]);
  off();
});

redis('a lock is one collector\'s for its period: `cell-monitor:<name>` names the holder and expires', async () => {
  assert.is(await a.lock('retention-sweep').take(60_000), true);
  assert.is(await b.lock('retention-sweep').take(60_000), false);
  assert.is(await raw.get('cell-monitor:retention-sweep'), 'collector-a');
  assert.ok((await raw.pttl('cell-monitor:retention-sweep')) > 50_000);
});

redis("a limiter's counts are shared by the collectors, under `cell-monitor:<name>`", async () => {
  const limits = { points: 2, duration: 60, blockDuration: 60 };
  await a.limiter('login-attempts', limits).consume('ada|127.0.0.1');
  await b.limiter('login-attempts', limits).consume('ada|127.0.0.1');
  await a.limiter('login-attempts', limits).consume('ada|127.0.0.1').then(() => assert.unreachable('a third attempt'), (res) => assert.ok(res.msBeforeNext > 0));
  assert.ok((await raw.keys('cell-monitor:login-attempts*')).length > 0);
});

redis('the dead-letter stream: listed by fields, retried onto the event stream with its v1 mark, cleared', async () => {
  const first = await raw.xadd(DEAD_LETTER_STREAM_KEY, '*', 'id', 'e-1', 'reason', 'invalid', 'e', '{"userId":"alice"}', 'at', '2026-01-01T00:00:00.000Z', 'v1', '1');
  await raw.xadd(DEAD_LETTER_STREAM_KEY, '*', 'id', 'e-2', 'reason', 'invalid', 'e', '{}', 'at', '2026-01-01T00:00:01.000Z');
  const letters = await a.streams.deadLetters();
  assert.equal(letters.map((l) => [l.fields.id, l.fields.reason, l.fields.v1]), [['e-1', 'invalid', '1'], ['e-2', 'invalid', undefined]]);
  assert.is(await a.streams.retryDeadLetter(first!), true);
  assert.is(await a.streams.retryDeadLetter(first!), false, 'gone once retried');
  const [[, fields]] = (await raw.xrange(STREAM_KEY, '-', '+')) as Array<[string, string[]]>;
  assert.equal(fields, ['id', 'e-1', 'e', '{"userId":"alice"}', 'v1', '1']);
  const gauges = Object.fromEntries(await Promise.all(a.streams.gauges.map(async (g) => [g.name, await g.read()])));
  assert.equal(gauges.stream_dead_letters, 1);
  assert.equal(await a.streams.clearDeadLetters(), 1);
  assert.is(await raw.exists(DEAD_LETTER_STREAM_KEY), 0);
});

embedded.run();
// As helpers/stack.ts decides the modes (that module loads the whole collector; this test needs none of it).
if (process.env.CI === 'true' || fs.existsSync('/usr/bin/redis-server')) redis.run();
else console.log('# redis mode skipped: redis-server not found (never skipped when CI=true)');
