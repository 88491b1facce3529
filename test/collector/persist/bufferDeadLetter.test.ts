/**
 * Embedded mode's dead letters on the real buffer file: a row the persister could never store is set
 * aside in the same transaction that moves the cursor past it. The admin's Offline page therefore
 * never lists a dead letter while its row still counts as undelivered (CI saw "1 dead letter, 2
 * unforwarded"), and a crash between the verdict and the ack leaves the row to be read and judged
 * again instead of setting it aside twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@cell-monitor/collector';
import { createBufferWriter } from '../../../collector/src/buffer/bufferWriter.ts';
import { openBufferCursor } from '../../../collector/src/buffer/bufferCursor.ts';
import { createBufferSource } from '../../../collector/src/persist/sources/bufferSource.ts';
import { buildCellEvent } from '../../helpers/stack.ts';

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const it = suite('buffer dead letters');

async function withBuffer(run: (parts: { dataDir: string; writer: ReturnType<typeof createBufferWriter> }) => Promise<void>): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-deadletter-'));
  const writer = createBufferWriter({ dataDir, sync: 'normal', retentionHours: 24, log });
  try {
    const events = [buildCellEvent({ userId: 'alice' }), buildCellEvent({ userId: 'bob' })];
    await writer.append(events.map((e) => ({ eventId: e.eventId, body: JSON.stringify(e) })));
    await run({ dataDir, writer });
  } finally {
    writer.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

it('a dead letter is written with the ack that moves the cursor past its row, not before', () =>
  withBuffer(async ({ dataDir, writer }) => {
    const cursor = openBufferCursor(dataDir);
    const source = createBufferSource(cursor);
    try {
      const entries = await source.read(10, { wait: false });
      assert.is(entries.length, 2);
      await source.deadLetter(entries[0], 'sqlite_constraint');
      assert.equal([writer.deadLetterCount(), writer.pendingCount()], [0, 2], 'judged, not yet acked: nothing set aside, both still undelivered');
      await source.ack(entries);
      assert.equal([writer.deadLetterCount(), writer.pendingCount()], [1, 0], 'acked: one dead letter, nothing undelivered');
    } finally {
      source.stop();
      cursor.close();
    }
  }));

it('a crash between the verdict and the ack: the row is read again, and set aside once', () =>
  withBuffer(async ({ dataDir, writer }) => {
    const first = openBufferCursor(dataDir);
    const crashed = createBufferSource(first);
    const judged = await crashed.read(10, { wait: false });
    await crashed.deadLetter(judged[0], 'sqlite_constraint');
    crashed.stop();
    first.close(); // gone without an ack

    const cursor = openBufferCursor(dataDir);
    const source = createBufferSource(cursor);
    try {
      const again = await source.read(10, { wait: false });
      assert.equal(again.map((e) => e.eventId), judged.map((e) => e.eventId), 'both rows come back');
      assert.is(writer.deadLetterCount(), 0);
      await source.deadLetter(again[0], 'sqlite_constraint');
      await source.ack(again);
      assert.equal([writer.deadLetterCount(), writer.pendingCount()], [1, 0]);
    } finally {
      source.stop();
      cursor.close();
    }
  }));

it.run();
