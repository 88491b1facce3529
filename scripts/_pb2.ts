import { startPostgres } from '../test/helpers/services.ts';
import { createDb, migrateLatest } from '../collector/src/db/createDb.ts';
import { writeEvents } from '../collector/src/persist/writeEvents.ts';
import { buildEvents } from '../test/helpers/stack.ts';
const pgs = await startPostgres();
const variants: Record<string, string[]> = {
  base: [],
  noFK: ["DO $$ DECLARE r record; BEGIN FOR r IN SELECT conrelid::regclass AS t, conname FROM pg_constraint WHERE contype='f' LOOP EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.t, r.conname); END LOOP; END $$"],
  noEventIdx: ['DROP INDEX events_user_id_event_time_index', 'DROP INDEX events_event_type_event_time_index', 'DROP INDEX events_notebook_path_index'],
  textPayload: ['ALTER TABLE events ALTER payload TYPE text', 'ALTER TABLE cell_executions ALTER output TYPE text'],
};
for (const [name, sqls] of Object.entries(variants)) {
  const url = await pgs.createDatabase('pb_' + name.toLowerCase());
  const db = createDb(url);
  await migrateLatest(db);
  for (const s of sqls) await db.raw(s);
  const N = 30000, B = 500;
  const all = buildEvents(N).map((e, i) => ({ ...e, userId: `student-${i % 200}`, sessionId: `s-${i % 200}`, cellId: `cell-${i % 30}` }));
  const t0 = performance.now();
  for (let i = 0; i < N; i += B) await writeEvents(db, all.slice(i, i + B) as any);
  const s = (performance.now() - t0) / 1000;
  console.log(`${name}: ${(N / s).toFixed(0)}/s`);
  await db.destroy();
}
await pgs.stop();
