/**
 * The demo class at work: 30 simulated students (demoRoster.ts) going through the demo notebook
 * (demoNotebook.ts), each posting what her Jupyter companion would post — her own events, with her
 * own per-student credential and user header — to the real ingest API (`POST /api/v1/events`).
 * So the board, the help queue, the progress and the error clusters are fed by the same path as a
 * real class's, and fill within seconds. It runs inside the demo's process: it stops when that does.
 *
 * | part          | what she does                                                                  |
 * |---------------|--------------------------------------------------------------------------------|
 * | steady        | a cell every 5-30 s; first tries fail as often as the cell's mistake says, a    |
 * |               | retry mostly works; after 2 failures she sometimes asks for help (at most 3     |
 * |               | open at once), and sometimes cancels it when she fixes it herself; at the end   |
 * |               | she saves and re-runs cells now and then                                        |
 * | stuck         | as steady, but fails on one cell again and again (the second one gets it after  |
 * |               | 8 tries: a stuck card that clears)                                             |
 * | asks          | runs the first cells, fails on cell 4 and asks for help at once, then waits     |
 * |               | a minute or two before she tries again                                          |
 * | catching_up   | her queued events of the last 10 minutes arrive one every 3 s (more than 2 min  |
 * |               | late), then she works live; every few minutes her connection drops again       |
 * | idle / leaves | opens the notebook and does nothing / works a minute and closes her session     |
 * | absent        | never comes                                                                    |
 */
import { EVENT_TYPES } from '@cell-monitor/shared';
import { issueStudentCredential } from '../auth/studentCredential.ts';
import type { Logger } from '../core/logger.ts';
import { DEMO_CELLS, tracebackOf } from './demoNotebook.ts';
import { DEMO_NOTEBOOK, DEMO_STUDENTS, type DemoStudent } from './demoRoster.ts';

export interface DemoClassOptions {
  /** The collector's base URL (http://host:port). */
  url: string;
  /** The master key the collector checks credentials with (each student's is derived from it). */
  ingestKey: string;
  log: Logger;
  students?: readonly DemoStudent[];
  tickMs?: number;
  random?: () => number;
}

interface Sim {
  student: DemoStudent;
  credential: string;
  session: string;
  nextAt: number;
  arrived: boolean;
  cell: number;
  failures: number;
  runs: number;
  helpOpen: boolean;
  /** How long she takes over a cell, against the class's usual pace (fast 0.7 … slow 1.8). */
  pace: number;
  /** Events made while "offline", sent later (catching up). */
  held: object[];
  holdUntil: number;
  liveUntil: number;
  done: boolean;
}

const MAX_OPEN_HELP = 3;
/** Where each stuck student fails (a cell index): demo-04 for good, demo-12 until her 8th try. */
const STUCK_CELL: Record<string, number> = { 'demo-04': 3, 'demo-12': 5 };

