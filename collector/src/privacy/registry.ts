/**
 * Where data lives, as its owners declare it: every owner folder's `tables.ts` (each table of the
 * store, once, with the student data it holds) and every sink an owner registers (the buffer file,
 * the Redis Streams, the InfluxDB copy). Export and erasure (studentData.ts) and the retention sweep
 * (retention.ts) iterate what is composed here and name no table of their own. A new owner of a
 * table or a sink adds one line below; db/ownedTables.ts says what each field means.
 *
 * The erasure order is derived, never listed: a table's rows go before those of every table it
 * refers to (`refersTo`, its foreign keys), and every personal row before the student's own row
 * (`role: 'student'`), which goes last.
 */
import { TABLES as activity } from '../activity/tables.ts';
import { TABLES as assignments } from '../assignments/tables.ts';
import { TABLES as auth } from '../auth/tables.ts';
import { BUFFER_SINK, type BufferRows } from '../buffer/bufferRows.ts';
import { TABLES as classes } from '../classes/tables.ts';
import type { OwnedSink, OwnedTable, PersonalData, SinkCutoffs, SinkRecord } from '../db/ownedTables.ts';
import { TABLES as environment } from '../environment/tables.ts';
import { STREAM_SINK, type StreamEntries } from '../forward/streamEntries.ts';
import { TABLES as help } from '../help/tables.ts';
import { TABLES as history } from '../history/tables.ts';
import { TABLES as instructors } from '../instructors/tables.ts';
import { TABLES as operations } from '../operations/tables.ts';
import { TABLES as persist } from '../persist/tables.ts';
import { TABLES as sessions } from '../sessions/tables.ts';
import { INFLUX_SINK, type InfluxEraser } from '../sink/influxErasure.ts';
import { TABLES as students } from '../students/tables.ts';

/** Every table of the store, each declared by its one owner. */
export const OWNED_TABLES: readonly OwnedTable[] = [...persist, ...operations, ...environment, ...activity, ...history, ...help, ...students, ...assignments, ...classes, ...sessions, ...instructors, ...auth];

/** The handles privacy is given for the sinks; a sink without one is skipped. */
export interface Transports {
  /** This collector's buffer file (absent on a machine without one). */
  buffer?: BufferRows;
  /** The streams (Coordination.streams: Redis mode's; embedded, none and every answer empty). */
  streams?: StreamEntries;
  /** INFLUXDB_*: the InfluxDB copy. */
  influx?: InfluxEraser;
}

interface RegisteredSink<K extends keyof Transports> {
  transport: K;
  sink: OwnedSink<NonNullable<Transports[K]>>;
}

/** Every sink, in the order an erasure reaches the upstream ones. */
export const SINKS: ReadonlyArray<RegisteredSink<'buffer'> | RegisteredSink<'streams'> | RegisteredSink<'influx'>> = [
  { transport: 'buffer', sink: BUFFER_SINK },
  { transport: 'streams', sink: STREAM_SINK },
  { transport: 'influx', sink: INFLUX_SINK },
];

/** A sink bound to its handle. */
export interface BoundSink {
  name: string;
  stage: 'upstream' | 'downstream';
  local: boolean;
  hasUser(userId: string): Promise<boolean>;
  exportUser(userId: string): AsyncIterable<SinkRecord>;
  eraseUser(userId: string): Promise<Record<string, number>>;
  sweepBefore(cutoffs: SinkCutoffs, signal?: AbortSignal): Promise<Record<string, number>>;
}

async function* nothing(): AsyncGenerator<SinkRecord> {}

function bind<K extends keyof Transports>(entry: RegisteredSink<K>, transports: Transports): BoundSink | undefined {
  const handle = transports[entry.transport] as NonNullable<Transports[K]> | undefined;
  if (!handle) return undefined;
  const { sink } = entry;
  return {
    name: sink.name,
    stage: sink.stage,
    local: sink.local === true,
    hasUser: async (userId) => (await sink.hasUser?.(handle, userId)) ?? false,
    exportUser: (userId) => sink.exportUser?.(handle, userId) ?? nothing(),
    eraseUser: (userId) => sink.eraseUser(handle, userId),
    sweepBefore: (cutoffs, signal) => sink.sweepBefore(handle, cutoffs, signal),
  };
}

