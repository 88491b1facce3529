/**
 * After class (issue 22), on each engine (BENCH_MODE=embedded|postgres+redis; default both): a class
 * of BENCH_REPORT_STUDENTS students (default 40) met weekly for BENCH_REPORT_WEEKS weeks (default 8),
 * 100 minutes each (the timetable's slot), every student running 20 cells of that week's notebook
 * about 8 times each (~160 runs, a fifth of them errors) plus a session start and a help request
 * per meeting for one in five — all through the real ingest API, with their own times. Then, as the
 * class's teacher, the median of five calls of:
 * - GET /sessions (8 weeks: the timetable's occurrences, the inference over every event, a headline each);
 * - GET /sessions/report of the latest meeting (with the search for the previous one on its notebook);
 * - GET /sessions/report.csv?table=cells.
 * `npm run bench:report`. Prints figures; never asserts.
 */
import { performance } from 'node:perf_hooks';
import { createInstructor } from '../collector/src/instructors/store.ts';
import { login, request } from '../test/helpers/http.ts';
import { buildCellEvent, openStore, postEvents, settle, startCollector, startServices, type Mode } from '../test/helpers/stack.ts';

const STUDENTS = Number(process.env.BENCH_REPORT_STUDENTS ?? 40);
const WEEKS = Number(process.env.BENCH_REPORT_WEEKS ?? 8);
const CELLS = 20;
const MIN = 60_000;
const WEEK = 7 * 86_400_000;
const modes: Mode[] = process.env.BENCH_MODE ? [process.env.BENCH_MODE as Mode] : ['embedded', 'postgres+redis'];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (v: number) => `${v.toFixed(1)} ms`;

/** One pseudo-random stream, so that every run of the benchmark sends the same class. */
let seed = 22;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

/** A meeting's events: each student's session start, her runs through the week's notebook, a help request for some. */
function meeting(start: number, week: number): object[] {
  const events: object[] = [];
  for (let s = 0; s < STUDENTS; s++) {
    const userId = `bench-${s}`;
    const notebookPath = `course/week${week}.ipynb`;
    let at = start + Math.floor(random() * 15) * MIN;
    events.push(buildCellEvent({ userId, sessionId: `${userId}-${week}`, eventType: 'session_start', eventTime: new Date(at).toISOString(), notebookPath, cellId: undefined, cellType: undefined, code: undefined, output: undefined, executionCount: undefined, durationMs: undefined, success: undefined }));
    for (let cell = 0; cell < CELLS && at < start + 95 * MIN; cell++) {
      const attempts = 1 + Math.floor(random() * 14);
      for (let a = 0; a < attempts; a++) {
        at += Math.floor(5_000 + random() * 40_000);
        const ok = a === attempts - 1 || random() < 0.6;
        events.push(buildCellEvent({
          userId, sessionId: `${userId}-${week}`, notebookPath, cellId: `c${cell}`, cellIndex: cell, eventTime: new Date(at).toISOString(),
          eventType: ok ? 'cell_execution_complete' : 'cell_execution_error', success: ok,
          ...(ok ? {} : { error: { name: 'NameError', message: `name 'v${Math.floor(random() * 50)}' is not defined`, traceback: 'Traceback …' } }),
        }));
      }
    }
    if (s % 5 === 0) events.push(buildCellEvent({ userId, sessionId: `${userId}-${week}`, eventType: 'help_request', eventTime: new Date(start + 30 * MIN).toISOString(), notebookPath, cellId: 'c3', cellType: undefined, code: undefined, output: undefined, executionCount: undefined, durationMs: undefined, success: undefined }));
  }
  return events;
}

for (const mode of modes) {
  const services = await startServices(mode);
  const app = await startCollector(services.env({ JWT_SECRET: 'bench-report-jwt-secret-0123456789abcdef', INGEST_RATE_LIMIT: '0', INGEST_BYTES_PER_MINUTE: '0' }));
  const store = openStore(services.databaseUrl);
  try {
    await createInstructor(app.collector.db, { email: 'teacher@example.org', name: 'Teacher', password: 'teacher-password-1', role: 'instructor' });
    const token = await login(app.url, 'teacher@example.org', 'teacher-password-1');
    const api = async (route: string, init?: { method?: string; body?: unknown }) => {
      const reply = await request(app.url, init?.method ?? 'get', route, { token, body: init?.body });
      if (reply.status >= 300) throw new Error(`${route}: ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body;
    };
    const cls = await api('/api/v1/classes', { method: 'post', body: { name: 'Bench', class_code: 'BENCHR' } });
    for (let s = 0; s < STUDENTS; s++) await api(`/api/v1/classes/${cls.id}/students`, { method: 'post', body: { user_id: `bench-${s}` } });
    const firstMeeting = Math.floor((Date.now() - WEEKS * WEEK + 3 * 3_600_000) / MIN) * MIN;
    await store('class_enrollments').update({ enrolled_at: new Date(firstMeeting - WEEK).toISOString() });
    await store('classes').update({ created_at: new Date(firstMeeting - WEEK).toISOString() });
    const tokyo = new Date(firstMeeting + 9 * 3_600_000);
    await api(`/api/v1/classes/${cls.id}/schedule`, { method: 'put', body: { timezone: 'Asia/Tokyo', slots: [{ weekday: tokyo.getUTCDay(), start: `${String(tokyo.getUTCHours()).padStart(2, '0')}:${String(tokyo.getUTCMinutes()).padStart(2, '0')}`, minutes: 100 }] } });

    let events = 0;
    const seeded = performance.now();
    for (let w = 0; w < WEEKS; w++) {
      // The same notebook every other week, so that the latest meeting has a previous one to find.
      const batch = meeting(firstMeeting + w * WEEK, w % 2);
      events += batch.length;
      for (let i = 0; i < batch.length; i += 100) {
        const reply = await postEvents(app.url, batch.slice(i, i + 100));
        if (reply.status !== 202) throw new Error(`ingest ${reply.status}`);
      }
    }
    await settle(app.url, store);
    console.log(`[${mode}] ${STUDENTS} students × ${WEEKS} meetings: ${events.toLocaleString('en-US')} events stored in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

    const time = async (label: string, route: string, describe: (body: any) => string) => {
      const took: number[] = [];
      let body: any;
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        body = await api(route);
        took.push(performance.now() - t);
      }
      console.log(`[${mode}] ${label}: median ${ms(median(took))} (of 5; ${describe(body)})`);
      return body;
    };
    const list = await time('GET /sessions', `/api/v1/classes/${cls.id}/sessions`, (b) => `${b.sessions.length} meetings, sources ${[...new Set(b.sessions.map((s: any) => s.source))].join('+')}`);
    const latest = list.sessions[0];
    const window = `start=${encodeURIComponent(latest.start)}&end=${encodeURIComponent(latest.end)}`;
    await time('GET /sessions/report (latest meeting, with previous)', `/api/v1/classes/${cls.id}/sessions/report?${window}`, (b) => `${b.headline.activeStudents} active, ${b.headline.runs} runs, ${b.cells.length} cells, ${b.errorClusters.length} clusters, previous ${b.previous ? b.previous.start : 'none'}`);
    await time('GET /sessions/report.csv?table=cells', `/api/v1/classes/${cls.id}/sessions/report.csv?${window}&table=cells`, (b) => `${String(b).split('\n').length - 2} rows`);
  } finally {
    await app.close();
    await store.destroy();
    await services.stop();
  }
}
