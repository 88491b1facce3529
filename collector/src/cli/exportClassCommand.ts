/**
 * `export-class --class ID --from ISO --to ISO --format progsnap2|events-csv [--pseudonymise]
 * [--drop-free-text] [--out FILE]`: the class research export of the routes
 * (research/classExport.ts), from the command line for admins and scheduled jobs — to FILE (mode
 * 600) or stdout, streamed. Exit 2: bad arguments (each problem named); 1: no such class.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { classForBoard } from '../classes/classReads.ts';
import { createLogger } from '../core/logger.ts';
import { createDb, migrateLatest } from '../db/createDb.ts';
import { classExport, type ExportFormat } from '../research/classExport.ts';
import { readExportRequest } from '../research/exportRequest.ts';
import { configOrExit, USAGE } from './usage.ts';

const FORMATS: readonly ExportFormat[] = ['progsnap2', 'events-csv'];

function usageError(message: string): never {
  process.stderr.write(`cell-monitor-collector export-class: ${message}\n${USAGE}`);
  process.exit(2);
}

export async function exportClassCommand(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: process.argv.slice(3),
      options: { class: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, pseudonymise: { type: 'boolean' }, 'drop-free-text': { type: 'boolean' }, out: { type: 'string' } },
    }).values;
  } catch (err) {
    usageError((err as Error).message);
  }
  const classId = typeof values.class === 'string' && /^\d{1,9}$/.test(values.class) ? Number(values.class) : undefined;
  const problems: string[] = [];
  if (!classId) problems.push('--class ID is required (a class id, a positive integer)');
  const format = values.format as ExportFormat;
  if (!FORMATS.includes(format)) problems.push(`--format must be ${FORMATS.join(' or ')}`);
  const read = readExportRequest(classId ?? 0, { from: values.from, to: values.to, pseudonymise: values.pseudonymise === true, free_text: values['drop-free-text'] ? 'drop' : 'keep' });
  if ('problems' in read) problems.push(...read.problems.map((p) => `--${p.field}: ${p.message} (${p.id})`));
  if (problems.length > 0 || !('request' in read)) usageError(problems.join('; '));
  const config = configOrExit();
  const log = createLogger(values.out ? config.logLevel : 'silent', config); // stdout may be the export itself
  const db = createDb(config.databaseUrl);
  try {
    await migrateLatest(db);
    if (!(await classForBoard(db, read.request.classId))) {
      process.stderr.write(`cell-monitor-collector export-class: there is no class ${read.request.classId}\n`);
      process.exitCode = 1;
      return;
    }
    const body = await classExport(db, format, read.request, config.exportPseudonymKey);
    const out = typeof values.out === 'string' ? fs.createWriteStream(values.out, { mode: 0o600 }) : process.stdout;
    await pipeline(body, out, { end: out !== process.stdout });
    const { classId: id, from, to, pseudonymise, dropFreeText } = read.request;
    log.info({ event: 'class_exported', classId: id, format, from, to, pseudonymise, dropFreeText, by: 'cli', file: values.out }, 'class research export written');
  } finally {
    await db.destroy();
  }
}
