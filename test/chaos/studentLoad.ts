/**
 * The chaos test's generator: simulated students, each with her own credential, queueing cell runs
 * at a steady rate and posting them in batches round-robin across the collectors, retrying what
 * was refused the way the extension does (lab-extension/src/sendPolicy.ts: Retry-After when the
 * server gives one, else backoff with jitter; a refused or failed batch stays queued and goes to
 * the next collector). It records every event it sent and every event a 202 acked.
 */
import { classifyAnswer, type IngestAnswer } from '../../lab-extension/src/sendPolicy.ts';
import { cellRun, classEvent } from '../helpers/simulatedClass.ts';
import { companionHeaders } from '../helpers/stack.ts';

/** Faster than the extension's 1 s – 5 min, so that a short run sees many retries. */
const BACKOFF = { baseMs: 200, maxMs: 5_000 };
const BATCH = 20;

export interface LoadRecord {
  /** eventId → eventType of every event posted at least once. */
  sent: Map<string, string>;
  /** Every eventId a 202 acked (the collector holds it durably from then on). */
  acked: Set<string>;
  /** collector URL → the eventIds it acked. */
  ackedVia: Map<string, string[]>;
  requests: number;
  /** Refused or failed requests by reason (`http_503`, `network`…); their events stay queued. */
  refused: Map<string, number>;
  /** Anything the extension would drop or split (never expected here): a test failure. */
  unexpected: string[];
  /** Called with each answer (the test watches for the first 503 with Retry-After). */
  onAnswer?: (url: string, answer: IngestAnswer) => void;
}

export function newRecord(): LoadRecord {
  return { sent: new Map(), acked: new Set(), ackedVia: new Map(), requests: 0, refused: new Map(), unexpected: [] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One POST of `batch` as `user` to `url`: the answer, or no status when the connection failed. */
export async function postAs(url: string, key: string, user: string, batch: object[]): Promise<IngestAnswer> {
  try {
    const res = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...companionHeaders(key, user) },
      body: JSON.stringify(batch),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined };
  } catch {
    return {};
  }
}

/**
 * Sends `queue` (front first, up to 20 at a time) until it is empty, picking the collector with
 * `pickUrl` for each try; resolves when the queue is empty and `more()` says nothing more comes.
 */
export async function drainQueue(record: LoadRecord, key: string, user: string, queue: Array<{ eventId: string; eventType: string }>, pickUrl: () => string, more: () => boolean): Promise<void> {
  let attempt = 0;
  while (queue.length > 0 || more()) {
    if (queue.length === 0) {
      await sleep(50);
      continue;
    }
    const batch = queue.slice(0, BATCH);
    for (const e of batch) record.sent.set(e.eventId, e.eventType);
    const url = pickUrl();
    record.requests += 1;
    const answer = await postAs(url, key, user, batch);
    record.onAnswer?.(url, answer);
    const outcome = classifyAnswer(answer, { attempt: attempt + 1, batchSize: batch.length, now: Date.now(), backoff: BACKOFF });
    if (outcome.kind === 'sent') {
      const rejected = (answer.body as { rejected?: unknown[] } | undefined)?.rejected ?? [];
      if (rejected.length > 0) record.unexpected.push(`${user}: ${rejected.length} events rejected: ${JSON.stringify(rejected[0])}`);
      for (const e of batch) record.acked.add(e.eventId);
      if (!record.ackedVia.has(url)) record.ackedVia.set(url, []);
      record.ackedVia.get(url)!.push(...batch.map((e) => e.eventId));
      queue.splice(0, batch.length);
      attempt = 0;
    } else if (outcome.kind === 'retry') {
      record.refused.set(outcome.reason, (record.refused.get(outcome.reason) ?? 0) + 1);
      attempt += 1;
      await sleep(outcome.delayMs);
    } else {
      record.unexpected.push(`${user}: ${outcome.kind} ${outcome.reason}`);
      queue.splice(0, batch.length);
    }
  }
}

/** A student's next few events: runs of her cells (one in five fails with an error), sometimes a save. */
function nextEvents(user: string, tick: number): Array<{ eventId: string; eventType: string }> {
  const events: Array<{ eventId: string; eventType: string }> = [];
  const n = 1 + Math.floor(Math.random() * 4);
  for (let i = 0; i < n; i++) events.push(cellRun(user, 1 + ((tick + i) % 9), Math.random() >= 0.2) as { eventId: string; eventType: string });
  if (Math.random() < 0.1) events.push(classEvent(user, 'notebook_saved'));
  return events;
}

export interface StudentLoad {
  record: LoadRecord;
  /** Stops queueing new events; resolves when every queue is empty (each event acked). */
  finish(): Promise<void>;
}

/** `students` students, each queueing 1–5 events every `periodMs` and sending them as described above. */
export function startStudents(options: { key: string; students: number; periodMs: number; urls: () => string[]; record?: LoadRecord }): StudentLoad {
  const record = options.record ?? newRecord();
  let producing = true;
  let turn = 0;
  const pickUrl = () => {
    const urls = options.urls();
    return urls[turn++ % urls.length];
  };
  const senders = Array.from({ length: options.students }, async (_, s) => {
    const user = `chaos-student-${s + 1}`;
    const queue: Array<{ eventId: string; eventType: string }> = [];
    const producer = (async () => {
      await sleep(Math.random() * options.periodMs); // students do not all type in step
      for (let tick = 0; producing; tick++) {
        queue.push(...nextEvents(user, tick));
        await sleep(options.periodMs);
      }
    })();
    await drainQueue(record, options.key, user, queue, pickUrl, () => producing);
    await producer;
  });
  return {
    record,
    async finish() {
      producing = false;
      await Promise.all(senders);
    },
  };
}
