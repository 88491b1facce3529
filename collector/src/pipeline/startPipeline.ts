import { Worker } from 'node:worker_threads';
import type { BufferWriter } from '../buffer/bufferWriter.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { workerExecArgv } from '../core/packagePaths.ts';
import type { PersisterStats } from '../persist/createPersister.ts';
import type { InfluxSinkStats } from '../sink/influxSink.ts';
import type { FromPipeline, PipelineData, ToPipeline } from './messages.ts';

export interface Pipeline {
  /** Totals of the pipeline thread, as of its last report. */
  readonly stats: PersisterStats;
  /** The persister found nothing to read at its last step. */
  readonly idle: boolean;
  /** The InfluxDB sink's health as of the thread's last report; undefined without INFLUXDB_URL. */
  readonly influx: InfluxSinkStats | undefined;
  /** Asks the thread to drain for up to `drainMs` and stop; resolves when it has exited. */
  close(drainMs: number): Promise<void>;
}

export interface PipelineOptions {
  config: Config;
  buffer: BufferWriter;
  log: Logger;
  /** Delivers a live message of the embedded pipeline thread on this thread's bus (Coordination.relay). */
  relay(channel: string, text: string): void;
}

const RESTART_DELAY_MS = 1000;

/**
 * Runs forward + persist in a worker thread (pipelineThread.ts). If the thread dies it is started
 * again: everything it had not acknowledged is still in the buffer or the stream and is read again.
 */
export function startPipeline(options: PipelineOptions): Pipeline {
  const { config, buffer, log } = options;
  let stats: PersisterStats = { persisted: 0, duplicates: 0, deadLettered: 0 };
  let base: PersisterStats = { ...stats };
  let idle = false;
  let influx: InfluxSinkStats | undefined;
  let closing = false;
  let worker: Worker;
  let exited: Promise<void>;
  let restartTimer: NodeJS.Timeout | undefined;

  const post = (message: ToPipeline) => worker.postMessage(message);
  const unsubscribe = buffer.onAppend(() => post({ type: 'appended' }));

  function spawn(): void {
    const data: PipelineData = { config };
    worker = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: data, execArgv: workerExecArgv() });
    const current = worker;
    exited = new Promise((resolve) => current.once('exit', () => resolve()));
    current.on('message', (message: FromPipeline) => {
      if (message.type === 'stats') {
        stats = {
          persisted: base.persisted + message.stats.persisted,
          duplicates: base.duplicates + message.stats.duplicates,
          deadLettered: base.deadLettered + message.stats.deadLettered,
          failures: (base.failures ?? 0) + (message.stats.failures ?? 0),
          lastDeadLetter: message.stats.lastDeadLetter ?? base.lastDeadLetter,
        };
        idle = message.idle;
        if (message.influx) influx = message.influx;
      } else if (message.type === 'publish') options.relay(message.channel, message.text);
    });
    current.on('error', (err) => log.error({ err }, 'pipeline thread crashed'));
    current.once('exit', (code) => {
      if (closing) return;
      log.error({ code, restartInMs: RESTART_DELAY_MS }, 'pipeline thread stopped; restarting it');
      base = { ...stats };
      restartTimer = setTimeout(spawn, RESTART_DELAY_MS);
    });
  }

  spawn();
  return {
    get stats() {
      return stats;
    },
    get idle() {
      return idle;
    },
    get influx() {
      return influx;
    },
    async close(drainMs) {
      closing = true;
      clearTimeout(restartTimer);
      unsubscribe();
      const current = worker;
      const done = exited;
      current.postMessage({ type: 'close', drainMs } satisfies ToPipeline);
      const timer = setTimeout(() => {
        log.warn('pipeline thread did not stop in time; terminating it');
        void current.terminate();
      }, drainMs + 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}
