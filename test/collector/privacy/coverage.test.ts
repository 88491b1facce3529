/**
 * Erasure, export and retention cover every table that holds a student's data — found from the
 * migrated schema itself, on both engines (information_schema on PostgreSQL, pragma table_info on
 * SQLite), never from a list in this test: every table with a `student_id` or `user_id` column
 * must be in the registry (privacy/studentTables.ts), the fixture must give the student a row in
 * it, the export must carry every such row, the sweep must delete the old ones (unless the registry
 * says why it keeps them) and the erasure must leave none.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Knex } from 'knex';
import { isPostgres } from '../../../collector/src/db/createDb.ts';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { sweepRetention } from '../../../collector/src/privacy/retention.ts';
import { STUDENT_TABLES, STUDENTS_TABLE } from '../../../collector/src/privacy/studentTables.ts';
import { login, request } from '../../helpers/http.ts';
import { activity, DAY_MS, parseExport } from '../../helpers/privacyFixtures.ts';
import { waitFor } from '../../helpers/services.ts';
import { buildCellEvent, modesToTest, openStore, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const SECRET = 'privacy-coverage-test-jwt-secret-0123456789';
/** The columns that name a student: her students.id, or her Jupyter user name. */
const KEY_COLUMNS = ['student_id', 'user_id'];

interface Column {
  table: string;
  column: string;
  type: string;
}

/** Every column of every table of the migrated store (knex's own tables left out). */
async function schemaOf(db: Knex): Promise<Column[]> {
  if (isPostgres(db)) {
    const rows = await db('information_schema.columns').where('table_schema', db.raw('current_schema()')).whereNot('table_name', 'like', 'knex_%').select('table_name', 'column_name', 'data_type');
    return rows.map((r) => ({ table: r.table_name, column: r.column_name, type: String(r.data_type).toLowerCase() }));
  }
  const tables: Array<{ name: string }> = await db('sqlite_master').where({ type: 'table' }).whereNot('name', 'like', 'knex_%').whereNot('name', 'like', 'sqlite_%').select('name');
  const out: Column[] = [];
  for (const { name } of tables) for (const c of await db.raw(`PRAGMA table_info(${JSON.stringify(name)})`)) out.push({ table: name, column: c.name, type: String(c.type).toLowerCase() });
  return out;
}

const isTime = (type: string) => type.startsWith('timestamp') || type === 'datetime' || type === 'date';

const environmentEvent = (userId: string, at: Date) =>
  buildCellEvent({ userId, eventType: 'kernel_environment', eventTime: at.toISOString(), cellId: undefined, metadata: { environment: { python: '3.11.7', implementation: 'CPython', platform: 'Linux', kernelName: 'python3', packages: { pandas: '2.2.3' } } } });
const connectionTest = (userId: string, at: Date) => buildCellEvent({ userId, eventType: 'connection_test', eventTime: at.toISOString(), cellId: undefined, notebookPath: undefined });

