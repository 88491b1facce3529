/**
 * Upgrading a store that has runs and errors: the kept rows the two migrations backfill
 * (cell_progress, error_groups) give the same progress and error groups as the raw rows — runs
 * stored out of time order, a run still running, an error from before signatures were kept.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createDb, migrateLatest } from '@cell-monitor/collector';
import { migrationSource } from '../../collector/src/db/migrationSource.ts';
import { MAX_GAP_SECONDS } from '../../collector/src/activity/cellProgress.ts';
import { aloneInCluster, cellProgressSums, errorClusterSums, type ErrorClusterRow } from '../../collector/src/activity/progressReads.ts';
import { clusterErrors, errorGroupsOf } from '../../collector/src/insights/errorClusters.ts';
import { cellRunSums, errorGroups } from '../../collector/src/activity/reads.ts';
import { modesToTest, startServices } from '../helpers/stack.ts';

const sorted = (rows: object[]) =>
  rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : typeof v === 'number' || /^-?\d+(\.\d+)?$/.test(String(v)) ? Math.round(Number(v) * 100) / 100 : v])))).sort();

for (const mode of modesToTest()) {
  const it = suite(`derived rows backfilled [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  it('the backfilled cell_progress and error_groups answer as the runs and errors they were computed from', async () => {
    const services = await startServices(mode);
    const db = createDb(services.databaseUrl);
    const id = (row: unknown) => Number(typeof row === 'object' && row !== null ? (row as { id: number }).id : row);
    try {
      const before = { ...migrationSource, async getMigrations() { return (await migrationSource.getMigrations([])).filter((n) => n < '20261202120000'); } };
      await db.migrate.latest({ migrationSource: before, tableName: 'knex_migrations' });
      const t = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 9, 0) + minutes * 60_000).toISOString();
      const notebook = id((await db('notebooks').insert({ path: 'a.ipynb', name: 'a.ipynb' }).returning('id'))[0]);
      let n = 0;
      for (const user of ['ann', 'bob']) {
        const student = id((await db('students').insert({ user_id: user }).returning('id'))[0]);
        const cell = async (key: string) => id((await db('cells').insert({ student_id: student, notebook_id: notebook, cell_id: key, content: 'x' }).returning('id'))[0]);
        const [c1, c2] = [await cell('c1'), await cell('c2')];
        // Stored in this order (ids), at these times: the 3-minute run arrived last.
        for (const [cellId, status, minutes] of [[c1, 'error', 1], [c1, 'success', 2], [c2, 'running', 4], [c2, 'error', 5], [c2, 'success', 30], [c1, 'error', 3]] as const) {
          const executed_at = t(minutes + (user === 'bob' ? 0.5 : 0));
          await db('cell_executions').insert({ event_id: `e${++n}`, student_id: student, notebook_id: notebook, cell_id: cellId, cell_index: cellId === c1 ? 0 : 1, status, executed_at });
          if (status === 'error') await db('error_logs').insert({ event_id: `e${n}`, student_id: student, notebook_id: notebook, cell_id: cellId, cell_index: 0, error_name: 'NameError', error_message: `name 'v${n}' is not defined`, signature: n % 3 ? "NameError: name '…' is not defined" : null, occurred_at: executed_at });
        }
      }
      await migrateLatest(db);
      const options = { maxGapSeconds: MAX_GAP_SECONDS };
      const kept = await cellProgressSums(db, 'a.ipynb', options);
      assert.is(kept.length, 4);
      assert.equal(sorted(kept), sorted(await cellRunSums(db, 'a.ipynb', options)));
      const since = new Date(t(-60));
      // The same clusters (the example's user aside: with no example error given, it is any of theirs).
      const clusters = (rows: ErrorClusterRow[]) => clusterErrors(errorGroupsOf(rows), new Map()).map(({ example, ...c }) => ({ ...c, at: example.at }));
      const clusterRows = await errorClusterSums(db, { since });
      assert.equal(clusters(clusterRows), clusters((await errorGroups(db, { since })).map(aloneInCluster)));
      assert.ok(clusterRows.some((g) => g.signature === null && g.raw_message), 'an error from before signatures is grouped by its message');
    } finally {
      await db.destroy();
      await services.stop();
    }
  });

  it.run();
}
