/**
 * Erasure, export and retention cover every table that holds a student's data — held to the
 * migrated schema itself, on both engines (information_schema and pg_constraint on PostgreSQL,
 * pragma table_info and foreign_key_list on SQLite), never to a list in this test: every table of
 * the schema must have one owner (its folder's tables.ts, composed in privacy/registry.ts); every
 * table with a `student_id` or `user_id` column must be declared personal by its owner, keyed by
 * that column; every foreign key must be declared (`refersTo`: the erasure order is derived from
 * them). Then, for every personal table of the registry: the fixture must give the student a row
 * in it, the export must carry every such row, the sweep must delete the old ones (unless the
 * owner says why it keeps them) and the erasure must leave none.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Knex } from 'knex';
import { isPostgres } from '../../../collector/src/db/createDb.ts';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { sweepRetention } from '../../../collector/src/privacy/retention.ts';
import { OWNED_TABLES, PERSONAL_TABLES, STUDENTS } from '../../../collector/src/privacy/registry.ts';
import { login, request } from '../../helpers/http.ts';
import { activity, DAY_MS, parseExport, snapshotEvent } from '../../helpers/privacyFixtures.ts';
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

/** Every foreign key of the migrated store: the table and the table it references. */
async function foreignKeysOf(db: Knex): Promise<Array<{ table: string; references: string }>> {
  if (isPostgres(db)) {
    const { rows } = await db.raw("SELECT conrelid::regclass::text AS from_table, confrelid::regclass::text AS to_table FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace");
    return rows.map((r: { from_table: string; to_table: string }) => ({ table: r.from_table, references: r.to_table }));
  }
  const tables: Array<{ name: string }> = await db('sqlite_master').where({ type: 'table' }).whereNot('name', 'like', 'knex_%').whereNot('name', 'like', 'sqlite_%').select('name');
  const out: Array<{ table: string; references: string }> = [];
  for (const { name } of tables) for (const fk of await db.raw(`PRAGMA foreign_key_list(${JSON.stringify(name)})`)) out.push({ table: name, references: fk.table });
  return out;
}

