/**
 * A class roster through the real API on both engines: a 40-line file with 3 bad lines is previewed
 * (every bad line with its reason, nothing written), then imported; the board shows the roster's
 * names and teams; a re-import updates rather than duplicates; the CSV export imports back unchanged.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BoardSnapshot, RosterImportResult, RosterView } from '@cell-monitor/shared';
import { login, request } from '../../helpers/http.ts';
import { addInstructors, TEACHER_AND_OUTSIDER, countRows, modesToTest, openStore, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const SECRET = 'roster-test-jwt-secret-0123456789-abcdef';
const TEAMS = ['チームA', 'チームB', 'チームC', 'チームD', 'チームE', 'チームF', 'チームG', 'チームH'];
const pad = (i: number) => String(i).padStart(2, '0');

/** 40 lines: 37 good ones (s01…s37), then a line without a user name, a bad email and a repeated user. */
function rosterCsv(): string {
  const lines = ['username,display name,email,team,student number'];
  for (let i = 1; i <= 37; i++) lines.push(`s${pad(i)},学生 ${pad(i)},s${pad(i)}@uni.example,${TEAMS[(i - 1) % 8]},2026-${pad(i)}`);
  lines.push(',名無し,nobody@uni.example,チームA,2026-98'); // line 39
  lines.push('s99,Bad Mail,not-an-email,チームB,2026-99'); // line 40
  lines.push('s05,Again,again@uni.example,チームC,2026-05'); // line 41
  return lines.join('\r\n') + '\r\n';
}

