import path from 'node:path';
import knex, { type Knex } from 'knex';
import { makePrivateDir } from '../core/privateFiles.ts';
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
      // A failed connection rejects the query that asked for it: the caller reports it (at start,
      // cli/startupErrors.ts names the fix), so knex's own copy with a stack is not printed.
      log: { warn: (message: string) => { if (!message.startsWith('Acquire connection error')) console.warn(message); } },
    });
  }
  const file = databaseUrl.replace(/^sqlite:\/\//, '');
  makePrivateDir(path.dirname(file));
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

/**
 * A write transaction that starts with a read. On SQLite, when another connection (the pipeline
 * thread persisting events) commits between this transaction's first read and its first write,
 * the write fails at once with SQLITE_BUSY_SNAPSHOT — waiting cannot help, only starting again —
 * so the whole transaction is retried a few times. PostgreSQL needs no retry here.
 */
export async function writeTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const pg = isPostgres(db);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (trx) => {
        // SQLite: a write as the first statement takes the write lock before any read, waiting
        // (busy_timeout) for the pipeline thread's commit instead of failing on a stale snapshot.
        if (!pg) await trx.raw('UPDATE knex_migrations_lock SET is_locked = is_locked WHERE 0');
        return work(trx);
      });
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? '');
      if (pg || !code.startsWith('SQLITE_BUSY') || attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
    }
  }
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
