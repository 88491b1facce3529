/**
 * What a class's meeting window holds, read once for the list's headline and the report alike:
 * the class's enrolled students, each one's first and last event in the window, the window's runs
 * and its help requests — each read through its owner, behind the class boundary
 * (classes/rowScopes.ts: a student's rows from her enrolment on, never another class's
 * assignment), so another class's students and work never appear.
 */
import type { Knex } from 'knex';
import type { SessionHeadline } from '@cell-monitor/shared';
import { runsBetween, type WindowRun } from '../activity/reads.ts';
import type { ClassView } from '../board/classViews.ts';
import { studentRowsIn, userRowsIn } from '../classes/rowScopes.ts';
import { helpRequestsBetween, type WindowHelpRequest } from '../help/helpStore.ts';
import { activitySpans } from '../persist/eventReads.ts';
import { attendanceOf, headlineOf, helpOf, mainNotebook, type Names } from './reportFigures.ts';

export interface MeetingWindow {
  start: number;
  end: number;
}

export interface WindowFacts {
  enrolled: string[];
  spans: Map<string, { first_at: string; last_at: string }>;
  runs: WindowRun[];
  help: WindowHelpRequest[];
}

/** ISO bounds of a window, as the reads take them. */
export const bounds = (w: MeetingWindow) => ({ from: new Date(w.start).toISOString(), to: new Date(w.end).toISOString() });

export const namesOf = (view: ClassView): Names => (userId) => view.names.get(userId) ?? userId;

export async function loadWindowFacts(db: Knex, view: ClassView, window: MeetingWindow): Promise<WindowFacts> {
  const enrolled = [...(view.userIds ?? [])];
  const members = new Set(enrolled);
  const [spans, runs, help] = await Promise.all([
    activitySpans(db, bounds(window), userRowsIn(db, view.reach)),
    runsBetween(db, bounds(window), studentRowsIn(db, view.reach)),
    helpRequestsBetween(db, bounds(window), view.reach),
  ]);
  return {
    enrolled,
    spans: new Map(spans.filter((s) => members.has(s.user_id)).map((s) => [s.user_id, s])),
    runs: runs.filter((r) => members.has(r.user_id)),
    help: help.filter((h) => members.has(h.userId)),
  };
}

/** A meeting's headline figures and main notebook, as the report computes them (reportFigures.ts). */
export function headlineOfFacts(facts: WindowFacts, window: MeetingWindow, options: { lateAfterMinutes: number; names: Names; now: number }): { headline: SessionHeadline; notebookPath: string | null } {
  const attendance = attendanceOf(facts.enrolled, facts.spans, facts.runs, { start: window.start, lateAfterMinutes: options.lateAfterMinutes, names: options.names });
  const help = helpOf(facts.help, { end: window.end, now: options.now, names: options.names });
  return { headline: headlineOf(attendance, facts.runs, help), notebookPath: mainNotebook(facts.runs) };
}
