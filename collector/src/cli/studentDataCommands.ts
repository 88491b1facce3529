/**
 * `export-student --user NAME [--out FILE]` (NDJSON, streamed: privacy/studentData.ts) and `erase-student --user NAME --yes`: the admin routes'
 * work from the command line, on the store, this DATA_DIR's buffer and (Redis mode) the streams.
 * An erasure is announced on the `erasures` channel so running collectors clear their own buffers.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { LiveChannels } from '../broadcast/liveChannels.ts';
import { createCoordination } from '../coordination/createCoordination.ts';
import type { Config } from '../core/config.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { createDb, migrateLatest } from '../db/createDb.ts';
import { openBufferRows } from '../buffer/bufferRows.ts';
import { eraseStudent, exportStudentNdjson, hasStudentData, InfluxErasureError, type Transports } from '../privacy/studentData.ts';
import { createInfluxEraser } from '../sink/influxErasure.ts';
import { configOrExit, USAGE } from './usage.ts';

function args(command: string, options: Record<string, { type: 'string' | 'boolean' }>): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: process.argv.slice(3), options }).values;
  } catch (err) {
    process.stderr.write(`cell-monitor-collector ${command}: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

function userOf(command: string, value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '' && value.length <= 255) return value;
  process.stderr.write(`cell-monitor-collector ${command}: --user NAME is required (the Jupyter user name)\n${USAGE}`);
  process.exit(2);
}

/** The store, this DATA_DIR's buffer and the mode's streams and channels, for `work`; everything closed afterwards. */
async function withStores<T>(config: Config, log: Logger, work: (db: ReturnType<typeof createDb>, transports: Transports, channels: LiveChannels) => Promise<T>): Promise<T> {
  const db = createDb(config.databaseUrl);
  const buffer = openBufferRows(config.dataDir);
  if (!buffer) log.warn({ dataDir: config.dataDir }, 'no buffer file in DATA_DIR: run this where a collector keeps its DATA_DIR to include its buffer');
  const coordination = createCoordination({ mode: config.mode, collectorId: config.collectorId, log, command: 'privacy-cli' });
  try {
    await migrateLatest(db);
    return await work(db, { buffer, streams: coordination.streams, influx: config.influx ? createInfluxEraser(config.influx) : undefined }, coordination.channels);
  } finally {
    buffer?.close();
    coordination.close();
    await db.destroy();
  }
}

export async function exportStudentCommand(): Promise<void> {
  const values = args('export-student', { user: { type: 'string' }, out: { type: 'string' } });
  const userId = userOf('export-student', values.user);
  const config = configOrExit();
  // stdout may be the export itself: the log goes nowhere but warnings' stderr line below.
  const log = createLogger(values.out ? config.logLevel : 'silent', config);
  const found = await withStores(config, log, async (db, transports) => {
    if (!(await hasStudentData(db, userId, transports))) return false;
    const out = typeof values.out === 'string' ? fs.createWriteStream(values.out, { mode: 0o600 }) : process.stdout;
    await pipeline(Readable.from(exportStudentNdjson(db, userId, transports)), out, { end: out !== process.stdout });
    return true;
  });
  if (!found) {
    process.stderr.write(`cell-monitor-collector export-student: nothing is stored about ${JSON.stringify(userId)}\n`);
    process.exitCode = 1;
    return;
  }
  if (typeof values.out === 'string') log.info({ event: 'student_exported', userId, by: 'cli', file: values.out }, 'student data exported');
}

export async function eraseStudentCommand(): Promise<void> {
  const values = args('erase-student', { user: { type: 'string' }, yes: { type: 'boolean' } });
  const userId = userOf('erase-student', values.user);
  if (values.yes !== true) {
    process.stderr.write(`cell-monitor-collector erase-student: this deletes everything about ${JSON.stringify(userId)} for good; add --yes\n`);
    process.exit(2);
  }
  const config = configOrExit();
  const log = createLogger(config.logLevel, config);
  const counts = await withStores(config, log, async (db, transports, channels) => {
    try {
      return await eraseStudent(db, userId, transports);
    } catch (err) {
      if (!(err instanceof InfluxErasureError)) throw err;
      process.stderr.write(`cell-monitor-collector erase-student: ${JSON.stringify(userId)} is erased from the store, the buffer and the streams, but ${err.message}; run this again once InfluxDB answers\n`);
      process.exitCode = 1;
      return undefined;
    } finally {
      await channels.erasures.publish({ userId }).catch(() => undefined); // running collectors clear their buffers
    }
  });
  if (!counts) return;
  if (Object.entries(counts).every(([key, n]) => n === 0 || key === 'influxdb')) {
    process.stderr.write(`cell-monitor-collector erase-student: nothing is stored about ${JSON.stringify(userId)}\n`);
    process.exitCode = 1;
    return;
  }
  log.info({ event: 'student_erased', userId, by: 'cli', counts }, 'student data erased');
  process.stdout.write(`erased ${JSON.stringify(userId)}: ${Object.entries(counts).map(([table, n]) => `${table}=${n}`).join(' ')}\n`);
}
