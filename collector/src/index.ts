export { createCollector, type Collector } from './createCollector.ts';
export { createApp, type App, type AppParts } from './createApp.ts';
export { loadConfig, ConfigError, type Config } from './core/config.ts';
export { createLogger } from './core/logger.ts';
export { createDb, migrateLatest } from './db/createDb.ts';
