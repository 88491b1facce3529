import type { Config } from '../core/config.ts';
import type { PersisterStats } from '../persist/createPersister.ts';
import type { InfluxSinkStats } from '../sink/influxSink.ts';

/** What the main thread hands the pipeline thread when it starts it. */
export interface PipelineData {
  config: Config;
}

export type ToPipeline =
  /** The ingest side committed rows to the buffer. */
  | { type: 'appended' }
  /** Forward what is buffered, persist what is in flight for up to `drainMs`, then stop. */
  | { type: 'close'; drainMs: number };

export type FromPipeline =
  /** `influx`: the InfluxDB sink's health, when INFLUXDB_URL is set. */
  | { type: 'stats'; stats: PersisterStats; idle: boolean; influx?: InfluxSinkStats }
  /** Embedded mode only: a live message for the main thread's in-process pub/sub (Redis carries it otherwise). */
  | { type: 'publish'; channel: string; text: string };