for (const mode of modesToTest()) {
  const it = suite(`class roster and teams [${mode}]`);
  let services: Services;
  let app: RunningCollector;
  let token: string;
  let classId: number;
  const api = (method: string, route: string, body?: unknown, as = token) => request(app.url, method, route, { token: as, body });

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET }));
    [token] = await addInstructors(app, TEACHER_AND_OUTSIDER, 1);
    classId = (await api('post', '/api/v1/classes', { name: 'Data Science 1', class_code: 'DS1' })).body.id;
  });

  it.after(async () => {
    await app.close();
    await services.stop();
  });

  it('a preview lists what each line would do and every bad line with its reason; nothing is written', async () => {
    const store = openStore(services.databaseUrl);
    try {
      const before = { students: await countRows(store, 'students'), enrolled: await countRows(store, 'class_enrollments'), teams: await countRows(store, 'class_teams') };
      const reply = await api('post', `/api/v1/classes/${classId}/roster`, { csv: rosterCsv() });
      assert.is(reply.status, 200, JSON.stringify(reply.body));
      const preview = reply.body as RosterImportResult;
      assert.is(preview.applied, false);
      assert.equal(preview.summary, { lines: 40, valid: 37, invalid: 3, create: 37, enroll: 0, update: 0, unchanged: 0 });
      assert.equal(preview.errors.map((e) => [e.line, e.field, e.error]), [[39, 'user_id', 'missing_user_id'], [40, 'email', 'invalid_email'], [41, 'user_id', 'duplicate_user_id']]);
      assert.match(preview.errors[2].message, /s05 is already on line 6/);
      assert.equal(preview.newTeams.sort(), [...TEAMS].sort());
      assert.equal(preview.rows[0], { line: 2, userId: 's01', name: '学生 01', email: 's01@uni.example', team: 'チームA', studentNumber: '2026-01', action: 'create', changes: [] });
      assert.equal({ students: await countRows(store, 'students'), enrolled: await countRows(store, 'class_enrollments'), teams: await countRows(store, 'class_teams') }, before, 'a preview writes nothing');
    } finally {
      await store.destroy();
    }
  });

  it('confirmed, the valid lines are imported with their teams, and the board shows roster names grouped by team', async () => {
    const reply = await api('post', `/api/v1/classes/${classId}/roster`, { csv: rosterCsv(), apply: true });
    assert.is(reply.status, 200, JSON.stringify(reply.body));
    assert.is(reply.body.applied, true);
    const roster = (await api('get', `/api/v1/classes/${classId}/roster`)).body as RosterView;
    assert.is(roster.students.length, 37);
    assert.equal(roster.teams.map((t) => [t.name, t.members.length]), TEAMS.map((t, i) => [t, i < 5 ? 5 : 4]));
    assert.ok(!roster.students.some((s) => s.userId === 's99'), 'a bad line is skipped');
    const board = (await api('get', `/api/v1/dashboard/board?class_id=${classId}`)).body as BoardSnapshot;
    assert.is(board.cards.length, 37);
    const s12 = board.cards.find((c) => c.userId === 's12')!;
    assert.equal([s12.displayName, s12.team], ['学生 12', 'チームD']);
  });

  it('a re-import updates changed lines, adds new ones and never duplicates', async () => {
    const csv = ['user_id,name,team', 's01,学生 01,チームA', 's02,Renamed Two,チームA', 's03,学生 03,', 's50,New Fifty,チームZ'].join('\n');
    const preview = (await api('post', `/api/v1/classes/${classId}/roster`, { csv })).body as RosterImportResult;
    assert.equal(preview.rows.map((r) => [r.userId, r.action, r.changes]), [['s01', 'unchanged', []], ['s02', 'update', ['name', 'team']], ['s03', 'update', ['team']], ['s50', 'create', []]]);
    assert.is(preview.notInFile.length, 34, 'the others are listed, not removed');
    assert.equal(preview.newTeams, ['チームZ']);
    const store = openStore(services.databaseUrl);
    try {
      const students = await countRows(store, 'students');
      assert.is((await api('post', `/api/v1/classes/${classId}/roster`, { csv, apply: true })).status, 200);
      assert.is(await countRows(store, 'students'), students + 1, 'only s50 is new');
      assert.is(await countRows(store, 'class_enrollments', { class_id: classId }), 38);
    } finally {
      await store.destroy();
    }
    const roster = (await api('get', `/api/v1/classes/${classId}/roster`)).body as RosterView;
    const line = (id: string) => roster.students.find((s) => s.userId === id)!;
    assert.equal([line('s02').name, line('s02').team, line('s02').studentNumber, line('s02').email], ['Renamed Two', 'チームA', '2026-02', 's02@uni.example'], 'columns the file lacks are kept');
    assert.is(line('s03').team, null, 'an empty team cell removes the team');
  });

  it('the CSV export imports back with every line unchanged; formula-like cells are defused and restored', async () => {
    assert.is((await api('put', `/api/v1/classes/${classId}/roster/s04`, { name: '=HYPERLINK("http://evil.example")' })).status, 200);
    const res = await fetch(`${app.url}/api/v1/classes/${classId}/roster.csv`, { headers: { authorization: `Bearer ${token}` } });
    assert.is(res.status, 200);
    assert.match(res.headers.get('content-type')!, /text\/csv/);
    assert.match(res.headers.get('content-disposition')!, /roster-DS1\.csv/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM, so Excel reads the UTF-8 names');
    const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    assert.ok(csv.startsWith('\uFEFFuser_id,name,email,team,student_number\r\n'), csv.slice(0, 80));
    assert.ok(csv.includes(`'=HYPERLINK`), 'a formula is quoted so a spreadsheet does not run it');
    const again = (await api('post', `/api/v1/classes/${classId}/roster`, { csv })).body as RosterImportResult;
    assert.is(again.errors.length, 0, JSON.stringify(again.errors));
    assert.is(again.summary.unchanged, 38, JSON.stringify(again.rows.filter((r) => r.action !== 'unchanged')));
  });

  it('Japanese headers, a BOM and tab separators are read; a file without a user-name column is refused', async () => {
    const tsv = '\uFEFFユーザー名\t氏名\tチーム\ns01\t学生 01\tチームB\n';
    const preview = (await api('post', `/api/v1/classes/${classId}/roster`, { csv: tsv })).body as RosterImportResult;
    assert.equal(preview.rows.map((r) => [r.userId, r.action, r.changes]), [['s01', 'update', ['team']]]);
    const refused = await api('post', `/api/v1/classes/${classId}/roster`, { csv: 'name,email\nA,a@b.example\n' });
    assert.is(refused.status, 422);
    assert.is(refused.body.error, 'roster_header_missing');
    assert.match(refused.body.message, /user_id/);
    const notText = await api('post', `/api/v1/classes/${classId}/roster`, { csv: 42 });
    assert.is(notText.status, 422);
  });

  it('teams are edited from the dashboard: moved, renamed, deleted (members stay in the class)', async () => {
    const moved = await api('put', `/api/v1/classes/${classId}/roster/s07`, { team: 'チームH' });
    assert.is(moved.body.team, 'チームH');
    const teams = (await api('get', `/api/v1/classes/${classId}/teams`)).body as Array<{ id: number; name: string; members: string[] }>;
    const h = teams.find((t) => t.name === 'チームH')!;
    assert.ok(h.members.includes('s07'));
    assert.is((await api('post', `/api/v1/classes/${classId}/teams`, { name: 'チームH' })).body.error, 'team_exists');
    assert.is((await api('put', `/api/v1/classes/${classId}/teams/${h.id}`, { name: 'Team Hotel' })).body.name, 'Team Hotel');
    assert.is((await api('delete', `/api/v1/classes/${classId}/teams/${h.id}`)).status, 200);
    const roster = (await api('get', `/api/v1/classes/${classId}/roster`)).body as RosterView;
    assert.is(roster.students.find((s) => s.userId === 's07')!.team, null);
    assert.is(roster.students.length, 38);
    assert.is((await api('put', `/api/v1/classes/${classId}/roster/nobody`, { team: 'X' })).body.error, 'enrollment_not_found');
  });

  it("another class's instructor can neither read nor import this roster", async () => {
    const other = await login(app.url, 'other@example.org', 'other-password-1');
    for (const [method, route, body] of [['get', `/api/v1/classes/${classId}/roster`], ['get', `/api/v1/classes/${classId}/roster.csv`], ['post', `/api/v1/classes/${classId}/roster`, { csv: 'user_id\nx\n', apply: true }], ['get', `/api/v1/classes/${classId}/teams`]] as const) {
      const reply = await api(method, route, body, other);
      assert.ok(reply.status === 403 || reply.status === 404, `${method} ${route}: ${reply.status}`);
    }
    assert.is((await api('get', `/api/v1/classes/${classId}/roster`, undefined, '')).status, 401);
  });

  it.run();
}
