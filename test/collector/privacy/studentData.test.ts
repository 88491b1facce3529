/**
 * One student's data on both stores: the admin export (everything that refers to them, their buffer
 * and stream entries) and the erasure — through the API and the CLI — that leaves no row, buffer
 * entry or stream entry of theirs anywhere, and everyone else's data as it was.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { OWNED_TABLES } from '../../../collector/src/privacy/registry.ts';
import { DEAD_LETTER_STREAM_KEY, STREAM_KEY } from '../../../collector/src/redis/streamNames.ts';
import { login, request } from '../../helpers/http.ts';
import { activity, bufferRowsOf, census, DAY_MS, expected, openBufferFile, parseExport } from '../../helpers/privacyFixtures.ts';
import { tempDir, waitFor } from '../../helpers/services.ts';
import { buildCellEvent, modesToTest, openStore, postEvents, ROOT, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const SECRET = 'student-data-test-jwt-secret-0123456789-abc';
const USERS = ['alice', 'bob', 'carol'];
const NOTEBOOK = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', source: 'print(1)', metadata: {}, outputs: [], execution_count: null }] };

function runCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'collector/src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'info' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Every row of every table of the registry (each owner declares its tables), as text: a student's name must not appear in it anywhere. */
async function everything(store: Knex): Promise<string> {
  const parts: string[] = [];
  for (const { table } of OWNED_TABLES) parts.push(JSON.stringify(await store(table).select()));
  return parts.join('\n');
}

async function streamUsers(redis: Redis, key: string): Promise<string[]> {
  return (await redis.xrange(key, '-', '+')).map(([, f]) => JSON.parse(f[f.indexOf('e') + 1]).userId as string);
}

