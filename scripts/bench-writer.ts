/**
 * The event writer alone (persist capacity without HTTP, Redis or the pipeline thread): writes
 * BENCH_WRITER_EVENTS bench-shaped events in batches of 500 into a fresh PostgreSQL, in order, and
 * prints events/s and, with pg_stat_statements, where PostgreSQL's time went per event.
 * `npm run bench:writer` — for A/B work on the persist path; never asserts.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startPostgres } from '../test/helpers/services.ts';
import { createDb, migrateLatest } from '../collector/src/db/createDb.ts';
import { createEventStore } from '../collector/src/pipeline/projections.ts';
import { normaliseEvent } from "@cell-monitor/shared";
import { rememberText } from '../collector/src/persist/eventRows.ts';

const TOTAL = Number(process.env.BENCH_WRITER_EVENTS ?? 30_000);
const BATCH = Number(process.env.BENCH_WRITER_BATCH ?? 500);
const STUDENTS = 200;
const NOTEBOOKS = ['/course/week1.ipynb', '/course/week2.ipynb', '/course/week3-pandas.ipynb', '/course/project/analysis.ipynb'];

function event(n: number, t0: number) {
  const student = (n * 7919) % STUDENTS;
  const failed = n % 20 === 0;
  return {
    eventId: `w-${n}`,
    eventType: failed ? 'cell_execution_error' : 'cell_execution_complete',
    eventTime: new Date(t0 + n).toISOString(),
    userId: `student-${student}`,
    sessionId: `session-${student}-${Math.floor(n / 3000) % 3}`,
    notebookPath: NOTEBOOKS[student % NOTEBOOKS.length],
    cellId: `cell-${n % 30}`,
    cellType: 'code',
    code: 'df = pd.read_csv("data/grades.csv")\ndf.describe()',
    executionCount: (n % 500) + 1,
    durationMs: 3 + ((n * 31) % 900),
    success: !failed,
    output: failed ? undefined : `0 1 4 9 16 25 36 49 64 ${n % 100}\n`,
    error: failed ? { name: 'NameError', message: "name 'df' is not defined" } : undefined,
  };
}

const server = await startPostgres();
const url = await server.createDatabase('writer');
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
await admin.end();
await server.stop();
await server.start();
const db = createDb(url);
await migrateLatest(db);
if (process.env.BENCH_WRITER_SQL) await db.raw(process.env.BENCH_WRITER_SQL); // A/B: a schema change to weigh
await db.raw('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
await db.raw('ALTER SYSTEM SET pg_stat_statements.track_planning = on');
await db.raw('SELECT pg_reload_conf()');
const write = createEventStore();
const t0 = Date.now();
// As the persister reads them: parsed from the stored text, which the gate stores as the payload.
const events = Array.from({ length: TOTAL }, (_, n) => {
  const text = JSON.stringify((normaliseEvent(event(n, t0)) as any).event);
  const parsed = JSON.parse(text);
  rememberText(parsed, text);
  return parsed;
});
// warm-up batch
await write(db, events.slice(0, BATCH));
await db.raw('SELECT pg_stat_statements_reset()');
const started = performance.now();
const cpu0 = process.cpuUsage();
for (let i = BATCH; i < TOTAL; i += BATCH) await write(db, events.slice(i, i + BATCH));
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
const n = TOTAL - BATCH;
console.log(`# writer: ${n} events in ${seconds.toFixed(1)} s = ${Math.round(n / seconds)} events/s; node CPU ${((cpu.user + cpu.system) / 1000 / n * 1000).toFixed(0)} µs/event`);
const rows = (await db.raw(`SELECT calls, total_exec_time, total_plan_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 14`)).rows;
let sum = 0;
let plan = 0;
for (const r of (await db.raw('SELECT total_exec_time, total_plan_time FROM pg_stat_statements')).rows) { sum += r.total_exec_time; plan += r.total_plan_time; }
console.log(`# PostgreSQL time per event: execution ${(sum * 1000 / n).toFixed(0)} µs, planning ${(plan * 1000 / n).toFixed(0)} µs`);
for (const r of rows) console.log(`${(r.total_exec_time * 1000 / n).toFixed(1).padStart(7)} +${(r.total_plan_time * 1000 / n).toFixed(1).padStart(5)} µs/ev ${String(r.calls).padStart(5)} calls  ${r.q}`);
await db.destroy();
await server.stop();
process.exit(0);
