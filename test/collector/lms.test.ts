/**
 * The LMS on the embedded store and on real PostgreSQL: classes, enrollment, assignments,
 * submissions, grading and the student's side (identity from the companion's stamp + ingest key).
 * The same flow through the real Jupyter companion is in lab-extension/tests/test_lms_workflow.py.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { request, type Reply } from '../helpers/http.ts';
import { waitFor } from '../helpers/services.ts';
import { companionHeaders, modesToTest, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';

const SECRET = 'lms-test-jwt-secret-0123456789-abcdefghijk';
const INGEST_KEY = 'lms-test-ingest-key-0123456789';
const NOTEBOOK = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', source: 'print(1)', metadata: {}, outputs: [], execution_count: null }] };


function client(base: string) {
  return async (method: string, route: string, options: { token?: string; body?: unknown; student?: string; credential?: string } = {}): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.student !== undefined) {
      Object.assign(headers, companionHeaders(INGEST_KEY, options.student));
      if (options.credential) headers.authorization = `Bearer ${options.credential}`;
    }
    return request(base, method, route, { body: options.body, headers });
  };
}

for (const mode of modesToTest()) {
  const it = suite(`LMS [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  let services: Services;
  let running: RunningCollector;
  let api: ReturnType<typeof client>;
  let token: string;

  it.before(async () => {
    services = await startServices(mode);
    running = await startCollector(services.env({ JWT_SECRET: SECRET, INGEST_KEY }));
    api = client(running.url);
    await createInstructor(running.collector.db, { email: 'ada@example.org', name: 'Ada', password: 'ada-password-1', role: 'admin' });
    token = (await api('POST', '/api/v1/auth/login', { body: { email: 'ada@example.org', password: 'ada-password-1' } })).body.token;
  });
  it.after(async () => {
    await running.close();
    await services.stop();
  });

  it('classes: create, unique class_code (409), list with pagination bounds, partial update, 404s', async () => {
    const created = await api('POST', '/api/v1/classes', { token, body: { name: 'Python 101', class_code: 'PY101', description: 'Intro' } });
    assert.is(created.status, 201);
    assert.is(created.body.class_code, 'PY101');
    const dup = await api('POST', '/api/v1/classes', { token, body: { name: 'Again', class_code: 'PY101' } });
    assert.is(dup.status, 409);
    assert.is(dup.body.error, 'class_code_taken');
    await api('POST', '/api/v1/classes', { token, body: { name: 'Data 201', class_code: 'DATA201' } });
    const page = await api('GET', '/api/v1/classes?skip=1&limit=1', { token });
    assert.is(page.body.length, 1);
    assert.is(page.body[0].class_code, 'DATA201');
    assert.is(page.headers.get('x-total-count'), '2');
    for (const q of ['limit=0', 'limit=201', 'skip=-3']) assert.is((await api('GET', `/api/v1/classes?${q}`, { token })).status, 422, q);
    const updated = await api('PUT', `/api/v1/classes/${created.body.id}`, { token, body: { description: 'Introduction' } });
    assert.equal([updated.body.name, updated.body.description], ['Python 101', 'Introduction']);
    assert.is((await api('PUT', `/api/v1/classes/${created.body.id}`, { token, body: { class_code: 'DATA201' } })).status, 409);
    assert.is((await api('GET', '/api/v1/classes/999', { token })).status, 404);
    assert.is((await api('DELETE', '/api/v1/classes/999', { token })).status, 404);
    const bad = await api('POST', '/api/v1/classes', { token, body: { name: '', class_code: 'has space' } });
    assert.is(bad.status, 422);
    assert.equal(bad.body.details.fields.map((f: { field: string }) => f.field).sort(), ['class_code', 'name']);
  });

  it('enrollment: by Jupyter user name (created), by student id or email; 409 twice; 404 unknown; list and remove', async () => {
    const cls = (await api('GET', '/api/v1/classes', { token })).body[0];
    const byUser = await api('POST', `/api/v1/classes/${cls.id}/students`, { token, body: { user_id: 'student-7', name: 'Sam', email: 'Sam@school.example' } });
    assert.is(byUser.status, 201);
    assert.is(byUser.body.student.user_id, 'student-7');
    const again = await api('POST', `/api/v1/classes/${cls.id}/students`, { token, body: { student_id: byUser.body.student.id } });
    assert.is(again.status, 409);
    const other = (await api('GET', '/api/v1/classes', { token })).body[1];
    const byEmail = await api('POST', `/api/v1/classes/${other.id}/students`, { token, body: { email: 'sam@SCHOOL.example' } });
    assert.is(byEmail.status, 201);
    assert.is(byEmail.body.student.id, byUser.body.student.id);
    assert.is((await api('POST', `/api/v1/classes/${cls.id}/students`, { token, body: { email: 'nobody@school.example' } })).status, 404);
    assert.is((await api('POST', `/api/v1/classes/${cls.id}/students`, { token, body: { student_id: 9999 } })).status, 404);
    assert.is((await api('POST', '/api/v1/classes/9999/students', { token, body: { user_id: 'x' } })).status, 404);
    assert.is((await api('POST', `/api/v1/classes/${cls.id}/students`, { token, body: {} })).status, 422);
    const list = await api('GET', `/api/v1/classes/${cls.id}/students`, { token });
    assert.equal(list.body.map((s: { user_id: string }) => s.user_id), ['student-7']);
    assert.ok(list.body[0].enrolled_at);
    assert.is((await api('DELETE', `/api/v1/classes/${other.id}/students/${byUser.body.student.id}`, { token })).status, 200);
    assert.is((await api('DELETE', `/api/v1/classes/${other.id}/students/${byUser.body.student.id}`, { token })).status, 404);
  });

  it('assignments: 404 on an unknown class, class_id filter, partial update; submissions: late flag, filters, score 0-100', async () => {
    const cls = (await api('GET', '/api/v1/classes', { token })).body[0];
    assert.is((await api('POST', '/api/v1/assignments', { token, body: { class_id: 9999, notebook_path: 'hw1.ipynb', title: 'HW1' } })).status, 404);
    const past = await api('POST', '/api/v1/assignments', { token, body: { class_id: cls.id, notebook_path: 'week1/hw1.ipynb', title: 'HW1', due_date: '2020-01-01T00:00:00Z' } });
    assert.is(past.status, 201);
    assert.is(past.body.due_date, '2020-01-01T00:00:00.000Z');
    const future = await api('POST', '/api/v1/assignments', { token, body: { class_id: cls.id, notebook_path: 'week2/hw2.ipynb', title: 'HW2', due_date: '2099-01-01T00:00:00Z' } });
    assert.is((await api('GET', `/api/v1/assignments?class_id=${cls.id}`, { token })).body.length, 2);
    assert.is((await api('GET', '/api/v1/assignments?class_id=abc', { token })).status, 422);
    const renamed = await api('PUT', `/api/v1/assignments/${future.body.id}`, { token, body: { title: 'Homework 2' } });
    assert.equal([renamed.body.title, renamed.body.notebook_path], ['Homework 2', 'week2/hw2.ipynb']);
    assert.is((await api('POST', '/api/v1/assignments', { token, body: { class_id: cls.id, notebook_path: 'x', title: 'bad date', due_date: 'tomorrow' } })).status, 422);

    const student = (await api('GET', `/api/v1/classes/${cls.id}/students`, { token })).body[0];
    const late = await api('POST', '/api/v1/submissions', { token, body: { assignment_id: past.body.id, student_id: student.id, notebook_content: NOTEBOOK } });
    assert.is(late.status, 201);
    assert.is(late.body.is_late, true);
    const onTime = await api('POST', '/api/v1/submissions', { token, body: { assignment_id: future.body.id, student_id: student.id, notebook_content: NOTEBOOK, submission_comment: 'done' } });
    assert.is(onTime.body.is_late, false);
    assert.is((await api('POST', '/api/v1/submissions', { token, body: { assignment_id: 9999, student_id: student.id, notebook_content: NOTEBOOK } })).status, 404);
    assert.is((await api('POST', '/api/v1/submissions', { token, body: { assignment_id: past.body.id, student_id: 9999, notebook_content: NOTEBOOK } })).status, 404);
    assert.is((await api('POST', '/api/v1/submissions', { token, body: { assignment_id: past.body.id, student_id: student.id, notebook_content: { not: 'a notebook' } } })).status, 422);
    const filtered = await api('GET', `/api/v1/submissions?assignment_id=${future.body.id}&student_id=${student.id}`, { token });
    assert.equal(filtered.body.map((s: { id: number }) => s.id), [onTime.body.id]);
    assert.is(filtered.body[0].notebook_content, undefined, 'lists leave the notebooks out');
    assert.equal((await api('GET', `/api/v1/submissions/${onTime.body.id}`, { token })).body.notebook_content, NOTEBOOK);
    for (const score of [-1, 101, 50.5, 'A']) {
      assert.is((await api('PUT', `/api/v1/submissions/${onTime.body.id}`, { token, body: { score } })).status, 422, `score ${score}`);
    }
    assert.is((await api('PUT', '/api/v1/submissions/9999', { token, body: { score: 1 } })).status, 404);
  });

  it('whole workflow: admin creates an instructor → class, enrollment, assignment → the student submits (companion identity) → graded → assignment_graded notification → my submissions show the score', async () => {
    const created = await api('POST', '/api/v1/instructors', { token, body: { email: 'tom@example.org', name: 'Tom', password: 'tom-password-1' } });
    assert.is(created.status, 201);
    const tom = (await api('POST', '/api/v1/auth/login', { body: { email: 'tom@example.org', password: 'tom-password-1' } })).body.token;
    const cls = (await api('POST', '/api/v1/classes', { token: tom, body: { name: 'Stats', class_code: 'STAT1' } })).body;
    assert.is((await api('POST', `/api/v1/classes/${cls.id}/students`, { token: tom, body: { user_id: 'kim' } })).status, 201);
    const assignment = (await api('POST', '/api/v1/assignments', { token: tom, body: { class_id: cls.id, notebook_path: 'stats/lab1.ipynb', title: 'Lab 1', due_date: '2099-06-01T00:00:00Z' } })).body;

    const mine = await api('GET', '/api/v1/student/assignments', { student: 'kim' });
    assert.is(mine.status, 200);
    assert.equal(mine.body.map((a: { title: string; submission_status: string }) => [a.title, a.submission_status]), [['Lab 1', 'not_submitted']]);
    const submitted = await api('POST', '/api/v1/student/submissions', { student: 'kim', body: { assignment_id: assignment.id, notebook_content: NOTEBOOK, submission_comment: 'finished' } });
    assert.is(submitted.status, 201);
    assert.is(submitted.body.status, 'submitted');
    const outsider = await api('POST', '/api/v1/student/submissions', { student: 'lee', body: { assignment_id: assignment.id, notebook_content: NOTEBOOK } });
    assert.is(outsider.status, 403);
    assert.is(outsider.body.error, 'not_enrolled');
    assert.is((await api('GET', '/api/v1/student/assignments', { student: 'kim' })).body[0].submission_status, 'submitted');
    assert.equal((await api('GET', '/api/v1/student/notifications', { student: 'kim' })).body, []);

    const graded = await api('PUT', `/api/v1/submissions/${submitted.body.submission_id}`, { token: tom, body: { score: 87, feedback: 'Well done' } });
    assert.is(graded.status, 200);
    assert.equal([graded.body.status, graded.body.score, graded.body.feedback], ['graded', 87, 'Well done']);
    const notes = await api('GET', '/api/v1/student/notifications', { student: 'kim' });
    assert.is(notes.body.length, 1);
    assert.equal(
      { ...notes.body[0], id: undefined, graded_at: undefined },
      { id: undefined, type: 'assignment_graded', event: 'assignment_graded', assignment_id: assignment.id, submission_id: submitted.body.submission_id, score: 87, feedback: 'Well done', graded_at: undefined },
    );
    assert.equal((await api('GET', `/api/v1/student/notifications?after=${notes.body[0].id}`, { student: 'kim' })).body, []);
    assert.equal((await api('GET', '/api/v1/student/notifications', { student: 'lee' })).body, [], "nobody else's");
    const history = await api('GET', '/api/v1/student/submissions', { student: 'kim' });
    assert.equal(history.body.map((s: { assignment_title: string; score: number; status: string }) => [s.assignment_title, s.score, s.status]), [['Lab 1', 87, 'graded']]);
  });

  it("student routes need the stamped user's own credential; identity never comes from the body", async () => {
    const kimsCredential = companionHeaders(INGEST_KEY, 'kim').authorization.slice(7);
    assert.is((await api('GET', '/api/v1/student/assignments', { student: 'kim', credential: 'cmc1_wrong-wrong-wrong' })).status, 401);
    const noUser = await fetch(`${running.url}/api/v1/student/assignments`, { headers: { authorization: `Bearer ${kimsCredential}` } });
    assert.is(noUser.status, 400);
    assert.is(((await noUser.json()) as { error: string }).error, 'missing_user_header');
    const instructorToken = await api('GET', '/api/v1/student/assignments', { token });
    assert.is(instructorToken.status, 401, 'an instructor token is not a student credential');
    // Generated from the route table: every student route refuses the master key, another
    // student's credential and a missing user.
    const studentRoutes = running.collector.routeSpecs().filter((r) => r.access === 'student');
    assert.ok(studentRoutes.length >= 4);
    for (const spec of studentRoutes) {
      const method = spec.method.toUpperCase();
      const body = method === 'GET' ? undefined : {};
      assert.is((await api(method, spec.path, { student: 'lee', credential: INGEST_KEY, body })).status, 401, `${method} ${spec.path} with the master key`);
      assert.is((await api(method, spec.path, { student: 'lee', credential: kimsCredential, body })).status, 401, `${method} ${spec.path} with kim's credential as lee`);
      const res = await fetch(running.url + spec.path, { method, headers: { authorization: `Bearer ${kimsCredential}` } });
      assert.is(res.status, 400, `${method} ${spec.path} without the user header`);
    }
    const spoof = await api('POST', '/api/v1/student/submissions', { student: 'lee', body: { assignment_id: 1, notebook_content: NOTEBOOK, student_id: 1, user_id: 'kim' } });
    assert.is(spoof.status, 422, 'identity fields in the body are refused, not used');
  });

  it('instructors read students (list, class filter, detail with activity) and query events by student, notebook, type and time', async () => {
    const events = [
      { eventId: `r-${mode}-1`, eventType: 'cell_execution_complete', eventTime: '2026-11-23T09:00:00.000Z', userId: 'x', notebookPath: 'stats/lab1.ipynb', cellId: 'c1', success: true },
      { eventId: `r-${mode}-2`, eventType: 'cell_execution_error', eventTime: '2026-11-23T09:05:00.000Z', userId: 'x', notebookPath: 'stats/lab1.ipynb', cellId: 'c2', error: { name: 'NameError', message: 'x' } },
      { eventId: `r-${mode}-3`, eventType: 'notebook_saved', eventTime: '2026-11-23T10:00:00.000Z', userId: 'x', notebookPath: 'other.ipynb' },
    ];
    const ingest = await fetch(`${running.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...companionHeaders(INGEST_KEY, 'kim') },
      body: JSON.stringify(events),
    });
    assert.is(ingest.status, 202);
    const query = async (q: string) => (await api('GET', `/api/v1/events?${q}`, { token })).body.map((e: { event_id: string }) => e.event_id);
    await waitFor(async () => (await query('user_id=kim')).length >= 3, 10_000, "kim's three events stored");
    assert.equal(await query('user_id=kim'), [`r-${mode}-3`, `r-${mode}-2`, `r-${mode}-1`], 'newest first, as the stamped user');
    assert.equal(await query('user_id=kim&notebook_path=stats/lab1.ipynb&event_type=cell_execution_error'), [`r-${mode}-2`]);
    assert.equal(await query('user_id=kim&from=2026-11-23T09:01:00Z&to=2026-11-23T10:00:00Z'), [`r-${mode}-2`]);
    assert.equal(await query('user_id=kim&limit=1&skip=1'), [`r-${mode}-2`]);
    assert.is((await api('GET', '/api/v1/events?from=yesterday', { token })).status, 422);
    assert.is((await api('GET', '/api/v1/events?user_id=kim')).status, 401, 'student data needs a token');

    const stat = (await api('GET', '/api/v1/classes', { token })).body.find((c: { class_code: string }) => c.class_code === 'STAT1');
    const inClass = await api('GET', `/api/v1/students?class_id=${stat.id}`, { token });
    assert.equal(inClass.body.map((s: { user_id: string }) => s.user_id), ['kim']);
    const detail = await api('GET', `/api/v1/students/${inClass.body[0].id}`, { token });
    assert.equal(detail.body.classes.map((c: { class_code: string }) => c.class_code), ['STAT1']);
    assert.equal(detail.body.activity, { cell_execution_complete: 1, cell_execution_error: 1, notebook_saved: 1 });
    assert.is(detail.body.recent_events[0].event.eventType, 'notebook_saved');
    assert.is((await api('GET', '/api/v1/students/99999', { token })).status, 404);
  });

  it.run();
}
