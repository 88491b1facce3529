/**
 * The CSV exports of the dashboard's tables: a session report's five tables, the board's cards and
 * the per-cell progress table. Each is a header of English snake_case names and one row per item,
 * in the order the page shows them; written by csv-stringify as the rows are produced (streamed),
 * UTF-8 with a byte-order mark and CRLF line ends so that Excel opens Japanese names as they are
 * (as the roster export, classes/roster.ts). Text a spreadsheet would run as a formula starts with
 * a quote (`safeCell`). Numbers are written as JavaScript prints them (shares 0..1, seconds); an
 * absent value is an empty cell.
 */
import { Readable, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { BoardSnapshot, ClassProgress, SessionReport } from '@cell-monitor/shared';
import { safeCell } from '../classes/roster.ts';
import type { Ctx } from '../http/routeTable.ts';
import type { Logger } from '../core/logger.ts';

export const REPORT_TABLES = ['attendance', 'cells', 'help', 'unfinished', 'clusters'] as const;
export type ReportTable = (typeof REPORT_TABLES)[number];

type Cell = string | number | boolean | null;
export interface CsvTable {
  columns: readonly string[];
  rows: Iterable<Cell[]>;
}

export function reportTable(report: SessionReport, table: ReportTable): CsvTable {
  switch (table) {
    case 'attendance':
      return { columns: ['user_id', 'display_name', 'status', 'first_at', 'last_at', 'runs'], rows: report.attendance.map((a) => [a.userId, a.displayName, a.status, a.firstAt, a.lastAt, a.runs]) };
    case 'cells':
      return {
        columns: ['notebook_path', 'cell_index', 'cell_id', 'ran', 'succeeded', 'ran_share', 'succeeded_share', 'median_attempts_to_success', 'median_seconds', 'stuck'],
        rows: report.cells.map((c) => [report.notebookPath, c.cellIndex, c.cellId, c.ran, c.succeeded, c.ranShare, c.succeededShare, c.medianAttemptsToSuccess, c.medianSeconds, c.stuck]),
      };
    case 'help':
      return {
        columns: ['help_request_id', 'user_id', 'display_name', 'cell_id', 'requested_at', 'wait_seconds', 'resolved', 'resolved_by'],
        rows: (report.help.waits ?? report.help.longestWaits).map((w) => [w.helpRequestId, w.userId, w.displayName, w.cellId, w.requestedAt, w.waitSeconds, w.resolved, w.resolvedBy]),
      };
    case 'unfinished':
      return {
        columns: ['user_id', 'display_name', 'furthest_cell_index', 'furthest_cell_id', 'last_cell_index', 'last_cell_id', 'last_succeeded'],
        rows: report.unfinished.map((u) => [u.userId, u.displayName, u.furthestCellIndex, u.furthestCellId, u.lastCellIndex, u.lastCellId, u.lastSucceeded]),
      };
    case 'clusters':
      return {
        columns: ['signature', 'error_name', 'notebook_path', 'cell_index', 'cell_id', 'students', 'occurrences', 'user_ids', 'example_message', 'example_user_id', 'example_at'],
        rows: report.errorClusters.map((c) => [c.signature, c.errorName, c.notebookPath, c.cellIndex, c.cellId, c.students, c.occurrences, c.userIds.join(' '), c.example.message, c.example.userId, c.example.at]),
      };
  }
}

export function boardTable(board: BoardSnapshot): CsvTable {
  return {
    columns: ['user_id', 'display_name', 'team', 'status', 'notebook_path', 'cell_index', 'cell_id', 'last_activity_at', 'runs', 'errors', 'last_error', 'help_requested_at', 'stuck_cell_index', 'stuck_cell_id', 'stuck_error_name', 'stuck_errors_in_a_row', 'lag_seconds'],
    rows: board.cards.map((c) => [
      c.userId, c.displayName, c.team, c.status, c.notebookPath, c.cellIndex, c.cellId, c.lastActivityAt, c.runs, c.errors, c.lastError, c.help?.requestedAt ?? null,
      c.stuck?.cellIndex ?? null, c.stuck?.cellId ?? null, c.stuck?.errorName ?? null, c.stuck?.count ?? null, c.lagSeconds,
    ]),
  };
}

export function progressTable(progress: ClassProgress): CsvTable {
  return {
    columns: ['notebook_path', 'cell_index', 'cell_id', 'students', 'ran_share', 'succeeded_share', 'median_attempts_to_success', 'median_seconds'],
    rows: progress.cells.map((c) => [progress.notebookPath, c.cellIndex, c.cellId, c.students, c.ranShare, c.succeededShare, c.medianAttemptsToSuccess, c.medianSeconds]),
  };
}

const cellText = (value: Cell): string | number => (value === null ? '' : typeof value === 'string' ? safeCell(value) : typeof value === 'boolean' ? String(value) : value);

/** Answers with the table as a CSV attachment, written row by row as the client reads. */
export function sendCsv(ctx: Ctx, filename: string, table: CsvTable, log: Logger): void {
  const rows = Readable.from((function* () {
    for (const row of table.rows) yield row.map(cellText);
  })());
  const body = pipeline(rows, stringify({ header: true, columns: [...table.columns], bom: true, record_delimiter: 'windows' }), (err) => {
    // A client that goes away mid-download is not a fault.
    if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') log.error({ err, filename }, 'csv export failed midway');
  });
  ctx.set('Content-Disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  ctx.type = 'text/csv; charset=utf-8';
  ctx.body = body;
}
