/**
 * Chaos (issue 20, item 6): three collectors behind one Redis (AOF) and one PostgreSQL, simulated
 * students posting all along, while a collector is killed with SIGKILL again and again at random
 * moments and started again on its DATA_DIR, Redis is stopped and started, PostgreSQL is stopped
 * for 30 s, and one collector's buffer reaches its cap (503 with Retry-After) and recovers. At the
 * end every event a 202 acked is in `events` exactly once, and in its derived facts exactly once,
 * and nothing is stored that was never sent. It prints the counts and how long each recovery took.
 *
 * CHAOS_SECONDS sets how long the students send (90 by default, as `npm test` runs it; `npm run
 * chaos` runs 600): one Redis outage and one PostgreSQL stop every 150 s, a kill every 15 s (5 at
 * least). Each outage's times are printed, never asserted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { isExecutionEvent } from '@cell-monitor/shared';
import { openBufferFile, pendingStatements } from '../../collector/src/buffer/bufferFile.ts';
import { DEAD_LETTER_STREAM_KEY, STREAM_KEY } from '../../collector/src/redis/streamNames.ts';
import { waitFor } from '../helpers/services.ts';
import { openStore, startServices } from '../helpers/stack.ts';
import { cellRun } from '../helpers/simulatedClass.ts';
import { startFleet, type Fleet, type FleetMember } from './collectorFleet.ts';
import { drainQueue, postAs, startStudents, type LoadRecord } from './studentLoad.ts';
import { watchStored } from './storedWatch.ts';

const SECONDS = Number(process.env.CHAOS_SECONDS ?? 90);
const KILLS = Math.max(5, Math.round(SECONDS / 15));
const ROUNDS = Math.max(1, Math.floor(SECONDS / 150));
const PG_STOP_MS = 30_000;
const KEY = 'chaos-master-key-0123456789abcdef';
const FILLER = 'chaos-filler';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number | undefined) => (ms === undefined ? 'NOT within the bound' : `${(ms / 1000).toFixed(1)} s`);
let started = Date.now();

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
const say = (line: string) => console.log(`# [chaos ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);

/**
 * Posts big batches as FILLER to `member` only (Redis is down, so nothing leaves its buffer) until
 * it answers 503 buffer_unavailable; the refused batch stays queued like the extension's. Returns it.
 */
async function fillToCap(member: FleetMember, record: LoadRecord): Promise<{ queue: Array<{ eventId: string; eventType: string }>; retryAfter: string }> {
  for (let i = 0; i < 400; i++) {
    const batch = Array.from({ length: 20 }, (_, j) => ({ ...cellRun(FILLER, j, true), code: `x = "${'x'.repeat(2000)}"` }));
    for (const e of batch) record.sent.set(e.eventId, e.eventType);
    const answer = await postAs(member.url, KEY, FILLER, batch);
    if (answer.status === 202) batch.forEach((e) => record.acked.add(e.eventId));
    else if (answer.status === 503 && (answer.body as { error?: string })?.error === 'buffer_unavailable') {
      assert.ok(answer.retryAfter, 'a full buffer answers 503 with Retry-After');
      return { queue: batch, retryAfter: answer.retryAfter! };
    } else await sleep(200); // killed meanwhile, say: the same events are simply sent again
  }
  throw new Error(`${member.name}'s buffer never reached BUFFER_MAX_MB`);
}

