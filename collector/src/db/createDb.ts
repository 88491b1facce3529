import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { migrationSource } from './migrationSource.ts';

export type Db = Knex;

export function isPostgres(db: Knex): boolean {
  return db.client.config.client === 'pg';
}

/** The main store: PostgreSQL when `databaseUrl` is postgres://…, else an SQLite file (embedded default). */
export function createDb(databaseUrl: string): Knex {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return knex({
      client: 'pg',
      connection: { connectionString: databaseUrl, application_name: 'cell-monitor-collector' },
      pool: { min: 0, max: 10 },
      acquireConnectionTimeout: 10_000,
    });
  }
  const file = databaseUrl.replace(/^sqlite:\/\//, '');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return knex({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { pragma: (s: string) => unknown }, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('journal_mode = WAL');
        conn.pragma('synchronous = NORMAL');
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        done(null, conn);
      },
    },
  });
}

/** Applies every pending migration in `migrations/` (the same files on PostgreSQL and SQLite). */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource, tableName: 'knex_migrations' })) as [number, string[]];
  return applied;
}

export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:\/\/[^@]*@/, '://***@');
  }
}
