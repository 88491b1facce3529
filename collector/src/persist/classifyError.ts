/**
 * Decides whether a database error is about the data (retrying cannot help: dead-letter the event)
 * or about the database being unreachable / busy (retry later, keep the entry unacked).
 */
export function classifyDbError(err: unknown): { kind: 'retry' | 'dead'; reason: string } {
  const code = String((err as { code?: unknown })?.code ?? '');
  // PostgreSQL SQLSTATE classes 22 (data exception), 23 (integrity constraint violation) and 54
  // (program limit exceeded: e.g. 54000, a value too large for its btree index). Retrying a row
  // that can never be written only stops everyone behind it.
  if (/^(22|23|54)[0-9A-Z]{3}$/.test(code)) return { kind: 'dead', reason: `pg_${code}` };
  if (code === 'SQLITE_CONSTRAINT' || code.startsWith('SQLITE_CONSTRAINT_') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG') {
    return { kind: 'dead', reason: code.toLowerCase() };
  }
  if (err instanceof TypeError || err instanceof RangeError) return { kind: 'dead', reason: 'unmappable_event' };
  return { kind: 'retry', reason: code ? `db_${code.toLowerCase()}` : 'db_unavailable' };
}

/**
 * The database is away, starting, stopping or busy — never the event's fault, so a batch failing
 * with it is retried as it is and never split to find a culprit (createPersister.ts). PostgreSQL
 * SQLSTATE classes 08 (connection), 53 (insufficient resources), 57P (operator intervention: shut
 * down, crashed, not yet accepting connections) and 40 (rolled back: deadlock, serialisation), the
 * socket errors, a full connection pool, SQLite's busy/locked. A PostgreSQL starting up answers a
 * `select 1` on one connection while another is still refused with 57P03: the chaos test saw an
 * event dead-lettered that way.
 */
export function isDatabaseAway(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  const code = String(e?.code ?? '');
  if (/^(08|53|40)[0-9A-Z]{3}$/.test(code) || /^57P0[0-9]$/.test(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'SQLITE_BUSY', 'SQLITE_LOCKED'].includes(code)) return true;
  if (e?.name === 'KnexTimeoutError') return true;
  return /Connection terminated|Connection ended unexpectedly|Client has encountered a connection error|not queryable/i.test(String(e?.message ?? ''));
}

/**
 * A database error fit for the log: knex puts the whole statement, bound values included (cell
 * source!), in `message`; keep only the driver's own words after it, and the code.
 */
export function dbErrorForLog(err: unknown): { code?: string; message: string } {
  const e = err as { code?: string; message?: string };
  const message = String(e?.message ?? err);
  const tail = message.includes(' - ') ? message.slice(message.lastIndexOf(' - ') + 3) : message;
  return { code: e?.code, message: tail.slice(0, 300) };
}
