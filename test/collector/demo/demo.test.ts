/**
 * `npm run demo` (cell-monitor-collector demo): a newcomer who runs it meets a busy board within
 * seconds — 30 simulated students posting through the real ingest API with their own credentials —
 * marked as demo data where the dashboard reads it, with the sign-in page naming the demo account;
 * `demo --remove` leaves no row of a demo student in any personal table, no demo instructor, and a
 * sign-in page that no longer names the demo account.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEMO_ACCOUNT } from '@cell-monitor/shared';
import { PERSONAL_TABLES } from '../../../collector/src/privacy/registry.ts';
import { DEMO_STUDENTS } from '../../../collector/src/demo/demoRoster.ts';
import { removeDemoCli, spawnDemo, type DemoProcess } from '../../helpers/demo.ts';
import { login, request } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/services.ts';
import { countRows, modesToTest, openStore, startCollector, startServices, type Services } from '../../helpers/stack.ts';

for (const mode of modesToTest()) {
  const it = suite(`npm run demo [${mode}]`);
  let services: Services;
  let env: Record<string, string>;
  let demo: DemoProcess | undefined;
  let token: string;
  let classId: number;
  let started: number;

  it.before(async () => {
    services = await startServices(mode);
    // Outside the embedded default a collector with accounts needs JWT_SECRET (README); the embedded one makes its own.
    env = services.env(mode === 'embedded' ? {} : { JWT_SECRET: 'demo-test-jwt-secret-0123456789-abcdef' });
    started = Date.now();
    demo = await spawnDemo(env);
  });
  it.after(async () => {
    if (demo?.child.exitCode === null) await demo.stop();
    await services?.stop();
  });

  it('the sign-in page names the demo account while the demo data exists', async () => {
    const setup = await request(demo!.url, 'get', '/api/v1/auth/setup');
    assert.equal(setup.body.demo, { email: DEMO_ACCOUNT.email, password: DEMO_ACCOUNT.password });
    token = await login(demo!.url, setup.body.demo.email, setup.body.demo.password);
  });

  it('the class the dashboard picks is marked demo', async () => {
    const classes = await request(demo!.url, 'get', '/api/v1/classes', { token });
    assert.is(classes.status, 200);
    assert.is(classes.body.length, 1);
    assert.is(classes.body[0].demo, true);
    classId = classes.body[0].id;
  });

  it('within seconds the board has 30 cards with help, stuck, catching-up and active students, and it keeps moving', async () => {
    const board = async () => (await request(demo!.url, 'get', `/api/v1/dashboard/board?class_id=${classId}`, { token })).body;
    const busy = await waitFor(async () => {
      const b = await board();
      const statuses = new Set(b.cards.map((c: { status: string }) => c.status));
      return b.cards.length === 30 && ['help', 'stuck', 'active'].every((s) => statuses.has(s)) && b.helpQueue.length > 0 ? b : undefined;
    }, 60_000, 'a busy board');
    const counts: Record<string, number> = {};
    for (const card of busy.cards) counts[card.status] = (counts[card.status] ?? 0) + 1;
    console.log(`# [${mode}] busy board ${((Date.now() - started) / 1000).toFixed(1)} s after the demo was started: ${JSON.stringify(counts)}, help queue ${busy.helpQueue.length}`);
    const store = openStore(services.databaseUrl);
    try {
      const events = () => countRows(store, 'events');
      const before = await events();
      await waitFor(async () => (await events()) > before, 15_000, 'more events arriving');
    } finally {
      await store.destroy();
    }
  });

  it('where the class is and the error clusters are filled', async () => {
    const progress = await request(demo!.url, 'get', `/api/v1/dashboard/progress?class_id=${classId}`, { token });
    assert.ok(progress.body.cells.length >= 5, 'cells of the demo notebook');
    const clusters = await request(demo!.url, 'get', `/api/v1/dashboard/errors?class_id=${classId}`, { token });
    assert.ok(clusters.body.length >= 2, 'error clusters');
    assert.ok(clusters.body.some((c: { students: number }) => c.students >= 2), 'a cluster shared by several students');
  });

  it('the demo stops with its process; demo --remove deletes its students everywhere, the class and the demo instructor', async () => {
    assert.is(await demo!.stop(), 0, demo!.output());
    const store = openStore(services.databaseUrl);
    try {
      const userIds = DEMO_STUDENTS.map((s) => s.userId);
      const studentIds = (await store('students').whereIn('user_id', userIds).select('id')).map((r: { id: number }) => r.id);
      assert.ok(studentIds.length >= 29, 'the demo students were stored');
      const before = await countRows(store, 'events');
      assert.ok(before > 100, `events stored: ${before}`);

      const removed = removeDemoCli(env);
      assert.is(removed.status, 0, removed.output);
      assert.match(removed.output, /removed the demo: 1 class, 30 students/, removed.output);
      for (const t of PERSONAL_TABLES) {
        const [{ n }] = await store(t.table).whereIn(t.key, t.key === 'user_id' ? userIds : studentIds).count({ n: '*' });
        assert.is(Number(n), 0, `${t.table}: rows of demo students left`);
      }
      assert.is(await countRows(store, 'events'), 0, 'the demo was all there was: no event left');
      assert.is(await countRows(store, 'classes'), 0, 'the demo class is gone');
      assert.is(await countRows(store, 'instructors', { email: DEMO_ACCOUNT.email }), 0, 'the demo instructor is gone');
      const again = removeDemoCli(env);
      assert.match(again.output, /nothing to remove/);
      // The collector started again on that store: its sign-in page no longer names a demo account.
      const app = await startCollector(env);
      try {
        const setup = await request(app.url, 'get', '/api/v1/auth/setup');
        assert.is(setup.status, 200);
        assert.is(setup.body.demo, undefined);
      } finally {
        await app.close();
      }
    } finally {
      await store.destroy();
    }
  });

  it.run();
}
