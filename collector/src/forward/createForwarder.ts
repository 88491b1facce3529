import type { Redis } from 'ioredis';
import type { BufferCursor } from '../buffer/bufferCursor.ts';
import { logError, type Logger } from '../core/logger.ts';
import { whenReady } from '../redis/createRedis.ts';
import { STREAM_KEY } from '../redis/streamNames.ts';
import { waitForSignal } from '../core/waitForSignal.ts';
import { createBackoff } from '@cell-monitor/shared';
import { sleep } from '../core/sleep.ts';
import { createLoop } from '../core/loop.ts';

export interface ForwarderOptions {
  buffer: BufferCursor;
  redis: Redis;
  log: Logger;
  batchSize?: number;
}

export interface Stage {
  start(): void;
  /** Resolves when the buffer has nothing pending (or the timeout passed). */
  drain(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Buffer → Redis Stream. A buffer row counts as forwarded only after its XADD resolved; if the
 * process dies in between, the row is sent again and the persister's eventId check drops the copy.
 * While Redis is down, rows wait in the buffer (nothing is dropped) and forwarding resumes by itself.
 */
export function createForwarder(options: ForwarderOptions): Stage {
  const { buffer, redis, log } = options;
  const batchSize = options.batchSize ?? 500;
  const signal = waitForSignal(buffer.onAppend.bind(buffer));
  const backoff = createBackoff({ baseMs: 100, maxMs: 2000 });

  async function step(): Promise<'idle' | 'sent' | 'failed'> {
    const rows = buffer.readPending(batchSize);
    if (rows.length === 0) return 'idle';
    await whenReady(redis);
    const pipeline = redis.pipeline();
    // `v1`: the row's self-reported mark travels beside the event, never inside it.
    for (const row of rows) pipeline.xadd(STREAM_KEY, '*', 'id', row.eventId, 'e', row.body, ...(row.selfReported ? ['v1', '1'] : []));
    try {
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed || results.length !== rows.length) throw failed?.[0] ?? new Error('incomplete pipeline reply');
    } catch (err) {
      if (backoff.failures === 0) log.warn({ err: logError(err), pending: buffer.pendingCount() }, 'forward to redis failed; buffering');
      return 'failed';
    }
    buffer.markDelivered(rows[rows.length - 1].seq);
    if (backoff.failures > 0) log.info({ afterFailures: backoff.failures }, 'forwarding to redis resumed');
    backoff.reset();
    return 'sent';
  }

  const loop = createLoop(async () => {
    const outcome = await step().catch((err) => {
      log.error({ err }, 'forwarder step crashed');
      return 'failed' as const;
    });
    if (outcome === 'idle') await signal.wait(1000);
    else if (outcome === 'failed') await sleep(backoff.next(), loop.signal);
  }, { onStop: () => signal.stop() });

  return {
    start: loop.start,
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (buffer.pendingCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return buffer.pendingCount() === 0;
    },
    close: loop.stop,
  };
}
