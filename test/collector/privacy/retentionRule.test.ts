/**
 * Whose retention applies to a student in several classes (privacy/retentionPolicy.ts), on both
 * stores: a row on an assignment notebook of her classes follows the class that owns it for her
 * (of those assigning it, the one she joined first); every other row follows her home class (the
 * first she joined). Ann's class keeps 30 days; Ben's class keeps forever and enrols Ann's student
 * alice later — it keeps alice's rows on Ben's own assignment, and nothing else of hers past Ann's
 * 30 days, not even by assigning Ann's notebook path too. bob is the mirror: home in Ben's class,
 * later in Ann's.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { sweepRetention } from '../../../collector/src/privacy/retention.ts';
import { login, request } from '../../helpers/http.ts';
import { activity, DAY_MS, notebookOf } from '../../helpers/privacyFixtures.ts';
import { waitFor } from '../../helpers/services.ts';
import { collectorWithStore, modesToTest, postEvents } from '../../helpers/stack.ts';

const SECRET = 'retention-rule-test-jwt-secret-0123456789-ab';

for (const mode of modesToTest()) {
  const it = suite(`retention of a student in several classes [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  const stack = collectorWithStore(it, mode, { JWT_SECRET: SECRET });

  it("Ben's forever class keeps alice's rows on its own assignment only; Ann's 30 days hold for the rest of hers, even on a path Ben copies", async () => {
    const { running, store } = stack;
    for (const [email, name] of [['ann@example.org', 'Ann'], ['ben@example.org', 'Ben']]) await createInstructor(running.collector.db, { email, name, password: `${name}-password-1`, role: 'instructor' });
    const ann = await login(running.url, 'ann@example.org', 'Ann-password-1');
    const ben = await login(running.url, 'ben@example.org', 'Ben-password-1');
    const api = async (token: string, method: string, route: string, body?: unknown) => {
      const reply = await request(running.url, method, route, { token, body });
      assert.ok(reply.status < 300, `${method} ${route}: ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body;
    };
    const annClass = (await api(ann, 'post', '/api/v1/classes', { name: 'Ann', class_code: 'ANN' })).id;
    const benClass = (await api(ben, 'post', '/api/v1/classes', { name: 'Ben', class_code: 'BEN' })).id;
    await api(ann, 'put', `/api/v1/classes/${annClass}/settings`, { retention_days: 30 });
    await api(ben, 'put', `/api/v1/classes/${benClass}/settings`, { retention_days: 0 });
    for (const user of ['alice', 'bob']) {
      await api(ann, 'post', '/api/v1/assignments', { class_id: annClass, notebook_path: notebookOf(user, 'ann'), title: `Ann's lab` });
      await api(ben, 'post', '/api/v1/assignments', { class_id: benClass, notebook_path: notebookOf(user, 'ben'), title: `Ben's lab` });
    }
    // Ben also assigns the path of Ann's lab (he cannot see it; he may guess it): it stays Ann's for alice.
    await api(ben, 'post', '/api/v1/assignments', { class_id: benClass, notebook_path: notebookOf('alice', 'ann'), title: 'Copied lab' });

    const old = new Date(Date.now() - 40 * DAY_MS);
    // Each student: 40-day-old activity on Ann's assignment, Ben's assignment and a notebook no class claims.
    const events = ['alice', 'bob'].flatMap((user) => ['ann', 'ben', 'free'].flatMap((tag) => activity(user, old, tag)));
    assert.is((await postEvents(running.url, events)).status, 202);
    await waitFor(async () => Number((await store('events').count({ n: '*' }))[0].n) === events.length || undefined, 30_000, 'every event stored');

    // alice joins Ann's class first (her home class), then Ben enrols her; bob the other way round.
    await api(ann, 'post', `/api/v1/classes/${annClass}/students`, { user_id: 'alice' });
    await api(ben, 'post', `/api/v1/classes/${benClass}/students`, { user_id: 'bob' });
    await new Promise((r) => setTimeout(r, 20)); // distinct enrolment times (the earliest is the home class)
    await api(ben, 'post', `/api/v1/classes/${benClass}/students`, { user_id: 'alice' });
    await api(ann, 'post', `/api/v1/classes/${annClass}/students`, { user_id: 'bob' });

    await sweepRetention(store, { now: new Date(), globalDays: 0 });

    const left = async (user: string) => {
      const out: Record<string, number> = {};
      for (const tag of ['ann', 'ben', 'free']) out[tag] = Number((await store('events').where({ user_id: user, notebook_path: notebookOf(user, tag) }).count({ n: '*' }))[0].n);
      const student = (await store('students').where({ user_id: user }).first('id')).id;
      out.sessions = Number((await store('sessions').where({ student_id: student }).count({ n: '*' }))[0].n);
      out.cell_executions = Number((await store('cell_executions').where({ student_id: student }).count({ n: '*' }))[0].n);
      return out;
    };
    assert.equal(await left('alice'), { ann: 0, ben: 5, free: 0, sessions: 1, cell_executions: 2 }, "alice: only Ben's assignment is kept (forever); her home class Ann's 30 days rule the rest");
    assert.equal(await left('bob'), { ann: 0, ben: 5, free: 5, sessions: 2, cell_executions: 4 }, "bob: Ann's assignment goes after 30 days; his home class Ben keeps the rest");
  });

  it.run();
}
