/**
 * One research export of a class, as the route and the CLI both make it: the request read
 * (exportRequest.ts), the class's identities for the pseudonyms, the store's newest row fixed, then
 * the chosen format as a stream — a ProgSnap2 zip (progsnap2Export.ts) or the raw events as CSV
 * (eventsCsv.ts). Nothing is built in memory: the stream reads the store as it is consumed.
 */
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { classIdentities, exportUpTo } from './classEvents.ts';
import { createExportPolicy } from './exportPolicy.ts';
import type { ExportRequest } from './exportRequest.ts';
import { eventsCsv } from './eventsCsv.ts';
import { progsnap2Zip } from './progsnap2Export.ts';

export type ExportFormat = 'progsnap2' | 'events-csv';

export const FORMATS: Record<ExportFormat, { contentType: string; extension: string }> = {
  progsnap2: { contentType: 'application/zip', extension: 'zip' },
  'events-csv': { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
};

/** The export as a stream; `pseudonymKey` is EXPORT_PSEUDONYM_KEY (unset: a random key for this export). */
export async function classExport(db: Knex, format: ExportFormat, request: ExportRequest, pseudonymKey?: string): Promise<Readable> {
  const identities = request.pseudonymise ? await classIdentities(db, request.classId) : [];
  const policy = createExportPolicy({ pseudonymise: request.pseudonymise, dropFreeText: request.dropFreeText, key: pseudonymKey, identities });
  const upTo = await exportUpTo(db);
  return format === 'progsnap2' ? progsnap2Zip(db, request, policy, upTo) : eventsCsv(db, request, policy, upTo);
}

/** The file name an export is saved as: `class-<id>-<from>-<to>[-pseudonymised].<ext>` (no student in it). */
export function exportFileName(format: ExportFormat, request: ExportRequest): string {
  const day = (t: string) => t.replace(/[:.]/g, '').replace(/000Z$/, 'Z');
  return `class-${request.classId}-${format}-${day(request.from)}-${day(request.to)}${request.pseudonymise ? '-pseudonymised' : ''}.${FORMATS[format].extension}`;
}
