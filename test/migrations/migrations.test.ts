import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createDb, migrateLatest } from '@cell-monitor/collector';
import { migrationSource } from '../../collector/src/db/migrationSource.ts';
import { modesToTest, startServices } from '../helpers/stack.ts';

const TABLES = ['events', 'students', 'sessions', 'notebooks', 'cells', 'cell_executions', 'error_logs', 'notebook_accesses', 'instructors', 'instructor_status_history', 'revoked_tokens', 'classes', 'class_enrollments', 'class_assignments', 'assignment_submissions', 'student_notifications'];

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
  it.run();
}