for (const mode of modesToTest()) {
  const it = suite(`privacy covers every student table of the schema [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  let services: Services;
  let running: RunningCollector;
  let store: Knex;
  let token: string;
  /** Per table of the schema with a student column: that column. */
  const personal = new Map<string, string>();
  let schema: Column[] = [];
  const api = (method: string, route: string, body?: unknown) => request(running.url, method, route, { token, body });

  /** The student's rows in `table`, found by its student column alone. */
  async function rowsOf(table: string, userId: string, db = store): Promise<number> {
    const column = personal.get(table)!;
    const q = db(table);
    if (column === 'user_id') q.where({ user_id: userId });
    else q.whereIn(column, db('students').select('id').where({ user_id: userId }));
    return Number((await q.count({ n: '*' }))[0].n);
  }
  const census = async (userId: string) => Object.fromEntries(await Promise.all([...personal.keys()].sort().map(async (t) => [t, await rowsOf(t, userId)] as const)));

  it.before(async () => {
    services = await startServices(mode);
    running = await startCollector(services.env({ JWT_SECRET: SECRET }));
    store = openStore(services.databaseUrl);
    await createInstructor(running.collector.db, { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' });
    token = await login(running.url, 'root@example.org', 'root-password-1');
  });
  it.after(async () => {
    await running.close();
    await store.destroy();
    await services.stop();
  });

  it('every table with a student or user column is in the registry, with that column as its key', async () => {
    schema = await schemaOf(running.collector.db);
    for (const c of schema) if (KEY_COLUMNS.includes(c.column)) personal.set(c.table, c.column);
    assert.ok(personal.size >= 10, `the schema was read (${[...personal.keys()].join(', ')})`);
    const registry = new Map<string, string>([...STUDENT_TABLES.map((t) => [t.table, t.key] as const), [STUDENTS_TABLE.table, STUDENTS_TABLE.key]]);
    for (const [table, column] of personal) {
      assert.ok(registry.has(table), `${table}.${column} holds student data but privacy/studentTables.ts does not list ${table}: erasure, export and retention would skip it`);
      assert.is(registry.get(table), column, `${table}: the registry's key column`);
    }
    for (const table of registry.keys()) assert.ok(personal.has(table), `the registry lists ${table}, which the schema does not have`);
  });

  it('with a row of alice (40 days old) and carol (recent) in every such table: the export carries them all, the sweep takes the old ones, the erasure leaves none', async () => {
    const old = new Date(Date.now() - 40 * DAY_MS);
    const recent = new Date(Date.now() - DAY_MS);
    const users = { alice: old, bob: recent, carol: recent };
    const events = Object.entries(users).flatMap(([user, at]) => [...activity(user, at, 'cov'), environmentEvent(user, at), connectionTest(user, at)]);
    assert.is((await postEvents(running.url, events)).status, 202);
    await waitFor(async () => (await rowsOf('connection_tests', 'carol')) > 0 && (await rowsOf('student_environments', 'carol')) > 0 && Number((await store('events').count({ n: '*' }))[0].n) === 15 || undefined, 30_000, 'every event stored');
    const classId = (await api('post', '/api/v1/classes', { name: 'Coverage', class_code: 'COVER' })).body.id;
    await api('put', `/api/v1/classes/${classId}/settings`, { retention_days: 30 });
    const assignmentId = (await api('post', '/api/v1/assignments', { class_id: classId, notebook_path: 'cov.ipynb', title: 'Cov' })).body.id;
    for (const user of Object.keys(users)) {
      const student = (await api('post', `/api/v1/classes/${classId}/students`, { user_id: user })).body.student.id;
      assert.is((await api('post', '/api/v1/submissions', { assignment_id: assignmentId, student_id: student, notebook_content: { cells: [] } })).status, 201);
      await store('student_notifications').insert({ student_id: student, type: 'broadcast', payload: '{}', created_at: new Date().toISOString() });
    }
    // alice's rows, aged: every time column of every one of her rows, whatever the table.
    for (const [table] of personal) {
      const times = schema.filter((c) => c.table === table && isTime(c.type)).map((c) => c.column);
      const column = personal.get(table)!;
      const mine = column === 'user_id' ? store(table).where({ user_id: 'alice' }) : store(table).whereIn(column, store('students').select('id').where({ user_id: 'alice' }));
      if (times.length > 0) await mine.update(Object.fromEntries(times.map((t) => [t, old.toISOString()])));
    }
    const before = { alice: await census('alice'), bob: await census('bob'), carol: await census('carol') };
    for (const [user, counts] of Object.entries(before)) for (const [table, n] of Object.entries(counts)) assert.ok(n > 0, `the fixture gives ${user} no row in ${table}: extend it for the new table`);

    // Export: every row of carol's, table by table.
    const reply = await api('get', '/api/v1/students/by-user/carol/export');
    assert.is(reply.status, 200);
    const exported = parseExport(reply.body);
    for (const [table, n] of Object.entries(before.carol)) {
      if (table === STUDENTS_TABLE.table) assert.is(exported.header.student?.user_id, 'carol');
      else assert.is(exported.tables[table]?.length ?? 0, n, `the export carries carol's rows of ${table}`);
    }

    // Retention: alice's old rows go wherever they are, unless the registry says why a table is kept.
    await sweepRetention(store, { now: new Date(), globalDays: 30 });
    const kept = new Set([STUDENTS_TABLE.table, ...STUDENT_TABLES.filter((t) => t.kept).map((t) => t.table)]);
    const swept = await census('alice');
    for (const [table, n] of Object.entries(swept)) assert.is(n, kept.has(table) ? before.alice[table] : 0, `retention: alice's 40-day-old rows in ${table}`);
    assert.equal(await census('bob'), before.bob, "bob's recent rows stay");

    // Erasure: nothing of carol's anywhere; bob intact.
    const erased = await api('delete', '/api/v1/students/by-user/carol/data', { confirm: 'carol' });
    assert.is(erased.status, 200, JSON.stringify(erased.body));
    for (const [table, n] of Object.entries(await census('carol'))) assert.is(n, 0, `erasure leaves carol's rows in ${table}`);
    assert.equal(await census('bob'), before.bob);
  });

  it.run();
}