for (const mode of modesToTest()) {
  const it = suite(`a student's data [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  let services: Services;
  let env: Record<string, string>;
  let running: RunningCollector | undefined;
  /** Redis mode: a second collector with its own buffer, which hears of the erasure on the live channel. */
  let other: RunningCollector | undefined;
  let store: Knex;
  let redis: Redis | undefined;
  let token: string;
  let classId: number;
  const api = (method: string, route: string, options: { body?: unknown; token?: string } = {}) => request(running!.url, method, route, { token: token, ...options });
  const recent = new Date(Date.now() - DAY_MS);
  const aliceEvents = mode === 'embedded' ? 5 : 7;

  it.before(async () => {
    services = await startServices(mode);
    env = services.env({ JWT_SECRET: SECRET });
    running = await startCollector(env);
    store = openStore(services.databaseUrl);
    redis = services.redis ? new Redis(services.redis.url) : undefined;
    await createInstructor(running.collector.db, { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' });
    await createInstructor(running.collector.db, { email: 'tess@example.org', name: 'Tess', password: 'tess-password-1', role: 'instructor' });
    token = await login(running.url, 'root@example.org', 'root-password-1');

    classId = (await api('post', '/api/v1/classes', { body: { name: 'Seats', class_code: 'SEATS' } })).body.id;
    const assignmentId = (await api('post', '/api/v1/assignments', { body: { class_id: classId, notebook_path: 'hw.ipynb', title: 'HW' } })).body.id;
    const events = USERS.flatMap((user) => activity(user, recent, 'x'));
    assert.is((await postEvents(running.url, events)).status, 202);
    if (services.redis) {
      other = await startCollector(services.env({ JWT_SECRET: SECRET }));
      assert.is((await postEvents(other.url, [buildCellEvent({ userId: 'alice', eventType: 'kernel_restart', cellId: undefined, notebookPath: undefined, sessionId: undefined }), buildCellEvent({ userId: 'bob', eventType: 'kernel_restart', cellId: undefined, notebookPath: undefined, sessionId: undefined }), buildCellEvent({ userId: 'alice', eventType: 'kernel_interrupt', cellId: undefined, notebookPath: undefined, sessionId: undefined })])).status, 202);
    }
    await waitFor(async () => Number((await store('events').whereIn('user_id', USERS).count({ n: '*' }))[0].n) === events.length + (other ? 3 : 0) || undefined, 30_000, 'every event stored');
    for (const user of USERS) {
      const student = (await api('post', `/api/v1/classes/${classId}/students`, { body: { user_id: user } })).body.student.id;
      assert.is((await api('post', '/api/v1/submissions', { body: { assignment_id: assignmentId, student_id: student, notebook_content: NOTEBOOK } })).status, 201);
      await store('student_notifications').insert({ student_id: student, type: 'broadcast', payload: JSON.stringify({ message: `hello ${user}` }), created_at: new Date().toISOString() });
    }
    const seat = (kind: string, key: string, x: number) => ({ kind, key, x, y: 0.5 });
    await store('class_seat_maps').insert({ class_id: classId, placements: JSON.stringify([seat('student', 'alice', 0.1), seat('student', 'bob', 0.2), seat('team', 'Team A', 0.3), seat('student', 'carol', 0.4)]), updated_at: new Date().toISOString() });
    const buffer = openBufferFile(env.DATA_DIR);
    for (const user of ['alice', 'bob']) buffer.prepare('INSERT INTO dead_letters (event_id, body, reason, created_at) VALUES (?, ?, ?, ?)').run(`dead-${user}`, JSON.stringify(buildCellEvent({ userId: user })), 'test', Date.now());
    buffer.close();
    for (const user of ['alice', 'bob']) await redis?.xadd(DEAD_LETTER_STREAM_KEY, '*', 'id', `dead-${user}`, 'reason', 'test', 'e', JSON.stringify(buildCellEvent({ userId: user })));
  });
  it.after(async () => {
    await running?.close();
    await other?.close();
    redis?.disconnect();
    await store.destroy();
    await services.stop();
  });

  it('export: the student row, every row that refers to them, their buffer and stream entries, as an NDJSON attachment (admins only)', async () => {
    const reply = await api('get', '/api/v1/students/by-user/alice/export');
    assert.is(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /application\/x-ndjson/);
    assert.is(reply.headers.get('content-disposition'), 'attachment; filename="student-alice.ndjson"');
    const data = parseExport(reply.body);
    assert.is(data.header.userId, 'alice');
    assert.is(data.header.student!.user_id, 'alice');
    assert.is(data.tables.events.length, aliceEvents);
    assert.ok(data.tables.events.every((e) => e.user_id === 'alice' && e.payload.userId === 'alice'));
    const sizes = Object.fromEntries(Object.entries(data.tables).map(([t, rows]) => [t, rows.length]));
    assert.equal(sizes, { events: aliceEvents, cell_executions: 2, cell_progress: 2, error_logs: 1, error_groups: 1, notebook_accesses: 1, help_requests: 1, student_notifications: 1, assignment_submissions: 1, class_enrollments: 1, cells: 2, sessions: 1, notebooks: 1 });
    assert.equal(data.rows, { ...sizes, connection_tests: 0, student_environments: 0, history_versions: 0, history_version_cells: 0, history_blobs: 0, history_branches: 0, history_branch_versions: 0, history_commits: 0 }, 'the end record counts every table');
    assert.equal(data.tables.assignment_submissions[0].notebook_content, NOTEBOOK);
    assert.equal(data.tables.student_notifications[0].payload, { message: 'hello alice' });
    assert.equal(data.seats, [{ classId, x: 0.1, y: 0.5 }]);
    assert.is(data.bufferRows.length, 5, "this collector's buffer rows");
    assert.ok(data.bufferRows.every((r) => r.event.userId === 'alice' && r.delivered));
    assert.equal(data.deadLetters.map((d) => d.eventId), ['dead-alice']);
    if (redis) assert.equal(data.streams.dead_letter_stream.map((e) => e.fields.id), ['dead-alice']);
    else assert.equal(data.streams, {});

    const unknown = await api('get', '/api/v1/students/by-user/nobody/export');
    assert.is(unknown.status, 404);
    assert.is(unknown.body.error, 'student_not_found');
    const tess = await login(running!.url, 'tess@example.org', 'tess-password-1');
    assert.is((await api('get', '/api/v1/students/by-user/alice/export', { token: tess })).status, 403);
    assert.is((await api('delete', '/api/v1/students/by-user/alice/data', { token: tess, body: { confirm: 'alice' } })).status, 403);
  });

  it('erase through the API: confirmed by the user id, counts per table; nothing of theirs is left anywhere, the others are intact', async () => {
    const othersBefore = await census(store, ['bob', 'carol']);
    assert.equal(othersBefore.carol, expected(1, { student_notifications: 1, assignment_submissions: 1, class_enrollments: 1 }));
    const othersBuffered = ['bob', 'carol'].map((u) => bufferRowsOf(env.DATA_DIR, u));
    const otherCollectorBob = other ? bufferRowsOf(other.collector.config.dataDir, 'bob') : undefined;
    if (other) assert.is(bufferRowsOf(other.collector.config.dataDir, 'alice').rows, 2);

    for (const body of [undefined, {}, { confirm: 'bob' }, { confirm: 'ALICE' }, { confirm: ['alice'] }]) {
      const refused = await api('delete', '/api/v1/students/by-user/alice/data', { body });
      assert.is(refused.status, 422, JSON.stringify(body));
      assert.is(refused.body.error, 'confirmation_required');
    }
    assert.is((await census(store, ['alice'])).alice.events, aliceEvents, 'refused: nothing erased');

    const onBoard = async () => ((await api('get', `/api/v1/dashboard/board?class_id=${classId}`)).body.cards as Array<{ userId: string }>).map((c) => c.userId);
    assert.ok((await onBoard()).includes('alice'), 'alice is on the live board before');
    const reply = await api('delete', '/api/v1/students/by-user/alice/data', { body: { confirm: 'alice' } });
    assert.is(reply.status, 200, JSON.stringify(reply.body));
    await waitFor(async () => !(await onBoard()).includes('alice') || undefined, 10_000, 'alice leaves the live board');
    assert.equal(reply.body, {
      userId: 'alice',
      erased: {
        events: aliceEvents, students: 1, sessions: 1, cells: 2, cell_executions: 2, error_logs: 1, notebook_accesses: 1, help_requests: 1,
        student_notifications: 1, assignment_submissions: 1, class_enrollments: 1, notebooks: 1, class_seat_maps: 1, buffer: 5, buffer_dead_letters: 1,
        connection_tests: 0, student_environments: 0, history_versions: 0, history_version_cells: 0, history_blobs: 0, history_branches: 0, history_branch_versions: 0, history_commits: 0, cell_progress: 2, error_groups: 1,
        ...(redis ? { stream: 0, dead_letter_stream: 1 } : {}),
      },
    });

    assert.equal((await census(store, ['alice'])).alice, expected(0, { students: 0 }));
    assert.not.match(await everything(store), 'alice', 'a row still names her');
    const placements = JSON.parse((await store('class_seat_maps').where({ class_id: classId }).first('placements')).placements);
    assert.equal(placements.map((p: { key: string }) => p.key), ['bob', 'Team A', 'carol']);
    assert.equal(bufferRowsOf(env.DATA_DIR, 'alice'), { rows: 0, deadLetters: 0, eventTimes: [] });
    if (redis) {
      assert.equal(await streamUsers(redis, DEAD_LETTER_STREAM_KEY), ['bob']);
      assert.not.ok((await streamUsers(redis, STREAM_KEY)).includes('alice'));
    }
    if (other) {
      await waitFor(() => bufferRowsOf(other!.collector.config.dataDir, 'alice').rows === 0 || undefined, 10_000, "the other collector's buffer cleared");
      assert.equal(bufferRowsOf(other.collector.config.dataDir, 'bob'), otherCollectorBob);
    }

    assert.equal(await census(store, ['bob', 'carol']), othersBefore);
    assert.equal(['bob', 'carol'].map((u) => bufferRowsOf(env.DATA_DIR, u)), othersBuffered);
    const again = await api('delete', '/api/v1/students/by-user/alice/data', { body: { confirm: 'alice' } });
    assert.is(again.status, 404);
    assert.is(again.body.error, 'student_not_found');
  });

  it('the CLI: export-student to a file; erase-student only with --yes, then carol is gone from the store, the buffer and the stream', async () => {
    const out = path.join(tempDir('export'), 'carol.json');
    const exported = await runCli(['export-student', '--user', 'carol', '--out', out], env);
    assert.is(exported.status, 0, exported.stderr);
    const data = parseExport(fs.readFileSync(out, 'utf8'));
    assert.is(data.tables.events.length, 5);
    assert.is(data.bufferRows.length, 5);
    assert.is(fs.statSync(out).mode & 0o777, 0o600);
    const toStdout = await runCli(['export-student', '--user', 'carol'], env);
    assert.is(parseExport(toStdout.stdout).tables.events.length, 5, 'stdout holds the export alone');
    assert.is((await runCli(['export-student', '--user', 'nobody'], env)).status, 1);
    assert.is((await runCli(['erase-student', '--user', 'carol'], env)).status, 2);
    assert.is((await runCli(['erase-student', '--yes'], env)).status, 2);
    assert.is((await census(store, ['carol'])).carol.events, 5, 'without --yes nothing is erased');

    // Stopped collectors: stream entries stay in the stream for the CLI to find.
    await running!.close();
    await other?.close();
    running = other = undefined;
    for (const user of ['carol', 'bob']) await redis?.xadd(STREAM_KEY, '*', 'id', `queued-${user}`, 'e', JSON.stringify(buildCellEvent({ userId: user })));
    const bobBefore = await census(store, ['bob']);
    const bobBuffered = bufferRowsOf(env.DATA_DIR, 'bob');

    const erased = await runCli(['erase-student', '--user', 'carol', '--yes'], env);
    assert.is(erased.status, 0, erased.stderr);
    assert.match(erased.stdout, /erased "carol": .*events=5 .*students=1/);
    const logged = erased.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.event === 'student_erased');
    assert.equal([logged.userId, logged.by, logged.counts.events], ['carol', 'cli', 5]);
    assert.not.match(erased.stdout, /NameError|hello carol/, 'no data in the output');

    assert.equal((await census(store, ['carol'])).carol, expected(0, { students: 0 }));
    assert.not.match(await everything(store), 'carol');
    assert.equal(bufferRowsOf(env.DATA_DIR, 'carol'), { rows: 0, deadLetters: 0, eventTimes: [] });
    if (redis) assert.equal(await streamUsers(redis, STREAM_KEY), ['bob']);
    assert.equal(await census(store, ['bob']), bobBefore);
    assert.equal(bufferRowsOf(env.DATA_DIR, 'bob'), bobBuffered);
    assert.is((await runCli(['erase-student', '--user', 'carol', '--yes'], env)).status, 1, 'nothing left to erase');
  });

  it.run();
}
