/**
 * An instructor sees the status and status history of themself and of their co-teachers (anyone who
 * teaches a class with them), an admin everyone's; another instructor of the deployment is a 404 and
 * their status changes never reach the socket. Both engines; `/instructor/ws` through Redis between
 * two collectors in the real mode.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { login, request } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/services.ts';
import { modesToTest, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';
import { openSocket } from '../../helpers/wsClient.ts';

const SECRET = 'colleagues-test-jwt-secret-0123456789-abcd';

for (const mode of modesToTest()) {
  const it = suite(`who sees an instructor's status [${mode}]`);
  let services: Services;
  let a: RunningCollector;
  let b: RunningCollector;
  const ids: Record<string, number> = {};
  const tokens: Record<string, string> = {};

  it.before(async () => {
    services = await startServices(mode);
    a = await startCollector(services.env({ JWT_SECRET: SECRET }));
    b = mode === 'embedded' ? a : await startCollector(services.env({ JWT_SECRET: SECRET }));
    for (const [key, role] of [['ada', 'admin'], ['tom', 'instructor'], ['ann', 'instructor'], ['zed', 'instructor']] as const) {
      ids[key] = (await createInstructor(a.collector.db, { email: `${key}@example.org`, name: key, password: `${key}-password-1`, role })).id;
      tokens[key] = await login(a.url, `${key}@example.org`, `${key}-password-1`);
    }
    const cls = await request(a.url, 'post', '/api/v1/classes', { token: tokens.tom, body: { name: 'Room 1', class_code: 'R1' } });
    assert.is((await request(a.url, 'post', `/api/v1/classes/${cls.body.id}/teachers`, { token: tokens.tom, body: { email: 'ann@example.org' } })).status, 201);
    await request(a.url, 'post', '/api/v1/classes', { token: tokens.zed, body: { name: 'Room 2', class_code: 'R2' } });
  });
  it.after(async () => {
    if (b !== a) await b.close();
    await a.close();
    await services.stop();
  });

  it("status and history: own and a co-teacher's are readable, another instructor's is 404 like a missing id; admins read everyone's", async () => {
    const read = (who: string, target: string, tail = '') => request(a.url, 'get', `/api/v1/instructor_status/${ids[target]}${tail}`, { token: tokens[who] });
    for (const tail of ['', '/history']) {
      assert.is((await read('tom', 'tom', tail)).status, 200);
      assert.is((await read('tom', 'ann', tail)).status, 200, `a co-teacher${tail}`);
      assert.is((await read('ann', 'tom', tail)).status, 200, `the owner, for the co-teacher${tail}`);
      const other = await read('tom', 'zed', tail);
      assert.equal([other.status, other.body.error], [404, 'instructor_not_found'], `another instructor${tail}`);
      assert.is((await read('zed', 'ann', tail)).status, 404);
      assert.is((await read('ada', 'zed', tail)).status, 200, `an admin${tail}`);
    }
  });

  it("an owner adds a teacher by email, but by instructor_id only a co-teacher of theirs: ids one by one would list every instructor's email", async () => {
    const own = await request(a.url, 'post', '/api/v1/classes', { token: tokens.zed, body: { name: 'Room 3', class_code: 'R3' } });
    const byId = await request(a.url, 'post', `/api/v1/classes/${own.body.id}/teachers`, { token: tokens.zed, body: { instructor_id: ids.ann } });
    assert.equal([byId.status, byId.body.error], [404, 'instructor_not_found'], 'like an id that does not exist');
    const list = await request(a.url, 'get', `/api/v1/classes/${own.body.id}/teachers`, { token: tokens.zed });
    assert.not.ok(JSON.stringify(list.body).includes('ann@example.org'));
    const byEmail = await request(a.url, 'post', `/api/v1/classes/${own.body.id}/teachers`, { token: tokens.zed, body: { email: 'ann@example.org' } });
    assert.is(byEmail.status, 201, 'the email they know');
    assert.is((await request(a.url, 'post', `/api/v1/classes/${own.body.id}/teachers`, { token: tokens.ada, body: { instructor_id: ids.tom } })).status, 201, 'an admin by id');
    await request(a.url, 'delete', `/api/v1/classes/${own.body.id}`, { token: tokens.zed });
  });

  it("/instructor/ws: a co-teacher's status change arrives (from the other collector), another instructor's never does", async () => {
    const socket = await openSocket(`${a.url.replace('http', 'ws')}/instructor/ws?token=${tokens.tom}`);
    const admin = await openSocket(`${a.url.replace('http', 'ws')}/instructor/ws?token=${tokens.ada}`);
    const put = (who: string, status: string) => request(b.url, 'put', `/api/v1/instructor_status/${ids[who]}`, { token: tokens[who], body: { status } });
    assert.is((await put('zed', 'busy')).status, 200);
    assert.is((await put('ann', 'break')).status, 200);
    await waitFor(() => socket.messages.some((m) => m.type === 'status_update' && m.instructor_id === ids.ann) || undefined, 10_000, "ann's update");
    await waitFor(() => admin.messages.some((m) => m.type === 'status_update' && m.instructor_id === ids.ann) || undefined, 10_000, "ann's update (admin)");
    const seen = socket.messages.filter((m) => m.type === 'status_update').map((m) => m.instructor_id);
    assert.equal(seen, [ids.ann], "tom saw ann's change and not zed's");
    assert.ok(admin.messages.some((m) => m.type === 'status_update' && m.instructor_id === ids.zed), 'the admin saw both');
    socket.ws.close();
    admin.ws.close();
  });

  it.run();
}
