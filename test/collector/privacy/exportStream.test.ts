/**
 * The export of a student with a lot of data streams (issue 18 item 8: 11 s and 2.5 GB RSS before):
 * 40,000 events of 4 KB each (160 MB of payload) leave as NDJSON page by page, the collector's memory
 * grows by far less than the export's size (a loose bound: under 150 MB while 160 MB pass), and
 * the last line says the export is complete. Both engines.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { login } from '../../helpers/http.ts';
import { collectorWithStore, modesToTest } from '../../helpers/stack.ts';

const SECRET = 'export-stream-test-jwt-secret-0123456789-ab';
const EVENTS = 40_000;
const PAYLOAD_CHARS = 4_000;
const MB = 1024 * 1024;

for (const mode of modesToTest()) {
  const it = suite(`a large export streams [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  const stack = collectorWithStore(it, mode, { JWT_SECRET: SECRET });

  it(`${EVENTS} events of ${PAYLOAD_CHARS / 1000} KB: NDJSON line by line, the collector's RSS grows by less than 150 MB`, async () => {
    const { running, store } = stack;
    await createInstructor(running.collector.db, { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' });
    const token = await login(running.url, 'root@example.org', 'root-password-1');
    const filler = 'x'.repeat(PAYLOAD_CHARS);
    const base = Date.UTC(2026, 10, 1);
    for (let i = 0; i < EVENTS; i += 1000) {
      const rows = Array.from({ length: 1000 }, (_, j) => {
        const n = i + j;
        const time = new Date(base + n * 1000).toISOString();
        return { event_id: `big-${n}`, event_type: 'cell_execution_complete', event_time: time, user_id: 'alice', session_id: 's', notebook_path: 'big.ipynb', cell_id: 'c', payload: JSON.stringify({ userId: 'alice', code: filler }), persisted_at: time };
      });
      await store.batchInsert('events', rows, 200);
    }

    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    let bytes = 0;
    let lines = 0;
    let tail = '';
    let last = '';
    try {
      const res = await fetch(`${running.url}/api/v1/students/by-user/alice/export`, { headers: { authorization: `Bearer ${token}` } });
      assert.is(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /application\/x-ndjson/);
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        const text = tail + decoder.decode(chunk, { stream: true });
        const parts = text.split('\n');
        tail = parts.pop()!;
        lines += parts.length;
        if (parts.length > 0) last = parts[parts.length - 1];
      }
      assert.is(tail, '', 'the export ends with a newline');
      assert.is(JSON.parse(last).kind, 'end');
      assert.is(JSON.parse(last).rows.events, EVENTS);
    } finally {
      clearInterval(sampler);
    }
    assert.is(lines, EVENTS + 2, 'a header, one line per event, the end (no other table has rows)');
    assert.ok(bytes > EVENTS * PAYLOAD_CHARS, `${(bytes / MB).toFixed(0)} MB exported`);
    const grew = (peak - before) / MB;
    assert.ok(grew < 150, `the collector's RSS grew by ${grew.toFixed(0)} MB while ${(bytes / MB).toFixed(0)} MB were exported`);
  });

  it.run();
}