export function createDemoClass(options: DemoClassOptions): { start(): void; close(): Promise<void> } {
  const { url, log } = options;
  const random = options.random ?? Math.random;
  const tickMs = options.tickMs ?? 1_000;
  const run = Date.now().toString(36);
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const t0 = Date.now();

  const sims: Sim[] = (options.students ?? DEMO_STUDENTS).map((student) => ({
    student,
    credential: issueStudentCredential(options.ingestKey, student.userId),
    session: `demo-${run}-${student.userId}`,
    nextAt: t0 + between(0, 6_000),
    arrived: false,
    cell: 0,
    failures: 0,
    runs: 0,
    helpOpen: false,
    pace: student.part === 'steady' ? between(0.7, 1.8) : 0.8, // the stuck and the askers reach their moment early
    held: [],
    holdUntil: 0,
    liveUntil: 0,
    done: student.part === 'absent',
  }));

  const event = (sim: Sim, type: string, at: number, fields: Record<string, unknown> = {}) => ({
    eventId: `demo-${run}-${++seq}`, eventType: type, eventTime: new Date(at).toISOString(), userId: sim.student.userId, sessionId: sim.session, notebookPath: DEMO_NOTEBOOK, ...fields,
  });

  const runCell = (sim: Sim, index: number, ok: boolean, at: number) => {
    const cell = DEMO_CELLS[index];
    sim.runs += 1;
    const common = { cellId: `cell-${index + 1}`, cellIndex: index, cellType: 'code', code: cell.code, executionCount: sim.runs, durationMs: Math.round(between(15, 900)), success: ok };
    if (ok) return event(sim, EVENT_TYPES.cellExecutionComplete, at, { ...common, output: cell.output });
    const mistake = cell.mistake ?? { name: 'SyntaxError', message: 'invalid syntax', code: `${cell.code})`, chance: 0 };
    return event(sim, EVENT_TYPES.cellExecutionError, at, { ...common, code: mistake.code, error: { name: mistake.name, message: mistake.message, traceback: tracebackOf(index, mistake) } });
  };

  const openHelp = () => sims.filter((s) => s.helpOpen).length;

  /** One step of `sim` at time `at`: the events it makes, and when she acts next. */
  const step = (sim: Sim, at: number): object[] => {
    const { part, userId } = sim.student;
    if (!sim.arrived) {
      sim.arrived = true;
      sim.nextAt = at + between(1_000, 4_000);
      if (part === 'idle') sim.done = true;
      if (part === 'leaves') sim.liveUntil = at + between(120_000, 180_000);
      return [event(sim, EVENT_TYPES.sessionStart, at), event(sim, EVENT_TYPES.notebookOpened, at)];
    }
    if (part === 'leaves' && at > sim.liveUntil) {
      sim.done = true;
      return [event(sim, EVENT_TYPES.notebookSaved, at), event(sim, EVENT_TYPES.sessionEnd, at)];
    }
    if (sim.cell >= DEMO_CELLS.length) {
      // Finished: saves, then tries cells again now and then (a student playing with her results).
      sim.nextAt = at + between(15_000, 40_000);
      return random() < 0.3 ? [event(sim, EVENT_TYPES.notebookSaved, at)] : [runCell(sim, Math.floor(random() * DEMO_CELLS.length), true, at)];
    }
    const index = sim.cell;
    const mistake = DEMO_CELLS[index].mistake;
    const stuckHere = STUCK_CELL[userId] === index && (userId === 'demo-04' || sim.failures < 8);
    const asksHere = part === 'asks' && index === 3 && sim.failures === 0 && !sim.helpOpen;
    const fails = stuckHere || asksHere || (mistake !== undefined && random() < (sim.failures === 0 ? mistake.chance : 0.35));
    const out = [runCell(sim, index, !fails, at)];
    if (fails) {
      sim.failures += 1;
      const asks = asksHere || (part === 'steady' && sim.failures >= 2 && !sim.helpOpen && random() < 0.15 && openHelp() < MAX_OPEN_HELP);
      if (asks) {
        sim.helpOpen = true;
        out.push(event(sim, EVENT_TYPES.helpRequest, at + 1, { cellId: `cell-${index + 1}`, cellIndex: index }));
      }
      // Someone who asked waits for the instructor a while before trying again.
      sim.nextAt = at + (sim.helpOpen ? between(60_000, 150_000) : between(4_000, 9_000));
      return out;
    }
    if (sim.helpOpen && part === 'steady' && random() < 0.5) {
      sim.helpOpen = false; // fixed it herself: "never mind"
      out.push(event(sim, EVENT_TYPES.helpCancel, at + 1));
    }
    sim.cell += 1;
    sim.failures = 0;
    sim.nextAt = at + between(7_000, 16_000) * sim.pace;
    return out;
  };

  // The catching-up student's last ten minutes, queued while her connection was down.
  for (const sim of sims.filter((s) => s.student.part === 'catching_up')) {
    for (let at = t0 - 10 * 60_000; sim.cell < 6; at += 40_000) sim.held.push(...step(sim, at));
    sim.holdUntil = t0;
  }

  // The class has been at work for a minute and a half when the demo opens: that is sent at once,
  // less than the catching-up lag late (board/thresholds.ts), so it reads as live work.
  const warmUp = new Map<Sim, object[]>();
  for (const sim of sims.filter((s) => !s.done && s.student.part !== 'catching_up')) {
    const events: object[] = [];
    sim.nextAt = t0 - between(85_000, 95_000);
    while (!sim.done && sim.nextAt < t0) events.push(...step(sim, sim.nextAt));
    warmUp.set(sim, events);
  }

  const tick = () => {
    const now = Date.now();
    const outbox = new Map<Sim, object[]>();
    for (const sim of sims) {
      const send = (events: object[]) => outbox.set(sim, [...(outbox.get(sim) ?? []), ...events]);
      if (sim.held.length > 0 && now >= sim.holdUntil) {
        send(sim.held.splice(0, 1)); // her queue drains, one event a tick
        if (sim.held.length === 0) sim.liveUntil = now + between(60_000, 120_000);
        continue;
      }
      if (sim.student.part === 'catching_up' && sim.held.length === 0 && sim.liveUntil > 0 && now > sim.liveUntil) {
        sim.holdUntil = now + 150_000; // the connection drops again: what she does is queued
        sim.liveUntil = Number.POSITIVE_INFINITY;
      }
      if (sim.done || now < sim.nextAt) continue;
      const events = step(sim, now);
      if (sim.student.part === 'catching_up' && now < sim.holdUntil) sim.held.push(...events);
      else send(events);
    }
    inFlight = Promise.all([...outbox].map(([sim, events]) => post(sim, events)));
  };

  const post = async (sim: Sim, events: object[]) => {
    try {
      const res = await fetch(`${url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sim.credential}`, 'x-cell-monitor-user': encodeURIComponent(sim.student.userId) },
        body: JSON.stringify(events),
      });
      if (res.status !== 202) log.warn({ userId: sim.student.userId, status: res.status, body: await res.text() }, 'demo: an event batch was refused');
    } catch (err) {
      if (!closed) log.warn({ err, userId: sim.student.userId }, 'demo: posting failed');
    }
  };

  return {
    start() {
      inFlight = Promise.all([...warmUp].map(([sim, events]) => post(sim, events))).then(() => {
        if (closed) return;
        timer = setInterval(tick, tickMs);
        tick();
      });
    },
    async close() {
      closed = true;
      clearInterval(timer);
      timer = undefined;
      await inFlight;
    },
  };
}
