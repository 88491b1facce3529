/**
 * Derived rows belong to one student (security review, finding 10): a template notebook gives the
 * whole class the same path and cell ids, and session ids come from clients, so neither may let one
 * student's event overwrite another's row.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../../helpers/services.ts';
import { buildCellEvent, countRows, modesToTest, openStore, postEvents, startCollector, startServices } from '../../helpers/stack.ts';

for (const mode of modesToTest()) {
  const it = suite(`derived rows per student [${mode}]`);
  it("two students running the same template cell (and the same session id) keep their own cell code and session", async () => {
    const services = await startServices(mode);
    const app = await startCollector(services.env());
    const store = openStore(services.databaseUrl);
    try {
      const shared = { notebookPath: 'templates/lab1.ipynb', cellId: 'template-cell-1', sessionId: 'same-session-id' };
      const alice = buildCellEvent({ ...shared, userId: 'alice', code: 'print("alice solution")' });
      const bob = buildCellEvent({ ...shared, userId: 'bob', code: 'print("bob solution")' });
      assert.is((await postEvents(app.url, [alice])).status, 202);
      assert.is((await postEvents(app.url, [bob])).status, 202);
      await waitFor(async () => (await countRows(store, 'cell_executions')) === 2 || undefined, 10_000, 'both executions');
      const cells = await store('cells as c').join('students as s', 's.id', 'c.student_id').select('s.user_id', 'c.content').orderBy('s.user_id');
      assert.equal(cells.map((c) => [c.user_id, c.content]), [['alice', 'print("alice solution")'], ['bob', 'print("bob solution")']]);
      const sessions = await store('sessions as x').join('students as s', 's.id', 'x.student_id').select('s.user_id', 'x.session_id').orderBy('s.user_id');
      assert.equal(sessions.map((r) => [r.user_id, r.session_id]), [['alice', 'same-session-id'], ['bob', 'same-session-id']]);
      const executions = await store('cell_executions as e').join('cells as c', 'c.id', 'e.cell_id').join('students as s', 's.id', 'e.student_id').select('s.user_id', 'c.content');
      for (const row of executions) assert.ok(String(row.content).includes(row.user_id), `${row.user_id}'s execution points at their own cell`);
    } finally {
      await app.close();
      await store.destroy();
      await services.stop();
    }
  });
  it.run();
}