test(`chaos: ${SECONDS} s of students, ${KILLS} × kill -9, Redis and PostgreSQL restarts, a full buffer — every acked event stored exactly once`, async () => {
  const services = await startServices('postgres+redis');
  const store = openStore(services.databaseUrl);
  const redis = new Redis(services.redis!.url, { lazyConnect: true });
  const base = { INGEST_KEY: KEY, STREAM_CLAIM_IDLE_MS: '5000' };
  let fleet: Fleet | undefined;
  try {
    fleet = await startFleet([services.env(base), services.env(base), services.env({ ...base, BUFFER_MAX_MB: '0.5' })]);
    const capped = fleet.members[2];
    const busy = new Set<FleetMember>(); // not killed while a phase needs it
    const load = startStudents({ key: KEY, students: 6, periodMs: 600, urls: fleet.urls });
    const { record } = load;
    /** Refused requests by what was going on (several faults may overlap: the latest one started names it). */
    let phase = 'no outage';
    const refusedDuring = new Map<string, number>();
    record.onAnswer = (_url, answer) => {
      if (answer.status === 202) return;
      const key = `${answer.status ?? 'network'} during ${phase}`;
      refusedDuring.set(key, (refusedDuring.get(key) ?? 0) + 1);
    };
    const watch = watchStored(store, record.acked);
    const recoveries: Promise<void>[] = [];
    const track = (label: string, ids: Iterable<string>, since: number) =>
      recoveries.push(watch.untilStored(ids, since, 240_000).then((ms) => say(`recovered from ${label}: everything acked before it stored ${seconds(ms)} after`)));
    started = Date.now();
    const end = started + SECONDS * 1000;
    const at = (fraction: number) => sleep(Math.max(0, started + fraction * SECONDS * 1000 - Date.now()));
    let kills = 0;
    let capHits = 0;

    const killer = (async () => {
      const times = Array.from({ length: KILLS }, () => 0.05 + 0.85 * Math.random()).sort();
      for (const t of times) {
        await at(t);
        const candidates = fleet!.members.filter((m) => m.process && !busy.has(m));
        const victim = candidates[Math.floor(Math.random() * candidates.length)] ?? fleet!.members.find((m) => m.process)!;
        const before = [...(record.ackedVia.get(victim.url) ?? [])];
        busy.add(victim);
        const killedAt = Date.now();
        kills += 1;
        say(`kill -9 ${victim.name} (#${kills})`);
        track(`kill -9 #${kills} (${victim.name}: its ${before.length} acked events, counted from the kill)`, before, killedAt);
        const downFor = await fleet!.killAndRestart(victim, 300 + Math.random() * 2_500);
        busy.delete(victim);
        say(`${victim.name} listening again on the same DATA_DIR ${seconds(downFor)} after kill #${kills}`);
      }
    })();

    const outages = (async () => {
      for (let round = 0; round < ROUNDS; round++) {
        await at((round + 0.1) / ROUNDS);
        await waitFor(() => capped.process, 120_000, `${capped.name} up for the full-buffer phase`);
        busy.add(capped);
        await services.redis!.stop();
        phase = 'the Redis outage';
        say('Redis stopped');
        const { queue, retryAfter } = await fillToCap(capped, record);
        const fullAt = Date.now();
        capHits += 1;
        say(`${capped.name}'s buffer at its cap: 503 buffer_unavailable, Retry-After: ${retryAfter}`);
        await sleep(3_000);
        await services.redis!.start();
        const redisBack = Date.now();
        say('Redis started again (AOF: the stream and its consumer group are back)');
        track('the Redis restart', [...record.acked], redisBack);
        await sleep(Math.max(0, fullAt + Number(retryAfter) * 1000 - Date.now())); // as the extension honours Retry-After
        await drainQueue(record, KEY, FILLER, queue, () => capped.url, () => false);
        busy.delete(capped);
        phase = 'no outage';
        say(`${capped.name} accepts again: the refused batch was acked ${seconds(Date.now() - fullAt)} after the first 503 (${seconds(Date.now() - redisBack)} after Redis came back)`);

        await at((round + 0.45) / ROUNDS);
        await services.postgres!.stop();
        phase = 'the PostgreSQL stop';
        say(`PostgreSQL stopped for ${PG_STOP_MS / 1000} s`);
        await sleep(PG_STOP_MS);
        await services.postgres!.start();
        phase = 'no outage';
        say('PostgreSQL started again');
        track('the PostgreSQL stop', [...record.acked], Date.now());
      }
    })();

    await Promise.all([killer, outages]);
    await sleep(Math.max(0, end - Date.now()));
    say('the students stop; waiting for their queues to empty');
    await within(load.finish(), 120_000, 'the students\' queues to empty');
    const finished = Date.now();
    const allStored = await watch.untilStored(record.acked, finished, 180_000);
    await watch.stop();
    const lost = [...record.acked].filter((id) => !watch.stored.has(id));
    assert.ok(allStored !== undefined, `${lost.length} of ${record.acked.size} acked events not in events 180 s after the end (e.g. ${lost.slice(0, 3).join(', ')})\n${fleet.tails()}`);
    say(`every acked event stored ${seconds(allStored)} after the last 202`);

    // Settled: nothing left in any buffer or in the stream, so nothing more can be written.
    await redis.connect();
    await waitFor(async () => {
      for (const m of fleet!.members) {
        const db = openBufferFile(m.env.DATA_DIR);
        try {
          if (pendingStatements(db).pendingCount() > 0) return false;
        } finally {
          db.close();
        }
      }
      return (await redis.xlen(STREAM_KEY)) === 0;
    }, 60_000, 'every buffer and the stream to be empty');
    await Promise.all(recoveries);

    const events: { event_id: string; event_type: string }[] = await store('events').select('event_id', 'event_type');
    const storedIds = new Set(events.map((e) => e.event_id));
    const duplicates = events.length - storedIds.size;
    const extra = [...storedIds].filter((id) => !record.sent.has(id));
    const facts = async (table: string, expected: string[]) => {
      const rows: { event_id: string; n: string | number }[] = await store(table).select('event_id').count({ n: '*' }).groupBy('event_id');
      const counts = new Map(rows.map((r) => [r.event_id, Number(r.n)]));
      const wanted = new Set(expected);
      return {
        rows: rows.reduce((sum, r) => sum + Number(r.n), 0),
        missing: expected.filter((id) => counts.get(id) !== 1),
        extra: [...counts.keys()].filter((id) => !wanted.has(id)),
      };
    };
    const executions = await facts('cell_executions', events.filter((e) => isExecutionEvent(e.event_type)).map((e) => e.event_id));
    const errors = await facts('error_logs', events.filter((e) => e.event_type === 'cell_execution_error').map((e) => e.event_id));
    const deadLetters = await redis.xlen(DEAD_LETTER_STREAM_KEY);
    const refused = [...record.refused].map(([why, n]) => `${why} ${n}`).join(', ') || 'none';
    say(`sent ${record.sent.size} events in ${record.requests} requests; acked ${record.acked.size}; refused requests: ${refused}`);
    say(`refused requests by status (network: connection refused or reset, a killed collector): ${[...refusedDuring].map(([k, n]) => `${k}: ${n}`).join('; ')}`);
    say(`stored ${events.length} events (${events.length - record.acked.size} sent but never acked: their 202 was lost to a kill); duplicates ${duplicates}; never sent ${extra.length}; lost ${lost.length}`);
    say(`derived facts: cell_executions ${executions.rows} rows (${executions.missing.length} runs without exactly one, ${executions.extra.length} extra); error_logs ${errors.rows} rows (${errors.missing.length} without exactly one, ${errors.extra.length} extra); dead letters ${deadLetters}`);
    say(`faults: ${kills} × kill -9, ${ROUNDS} Redis restart(s), ${ROUNDS} PostgreSQL stop(s) of ${PG_STOP_MS / 1000} s, ${capHits} full buffer(s)`);

    assert.equal(record.unexpected, [], 'nothing the extension would drop');
    // Ingest acks from the buffer: a database outage is never a server error (503 at most, retried).
    assert.is(record.refused.get('http_500') ?? 0, 0, 'no ingest request answered 500');
    assert.ok(kills >= 5, `${kills} kills`);
    assert.is(capHits, ROUNDS, 'the buffer reached its cap');
    assert.equal(lost, [], 'every acked event stored');
    assert.is(duplicates, 0, 'each stored once');
    assert.equal(extra, [], 'nothing stored that was never sent');
    assert.equal([executions.missing.slice(0, 5), executions.extra.slice(0, 5)], [[], []], 'one cell_executions row per stored run');
    assert.equal([errors.missing.slice(0, 5), errors.extra.slice(0, 5)], [[], []], 'one error_logs row per stored error');
    assert.is(deadLetters, 0, 'nothing dead-lettered');
  } finally {
    redis.disconnect();
    await fleet?.stop();
    await store.destroy();
    await services.stop();
  }
});

test.run();
