/**
 * The after-class report of one window of a class (`GET /api/v1/classes/:id/sessions/report`): the
 * window's facts (windowFacts.ts) and the live views' own definitions restricted to the window —
 * the per-cell progress (insights/classProgress.ts, over the runs in [start, end)), the error
 * clusters (insights/errorClusters.ts with `until`), time to help (help/helpStore.ts quantile) —
 * laid out by reportFigures.ts. `previous` is the same report of the latest earlier meeting of the
 * class (sessionList.ts windows, up to PREVIOUS_LOOKBACK_WEEKS back, ended by this one's start) in
 * which the notebook ran.
 */
import type { Knex } from 'knex';
import type { ReportComparison, SessionReport } from '@cell-monitor/shared';
import { notebookRanBetween } from '../activity/reads.ts';
import type { ClassView } from '../board/classViews.ts';
import { studentRowsIn } from '../classes/rowScopes.ts';
import { loadCellRunsBetween, summariseProgress } from '../insights/classProgress.ts';
import { loadErrorClusters } from '../insights/errorClusters.ts';
import { attendanceOf, headlineOf, helpOf, mainNotebook, notebooksOf, reportCells, stuckByCell, stuckCellsOf, unfinishedOf } from './reportFigures.ts';
import { classWindows } from './sessionList.ts';
import { bounds, loadWindowFacts, namesOf, type MeetingWindow } from './windowFacts.ts';

export const PREVIOUS_LOOKBACK_WEEKS = 26;
const WEEK = 7 * 86_400_000;

export interface ReportOptions {
  /** The notebook of the cells (default: the one most of the window's runs were in). */
  notebookPath?: string;
  lateAfterMinutes: number;
  now: number;
}

type ClassOnly = ClassView & { classId: number };

export async function loadSessionReport(db: Knex, view: ClassOnly, window: MeetingWindow, options: ReportOptions, withPrevious = true): Promise<SessionReport> {
  const names = namesOf(view);
  const facts = await loadWindowFacts(db, view, window);
  const attendance = attendanceOf(facts.enrolled, facts.spans, facts.runs, { start: window.start, lateAfterMinutes: options.lateAfterMinutes, names });
  const help = helpOf(facts.help, { end: window.end, now: options.now, names });
  const headline = headlineOf(attendance, facts.runs, help);
  const notebookPath = options.notebookPath ?? mainNotebook(facts.runs);
  const rows = notebookPath ? await loadCellRunsBetween(db, notebookPath, view.reach, bounds(window)) : [];
  const progress = summariseProgress(notebookPath ?? '', rows, names);
  const notebookRuns = facts.runs.filter((r) => r.path === notebookPath);
  const cells = reportCells(progress.cells, rows, headline.activeStudents, stuckByCell(notebookRuns, view.thresholds.stuckErrors));
  const active = attendance.filter((a) => a.status !== 'absent').map((a) => a.userId);
  const clusters = await loadErrorClusters(db, { since: new Date(window.start), until: new Date(window.end), reach: view.reach });
  const report: SessionReport = {
    classId: view.classId,
    className: view.className ?? '',
    start: new Date(window.start).toISOString(),
    end: new Date(window.end).toISOString(),
    generatedAt: new Date(options.now).toISOString(),
    notebookPath,
    notebooks: notebooksOf(facts.runs).map(({ notebookPath: path, students }) => ({ notebookPath: path, students })),
    lateAfterMinutes: options.lateAfterMinutes,
    headline,
    attendance,
    cells,
    stuckCells: stuckCellsOf(cells),
    errorClusters: clusters.slice(0, 5),
    help,
    unfinished: unfinishedOf(cells, rows, notebookRuns, active, names),
    previous: null,
  };
  if (withPrevious && notebookPath) report.previous = await previousMeeting(db, view, window, { ...options, notebookPath });
  return report;
}

/** The share of the active students who succeeded on the notebook's last cell. */
export const finishedShare = (report: Pick<SessionReport, 'headline' | 'unfinished' | 'cells'>) =>
  report.headline.activeStudents && report.cells.length ? (report.headline.activeStudents - report.unfinished.length) / report.headline.activeStudents : 0;

async function previousMeeting(db: Knex, view: ClassOnly, window: MeetingWindow, options: ReportOptions & { notebookPath: string }): Promise<ReportComparison | null> {
  const earlier = await classWindows(db, view, { from: window.start - PREVIOUS_LOOKBACK_WEEKS * WEEK, to: window.start, now: options.now });
  const scope = studentRowsIn(db, view.reach);
  // Meetings that ended by this one's start (not one it overlaps).
  for (const w of earlier.filter((e) => e.end <= window.start)) {
    if (!(await notebookRanBetween(db, { ...bounds(w), notebookPath: options.notebookPath }, scope))) continue;
    const report = await loadSessionReport(db, view, w, options, false);
    return {
      start: report.start,
      end: report.end,
      activeStudents: report.headline.activeStudents,
      finishedShare: finishedShare(report),
      medianWaitSeconds: report.help.medianWaitSeconds,
      errors: report.headline.errors,
      cells: report.cells.map((c) => ({ cellId: c.cellId, succeededShare: c.succeededShare })),
    };
  }
  return null;
}