const owners = new Map(OWNED_TABLES.map((t) => [t.table, t]));
const personalOf = (table: string) => PERSONAL_TABLES.find((t) => t.table === table)!;

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

  /** The student's rows in `table`, found by the student column its owner declares. */
  const mine = (table: string, userId: string) => {
    const { key } = personalOf(table);
    return key === 'user_id' ? store(table).where({ user_id: userId }) : store(table).whereIn(key, store(STUDENTS.table).select('id').where({ user_id: userId }));
  };
  const rowsOf = async (table: string, userId: string) => Number((await mine(table, userId).count({ n: '*' }))[0].n);
  /** Her rows in every personal table of the registry. */
  const census = async (userId: string) => Object.fromEntries(await Promise.all(PERSONAL_TABLES.map(async ({ table }) => [table, await rowsOf(table, userId)] as const)));
  /** Per reference the writer keeps without a foreign key: how many rows name one (set) and how many name a row that is gone. */
  const keptRefs = async () => {
    const out: Record<string, { set: number; dangling: number }> = {};
    for (const t of OWNED_TABLES) {
      for (const [column, target] of Object.entries(t.refsKeptByWriter ?? {})) {
        const set = store(t.table).whereNotNull(column);
        const [{ n }] = await set.clone().count({ n: '*' });
        const [{ n: dangling }] = await set.clone().whereNotExists(store(target).select(store.raw('1')).whereRaw('??.id = ??.??', [target, t.table, column])).count({ n: '*' });
        out[`${t.table}.${column}`] = { set: Number(n), dangling: Number(dangling) };
      }
    }
    return out;
  };
  const noneDangles = async (when: string) => {
    for (const [ref, { dangling }] of Object.entries(await keptRefs())) assert.is(dangling, 0, `${when}: ${ref} names a row that is gone`);
  };

  it.before(async () => {
    services = await startServices(mode);
    running = await startCollector(services.env({ JWT_SECRET: SECRET }));
    store = openStore(services.databaseUrl);
    await createInstructor(running.collector.db, { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' });
    token = await login(running.url, 'root@example.org', 'root-password-1');
    schema = await schemaOf(running.collector.db);
    for (const c of schema) if (KEY_COLUMNS.includes(c.column)) personal.set(c.table, c.column);
  });
  it.after(async () => {
    await running.close();
    await store.destroy();
    await services.stop();
  });

  it('every table of the migrated schema has exactly one owner, and every owned table is in the schema', () => {
    const tables = [...new Set(schema.map((c) => c.table))].sort();
    assert.ok(tables.length >= 20, `the schema was read (${tables.join(', ')})`);
    const unowned = tables.filter((t) => !owners.has(t));
    assert.equal(unowned, [], `migrated tables without an owner: ${unowned.join(', ')} — declare each in the tables.ts of the folder that owns it (and add that file to privacy/registry.ts)`);
    const twice = OWNED_TABLES.filter((t, i) => OWNED_TABLES.findIndex((o) => o.table === t.table) !== i).map((t) => `${t.table} (${t.owner})`);
    assert.equal(twice, [], 'tables declared by two owners');
    const missing = OWNED_TABLES.filter((t) => !tables.includes(t.table)).map((t) => `${t.table} (${t.owner}/tables.ts)`);
    assert.equal(missing, [], 'owners declare tables the schema does not have');
  });

  it('every table with a student or user column is declared personal by its owner, with that column as its key', () => {
    assert.ok(personal.size >= 10, `the schema was read (${[...personal.keys()].join(', ')})`);
    const undeclared = [...personal].filter(([table]) => !owners.get(table)?.personal).map(([table, column]) => `${table}.${column}`);
    assert.equal(undeclared, [], `${undeclared.join(', ')}: student data no owner declares as personal data (\`personal: { key, pk, time }\` in its tables.ts) — erasure, export and retention would skip it`);
    for (const [table, column] of personal) assert.is(owners.get(table)!.personal!.key, column, `${table}: the key column its owner declares`);
    for (const t of PERSONAL_TABLES) assert.ok(personal.has(t.table), `${t.table} is declared personal but has no student_id or user_id column`);
  });

  it('every foreign key is declared in its table\'s refersTo (the erasure order follows them), and nothing else is', async () => {
    const keys = (await foreignKeysOf(running.collector.db)).filter((k) => k.table !== k.references);
    assert.ok(keys.length >= 20, `the foreign keys were read (${keys.length})`);
    const undeclared = keys.filter((k) => !owners.get(k.table)?.refersTo?.includes(k.references)).map((k) => `${k.table} → ${k.references}`);
    assert.equal([...new Set(undeclared)], [], 'foreign keys the owner does not declare in refersTo');
    const keptByWriter = (t: (typeof OWNED_TABLES)[number], r: string) => Object.values(t.refsKeptByWriter ?? {}).includes(r);
    const invented = OWNED_TABLES.flatMap((t) => (t.refersTo ?? []).filter((r) => !keptByWriter(t, r) && !keys.some((k) => k.table === t.table && k.references === r)).map((r) => `${t.table} → ${r}`));
    assert.equal(invented, [], 'refersTo entries the schema has no foreign key for (nor the writer keeps)');
    for (const t of OWNED_TABLES) for (const r of Object.values(t.refsKeptByWriter ?? {})) assert.ok(t.refersTo?.includes(r), `${t.table}: a reference kept by the writer is in refersTo too (the erasure order)`);
    const order = PERSONAL_TABLES.map((t) => t.table);
    for (const k of keys) if (order.includes(k.table) && order.includes(k.references)) assert.ok(order.indexOf(k.table) < order.indexOf(k.references), `the erasure deletes ${k.table} before ${k.references}`);
    assert.is(order[order.length - 1], STUDENTS.table, "the student's own row goes last");
  });

  it('with a row of alice (40 days old) and carol (recent) in every such table: the export carries them all, the sweep takes the old ones, the erasure leaves none', async () => {
    const old = new Date(Date.now() - 40 * DAY_MS);
    const recent = new Date(Date.now() - DAY_MS);
    const users = { alice: old, bob: recent, carol: recent };
    const events = Object.entries(users).flatMap(([user, at]) => [...activity(user, at, 'cov'), environmentEvent(user, at), snapshotEvent(user, at, 'cov'), connectionTest(user, at)]);
    assert.is((await postEvents(running.url, events)).status, 202);
    await waitFor(async () => (await rowsOf('connection_tests', 'carol')) > 0 && (await rowsOf('student_environments', 'carol')) > 0 && (await rowsOf('history_versions', 'carol')) > 0 && Number((await store('events').count({ n: '*' }))[0].n) === 15 || undefined, 30_000, 'every event stored');
    const classId = (await api('post', '/api/v1/classes', { name: 'Coverage', class_code: 'COVER' })).body.id;
    await api('put', `/api/v1/classes/${classId}/settings`, { retention_days: 30 });
    const assignmentId = (await api('post', '/api/v1/assignments', { class_id: classId, notebook_path: 'cov.ipynb', title: 'Cov' })).body.id;
    for (const user of Object.keys(users)) {
      const student = (await api('post', `/api/v1/classes/${classId}/students`, { user_id: user })).body.student.id;
      assert.is((await api('post', '/api/v1/submissions', { assignment_id: assignmentId, student_id: student, notebook_content: { cells: [] } })).status, 201);
      await store('student_notifications').insert({ student_id: student, type: 'broadcast', payload: '{}', created_at: new Date().toISOString() });
      // An instructor's fix on a branch of her saved version (history_branches, history_branch_versions).
      const version = Number((await mine('history_versions', user).first('history_versions.id')).id);
      assert.is((await api('post', '/api/v1/notebook-version/branch', { from_snapshot_id: version, name: 'fix', cells: [{ cell_type: 'code', source: `fixed_for = ${JSON.stringify(user)}` }] })).status, 201);
    }
    // alice's rows, aged: every time column of every one of her rows, whatever the table.
    for (const { table } of PERSONAL_TABLES) {
      const times = schema.filter((c) => c.table === table && isTime(c.type)).map((c) => c.column);
      if (times.length > 0) await mine(table, 'alice').update(Object.fromEntries(times.map((t) => [t, old.toISOString()])));
    }
    const before = { alice: await census('alice'), bob: await census('bob'), carol: await census('carol') };
    for (const [user, counts] of Object.entries(before)) {
      assert.equal(Object.keys(counts), PERSONAL_TABLES.map((t) => t.table));
      for (const [table, n] of Object.entries(counts)) assert.ok(n > 0, `the fixture gives ${user} no row in ${table}: extend it for the new table`);
    }

    const refs = await keptRefs();
    assert.ok(Object.keys(refs).length >= 4, 'the references kept by the writer were read');
    for (const [ref, { set }] of Object.entries(refs)) assert.ok(set > 0, `the fixture sets ${ref}`);
    await noneDangles('as written');

    // Export: every row of carol's, table by table.
    const reply = await api('get', '/api/v1/students/by-user/carol/export');
    assert.is(reply.status, 200);
    const exported = parseExport(reply.body);
    for (const [table, n] of Object.entries(before.carol)) {
      if (table === STUDENTS.table) assert.is(exported.header.student?.user_id, 'carol');
      else assert.is(exported.tables[table]?.length ?? 0, n, `the export carries carol's rows of ${table}`);
    }

    // Retention: alice's old rows go wherever they are, unless the owner says why a table is kept.
    await sweepRetention(store, { now: new Date(), globalDays: 30 });
    const kept = new Set(PERSONAL_TABLES.filter((t) => t.kept).map((t) => t.table));
    assert.ok(kept.has(STUDENTS.table) && !PERSONAL_TABLES.some((t) => !t.kept && !t.time), 'every personal table has a time column or says why it is kept');
    const swept = await census('alice');
    for (const [table, n] of Object.entries(swept)) assert.is(n, kept.has(table) ? before.alice[table] : 0, `retention: alice's 40-day-old rows in ${table}`);
    assert.equal(await census('bob'), before.bob, "bob's recent rows stay");
    await noneDangles('after the sweep');

    // Erasure: nothing of carol's anywhere; bob intact.
    const erased = await api('delete', '/api/v1/students/by-user/carol/data', { confirm: 'carol' });
    assert.is(erased.status, 200, JSON.stringify(erased.body));
    const after = await census('carol');
    assert.equal(Object.keys(after), PERSONAL_TABLES.map((t) => t.table));
    for (const [table, n] of Object.entries(after)) assert.is(n, 0, `erasure leaves carol's rows in ${table}`);
    assert.equal(await census('bob'), before.bob);
    await noneDangles('after the erasure');
  });

  it.run();
}
