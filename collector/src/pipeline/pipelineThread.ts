import { parentPort, workerData } from 'node:worker_threads';
import { toLiveEvent } from '@cell-monitor/shared';
import { createLiveChannels } from '../broadcast/liveChannels.ts';
import { openBufferCursor } from '../buffer/bufferCursor.ts';
import { createLogger } from '../core/logger.ts';
import { createDb } from '../db/createDb.ts';
import { createPersister } from '../persist/createPersister.ts';
import { createEventStore } from './projections.ts';
import { createInfluxSink } from '../sink/influxSink.ts';
import { createStages } from './createStages.ts';
import type { FromPipeline, PipelineData, ToPipeline } from './messages.ts';

/**
 * The pipeline thread: buffer → (Redis Stream →) main store → live channel. It runs beside the
 * HTTP thread so that persisting never waits behind ingest requests on one event loop, and ingest
 * never waits behind database round trips.
 */
const port = parentPort!;
const { config } = workerData as PipelineData;
const log = createLogger(config.logLevel, config).child({ thread: 'pipeline' });
const send = (message: FromPipeline) => port.postMessage(message);

const cursor = openBufferCursor(config.dataDir);
const db = createDb(config.databaseUrl);
const stages = createStages({
  mode: config.mode,
  cursor,
  collectorId: config.collectorId,
  claimIdleMs: config.streamClaimIdleMs,
  relay: (channel, text) => send({ type: 'publish', channel, text }),
  log,
});
const live = createLiveChannels(stages.pubsub, log).events;
// Optional InfluxDB copy of the executions: add() only queues, so persisting never waits for it.
const influx = config.influx
  ? createInfluxSink({ influx: config.influx, log: log.child({ module: 'influx' }), onChange: (sink) => send({ type: 'stats', stats: persister.stats, idle: persister.idle, influx: sink }) })
  : undefined;
const persister = createPersister({
  source: stages.source,
  db,
  onPersisted: (events) => {
    influx?.add(events); // committed in the main store already (createPersister's step)
    return live.publish(events.map(toLiveEvent));
  },
  log: log.child({ module: 'persist' }),
  onProgress: (stats, idle) => send({ type: 'stats', stats, idle, influx: influx?.stats }),
  writeEvents: createEventStore({ legacyClassCode: config.legacy.classCode }),
});

async function close(drainMs: number): Promise<void> {
  const deadline = Date.now() + drainMs;
  if (stages.forwarder) await stages.forwarder.drain(drainMs);
  while (!persister.idle && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await stages.forwarder?.close();
  await persister.close();
  await influx?.close();
  await stages.source.close();
  stages.pubsub.close();
  stages.close();
  cursor.close();
  await db.destroy();
  send({ type: 'stats', stats: persister.stats, idle: true, influx: influx?.stats });
  port.close(); // the thread exits; the main thread waits for that
}

port.on('message', (message: ToPipeline) => {
  if (message.type === 'appended') cursor.appended();
  else if (message.type === 'close') {
    close(message.drainMs).catch((err) => {
      log.error({ err }, 'pipeline shutdown failed');
      port.close();
    });
  }
});

stages.forwarder?.start();
influx?.start();
persister.start();
