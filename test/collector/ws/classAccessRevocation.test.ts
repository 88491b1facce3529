/**
 * A teacher removed from a class, or a class deleted, loses its live board at once: their
 * `/dashboard/ws` on the class closes with 4403 within a second, on whichever collector it is open
 * (two collectors on one Redis in the real mode), and an admin's socket on a deleted class closes
 * with 4404; their `/ws` stops carrying the class's students' events at once. A removal that was never
 * announced (a lost message) still closes the board at the next refresh.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type WebSocket from 'ws';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { ROSTER_REFRESH_MS } from '../../../collector/src/classes/classAccess.ts';
import { login, request } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/services.ts';
import { buildCellEvent, modesToTest, openStore, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';
import { openSocket } from '../../helpers/wsClient.ts';

const SECRET = 'class-access-test-jwt-secret-0123456789-ab';

/** How and when the socket closed; code 0 when it was still open a refresh period and 5 s later. */
function closing(ws: WebSocket): Promise<{ code: number; reason: string; at: number }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ code: 0, reason: 'still open', at: Date.now() }), ROSTER_REFRESH_MS + 5000);
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: String(reason), at: Date.now() });
    });
  });
}

for (const mode of modesToTest()) {
  const it = suite(`class access ends live sockets [${mode}]`);
  let services: Services;
  let a: RunningCollector;
  let b: RunningCollector;
  const tokens: Record<string, string> = {};
  const ids: Record<string, number> = {};

  const newClass = async (code: string) => {
    const cls = await request(b.url, 'post', '/api/v1/classes', { token: tokens.tom, body: { name: code, class_code: code } });
    assert.is((await request(b.url, 'post', `/api/v1/classes/${cls.body.id}/teachers`, { token: tokens.tom, body: { email: 'ann@example.org' } })).status, 201);
    return cls.body.id as number;
  };
  const board = (token: string, classId: number) => openSocket(`${a.url.replace('http', 'ws')}/dashboard/ws?class_id=${classId}`, ['cell-monitor.bearer', token]);

  it.before(async () => {
    services = await startServices(mode);
    a = await startCollector(services.env({ JWT_SECRET: SECRET }));
    b = mode === 'embedded' ? a : await startCollector(services.env({ JWT_SECRET: SECRET }));
    for (const [key, role] of [['ada', 'admin'], ['tom', 'instructor'], ['ann', 'instructor']] as const) {
      ids[key] = (await createInstructor(a.collector.db, { email: `${key}@example.org`, name: key, password: `${key}-password-1`, role })).id;
      tokens[key] = await login(a.url, `${key}@example.org`, `${key}-password-1`);
    }
  });
  it.after(async () => {
    if (b !== a) await b.close();
    await a.close();
    await services.stop();
  });

  it("a removed co-teacher's board closes with 4403 within a second; the owner's stays open", async () => {
    const classId = await newClass('R1');
    const ann = await board(tokens.ann, classId);
    const tom = await board(tokens.tom, classId);
    const annClosed = closing(ann.ws);
    const removedAt = Date.now();
    const removed = await request(b.url, 'delete', `/api/v1/classes/${classId}/teachers/${ids.ann}`, { token: tokens.tom });
    assert.is(removed.status, 200);
    const closed = await annClosed;
    assert.equal([closed.code, closed.reason], [4403, 'not_class_teacher']);
    assert.ok(closed.at - removedAt < 1000, `closed ${closed.at - removedAt} ms after the removal`);
    assert.is(tom.ws.readyState, tom.ws.OPEN, "the owner's board is still open");
    tom.ws.close();
  });

  it('deleting a class closes its teachers\' boards with 4403 and an admin\'s with 4404, within a second', async () => {
    const classId = await newClass('R2');
    const sockets = { ann: await board(tokens.ann, classId), tom: await board(tokens.tom, classId), ada: await board(tokens.ada, classId) };
    const closed = Object.fromEntries(Object.entries(sockets).map(([k, s]) => [k, closing(s.ws)]));
    const deletedAt = Date.now();
    assert.is((await request(b.url, 'delete', `/api/v1/classes/${classId}`, { token: tokens.tom })).status, 200);
    for (const [who, code] of [['ann', 4403], ['tom', 4403], ['ada', 4404]] as const) {
      const c = await closed[who];
      assert.is(c.code, code, who);
      assert.ok(c.at - deletedAt < 1000, `${who}: closed ${c.at - deletedAt} ms after the deletion`);
    }
  });

  it("a removed co-teacher's /ws stops carrying the class's students' events at once (the roster is re-read on the announcement)", async () => {
    const classId = await newClass('R4');
    assert.is((await request(b.url, 'post', `/api/v1/classes/${classId}/students`, { token: tokens.tom, body: { user_id: 'st04' } })).status, 201);
    const ws = a.url.replace('http', 'ws');
    const ann = await openSocket(`${ws}/ws?token=${tokens.ann}`);
    const tom = await openSocket(`${ws}/ws?token=${tokens.tom}`);
    const got = (socket: { messages: any[] }, eventId: string) => socket.messages.some((m) => m.type === 'events' && m.events.some((e: { eventId: string }) => e.eventId === eventId));
    const before = buildCellEvent({ userId: 'st04', eventTime: new Date().toISOString() });
    assert.is((await postEvents(b.url, [before])).status, 202);
    await waitFor(() => (got(ann, before.eventId) && got(tom, before.eventId)) || undefined, 10_000, 'both teachers see the event');
    assert.is((await request(b.url, 'delete', `/api/v1/classes/${classId}/teachers/${ids.ann}`, { token: tokens.tom })).status, 200);
    const after = buildCellEvent({ userId: 'st04', eventTime: new Date().toISOString() });
    assert.is((await postEvents(b.url, [after])).status, 202);
    await waitFor(() => got(tom, after.eventId) || undefined, 10_000, 'the owner sees the next event');
    assert.not.ok(got(ann, after.eventId), 'the removed co-teacher does not');
    ann.ws.close();
    tom.ws.close();
  });

  it('a removal nobody announced (written straight to the store) still closes the board at the next refresh', async () => {
    const classId = await newClass('R3');
    const ann = await board(tokens.ann, classId);
    const annClosed = closing(ann.ws);
    const store = openStore(services.databaseUrl);
    try {
      await store('class_teachers').where({ class_id: classId, instructor_id: ids.ann }).delete();
    } finally {
      await store.destroy();
    }
    assert.is((await annClosed).code, 4403, 'closed within a refresh period');
  });

  it.run();
}
