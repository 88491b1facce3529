/**
 * Credential revocations on the ack path, on the real store (SQLite here; the PostgreSQL path is the
 * same query, exercised by credentials.test.ts in both engines): a class of students each posting
 * every 2 s costs the store one read per refresh, not one per request (the classroom bench saw a
 * query per ingest request before); a revocation made elsewhere (the CLI, another collector) is seen
 * within the refresh time; one made here is seen at once; a store that goes away leaves the last
 * copy standing (a starting collector reads one at once), and a collector that never read one
 * answers 503, never 500.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { migrateLatest } from '@cell-monitor/collector';
import { createRevocations, REVOCATION_CACHE_MS } from '../../collector/src/auth/credentialRevocation.ts';
import { openStore, startServices } from '../helpers/stack.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const KEY = 'revocation-cache-master-key-0123456789abcdef';
const it = suite('credential revocation cache');

async function store() {
  const services = await startServices('embedded');
  const db = openStore(services.databaseUrl);
  await migrateLatest(db);
  let queries = 0;
  db.on('query', (q: { sql: string }) => {
    if (/credential_revocations/.test(q.sql)) queries += 1;
  });
  return { db, services, queries: () => queries };
}

const refused = async (check: Promise<void>): Promise<string | undefined> => {
  try {
    await check;
    return undefined;
  } catch (err) {
    return (err as { id?: string }).id;
  }
};

it('300 students checked over and over: one read of the store, not one per request', async () => {
  const { db, queries } = await store();
  try {
    const revocations = createRevocations(db, KEY);
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 300 }, (_, i) => revocations.check(`student-${i}`, Date.now())));
    }
    assert.is(queries(), 1);
  } finally {
    await db.destroy();
  }
});

it('a revocation made elsewhere is seen within the refresh time; one made here at once', async () => {
  const { db } = await store();
  try {
    const here = createRevocations(db, KEY);
    const elsewhere = createRevocations(db, KEY); // the CLI, or another collector on the same store
    const issued = Date.now() - 1000;
    await here.check('alice', issued);
    await here.check('bob', issued);
    await elsewhere.revoke('alice');
    await here.revoke('bob');
    assert.is(await refused(here.check('bob', issued)), 'credential_revoked', 'revoked here: at once');
    const started = Date.now();
    let seenAfter = -1;
    while (Date.now() - started < 3 * REVOCATION_CACHE_MS) {
      if ((await refused(here.check('alice', issued))) === 'credential_revoked') {
        seenAfter = Date.now() - started;
        break;
      }
      await sleep(50);
    }
    assert.ok(seenAfter >= 0, 'the revocation made elsewhere was never seen');
    assert.is(await refused(here.check('alice', Date.now() + 1)), undefined, 'a credential issued afterwards works');
    console.log(`# a revocation made elsewhere was refused ${seenAfter} ms later (refresh every ${REVOCATION_CACHE_MS} ms)`);
  } finally {
    await db.destroy();
  }
});

it('the store goes away: the last copy stands; a collector that read at start keeps answering; one with no copy answers 503 store_unavailable', async () => {
  const { db, services } = await store();
  const issued = Date.now() - 1000;
  const warm = createRevocations(db, KEY);
  await warm.revoke('alice');
  await warm.check('bob', issued);
  const cold = createRevocations(db, KEY);
  const started = createRevocations(db, KEY, { readNow: true }); // a collector starting reads at once
  await sleep(300);
  await db.destroy(); // every later query fails
  await sleep(2 * REVOCATION_CACHE_MS + 100);
  assert.is(await refused(warm.check('alice', issued)), 'credential_revoked');
  assert.is(await refused(warm.check('bob', issued)), undefined);
  assert.is(await refused(cold.check('bob', issued)), 'store_unavailable');
  assert.is(await refused(started.check('bob', issued)), undefined, 'read at start: bob is acked without the store');
  assert.is(await refused(started.check('alice', issued)), 'credential_revoked');
  await services.stop();
});

it.run();
