import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createDb, migrateLatest } from '@cell-monitor/collector';
import { migrationSource } from '../../collector/src/db/migrationSource.ts';
import { OWNED_TABLES } from '../../collector/src/privacy/registry.ts';
import { modesToTest, startServices } from '../helpers/stack.ts';

/** Every table an owner declares (privacy/registry.ts): the migrations must create each and roll each back. */
const TABLES = OWNED_TABLES.map((t) => t.table);

for (const mode of modesToTest()) {
  const it = suite(`migrations [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  it('the same migrations create every table, roll back completely, and re-apply', async () => {
    const services = await startServices(mode);
    const db = createDb(services.databaseUrl);
    try {
      const applied = await migrateLatest(db);
      assert.is(applied.length, (await migrationSource.getMigrations([])).length);
      for (const table of TABLES) assert.ok(await db.schema.hasTable(table), `${table} missing`);
      assert.equal(await migrateLatest(db), [], 'a second run applies nothing');
      await db.migrate.rollback({ migrationSource }, true);
      for (const table of TABLES) assert.not.ok(await db.schema.hasTable(table), `${table} left after rollback`);
      assert.is((await migrateLatest(db)).length, applied.length);
    } finally {
      await db.destroy();
      await services.stop();
    }
  });
  it('upgrading a store that has data: cells get the student of their latest run, executions stay linked (SQLite rebuilds the table)', async () => {
    const services = await startServices(mode);
    const db = createDb(services.databaseUrl);
    const id = (row: unknown) => Number(typeof row === 'object' && row !== null ? (row as { id: number }).id : row);
    try {
      const before = { ...migrationSource, async getMigrations() { return (await migrationSource.getMigrations([])).filter((n) => n < '20261124'); } };
      await db.migrate.latest({ migrationSource: before, tableName: 'knex_migrations' });
      const student = id((await db('students').insert({ user_id: 'alice' }).returning('id'))[0]);
      const notebook = id((await db('notebooks').insert({ path: 'a.ipynb', name: 'a.ipynb' }).returning('id'))[0]);
      const ran = id((await db('cells').insert({ notebook_id: notebook, cell_id: 'c1', content: 'x' }).returning('id'))[0]);
      await db('cells').insert({ notebook_id: notebook, cell_id: 'c2', content: 'never run' });
      await db('cell_executions').insert({ event_id: 'e1', student_id: student, notebook_id: notebook, cell_id: ran, status: 'success', executed_at: new Date().toISOString() });
      await db('sessions').insert({ session_id: 's1', student_id: student });
      await migrateLatest(db);
      assert.equal((await db('cells').select('cell_id', 'student_id').orderBy('cell_id')).map((c) => [c.cell_id, c.student_id]), [['c1', student], ['c2', null]]);
      assert.equal((await db('cell_executions').first('cell_id')).cell_id, ran, 'the execution still points at its cell');
      assert.is((await db('sessions').first('session_id')).session_id, 's1');
    } finally {
      await db.destroy();
      await services.stop();
    }
  });

  it.run();
}
