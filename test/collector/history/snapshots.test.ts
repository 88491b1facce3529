/**
 * Notebook history, the storage core (issue 21, first slice), through the real ingest API on both
 * engines: a `notebook_snapshot` becomes a version whose cells point at content-addressed blobs —
 * each distinct source or outputs text stored once, across versions and students; a resend stores
 * nothing twice; erasure and retention delete the blobs no version refers to any more, never one
 * another student still uses; an over-cap notebook is stored cut and marked, never dead-lettered;
 * a payload that is not a snapshot is refused with its reason.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { contentHash } from '../../../collector/src/history/blobs.ts';
import { storageStats, versionDetail, versionsOf } from '../../../collector/src/history/reads.ts';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { createEventStore } from '../../../collector/src/pipeline/projections.ts';
import { sweepRetention } from '../../../collector/src/privacy/retention.ts';
import { DEAD_LETTER_STREAM_KEY } from '../../../collector/src/redis/streamNames.ts';
import { login, request } from '../../helpers/http.ts';
import { bufferRowsOf, DAY_MS } from '../../helpers/privacyFixtures.ts';
import { waitFor } from '../../helpers/services.ts';
import { buildCellEvent, countRows, modesToTest, openStore, postEvents, settle, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const SECRET = 'history-snapshots-test-jwt-secret-0123456789';

type Cell = { id?: string; type: string; source: unknown; outputs?: unknown };

/** A snapshot event of `userId`'s `notebookPath`; `snapshot` overrides the payload's fields. */
function snapshot(userId: string, notebookPath: string, cells: Cell[], extra: Record<string, unknown> = {}, at = new Date()): Record<string, any> {
  return buildCellEvent({
    userId, notebookPath, eventType: 'notebook_snapshot', eventTime: at.toISOString(),
    cellId: undefined, cellType: undefined, code: undefined, output: undefined, executionCount: undefined, durationMs: undefined, success: undefined,
    metadata: { snapshot: { trigger: 'save', cells, ...extra } },
  });
}

const outputsOf = (text: string) => JSON.stringify([{ output_type: 'stream', name: 'stdout', text }]);
const homework = (third: string): Cell[] => [
  { id: 'a', type: 'markdown', source: '# Homework 1' },
  { id: 'b', type: 'code', source: 'import math' },
  { id: 'c', type: 'code', source: third },
  { id: 'd', type: 'markdown', source: 'Explain your answer.' },
  { id: 'e', type: 'code', source: 'print(answer)' },
];

