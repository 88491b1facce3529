/**
 * What a research export is asked for, read once for the route and the CLI alike: the window
 * (`from`, `to`: ISO 8601 with a zone, from before to; at most MAX_WINDOW_DAYS), `pseudonymise`
 * (true/false) and `free_text` (keep/drop). Problems are listed all at once, each with an id.
 */
import type { ExportWindow } from './classEvents.ts';

export interface ExportRequest extends ExportWindow {
  pseudonymise: boolean;
  dropFreeText: boolean;
}

export interface ExportProblem {
  field: 'from' | 'to' | 'pseudonymise' | 'free_text';
  id: 'required' | 'not_iso_datetime' | 'window_reversed' | 'window_too_long' | 'not_boolean' | 'not_keep_or_drop';
  message: string;
}

export const MAX_WINDOW_DAYS = 400;

/** ISO 8601 date-time with a zone (Z or ±hh:mm), seconds and fractions optional. */
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/;

function instant(field: 'from' | 'to', raw: unknown, problems: ExportProblem[]): string | undefined {
  if (raw === undefined || raw === '') {
    problems.push({ field, id: 'required', message: `${field} is required (ISO 8601, e.g. 2026-12-03T09:00:00Z)` });
    return undefined;
  }
  const ms = typeof raw === 'string' && ISO.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) {
    problems.push({ field, id: 'not_iso_datetime', message: `${field} must be an ISO 8601 date-time with a zone, e.g. 2026-12-03T09:00:00Z` });
    return undefined;
  }
  return new Date(ms).toISOString();
}

function flag(raw: unknown, problems: ExportProblem[]): boolean {
  if (raw === undefined || raw === 'false' || raw === false) return false;
  if (raw === 'true' || raw === true) return true;
  problems.push({ field: 'pseudonymise', id: 'not_boolean', message: 'pseudonymise must be true or false' });
  return false;
}

/** The request, or its problems. */
export function readExportRequest(classId: number, raw: { from?: unknown; to?: unknown; pseudonymise?: unknown; free_text?: unknown }): { request: ExportRequest } | { problems: ExportProblem[] } {
  const problems: ExportProblem[] = [];
  const from = instant('from', raw.from, problems);
  const to = instant('to', raw.to, problems);
  if (from && to && to <= from) problems.push({ field: 'to', id: 'window_reversed', message: 'to must be after from' });
  if (from && to && Date.parse(to) - Date.parse(from) > MAX_WINDOW_DAYS * 86_400_000) problems.push({ field: 'to', id: 'window_too_long', message: `the window may span at most ${MAX_WINDOW_DAYS} days` });
  const pseudonymise = flag(raw.pseudonymise, problems);
  let dropFreeText = false;
  if (raw.free_text === 'drop') dropFreeText = true;
  else if (raw.free_text !== undefined && raw.free_text !== 'keep') problems.push({ field: 'free_text', id: 'not_keep_or_drop', message: 'free_text must be keep or drop' });
  if (problems.length > 0 || !from || !to) return { problems };
  return { request: { classId, from, to, pseudonymise, dropFreeText } };
}
