/**
 * The research exports of a class on both stores, from events sent through the real ingest API:
 * the ProgSnap2 zip read back by an independent reader (pandas, test/helpers/read_progsnap2.py) —
 * rows per EventType, Order, each CodeStateID's code; the raw events CSV; the pseudonymised export
 * holding no user id, name or email of the input; free text dropped; the class scope (403 for
 * another class's teacher); bad requests (422 with ids); the CLI writing the same bytes as the route.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'csv-parse/sync';
import type { Knex } from 'knex';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { login, request } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/services.ts';
import { addInstructors, buildCellEvent, modesToTest, openStore, postEvents, ROOT, startCollector, startServices, TEACHER_AND_OUTSIDER, type RunningCollector, type Services } from '../../helpers/stack.ts';

const SECRET = 'research-export-test-jwt-secret-0123456789';
const PYTHON = process.env.PYTHON ?? 'python3';
const STUDENTS = [
  { userId: 'hanako-yamada-4471', name: 'Hanako Yamada', email: 'hanako.yamada@example.org' },
  { userId: 'kenji-mori-5820', name: 'Kenji Mori', email: 'kenji.mori@example.org' },
  { userId: 'aiko-sato-9312', name: 'Aiko Sato', email: 'aiko.sato@example.org' },
  { userId: 'yamada-hanako-jp', name: '山田 花子', email: 'yamada.hanako@example.jp' },
];
const OUTSIDER_STUDENT = 'zed-outside-0001';

/** Runs the independent reader on a zip's bytes. */
function readZip(bytes: Buffer): any {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'progsnap2-')), 'export.zip');
  fs.writeFileSync(file, bytes);
  const out = spawnSync(PYTHON, [path.join(ROOT, 'test/helpers/read_progsnap2.py'), file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.is(out.status, 0, `the ProgSnap2 reader failed (pip install -r lab-extension/requirements-test.txt for pandas): ${out.stderr}`);
  return JSON.parse(out.stdout);
}

/** One student's lesson: every kind of event the export maps, at `base` + i seconds. */
function lesson(s: (typeof STUDENTS)[number], base: number) {
  const at = (i: number) => new Date(base + i * 1000).toISOString();
  const common = { userId: s.userId, sessionId: `sess-${s.userId}`, notebookPath: `/home/${s.userId}/lab1.ipynb` };
  const bare = { code: undefined, output: undefined, success: undefined, executionCount: undefined, durationMs: undefined, cellId: undefined };
  const events = [
    { ...bare, eventType: 'session_start' },
    { ...bare, eventType: 'notebook_opened' },
    { ...bare, eventType: 'cell_execution_start', cellId: 'c1' },
    { eventType: 'cell_execution_complete', cellId: 'c1', code: `# ${s.name} <${s.email}>\nx = 1`, output: `hello ${s.name}`, success: true },
    { eventType: 'cell_execution_complete', cellId: 'c2', code: `print(y)  # ${s.userId}`, success: false, error: { name: 'NameError', message: `name 'y' is not defined (${s.name})`, traceback: `File /home/${s.userId}/lab1.ipynb` } },
    { eventType: 'cell_execution_error', cellId: 'c3', code: 'def f(:', success: false, error: { name: 'SyntaxError', message: 'invalid syntax', traceback: '  Cell In[3], line 1\n    def f(:\n          ^\nSyntaxError: invalid syntax' } },
    { ...bare, eventType: 'help_request', cellId: 'c2', metadata: { message: `I am ${s.name} and I am stuck (${s.name.replace(' ', '')}です)` } },
    {
      ...bare, eventType: 'notebook_snapshot',
      metadata: { snapshot: { trigger: 'save', cells: [{ id: 'c4', type: 'code', source: `total = sum(range(${s.userId.length}))`, outputs: '[]' }] } },
    },
    // Captured without its code: the code state comes from the notebook history (the snapshot above).
    { eventType: 'cell_execution_complete', cellId: 'c4', code: undefined, output: undefined, success: true },
    { ...bare, eventType: 'notebook_saved' },
    { ...bare, eventType: 'session_end' },
  ];
  return events.map((e, i) => buildCellEvent({ ...common, ...e, eventTime: at(i) }));
}

for (const mode of modesToTest()) {
  const it = suite(`research exports [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  let services: Services;
  let env: Record<string, string>;
  let running: RunningCollector;
  let store: Knex;
  let admin: string;
  let teacher: string;
  let outsider: string;
  let classId: number;
  let sent: Array<Record<string, any>> = [];
  let from: string;
  let to: string;
  /** Hand-ins through the LMS routes: the first two students hand in, the first is graded. */
  let handIns: Array<{ id: number; userId: string; code: string; submittedAt: string }> = [];
  const HANDIN_NOTEBOOK = (s: (typeof STUDENTS)[number]) => ({
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [
      { cell_type: 'markdown', source: ['# Lab 1'], metadata: {} },
      { cell_type: 'code', source: ['import math\n', `r = ${s.userId.length}`], metadata: {}, outputs: [], execution_count: 1 },
      { cell_type: 'code', source: `area = math.pi * r ** 2  # ${s.name}`, metadata: {}, outputs: [], execution_count: 2 },
    ],
  });
  const FEEDBACK = `Well done, ${STUDENTS[0].name}`;

  const get = async (route: string, token = teacher) => {
    const res = await fetch(running.url + route, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const exportUrl = (format: 'progsnap2' | 'events.csv', extra = '') => `/api/v1/classes/${classId}/exports/${format}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${extra}`;

  it.before(async () => {
    services = await startServices(mode);
    env = services.env({ JWT_SECRET: SECRET });
    running = await startCollector(env);
    store = openStore(services.databaseUrl);
    await createInstructor(running.collector.db, { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' });
    admin = await login(running.url, 'root@example.org', 'root-password-1');
    [teacher, outsider] = await addInstructors(running, TEACHER_AND_OUTSIDER);
    classId = (await request(running.url, 'post', '/api/v1/classes', { token: teacher, body: { name: 'Lab', class_code: 'LAB-EXPORT' } })).body.id;
    for (const s of STUDENTS) {
      const reply = await request(running.url, 'post', `/api/v1/classes/${classId}/students`, { token: teacher, body: { user_id: s.userId, name: s.name, email: s.email } });
      assert.is(reply.status, 201, JSON.stringify(reply.body));
    }
    const base = Date.now() + 2000; // after the enrolments: the class boundary shows nothing earlier
    from = new Date(base - 1000).toISOString();
    to = new Date(base + 60_000).toISOString();
    sent = STUDENTS.flatMap((s, k) => lesson(s, base + k * 100));
    const late = buildCellEvent({ userId: STUDENTS[0].userId, eventTime: new Date(base + 61_000).toISOString() }); // after `to`
    const stranger = lesson({ userId: OUTSIDER_STUDENT, name: 'Zed Outside', email: 'zed@example.org' }, base); // in no class of hers
    assert.is((await postEvents(running.url, [...sent, late, ...stranger])).status, 202);
    const stored = sent.length + 1 + stranger.length - (STUDENTS.length + 1); // snapshots go to the history, not to `events`
    await waitFor(async () => Number((await store('events').whereIn('user_id', [...STUDENTS.map((s) => s.userId), OUTSIDER_STUDENT]).count({ n: '*' }))[0].n) === stored || undefined, 30_000, 'every event stored');
    await waitFor(async () => Number((await store('history_versions').count({ n: '*' }))[0].n) >= STUDENTS.length || undefined, 30_000, 'the snapshots stored');

    const assignment = (await request(running.url, 'post', '/api/v1/assignments', { token: teacher, body: { class_id: classId, notebook_path: 'lab1.ipynb', title: 'Lab 1' } })).body.id as number;
    // Handed in and graded inside the window, after every event was stored (the export puts them between the events by time).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(from) + 50 - Date.now())));
    for (const s of STUDENTS.slice(0, 2)) {
      const studentId = (await store('students').where({ user_id: s.userId }).first('id')).id as number;
      const submittedAt = new Date().toISOString();
      const reply = await request(running.url, 'post', '/api/v1/submissions', { token: teacher, body: { assignment_id: assignment, student_id: studentId, notebook_content: HANDIN_NOTEBOOK(s), submitted_at: submittedAt } });
      assert.is(reply.status, 201, JSON.stringify(reply.body));
      const n = HANDIN_NOTEBOOK(s);
      handIns.push({ id: reply.body.id, userId: s.userId, submittedAt, code: `# %%\nimport math\nr = ${s.userId.length}\n\n# %%\n${n.cells[2].source}` });
    }
    assert.is((await request(running.url, 'put', `/api/v1/submissions/${handIns[0].id}`, { token: teacher, body: { score: 85, feedback: FEEDBACK } })).status, 200);
  });
  it.after(async () => {
    await running.close();
    await store.destroy();
    await services.stop();
  });

  it('the ProgSnap2 zip reads back: its rows per EventType, a strict Order following ServerTimestamp, and each run’s code state', async () => {
    const reply = await get(exportUrl('progsnap2'));
    assert.is(reply.status, 200);
    assert.is(reply.headers.get('content-type'), 'application/zip');
    assert.match(reply.headers.get('content-disposition') ?? '', /attachment; filename="class-\d+-progsnap2-.*\.zip"/);
    const ps2 = readZip(reply.bytes);
    assert.equal(ps2.entries, ['README.md', 'DatasetMetadata.csv', 'MainTable.csv', 'CodeStates/CodeStates.csv']);
    assert.equal(ps2.metadata, { Version: '1.0', IsEventOrderingConsistent: 'true', EventOrderScope: 'Global', EventOrderScopeColumns: '', CodeStateRepresentation: 'Table' });
    for (const column of ['EventID', 'SubjectID', 'EventType', 'CodeStateID', 'ToolInstances', 'Order', 'ServerTimestamp']) assert.ok(ps2.columns.includes(column), column);

    // Expected from what was sent, by our own reading of the mapping (README's table).
    const inWindow = sent.filter((e) => e.eventType !== 'notebook_snapshot');
    const n = STUDENTS.length;
    assert.equal(ps2.countsByType, {
      'Session.Start': n, 'Session.End': n, 'File.Open': n, 'File.Save': n, 'X-Run.Start': n, 'Run.Program': 4 * n,
      'X-Run.Error': n, 'Compile.Error': n, 'X-Help.Request': n, Submit: 2, Intervention: 1,
    });
    assert.is(ps2.rows.length, inWindow.length + 2 * n + 3);
    assert.ok(ps2.orderStrictlyIncreasing);
    assert.ok(ps2.serverTimestampFollowsOrder);
    assert.ok(ps2.eventIdsUnique);
    assert.ok(ps2.codeStateIdsUnique);
    assert.equal(new Set(ps2.rows.map((r: any) => r.SubjectID)), new Set(STUDENTS.map((s) => s.userId)));

    const byId = new Map(sent.map((e) => [e.eventId, e]));
    for (const row of ps2.rows.filter((r: any) => r.EventType === 'Run.Program')) {
      const event = byId.get(row.EventID)!;
      const expected = event.code ?? `total = sum(range(${event.userId.length}))`; // the c4 run: its cell in the history
      assert.is(ps2.codeById[row.CodeStateID], expected, `${row.EventID} (${event.cellId})`);
      assert.is(row.ExecutionResult, event.success ? 'Success' : 'Error');
      assert.is(row.ClientTimestamp, event.eventTime);
      assert.is(row.ProblemID, event.cellId);
      assert.is(row.AssignmentID, event.notebookPath);
    }
    const compile = ps2.rows.filter((r: any) => r.EventType === 'Compile.Error');
    for (const row of compile) {
      const parent = ps2.rows.find((r: any) => r.EventID === row.ParentEventID);
      assert.is(parent.EventType, 'Run.Program');
      assert.is(Number(row.Order), Number(parent.Order) + 1);
      assert.is(row.CompileMessageType, 'SyntaxError');
      assert.is(row.CompileMessageData, 'invalid syntax');
      assert.is(row.SourceLocation, 'Text:1');
      assert.is(row.CodeStateSection, parent.AssignmentID);
      assert.is(row.CodeStateID, parent.CodeStateID);
    }
    const runtime = ps2.rows.filter((r: any) => r.EventType === 'X-Run.Error');
    assert.equal(new Set(runtime.map((r: any) => r.CompileMessageType)), new Set(['NameError']));

    // Hand-ins: the handed-in notebook's code cells as the code state, at the hand-in's time; the grade as an EarnedGrade intervention after it.
    for (const handIn of handIns) {
      const row = ps2.rows.find((r: any) => r.EventID === `submission-${handIn.id}`);
      assert.is(row.EventType, 'Submit');
      assert.is(row.SubjectID, handIn.userId);
      assert.is(row.AssignmentID, 'lab1.ipynb');
      assert.is(row.ServerTimestamp, handIn.submittedAt);
      assert.is(ps2.codeById[row.CodeStateID], handIn.code);
    }
    const grade = ps2.rows.find((r: any) => r.EventType === 'Intervention');
    assert.equal(
      { id: grade.EventID, subject: grade.SubjectID, category: grade.InterventionCategory, type: grade.InterventionType, message: grade.InterventionMessage, initiator: grade.EventInitiator },
      { id: `submission-${handIns[0].id}/grade`, subject: handIns[0].userId, category: 'EarnedGrade', type: 'Score=85/100', message: FEEDBACK, initiator: 'InstructorDirectAction' },
    );
    assert.ok(Number(grade.Order) > Number(ps2.rows.find((r: any) => r.EventID === `submission-${handIns[0].id}`).Order));
  });

  it('the pseudonymised exports hold no user id, name or email of the input, and pseudonyms differ between exports (no key set)', async () => {
    const identities = STUDENTS.flatMap((s) => [s.userId, s.name, s.name.replace(' ', ''), ...s.name.split(' '), s.email]);
    const first = readZip((await get(exportUrl('progsnap2', '&pseudonymise=true'))).bytes);
    const second = readZip((await get(exportUrl('progsnap2', '&pseudonymise=true'))).bytes);
    const csv = (await get(exportUrl('events.csv', '&pseudonymise=true'))).bytes.toString('utf8');
    for (const text of [...Object.values(first.texts as Record<string, string>), csv]) {
      for (const id of identities) assert.not.ok(text.toLowerCase().includes(id.toLowerCase()), `${id} found in an export`);
    }
    const subjects = (ps2: any) => [...new Set<string>(ps2.rows.map((r: any) => r.SubjectID))];
    assert.is(subjects(first).length, STUDENTS.length);
    for (const subject of subjects(first)) assert.match(subject, /^S[0-9a-f]{20}$/);
    assert.not.ok(subjects(first).some((s) => subjects(second).includes(s)));
    // Still the same dataset: the same rows, with the code (scrubbed) kept.
    assert.is(first.rows.length, (sent.length - STUDENTS.length) + 2 * STUDENTS.length + 3);
    assert.is(first.rows.find((r: any) => r.EventType === 'Intervention').InterventionMessage, 'Well done, [redacted]');
    assert.ok(Object.values(first.codeById as Record<string, string>).some((code) => code.startsWith('# [redacted] <[redacted]>\nx = 1')));
  });

  it('free_text=drop: no code states, no code, outputs or messages anywhere; error names stay', async () => {
    const ps2 = readZip((await get(exportUrl('progsnap2', '&pseudonymise=true&free_text=drop'))).bytes);
    assert.equal(ps2.codeById, {});
    assert.ok(ps2.rows.every((r: any) => r.CodeStateID === '' && r.CompileMessageData === '' && r.InterventionMessage === ''));
    assert.is(ps2.rows.filter((r: any) => r.EventType === 'Submit').length, 2);
    assert.equal(new Set(ps2.rows.filter((r: any) => r.CompileMessageType).map((r: any) => r.CompileMessageType)), new Set(['NameError', 'SyntaxError']));
    const csv = (await get(exportUrl('events.csv', '&free_text=drop'))).bytes.toString('utf8');
    for (const text of ['print(y)', 'def f(:', 'x = 1', 'hello', 'is not defined', 'stuck', 'File /home']) assert.not.ok(csv.includes(text), text);
  });

  it('events.csv: every event of the class in the window, once, in arrival order, with its payload', async () => {
    const reply = await get(exportUrl('events.csv'));
    assert.is(reply.status, 200);
    assert.is(reply.headers.get('content-type'), 'text/csv; charset=utf-8');
    const rows: Array<Record<string, string>> = parse(reply.bytes, { columns: true });
    const expected = sent.filter((e) => e.eventType !== 'notebook_snapshot');
    assert.equal(rows.map((r) => r.event_id).sort(), expected.map((e) => e.eventId).sort());
    assert.equal(rows.map((r) => Number(r.row)), rows.map((_, i) => i + 1));
    const byId = new Map(expected.map((e) => [e.eventId, e]));
    for (const row of rows) {
      const event = byId.get(row.event_id)!;
      assert.is(row.user_id, event.userId);
      assert.is(row.event_type, event.eventType);
      assert.is(row.event_time, event.eventTime);
      assert.is(JSON.parse(row.payload).code, event.code);
    }
  });

  it('the CLI export-class writes the same bytes as the route', async () => {
    const route = (await get(exportUrl('events.csv'))).bytes;
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'export-class-')), 'events.csv');
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'collector/src/main.ts', 'export-class', '--class', String(classId), '--from', from, '--to', to, '--format', 'events-csv', '--out', out], {
      cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8',
    });
    assert.is(cli.status, 0, cli.stderr);
    assert.ok(fs.readFileSync(out).equals(route));
    assert.is((fs.statSync(out).mode & 0o777).toString(8), '600');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'collector/src/main.ts', 'export-class', '--class', String(classId), '--from', 'yesterday', '--format', 'xml'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.is(bad.status, 2);
    for (const problem of ['--format must be progsnap2 or events-csv', '--from: ', 'not_iso_datetime', '--to: ', 'required']) assert.ok(bad.stderr.includes(problem), problem);
  });

  it('scope and requests: another class’s teacher gets 403, a missing class 404, a bad request 422 with its problems', async () => {
    for (const format of ['progsnap2', 'events.csv'] as const) {
      assert.is((await get(exportUrl(format), outsider)).status, 403);
      assert.is((await get(exportUrl(format), admin)).status, 200);
      assert.is((await get(`/api/v1/classes/999999/exports/${format}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, admin)).status, 404);
    }
    const problems = async (query: string) => {
      const reply = await request(running.url, 'get', `/api/v1/classes/${classId}/exports/progsnap2?${query}`, { token: teacher });
      assert.is(reply.status, 422);
      assert.is(reply.body.error, 'invalid_export_request');
      return reply.body.details.fields.map((f: { field: string; id: string }) => `${f.field}:${f.id}`);
    };
    assert.equal(await problems(''), ['from:required', 'to:required']);
    assert.equal(await problems(`from=${to}&to=${from}`), ['to:window_reversed']);
    assert.equal(await problems('from=2026-01-01&to=2026-01-02T00:00:00Z&pseudonymise=yes&free_text=some'), ['from:not_iso_datetime', 'pseudonymise:not_boolean', 'free_text:not_keep_or_drop']);
    assert.equal(await problems('from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z'), ['to:window_too_long']);
  });

  it.run();
}