for (const mode of modesToTest()) {
  const it = suite(`notebook history storage [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  let services: Services;
  let running: RunningCollector;
  let store: ReturnType<typeof openStore>;
  let token: string;
  let dataDir: string;
  const studentIdOf = async (userId: string) => Number((await store('students').where({ user_id: userId }).first('id')).id);
  const versionCount = (eventIds: string[]) => store('history_versions').whereIn('event_id', eventIds).count({ n: '*' }).then(([r]) => Number(r.n));
  const stored = async (events: Array<Record<string, any>>) => {
    const ids = events.map((e) => e.eventId);
    await waitFor(async () => (await versionCount(ids)) === ids.length || undefined, 30_000, `${ids.length} versions stored`);
  };
  const blobExists = async (text: string) => (await store('history_blobs').where({ hash: contentHash(text) }).first('hash')) !== undefined;

  it.before(async () => {
    services = await startServices(mode);
    const env = services.env({ JWT_SECRET: SECRET });
    dataDir = env.DATA_DIR;
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

  it('a snapshot posted to the ingest API is stored as a version with its cells in order, outside the events; a 200-cell notebook passes', async () => {
    const first = snapshot('ada', '/course/intro.ipynb', [
      { id: 'm1', type: 'markdown', source: '# Intro' },
      { id: 'k1', type: 'code', source: 'x = 41\nprint(x + 1)', outputs: outputsOf('42\n') },
      { type: 'raw', source: 'raw text' },
    ], { trigger: 'submission' });
    const big = snapshot('ada', '/course/big.ipynb', Array.from({ length: 200 }, (_, i) => ({
      id: `cell-${i}`, type: 'code', source: `value_${i} = ${i} * 2\nprint(value_${i})`,
      outputs: JSON.stringify([{ output_type: 'execute_result', data: { 'text/plain': String(i * 2), 'text/html': `<b>${i * 2}</b>` }, metadata: {}, execution_count: i }]),
    })));
    const reply = await postEvents(running.url, [first, big]);
    assert.is(reply.status, 202, JSON.stringify(reply.body));
    assert.equal(reply.body.rejected, []);
    await stored([first, big]);
    assert.is(await countRows(store, 'events', { event_type: 'notebook_snapshot' }), 0, 'not in the analytics');

    const ada = await studentIdOf('ada');
    const list = await versionsOf(store, { studentId: ada, notebookPath: '/course/intro.ipynb' }, { skip: 0, limit: 10 });
    assert.is(list.total, 1);
    assert.equal([list.items[0].trigger, list.items[0].cellCount, list.items[0].truncated, list.items[0].eventId], ['submission', 3, false, first.eventId]);
    const detail = (await versionDetail(store, list.items[0].id))!;
    assert.is(detail.notebookPath, '/course/intro.ipynb');
    assert.equal(detail.cells.map((c) => [c.position, c.cellId, c.cellType, c.source, c.outputs]), [
      [0, 'm1', 'markdown', '# Intro', null],
      [1, 'k1', 'code', 'x = 41\nprint(x + 1)', outputsOf('42\n')],
      [2, null, 'raw', 'raw text', null],
    ]);
    const bigVersion = (await versionsOf(store, { studentId: ada, notebookPath: '/course/big.ipynb' }, { skip: 0, limit: 1 })).items[0];
    const bigDetail = (await versionDetail(store, bigVersion.id))!;
    assert.is(bigDetail.cells.length, 200);
    assert.is(bigDetail.cells[199].source, 'value_199 = 199 * 2\nprint(value_199)');
  });

  it('three saves of a 5-cell notebook where one cell changes: the unchanged cells are stored once; versions newest first, paginated', async () => {
    const saves = ['answer = 1', 'answer = 2', 'answer = 3'].map((third, i) => snapshot('ben', '/course/hw1.ipynb', homework(third), {}, new Date(Date.now() - (3 - i) * 60_000)));
    assert.is((await postEvents(running.url, saves)).status, 202);
    await stored(saves);
    const ben = await studentIdOf('ben');
    const stats = await storageStats(store, { studentId: ben, notebookPath: '/course/hw1.ipynb' });
    assert.equal([stats.versions, stats.cells, stats.blobs], [3, 15, 7], '5 sources once, the changed cell twice more');
    assert.ok(stats.dedupRatio > 2, `ratio ${stats.dedupRatio}`);
    const page1 = await versionsOf(store, { studentId: ben, notebookPath: '/course/hw1.ipynb' }, { skip: 0, limit: 2 });
    assert.is(page1.total, 3);
    assert.equal(page1.items.map((v) => v.eventId), [saves[2].eventId, saves[1].eventId]);
    const page2 = await versionsOf(store, { studentId: ben, notebookPath: '/course/hw1.ipynb' }, { skip: 2, limit: 2 });
    assert.equal(page2.items.map((v) => v.eventId), [saves[0].eventId]);
    const middle = (await versionDetail(store, page1.items[1].id))!;
    assert.equal(middle.cells.map((c) => c.source), homework('answer = 2').map((c) => c.source));
  });

  it('10 students saving the same template store its cells once: the dedup ratio is 10', async () => {
    const template: Cell[] = [...homework('answer = None'), { id: 'f', type: 'code', source: 'def solve():\n    pass', outputs: outputsOf('') }];
    const saves = Array.from({ length: 10 }, (_, i) => snapshot(`student-${i}`, '/course/template.ipynb', template));
    assert.is((await postEvents(running.url, saves)).status, 202);
    await stored(saves);
    const stats = await storageStats(store, { notebookPath: '/course/template.ipynb' });
    assert.equal([stats.versions, stats.cells, stats.blobs], [10, 60, 7], '6 sources and 1 outputs text, once');
    assert.is(stats.referencedBytes, 10 * stats.storedBytes);
    assert.is(stats.dedupRatio, 10);
    console.log(`# [${mode}] 10 students, one template: ${stats.referencedBytes} bytes referenced, ${stats.storedBytes} stored, dedup ratio ${stats.dedupRatio}`);
  });

  it('a resent snapshot stores nothing twice, nor do two writers racing on the same events', async () => {
    const saves = ['v = 1', 'v = 2'].map((third) => snapshot('cy', '/course/resend.ipynb', homework(third)));
    assert.is((await postEvents(running.url, saves)).status, 202);
    await stored(saves);
    const before = { versions: await countRows(store, 'history_versions'), cells: await countRows(store, 'history_version_cells'), blobs: await countRows(store, 'history_blobs') };
    const again = await postEvents(running.url, saves);
    assert.is(again.status, 202);
    await settle(running.url, store);
    const write = createEventStore();
    const raced = ['v = 3', 'v = 4'].map((third) => snapshot('cy', '/course/resend.ipynb', homework(third)));
    await Promise.all([write(store, [...saves, ...raced] as never), write(store, [...raced, ...saves] as never)]);
    assert.equal(
      { versions: await countRows(store, 'history_versions'), cells: await countRows(store, 'history_version_cells'), blobs: await countRows(store, 'history_blobs') },
      { versions: before.versions + 2, cells: before.cells + 10, blobs: before.blobs + 2 },
      'the resend added nothing; the race added each raced version once',
    );
  });

  it('erasing a student keeps the blobs another student still uses and deletes those only she used; so does the retention sweep', async () => {
    const shared = ['# Lab 3', 'import numpy as np'];
    const cellsOf = (own: string): Cell[] => [{ type: 'markdown', source: shared[0] }, { type: 'code', source: shared[1] }, { type: 'code', source: own, outputs: outputsOf(own) }];
    const dee = snapshot('dee', '/course/lab3.ipynb', cellsOf('dee_only = True'));
    const eve = snapshot('eve', '/course/lab3.ipynb', cellsOf('eve_only = True'));
    const old = snapshot('fay', '/course/lab3.ipynb', cellsOf('fay_only = True'), {}, new Date(Date.now() - 40 * DAY_MS));
    assert.is((await postEvents(running.url, [dee, eve, old])).status, 202);
    await stored([dee, eve, old]);
    for (const text of [...shared, 'dee_only = True', outputsOf('dee_only = True'), 'fay_only = True']) assert.ok(await blobExists(text), text);

    const erased = await request(running.url, 'delete', '/api/v1/students/by-user/dee/data', { token, body: { confirm: 'dee' } });
    assert.is(erased.status, 200, JSON.stringify(erased.body));
    assert.equal([erased.body.erased.history_versions, erased.body.erased.history_version_cells, erased.body.erased.history_blobs], [1, 3, 2]);
    assert.not.ok(await blobExists('dee_only = True'), "her own cell's source is gone");
    assert.not.ok(await blobExists(outputsOf('dee_only = True')), "her own cell's outputs are gone");
    for (const text of shared) assert.ok(await blobExists(text), `a blob eve still uses stays: ${text}`);
    const eveVersion = (await versionsOf(store, { studentId: await studentIdOf('eve'), notebookPath: '/course/lab3.ipynb' }, { skip: 0, limit: 1 })).items[0];
    assert.equal((await versionDetail(store, eveVersion.id))!.cells.map((c) => c.source), [...shared, 'eve_only = True']);

    const swept = await sweepRetention(store, { now: new Date(), globalDays: 30 });
    assert.is(swept.history_versions, 1, JSON.stringify(swept));
    assert.not.ok(await blobExists('fay_only = True'), "the old version's own blob goes with it");
    for (const text of [...shared, 'eve_only = True']) assert.ok(await blobExists(text), `kept: ${text}`);
  });

  it('an over-cap notebook is stored cut and marked truncated, never dead-lettered: outputs first, then the cells past 2 MB', async () => {
    const mb = (n: number, fill: string) => fill.repeat(Math.floor(n * 1024 * 1024));
    const tooManySources = snapshot('gus', '/course/huge.ipynb', [0, 1, 2].map((i) => ({ id: `s${i}`, type: 'code', source: mb(0.9, String(i)) })));
    const tooManyOutputs = snapshot('gus', '/course/outputs.ipynb', [0, 1].map((i) => ({ id: `o${i}`, type: 'code', source: mb(0.6, String(i)), outputs: JSON.stringify([{ output_type: 'stream', name: 'stdout', text: mb(0.5, 'x') }]) })));
    const longOutput = snapshot('gus', '/course/long-output.ipynb', [{ id: 'l', type: 'code', source: 'print("x" * 100_000)', outputs: outputsOf('x'.repeat(100_000)) }]);
    for (const event of [tooManySources, tooManyOutputs, longOutput]) {
      const reply = await postEvents(running.url, [event]);
      assert.is(reply.status, 202, JSON.stringify(reply.body));
    }
    await stored([tooManySources, tooManyOutputs, longOutput]);
    const gus = await studentIdOf('gus');
    const only = async (path: string) => (await versionDetail(store, (await versionsOf(store, { studentId: gus, notebookPath: path }, { skip: 0, limit: 1 })).items[0].id))!;
    const huge = await only('/course/huge.ipynb');
    assert.equal([huge.truncated, huge.cellCount, huge.totalCells], [true, 2, 3]);
    assert.ok(huge.totalBytes > 2.6 * 1024 * 1024, String(huge.totalBytes));
    const outputs = await only('/course/outputs.ipynb');
    assert.equal([outputs.truncated, outputs.cellCount, outputs.cells.map((c) => c.outputs)], [true, 2, [null, null]], 'the sources fit once the outputs are dropped');
    const long = await only('/course/long-output.ipynb');
    assert.is(long.truncated, true);
    assert.equal(JSON.parse(long.cells[0].outputs!).truncated, true, 'outputs over 64 KB are kept as a preview');
    if (mode === 'embedded') assert.is(bufferRowsOf(dataDir, 'gus').deadLetters, 0);
    else {
      const redis = new Redis(services.redis!.url);
      try {
        assert.is(await redis.xlen(DEAD_LETTER_STREAM_KEY), 0);
      } finally {
        redis.disconnect();
      }
    }
  });

  it('a payload that is not a snapshot is refused at ingest with its reason, and skipped by the store without a throw', async () => {
    const good = snapshot('hal', '/course/bad.ipynb', [{ type: 'code', source: 'ok = True' }]);
    const bad = [
      { ...snapshot('hal', '/course/bad.ipynb', []), metadata: {} },
      snapshot('hal', '/course/bad.ipynb', 'cells' as never),
      snapshot('hal', '/course/bad.ipynb', [{ type: 'bogus', source: 'x' }]),
      snapshot('hal', '/course/bad.ipynb', [{ type: 'code', source: 42 }]),
      snapshot('hal', '/course/bad.ipynb', [{ type: 'code', source: 'x', outputs: [{ output_type: 'stream' }] }]),
      snapshot('hal', '/course/bad.ipynb', [], { trigger: 'whenever' }),
      snapshot('hal', undefined as never, [{ type: 'code', source: 'x' }]),
    ];
    const reply = await postEvents(running.url, [good, ...bad]);
    assert.is(reply.status, 202, JSON.stringify(reply.body));
    const rejected = reply.body.rejected as Array<{ index: number; error: string; message: string }>;
    assert.equal(rejected.map((r) => [r.index, r.error]), bad.map((_, i) => [i + 1, 'invalid_snapshot']));
    assert.match(rejected[0].message, /metadata\.snapshot must be an object/);
    assert.match(rejected[1].message, /cells must be an array/);
    assert.match(rejected[2].message, /cells\[0\]\.type must be one of code, markdown, raw/);
    assert.match(rejected[3].message, /cells\[0\]\.source must be a string/);
    assert.match(rejected[4].message, /cells\[0\]\.outputs/);
    assert.match(rejected[5].message, /trigger must be one of save, submission, interval/);
    assert.match(rejected[6].message, /notebookPath/);
    await stored([good]);
    const onlyBad = await postEvents(running.url, bad.slice(0, 2));
    assert.is(onlyBad.status, 422);
    assert.is(onlyBad.body.error, 'invalid_events');
    // One that reached the store all the same (written before the ingest check) is skipped.
    const before = await countRows(store, 'history_versions');
    await createEventStore()(store, bad.map((e) => ({ schemaVersion: 1, ...e })) as never);
    assert.is(await countRows(store, 'history_versions'), before);
    assert.is((await request(running.url, 'get', '/readyz')).status, 200, 'the collector is fine');
  });

  it.run();
}