/** The registered sinks that have a handle in `transports`, in registry order. */
export function sinksOf(transports: Transports): BoundSink[] {
  return SINKS.map((entry) => bind(entry, transports)).filter((s): s is BoundSink => s !== undefined);
}

/** A table with student data, flattened: its name and its personal-data declaration. */
export interface PersonalTable extends PersonalData {
  table: string;
}

function withRole(role: NonNullable<OwnedTable['role']>): OwnedTable {
  const found = OWNED_TABLES.filter((t) => t.role === role);
  if (found.length !== 1) throw new Error(`exactly one table must have role ${role}, found ${found.map((t) => t.table).join(', ') || 'none'}`);
  return found[0];
}

/** The student's own row (every personal row is hers), and the notebooks rows name. */
export const STUDENTS = withRole('student');
export const NOTEBOOKS = withRole('notebook');

/** Children before parents: a table before every table it refers to, and `students` after every other. */
function erasureOrder(tables: readonly OwnedTable[]): PersonalTable[] {
  const personal = tables.filter((t) => t.personal);
  const refersTo = (t: OwnedTable) => [...(t.refersTo ?? []), ...(t === STUDENTS ? [] : [STUDENTS.table])];
  const placed = new Set<string>();
  const ordered: PersonalTable[] = [];
  while (ordered.length < personal.length) {
    const ready = personal.find((t) => !placed.has(t.table) && personal.every((o) => o === t || placed.has(o.table) || !refersTo(o).includes(t.table)));
    if (!ready) throw new Error(`personal tables refer to each other around a cycle: ${personal.filter((t) => !placed.has(t.table)).map((t) => t.table).join(', ')}`);
    placed.add(ready.table);
    ordered.push({ table: ready.table, ...ready.personal! });
  }
  return ordered;
}

const seen = new Set<string>();
for (const { table } of OWNED_TABLES) {
  if (seen.has(table)) throw new Error(`${table} is declared by two owners`);
  seen.add(table);
}

/** Every table holding a student's data, in the erasure order (`students` last). */
export const PERSONAL_TABLES: readonly PersonalTable[] = erasureOrder(OWNED_TABLES);
/** The personal tables but the student's own row: what refers to her. */
export const STUDENT_TABLES: readonly PersonalTable[] = PERSONAL_TABLES.filter((t) => t.table !== STUDENTS.table);
/** Tables whose rows name a notebook by id, and by path (a notebook none of them names is an orphan). */
export const NOTEBOOK_ID_TABLES = STUDENT_TABLES.filter((t) => t.notebookId).map((t) => t.table);
export const NOTEBOOK_PATH_TABLES = STUDENT_TABLES.filter((t) => t.notebookByPath && t.notebookPath);
/** A student named inside another table's column (her seat on seat maps). */
export const EMBEDDED = OWNED_TABLES.filter((t) => t.embedded).map((t) => ({ table: t.table, ...t.embedded! }));
/** Content shared between students (content-addressed blobs), kept while a personal row refers to it. */
export const SHARED_CONTENT = OWNED_TABLES.filter((t) => t.sharedContent).map((t) => ({ table: t.table, ...t.sharedContent! }));
for (const { table, referencedBy } of SHARED_CONTENT) {
  for (const ref of referencedBy) if (!STUDENT_TABLES.some((t) => t.table === ref.table)) throw new Error(`${table} is referred to by ${ref.table}, which is not a personal table (whose rows would keep it)`);
}
/** Tables swept by their class's retention without naming a student. */
export const CLASS_RETENTION_TABLES = OWNED_TABLES.filter((t) => t.classRetention).map((t) => ({ table: t.table, ...t.classRetention! }));
