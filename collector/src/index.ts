export { createCollector, type Collector } from './collector.ts';
export { loadConfig, ConfigError, type Config } from './config.ts';
export { createLogger } from './logger.ts';
export { createDb, migrateLatest } from './db/createDb.ts';
