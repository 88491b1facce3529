/**
 * A class's past meetings (`GET /api/v1/classes/:id/sessions`): the windows of sessionWindows.ts
 * that start in the 8 weeks before `before` (default now; a scheduled one only once it has
 * started, and not one that ended before the class was created), newest first, each with its headline (windowFacts.ts — the report's own figures). A
 * scheduled meeting nobody came to is listed too (its attendance is the news). `nextBefore` pages on.
 */
import type { Knex } from 'knex';
import type { ClassSession, SessionList } from '@cell-monitor/shared';
import type { ClassView } from '../board/classViews.ts';
import { userRowsIn } from '../classes/rowScopes.ts';
import { requireClass } from '../classes/store.ts';
import { iso } from '../db/rows.ts';
import { activeMinutes } from '../persist/eventReads.ts';
import { DEFAULT_LATE_AFTER_MINUTES } from './reportFigures.ts';
import { manualWindows, readSchedule } from './sessionStore.ts';
import { combineWindows, inferredWindows, scheduledWindows, windowId, type SessionWindow } from './sessionWindows.ts';
import { headlineOfFacts, loadWindowFacts, namesOf } from './windowFacts.ts';

export const LOOKBACK_WEEKS = 8;
const WEEK = 7 * 86_400_000;
const PAD = 12 * 3_600_000;

/** The class's meetings that start in [from, to), newest first (scheduled ones that started by `now` and ended after the class was created). */
export async function classWindows(db: Knex, view: ClassView & { classId: number }, range: { from: number; to: number; now: number }): Promise<SessionWindow[]> {
  // Read PAD beyond both ends: a run of activity across an end is inferred whole (on the page where
  // it starts), and a meeting just outside still hides the inferred run it overlaps.
  const from = range.from - PAD;
  const to = range.to + PAD;
  const schedule = await readSchedule(db, view.classId);
  const created = Date.parse(iso((await requireClass(db, view.classId)).created_at)!);
  const scheduled = schedule ? scheduledWindows(schedule, from, Math.min(to, range.now + 1)).filter((w) => w.end > created) : [];
  const manual = await manualWindows(db, view.classId, from, to);
  const inferred = inferredWindows(await activeMinutes(db, { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, userRowsIn(db, view.reach)));
  return combineWindows(scheduled, manual, inferred).filter((w) => w.start >= range.from && w.start < range.to);
}

export async function listSessions(db: Knex, view: ClassView & { classId: number }, options: { before: number; limit: number; now: number }): Promise<SessionList> {
  const from = options.before - LOOKBACK_WEEKS * WEEK;
  const windows = await classWindows(db, view, { from, to: options.before, now: options.now });
  const page = windows.slice(0, options.limit);
  const names = namesOf(view);
  const sessions: ClassSession[] = [];
  for (const w of page) {
    const facts = await loadWindowFacts(db, view, w);
    const { headline, notebookPath } = headlineOfFacts(facts, w, { lateAfterMinutes: DEFAULT_LATE_AFTER_MINUTES, names, now: options.now });
    sessions.push({ id: windowId(w), classId: view.classId, start: new Date(w.start).toISOString(), end: new Date(w.end).toISOString(), source: w.source, title: w.title, notebookPath, headline, ...(w.manualId !== undefined ? { manualId: w.manualId } : {}) });
  }
  const created = Date.parse(iso((await requireClass(db, view.classId)).created_at)!);
  // More on this page's horizon than the page holds: go on from the last one; else look further back, unless the class did not exist then.
  const nextBefore = windows.length > page.length ? new Date(page[page.length - 1].start).toISOString() : from > created - WEEK ? new Date(from).toISOString() : null;
  return { classId: view.classId, sessions, schedule: await readSchedule(db, view.classId), nextBefore };
}
