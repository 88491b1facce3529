/**
 * The research exports of a class, for its teachers and admins (the class scope): a ProgSnap2
 * dataset (a zip) and the raw events (CSV) of a time window, optionally pseudonymised and without
 * free text (classExport.ts). Both stream: the response starts before the store is read to the end.
 * Logged with who, which class, which window and options — never a student or a pseudonym key.
 */
import { authOf } from '../auth/accessGuards.ts';
import { requireClass } from '../classes/store.ts';
import { errors } from '../http/errors.ts';
import { idParam } from '../http/request.ts';
import type { RouteParts } from '../http/routeParts.ts';
import type { Ctx, RouteTable } from '../http/routeTable.ts';
import { classExport, exportFileName, FORMATS, type ExportFormat } from './classExport.ts';
import { readExportRequest } from './exportRequest.ts';

export interface ResearchParts extends RouteParts {
  /** EXPORT_PSEUDONYM_KEY: pseudonyms stable across exports; unset, a random key per export. */
  pseudonymKey?: string;
}

const QUERY = 'from, to (ISO 8601 with a zone; to after from), pseudonymise=true|false, free_text=keep|drop';

export function addResearchRoutes(table: RouteTable, parts: ResearchParts): void {
  const { db, log } = parts;

  async function send(ctx: Ctx, format: ExportFormat): Promise<void> {
    const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
    const read = readExportRequest(cls.id, { from: ctx.query.from, to: ctx.query.to, pseudonymise: ctx.query.pseudonymise, free_text: ctx.query.free_text });
    if ('problems' in read) throw errors.unprocessable('invalid_export_request', `the export request is not valid: ${read.problems.map((p) => p.message).join('; ')}`, { fields: read.problems });
    const { request } = read;
    const by = authOf(ctx).instructor.id;
    const body = await classExport(db, format, request, parts.pseudonymKey);
    const fields = { classId: cls.id, format, from: request.from, to: request.to, pseudonymise: request.pseudonymise, dropFreeText: request.dropFreeText, by };
    body.on('end', () => log.info({ event: 'class_exported', ...fields }, 'class research export sent'));
    body.on('error', (err) => log.error({ err, ...fields }, 'class research export failed midway'));
    ctx.set('Content-Disposition', `attachment; filename="${exportFileName(format, request)}"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = FORMATS[format].contentType;
    ctx.body = body;
  }

  table.add({
    method: 'get', path: '/api/v1/classes/:id/exports/progsnap2', access: 'instructor', tag: 'exports', scope: { class: { param: 'id' } },
    summary: `The class's events in a window as a ProgSnap2 v1.0 dataset (zip: README.md, DatasetMetadata.csv, MainTable.csv, CodeStates/CodeStates.csv), streamed; query ${QUERY}`,
    responses: { 200: 'the dataset (application/zip, an attachment)', 404: 'no such class', 422: 'invalid_export_request (details.fields: each problem with its field and id)' },
    handler: (ctx) => send(ctx, 'progsnap2'),
  });

  table.add({
    method: 'get', path: '/api/v1/classes/:id/exports/events.csv', access: 'instructor', tag: 'exports', scope: { class: { param: 'id' } },
    summary: `The class's raw events in a window as CSV (one row per event, the payload as JSON), streamed; query ${QUERY}`,
    responses: { 200: 'the events (text/csv, an attachment)', 404: 'no such class', 422: 'invalid_export_request (details.fields: each problem with its field and id)' },
    handler: (ctx) => send(ctx, 'events-csv'),
  });
}
