/**
 * The one list of where a student's data lives in the store. Export (studentData.ts), erasure
 * (studentData.ts) and the retention sweep (retention.ts) take their tables from here and nowhere
 * else; `test/collector/privacy/coverage.test.ts` reads the migrated schema of both engines and fails
 * when a table with a student or user column (`student_id`, `user_id`) is missing here, so a new
 * table cannot be forgotten.
 *
 * | table                  | key        | retention: a row is old when …                            |
 * |------------------------|------------|-----------------------------------------------------------|
 * | events                 | user_id    | event_time < cutoff                                       |
 * | connection_tests       | user_id    | stored_at < cutoff (the ingest path also drops them after 10 min) |
 * | student_environments   | user_id    | last_seen_at < cutoff                                     |
 * | cell_executions        | student_id | executed_at < cutoff                                      |
 * | error_logs             | student_id | occurred_at < cutoff                                      |
 * | notebook_accesses      | student_id | accessed_at < cutoff                                      |
 * | help_requests          | student_id | resolved (else cancelled) before the cutoff; open ones stay |
 * | student_notifications  | student_id | created_at < cutoff                                       |
 * | assignment_submissions | student_id | submitted_at < cutoff, by the retention of the assignment's class |
 * | sessions               | student_id | last seen (else ended, else started) < cutoff             |
 * | cells                  | student_id | updated_at < cutoff                                       |
 * | class_enrollments      | student_id | kept: membership is configuration (gone when she leaves the class or is erased) |
 * | students               | user_id    | in no class, last seen before the global cutoff, nothing refers to her |
 *
 * Besides these, `class_seat_maps.placements` names students by user id inside JSON (her seat is
 * exported and erased; seat maps are configuration, kept), and `notebooks` rows that only she used
 * go with her (a path can name a person). Which retention applies to a row: retentionPolicy.ts.
 */

export interface StudentTable {
  table: string;
  /** The column that names the student: her `students.id`, or her Jupyter user name. */
  key: 'student_id' | 'user_id';
  /** The primary key, for paging (export) and batches (retention). */
  pk: string;
  /** SQL over the table's own columns: the row's time for retention; absent: `kept` says why not swept. */
  time?: string;
  kept?: string;
  /** Retention by the class that owns the row (hand-ins), not by the student's rule. */
  byClass?: true;
  /** SQL: the notebook path the row is about (for the per-class retention rule); absent: no notebook. */
  notebookPath?: string;
  /** The row names a notebook by id (notebooks only she used go with her on erasure). */
  notebookId?: true;
  /** JSON columns: jsonb on PostgreSQL, JSON text on SQLite (parsed for the export). */
  json?: string[];
}

const pathOfNotebookId = (table: string) => `(SELECT nb.path FROM notebooks nb WHERE nb.id = ${table}.notebook_id)`;

/** Children before parents: the erasure order. `students` is last and handled apart (the parent). */
export const STUDENT_TABLES: readonly StudentTable[] = [
  { table: 'events', key: 'user_id', pk: 'id', time: 'events.event_time', notebookPath: 'events.notebook_path', json: ['payload'] },
  { table: 'connection_tests', key: 'user_id', pk: 'event_id', time: 'connection_tests.stored_at' },
  { table: 'student_environments', key: 'user_id', pk: 'id', time: 'student_environments.last_seen_at' },
  { table: 'cell_executions', key: 'student_id', pk: 'id', time: 'cell_executions.executed_at', notebookPath: pathOfNotebookId('cell_executions'), notebookId: true, json: ['output'] },
  { table: 'error_logs', key: 'student_id', pk: 'id', time: 'error_logs.occurred_at', notebookPath: pathOfNotebookId('error_logs'), notebookId: true },
  { table: 'notebook_accesses', key: 'student_id', pk: 'id', time: 'notebook_accesses.accessed_at', notebookPath: pathOfNotebookId('notebook_accesses'), notebookId: true },
  { table: 'help_requests', key: 'student_id', pk: 'id', time: 'COALESCE(help_requests.resolved_at, help_requests.cancelled_at)', notebookPath: 'help_requests.notebook_path' },
  { table: 'student_notifications', key: 'student_id', pk: 'id', time: 'student_notifications.created_at', json: ['payload'] },
  { table: 'assignment_submissions', key: 'student_id', pk: 'id', time: 'assignment_submissions.submitted_at', byClass: true, json: ['notebook_content'] },
  { table: 'class_enrollments', key: 'student_id', pk: 'id', kept: 'membership in a class is configuration; it goes when she leaves the class or is erased' },
  { table: 'cells', key: 'student_id', pk: 'id', time: 'cells.updated_at', notebookPath: pathOfNotebookId('cells'), notebookId: true },
  { table: 'sessions', key: 'student_id', pk: 'id', time: 'COALESCE(sessions.last_seen_at, sessions.ended_at, sessions.started_at)', notebookPath: 'sessions.notebook_path' },
];

/** The parent row: deleted by erasure after every table above, by retention once nothing refers to her. */
export const STUDENTS_TABLE = { table: 'students', key: 'user_id', pk: 'id', json: [] as string[] } as const;

/** Personal data inside other tables' columns, handled by name in studentData.ts. */
export const EMBEDDED_PERSONAL_COLUMNS = [{ table: 'class_seat_maps', column: 'placements', how: "her seat (JSON keyed by user id): exported and removed on erasure; seat maps are kept" }] as const;

/** Tables whose rows name a notebook by id (a notebook no row or event names any more is an orphan). */
export const NOTEBOOK_ID_TABLES = STUDENT_TABLES.filter((t) => t.notebookId).map((t) => t.table);
