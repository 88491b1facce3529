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
 * A database error fit for the log: knex puts the whole statement, bound values included (cell
 * source!), in `message`; keep only the driver's own words after it, and the code.
 */
export function dbErrorForLog(err: unknown): { code?: string; message: string } {
  const e = err as { code?: string; message?: string };
  const message = String(e?.message ?? err);
  const tail = message.includes(' - ') ? message.slice(message.lastIndexOf(' - ') + 3) : message;
  return { code: e?.code, message: tail.slice(0, 300) };
}
