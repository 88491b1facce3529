/**
 * The one place the main thread's side of the mode is chosen (config.mode, decided by
 * core/config.ts): the embedded or the Redis coordination. The pipeline thread's side is
 * pipeline/createStages.ts.
 */
import type { PipelineMode } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Coordination } from './capabilities.ts';
import { createEmbeddedCoordination } from './embedded.ts';
import { createRedisCoordination } from './redisCoordination.ts';

export type { Coordination };

export function createCoordination(options: { mode: PipelineMode; collectorId: string; log: Logger; command?: string }): Coordination {
  const { mode, log } = options;
  return mode.kind === 'redis' ? createRedisCoordination({ redisUrl: mode.redisUrl, collectorId: options.collectorId, log, command: options.command }) : createEmbeddedCoordination(log);
}
