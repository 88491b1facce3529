import type { LiveEvent } from '@cell-monitor/shared';
import type { Config } from '../core/config.ts';
import type { PersisterStats } from '../persist/createPersister.ts';

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
  | { type: 'stats'; stats: PersisterStats; idle: boolean }
  /** Embedded mode only: persisted events for this process's /ws clients (Redis carries them otherwise). */
  | { type: 'live'; events: LiveEvent[] };
