import { createDb, migrateLatest } from '../db/createDb.ts';
import { createLogger } from '../core/logger.ts';
import { configOrExit } from './usage.ts';

/** `migrate`: apply the database migrations and exit. */
export async function migrateCommand(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel, config);
  const db = createDb(config.databaseUrl);
  try {
    const applied = await migrateLatest(db);
    log.info({ applied }, applied.length ? 'migrations applied' : 'database already up to date');
  } finally {
    await db.destroy();
  }
}
