/**
 * Retention on both stores: what is older than its retention goes from every table, the buffer and
 * the streams; nothing newer does. Global RETENTION_DAYS 30; class "Long" keeps 60 days, class
 * "Plain" uses the global value; a student in both follows her home class (the first she joined) for
 * rows no assignment claims; students in no class the global. (retentionRule.test.ts: the rule itself.)
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { openBufferRows } from '../../../collector/src/buffer/bufferRows.ts';
import { redisStreamEntries } from '../../../collector/src/forward/streamEntries.ts';
import { sweepRetention } from '../../../collector/src/privacy/retention.ts';
import { DEAD_LETTER_STREAM_KEY } from '../../../collector/src/redis/streamNames.ts';
import { request, login } from '../../helpers/http.ts';
import { activity, bufferRowsOf, census, DAY_MS, expected, openBufferFile, type Census } from '../../helpers/privacyFixtures.ts';
import { waitFor } from '../../helpers/services.ts';
import { modesToTest, openStore, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const SECRET = 'retention-test-jwt-secret-0123456789-abcdef';
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const NOTEBOOK = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] };

for (const mode of modesToTest()) {
  const it = suite(`retention [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  let services: Services;
  let env: Record<string, string>;
  let running: RunningCollector;
  let store: Knex;
  let token: string;
  const api = (method: string, route: string, body?: unknown, as = token) => request(running.url, method, route, { token: as, body });
  const now = new Date();
  const old = new Date(now.getTime() - 40 * DAY_MS);
  const recent = new Date(now.getTime() - DAY_MS);
  const ids: Record<string, number> = {};

  it.before(async () => {
    services = await startServices(mode);
    env = services.env({ JWT_SECRET: SECRET });
    running = await startCollector(env);
    store = openStore(services.databaseUrl);
    await createInstructor(running.collector.db, { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' });
    token = await login(running.url, 'root@example.org', 'root-password-1');
  });
  it.after(async () => {
    await running.close();
    await store.destroy();
    await services.stop();
  });

  it('class settings: retention_days is optional, 0-36500 or null (the default), set by owners and admins; stuck_errors still works', async () => {
    for (const [name, code] of [['Long', 'LONG'], ['Plain', 'PLAIN']]) ids[name] = (await api('post', '/api/v1/classes', { name, class_code: code })).body.id;
    assert.equal((await api('get', `/api/v1/classes/${ids.Long}/settings`)).body, { classId: ids.Long, stuckErrors: 3, retentionDays: null });
    assert.equal((await api('put', `/api/v1/classes/${ids.Long}/settings`, { retention_days: 60 })).body, { classId: ids.Long, stuckErrors: 3, retentionDays: 60 });
    assert.equal((await api('put', `/api/v1/classes/${ids.Long}/settings`, { stuck_errors: 5 })).body, { classId: ids.Long, stuckErrors: 5, retentionDays: 60 });
    for (const body of [{}, { retention_days: -1 }, { retention_days: 1.5 }, { retention_days: 36501 }, { retention_days: 'long' }, { stuck_errors: 1 }]) {
      assert.is((await api('put', `/api/v1/classes/${ids.Long}/settings`, body)).status, 422, JSON.stringify(body));
    }
    assert.equal((await api('put', `/api/v1/classes/${ids.Plain}/settings`, { retention_days: 7 })).body.retentionDays, 7);
    assert.equal((await api('put', `/api/v1/classes/${ids.Plain}/settings`, { retention_days: null, stuck_errors: 3 })).body, { classId: ids.Plain, stuckErrors: 3, retentionDays: null });
    await createInstructor(running.collector.db, { email: 'tess@example.org', name: 'Tess', password: 'tess-password-1', role: 'instructor' });
    assert.is((await api('post', `/api/v1/classes/${ids.Long}/teachers`, { email: 'tess@example.org', role: 'co_teacher' })).status, 201);
    const tess = await login(running.url, 'tess@example.org', 'tess-password-1');
    const refused = await api('put', `/api/v1/classes/${ids.Long}/settings`, { retention_days: 1 }, tess);
    assert.is(refused.status, 403);
    assert.is(refused.body.error, 'not_class_owner');
    assert.is((await api('put', `/api/v1/classes/${ids.Long}/settings`, { stuck_errors: 4 }, tess)).status, 200);
    assert.equal((await api('get', `/api/v1/classes/${ids.Long}/settings`, undefined, tess)).body, { classId: ids.Long, stuckErrors: 4, retentionDays: 60 });
  });

  it('a sweep deletes exactly what is older than each student’s retention, in every table, the buffer and the dead letters', async () => {
    for (const [user, classes] of [['alice', ['Long']], ['bob', ['Plain']], ['dave', ['Long', 'Plain']], ['frank', ['Plain']]] as const) {
      for (const cls of classes) assert.is((await api('post', `/api/v1/classes/${ids[cls]}/students`, { user_id: user })).status, 201);
    }
    const events = [
      ...activity('alice', old, 'old'), ...activity('alice', recent, 'new'),
      // bob's second help request, after the first was cancelled, stays open: open requests are kept.
      ...activity('bob', old, 'old', [{ eventType: 'help_request', cellId: 'c2' }]), ...activity('bob', recent, 'new'),
      ...activity('carol', old, 'old'), ...activity('carol', recent, 'new'),
      ...activity('dave', old, 'old'), ...activity('dave', recent, 'new'),
      ...activity('erin', old, 'old'),
      ...activity('frank', old, 'old'),
    ];
    assert.is((await postEvents(running.url, events)).status, 202);
    await waitFor(async () => Number((await store('events').whereIn('user_id', USERS).count({ n: '*' }))[0].n) === events.length || undefined, 30_000, 'every event stored');

    const student = async (user: string) => (await store('students').where({ user_id: user }).first('id')).id as number;
    const iso = (d: Date) => d.toISOString();
    for (const user of USERS) {
      await store('student_notifications').insert({ student_id: await student(user), type: 'broadcast', payload: '{}', created_at: iso(old) });
      if (user !== 'erin') await store('student_notifications').insert({ student_id: await student(user), type: 'broadcast', payload: '{}', created_at: iso(recent) });
    }
    const assignment = async (cls: string) => (await api('post', '/api/v1/assignments', { class_id: ids[cls], notebook_path: `${cls}.ipynb`, title: cls })).body.id as number;
    const longHw = await assignment('Long');
    const plainHw = await assignment('Plain');
    for (const [user, hw, when] of [['alice', longHw, old], ['alice', longHw, recent], ['bob', plainHw, old], ['bob', plainHw, recent], ['dave', plainHw, old], ['dave', longHw, old]] as const) {
      await store('assignment_submissions').insert({ assignment_id: hw, student_id: await student(user), notebook_content: JSON.stringify(NOTEBOOK), submitted_at: iso(when), is_late: false, status: 'submitted' });
    }
    for (const cls of ['Long', 'Plain']) for (const when of [old, recent]) await store('class_broadcasts').insert({ class_id: ids[cls], message: 'hi', sent_at: iso(when), recipients: 1 });
    const buffer = openBufferFile(env.DATA_DIR);
    buffer.prepare('INSERT INTO dead_letters (event_id, body, reason, created_at) VALUES (?, ?, ?, ?)').run('dead-old', '{}', 'test', now.getTime() - 61 * DAY_MS);
    buffer.prepare('INSERT INTO dead_letters (event_id, body, reason, created_at) VALUES (?, ?, ?, ?)').run('dead-new', '{}', 'test', now.getTime() - DAY_MS);
    buffer.close();
    const redis = services.redis ? new Redis(services.redis.url) : undefined;
    await redis?.xadd(DEAD_LETTER_STREAM_KEY, `${now.getTime() - 61 * DAY_MS}-0`, 'id', 'dead-old', 'e', '{}');
    await redis?.xadd(DEAD_LETTER_STREAM_KEY, '*', 'id', 'dead-new', 'e', '{}');

    const before: Census = await census(store, USERS);
    assert.equal(before.alice, expected(2, { student_notifications: 2, assignment_submissions: 2, class_enrollments: 1 }));
    assert.equal(before.bob, expected(2, { events: 11, help_requests: 3, student_notifications: 2, assignment_submissions: 2, class_enrollments: 1 }));
    assert.equal(before.erin, expected(1, { student_notifications: 1 }));
    const notebooks = async () => Number((await store('notebooks').where('path', 'like', '/privacy/%').count({ n: '*' }))[0].n);
    assert.is(await notebooks(), 10);

    // RETENTION_DAYS=0 keeps everything but what a class says: only Long-only students (alice) are
    // swept at 60 days, and her rows are 40 days old. Nothing goes.
    const rows = openBufferRows(env.DATA_DIR)!;
    const streams = redis ? redisStreamEntries(redis) : undefined;
    try {
      const none = await sweepRetention(store, { now, globalDays: 0, buffer: rows, streams });
      assert.equal(Object.values(none).filter((n) => n > 0), [], JSON.stringify(none));
      assert.equal(await census(store, USERS), before);

      const counts = await sweepRetention(store, { now, globalDays: 30, buffer: rows, streams, batchSize: 3 });
      assert.equal(
        { ...counts },
        {
          events: 21, cell_executions: 8, cell_progress: 8, error_logs: 4, error_groups: 4, notebook_accesses: 4, help_requests: 4, student_notifications: 4, sessions: 4, cells: 8,
          assignment_submissions: 2, class_broadcasts: 1, notebooks: 4, students: 1, buffer: 31, buffer_dead_letters: 1, connection_tests: 0, student_environments: 0, history_versions: 0, history_version_cells: 0, history_blobs: 0, history_branches: 0, history_branch_versions: 0, history_commits: 0,
          ...(redis ? { stream: 0, dead_letter_stream: 1 } : {}),
        },
      );
      const after = await census(store, USERS);
      assert.equal(after.alice, before.alice, 'Long keeps 60 days');
      assert.equal(after.dave, { ...before.dave, assignment_submissions: 1 }, 'in Long, then Plain: his home class Long keeps his activity; a hand-in follows its class');
      assert.equal(after.bob, expected(1, { help_requests: 2, student_notifications: 1, assignment_submissions: 1, class_enrollments: 1 }), 'Plain: the global 30 days; his open request stays');
      assert.equal(after.carol, expected(1, { student_notifications: 1 }), 'no class: the global 30 days');
      assert.equal(after.erin, expected(0, { students: 0 }), 'in no class and nothing left: the student row goes too');
      assert.equal(after.frank, expected(0, { student_notifications: 1, class_enrollments: 1 }), 'enrolled: the student row stays');
      assert.is(await notebooks(), 6, 'the notebooks nothing refers to any more');
      assert.equal((await store('class_broadcasts').select('class_id').orderBy('class_id')).map((r) => r.class_id), [ids.Long, ids.Long, ids.Plain]);
      const oldest = (await store('events').whereIn('user_id', ['bob', 'carol']).min({ t: 'event_time' }))[0].t;
      assert.ok(new Date(oldest).getTime() >= recent.getTime(), 'nothing older than 30 days left for them');

      for (const user of USERS) {
        const buffered = bufferRowsOf(env.DATA_DIR, user);
        assert.ok(buffered.eventTimes.every((t) => t >= iso(recent)), `${user}: an old row left in the buffer`);
        assert.is(buffered.rows, ['erin', 'frank'].includes(user) ? 0 : 5, `${user}: recent buffer rows kept`);
      }
      const dead = openBufferFile(env.DATA_DIR);
      assert.equal((dead.prepare('SELECT event_id FROM dead_letters').all() as Array<{ event_id: string }>).map((r) => r.event_id), ['dead-new']);
      dead.close();
      if (redis) assert.equal((await redis.xrange(DEAD_LETTER_STREAM_KEY, '-', '+')).map(([, f]) => f[1]), ['dead-new']);

      const again = await sweepRetention(store, { now, globalDays: 30, buffer: rows, streams });
      assert.equal(Object.values(again).filter((n) => n > 0), [], 'a second sweep finds nothing');
      assert.equal(await census(store, USERS), after);
    } finally {
      rows.close();
      redis?.disconnect();
    }
  });

  it.run();
}

for (const mode of modesToTest()) {
  const it = suite(`retention schedule [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  it('the collector sweeps by itself every RETENTION_SWEEP_MINUTES, and stops on close', async () => {
    const services = await startServices(mode);
    const store = openStore(services.databaseUrl);
    const running = await startCollector(services.env({ JWT_SECRET: SECRET, RETENTION_DAYS: '30', RETENTION_SWEEP_MINUTES: '0.05' }));
    try {
      const now = Date.now();
      const events = [...activity('gina', new Date(now - 40 * DAY_MS), 'old'), ...activity('gina', new Date(now - DAY_MS), 'new')];
      assert.is((await postEvents(running.url, events)).status, 202);
      // One sweep deletes table by table: wait until every table is done, not only the events.
      const left = await waitFor(
        async () => {
          const times = (await store('events').where({ user_id: 'gina' }).select('event_time')).map((r) => new Date(r.event_time).getTime());
          if (times.length !== 5 || !times.every((t) => t >= now - 2 * DAY_MS)) return undefined;
          const sorted = (counts: Record<string, number>) => JSON.stringify(Object.entries(counts).sort());
          return sorted((await census(store, ['gina'])).gina) === sorted(expected(1)) ? times : undefined;
        },
        30_000,
        'the old rows swept from every table and the new ones kept',
      );
      assert.is(left.length, 5);
      assert.equal((await census(store, ['gina'])).gina, expected(1));
    } finally {
      await running.close();
      await store.destroy();
      await services.stop();
    }
  });
  it.run();
}
