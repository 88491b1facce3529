/**
 * What an owner declares about the data it keeps: every table of the store has one owner folder
 * (the only one that queries it), which lists the table in its `tables.ts` with the student data
 * it holds; every place outside the store that holds events (the buffer file, the Redis Stream,
 * the InfluxDB copy) registers itself as a sink. Privacy (export, erasure, retention) learns where
 * a student's data is from these declarations, composed in privacy/registry.ts, and from nowhere
 * else. Here, low in the folder order, so that every domain can import the types.
 *
 * Two tests hold them to the code: test/collector/privacy/coverage.test.ts reads the migrated
 * schema of both engines (a table without an owner, a student or user column not declared as
 * personal data, a foreign key not declared in `refersTo`: each fails), and
 * test/architecture/tableOwners.test.ts fails when a file outside a table's owner names it in a query.
 */
import type { Knex } from 'knex';

/** How a table holds a student's data: which column names her, which time column ages her rows. */
export interface PersonalData {
  /** The column that names the student: her `students.id`, or her Jupyter user name. */
  key: 'student_id' | 'user_id';
  /** The primary key, for paging (export) and batches (retention). */
  pk: string;
  /** SQL over the table's own columns: the row's time for retention; absent: `kept` says why not swept. */
  time?: string;
  kept?: string;
  /**
   * Retention by the class that owns the row (hand-ins), not by the student's rule: SQL giving the
   * row's class id.
   */
  byClass?: string;
  /** SQL: the notebook path the row is about (for the per-class retention rule); absent: no notebook. */
  notebookPath?: string;
  /** The row names a notebook by id (notebooks only she used go with her on erasure). */
  notebookId?: true;
  /** The row names a notebook by its path (`notebookPath`): a notebook such a row names is still in use. */
  notebookByPath?: true;
  /** JSON columns: jsonb on PostgreSQL, JSON text on SQLite (parsed for the export). */
  json?: string[];
}

/** A student named inside a JSON column of rows that are not hers (her seat on a seat map). */
export interface EmbeddedPersonal {
  column: string;
  /** The row's primary key: the erasure rewrites the column of each row that names her. */
  pk: string;
  how: string;
  /** Her parts of one row's (parsed) column as export records, and the value without them. */
  split(value: unknown, userId: string, pk: unknown): { mine: SinkRecord[]; rest: unknown };
}

export interface OwnedTable {
  table: string;
  /** The folder under collector/src that owns the table: the only one that names it in a query. */
  owner: string;
  /** Absent: no student data in its rows (configuration, instructors' data). */
  personal?: PersonalData;
  embedded?: EmbeddedPersonal;
  /**
   * The tables its rows point at (its foreign keys; the coverage test compares them with the
   * migrated schema). The erasure deletes a table's rows before those of every table it refers to,
   * so `students`, which every `student_id` points at, goes last.
   */
  refersTo?: readonly string[];
  /**
   * References of `refersTo` (column → table) that PostgreSQL keeps without a foreign key: a per-row
   * check cost more than the rest of the insert, and the persister is their single writer. The
   * coverage test checks that none dangles after the retention sweep and the erasure.
   */
  refsKeptByWriter?: Readonly<Record<string, string>>;
  /**
   * The table is the one rows name a student or a notebook by: the student's own row (deleted
   * last, swept once nothing refers to her), the notebooks (kept while a row names them).
   */
  role?: 'student' | 'notebook';
  /**
   * A table derived from others (sums kept by a projection): after the retention sweep deleted rows
   * older than `before` (the latest cutoff in effect), brings the sums of what was partly swept
   * back in line with the rows left. Returns how many rows it recomputed.
   */
  rederive?: (db: Knex, before: Date) => Promise<number>;
  /** Swept by its class's retention though no student column names anyone (a class's broadcasts). */
  classRetention?: { pk: string; time: string; classId: string };
  /**
   * Content shared between students, kept while rows refer to it (history's content-addressed cell
   * sources and outputs): no column names a student, yet each row is the personal data of every
   * student whose rows refer to it. `referencedBy`: those columns, in personal tables. A student's
   * export carries the rows hers refer to; after an erasure or a retention sweep, the rows no
   * reference is left to are deleted — never one another student's rows still refer to.
   */
  sharedContent?: SharedContent;
}

export interface SharedContent {
  /** The primary key, which the referring columns hold (a content hash). */
  pk: string;
  referencedBy: ReadonlyArray<{ table: string; column: string }>;
}

/** Cutoffs a sink is swept by (privacy/retentionPolicy.ts computes them). */
export interface SinkCutoffs {
  /** The latest cutoff in effect (the shortest retention). */
  shortest?: Date;
  /** The earliest cutoff, only when no retention in effect is "forever". */
  longest?: Date;
  /** Per user: the shortest retention among her classes (the global one in no class). */
  strictestByUser(): Promise<Map<string, Date>>;
}

export type SinkRecord = Record<string, unknown> & { kind: string };

/**
 * A place outside the store that holds students' events, as its owner registers it. `H` is the
 * handle privacy is given for it (an open buffer file, a Redis client, an InfluxDB eraser); a sink
 * whose handle is absent (no buffer on this machine, no Redis, no InfluxDB) is skipped.
 */
export interface OwnedSink<H> {
  name: string;
  /** The folder under collector/src that owns it. */
  owner: string;
  /**
   * When an erasure reaches it: `upstream` before the store (what it holds could still be
   * stored), `downstream` after (a copy of stored data; a failure there is reported, the rest stays erased).
   */
  stage: 'upstream' | 'downstream';
  /** Swept by every collector for its own copy, not only by the holder of the sweep lock. */
  local?: true;
  hasUser?(handle: H, userId: string): Promise<boolean>;
  /** The user's entries as export records, one at a time. */
  exportUser?(handle: H, userId: string): AsyncIterable<SinkRecord>;
  /** Deletes the user's entries; answers how many per part (`{ buffer, buffer_dead_letters }`). */
  eraseUser(handle: H, userId: string): Promise<Record<string, number>>;
  /** Deletes what retention no longer allows; answers how many per part. */
  sweepBefore(handle: H, cutoffs: SinkCutoffs, signal?: AbortSignal): Promise<Record<string, number>>;
}
