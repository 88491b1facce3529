/**
 * Student credentials, round 3: one normalisation of user names everywhere (shared/src/userId.ts,
 * the same vectors as the Python issuers), and per-student revocation — one leaked credential is
 * revoked (admin route or CLI) without rotating anyone else's, a credential issued afterwards works,
 * and v1 credentials keep working until their student is revoked. Both engines.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Knex } from 'knex';
import { normaliseUserId, parseUserId, userIdProblem, UserIdError } from '@cell-monitor/shared';
import { credentialIssuedAt, issueStudentCredential, studentCredential } from '../../collector/src/auth/studentCredential.ts';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { parseRoster } from '../../collector/src/classes/roster.ts';
import { login, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/services.ts';
import { buildCellEvent, countRows, modesToTest, openStore, postEvents, ROOT, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';

const KEY = 'credentials-test-master-key-0123456789abcdef';
const SECRET = 'credentials-test-jwt-secret-0123456789-abcdef';
const vectors = JSON.parse(fs.readFileSync(`${ROOT}/test/vectors/student-credentials.json`, 'utf8'));

function runCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'collector/src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

const unit = suite('user names and credentials: the shared vectors');
unit('every user name of the vectors normalises (or is refused) as the Python issuers do', () => {
  assert.ok(vectors.userIds.length >= 20);
  for (const v of vectors.userIds as Array<{ raw: string; normalised?: string; error?: string }>) {
    const n = normaliseUserId(v.raw);
    assert.is(userIdProblem(n), v.error, JSON.stringify(v.raw));
    if (v.normalised !== undefined) assert.is(parseUserId(v.raw), v.normalised);
    else assert.throws(() => parseUserId(v.raw), (err: unknown) => err instanceof UserIdError && err.id === v.error);
  }
});
unit('v2 credentials carry their issue time; v1 ones count as issued at 0; another user or time does not match', () => {
  for (const v of vectors.v2Vectors as Array<{ masterKey: string; user: string; issuedAt: number; credential: string }>) {
    const user = parseUserId(v.user);
    assert.is(issueStudentCredential(v.masterKey, user, v.issuedAt), v.credential, v.user);
    assert.is(credentialIssuedAt(v.masterKey, user, v.credential), v.issuedAt);
    assert.is(credentialIssuedAt(v.masterKey, `${user}x`, v.credential), undefined);
    assert.is(credentialIssuedAt(v.masterKey, user, v.credential.replace(`_${v.issuedAt}_`, `_${v.issuedAt + 1}_`)), undefined, 'the time is under the MAC');
  }
  for (const v of vectors.vectors as Array<{ masterKey: string; user: string; credential: string }>) assert.is(credentialIssuedAt(v.masterKey, v.user, v.credential), 0);
});
unit('the roster import reads user names the same way: NFD and a BOM-wrapped name are the NFC student; a zero-width one is a bad line', () => {
  const parsed = parseRoster('user_id,name\nZoe\u0301,Zoe\n\u00a0bob\u3000,Bob\nal\u200bice,Alice\n');
  assert.equal(parsed.entries.map((e) => e.userId), ['Zo\u00e9', 'bob']);
  assert.equal(parsed.errors.map((e) => [e.line, e.error]), [[4, 'invalid_user_id']]);
});
unit.run();

for (const mode of modesToTest()) {
  const it = suite(`credentials with INGEST_KEY [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  let services: Services;
  let env: Record<string, string>;
  let running: RunningCollector;
  let store: Knex;
  let admin: string;
  const send = (user: string, credential: string, headerUser = encodeURIComponent(user)) =>
    postEvents(running.url, [buildCellEvent({ userId: user })], { headers: { authorization: `Bearer ${credential}`, 'x-cell-monitor-user': headerUser } });

  it.before(async () => {
    services = await startServices(mode);
    env = services.env({ JWT_SECRET: SECRET, INGEST_KEY: KEY });
    running = await startCollector(env);
    store = openStore(services.databaseUrl);
    await createInstructor(running.collector.db, { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' });
    await createInstructor(running.collector.db, { email: 'tess@example.org', name: 'Tess', password: 'tess-password-1', role: 'instructor' });
    admin = await login(running.url, 'root@example.org', 'root-password-1');
  });
  it.after(async () => {
    await running.close();
    await store.destroy();
    await services.stop();
  });

  it('a name that looks the same is the same student: NBSP/U+3000/BOM around it and NFD are read as the issuer normalised it', async () => {
    const zoe = 'Zo\u00e9'; // NFC, as issued
    const credential = issueStudentCredential(KEY, zoe);
    for (const header of [encodeURIComponent('Zoe\u0301'), encodeURIComponent(`\u3000${zoe}\u00a0`), encodeURIComponent(`\ufeff${zoe}`)]) {
      const reply = await send(zoe, credential, header);
      assert.is(reply.status, 202, `${header}: ${JSON.stringify(reply.body)}`);
    }
    await waitFor(async () => (await countRows(store, 'events', { user_id: zoe })) === 3 || undefined, 10_000, 'three events of one Zoé');
    assert.equal((await store('students').where('user_id', 'like', 'Zo%').select('user_id')).map((r) => r.user_id), [zoe]);
  });

  it('invisible, control and bidi characters in the user header: 400 invalid_user_header naming the reason, even with that name’s own credential', async () => {
    for (const name of ['al\u200bice', 'alice\u202e', '\u2066alice\u2069', 'al\u00adice', 'al\u0085ice']) {
      const reply = await send(name, issueStudentCredential(KEY, name), encodeURIComponent(name));
      assert.is(reply.status, 400, JSON.stringify(name));
      assert.is(reply.body.error, 'invalid_user_header');
      assert.is(reply.body.details?.reason, 'user_id_invisible_character', JSON.stringify(reply.body));
    }
  });

  it("revoking alice (admin route): her old v1 and v2 credentials get 401 credential_revoked, bob's still work, a new one of hers works", async () => {
    const v1 = studentCredential(KEY, 'alice');
    const issued = await runCli(['issue-credential', '--user', 'alice'], env);
    assert.is(issued.status, 0, issued.stderr);
    const v2 = issued.stdout.trim();
    assert.match(v2, /^cmc2_\d+_[A-Za-z0-9_-]{43}$/);
    const bob = issueStudentCredential(KEY, 'bob');
    for (const c of [v1, v2]) assert.is((await send('alice', c)).status, 202);
    assert.is((await send('bob', bob)).status, 202);

    const tess = await login(running.url, 'tess@example.org', 'tess-password-1');
    assert.is((await request(running.url, 'post', '/api/v1/students/by-user/alice/credential/revoke', { token: tess })).status, 403, 'admins only');
    assert.is((await request(running.url, 'post', '/api/v1/students/by-user/al%E2%80%8Bice/credential/revoke', { token: admin })).body.error, 'user_id_invisible_character');
    const revoked = await request(running.url, 'post', '/api/v1/students/by-user/alice/credential/revoke', { token: admin });
    assert.is(revoked.status, 200, JSON.stringify(revoked.body));
    assert.is(revoked.body.userId, 'alice');
    for (const c of [v1, v2]) {
      const reply = await waitFor(async () => {
        const r = await send('alice', c);
        return r.status === 202 ? undefined : r;
      }, 10_000, 'the revocation reaches the guard');
      assert.is(reply.status, 401);
      assert.is(reply.body.error, 'credential_revoked');
    }
    assert.is((await send('bob', bob)).status, 202, "bob's credential is untouched");
    const fresh = await runCli(['issue-credential', '--user', 'alice'], env);
    assert.is((await send('alice', fresh.stdout.trim())).status, 202, 'a credential issued after the revocation works');
  });

  it('revoke-credential on the command line: bob’s old credential gets 401, a new one works; names are normalised', async () => {
    const old = issueStudentCredential(KEY, 'bob', Date.now() - 1000);
    assert.is((await send('bob', old)).status, 202);
    const cli = await runCli(['revoke-credential', '--user', '\u3000bob'], env);
    assert.is(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /revoked "bob"/);
    assert.is((await runCli(['revoke-credential', '--user', 'b\u200bob'], env)).status, 2);
    const reply = await waitFor(async () => {
      const r = await send('bob', old);
      return r.status === 202 ? undefined : r;
    }, 10_000, 'the revocation reaches the guard');
    assert.is(reply.body.error, 'credential_revoked');
    const fresh = (await runCli(['issue-credential', '--user', 'bob'], env)).stdout.trim();
    assert.is((await send('bob', fresh)).status, 202);
  });

  it.run();
}
