// The start-up window: JupyterLab no longer waits for the extension's start-up, so capture listens
// before the queue is open. What it sees then must be queued once the queue opens — not lost, not
// re-dated, and through the same settings, consent and policy as any other event.
import 'fake-indexeddb/auto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CellEvent } from '@cell-monitor/shared';
import type { Drainer } from '@cell-monitor/lab-extension/drainer';
import { executionStartEvent, type EventContext } from '@cell-monitor/lab-extension/events';
import { EventQueue } from '@cell-monitor/lab-extension/queue';
import { Recorder } from '@cell-monitor/lab-extension/recorder';
import { DEFAULT_SETTINGS, type MonitorSettings } from '@cell-monitor/lab-extension/settings';
import { PageSession } from '../../lab-extension/src/pageSession.ts';
import { MAX_HELD, RecorderGate, type RecordAction } from '../../lab-extension/src/recorderGate.ts';
import { UnloadStash } from '../../lab-extension/src/unloadStash.ts';
import { memoryStorage } from '../helpers/memoryStorage.ts';

const it = suite('lab-extension recorder gate');

let ids = 0;
const newId = () => `id-${++ids}`;
let dbCounter = 0;

/** The recorder start() builds, once the page knows its owner and settings. */
async function openRecorder(settings: MonitorSettings = DEFAULT_SETTINGS, prepare?: (event: CellEvent) => CellEvent) {
  const ctx: EventContext = { userId: 'student-1', sessionId: newId(), newId, now: () => new Date('2026-11-23T09:00:10.000Z') };
  const queue = await EventQueue.open({ name: `gate-${++dbCounter}`, newId });
  const recorder = new Recorder(ctx, queue, { wake() {} } as unknown as Drainer, () => settings, prepare);
  const queued = async (): Promise<CellEvent[]> => {
    await recorder.flush();
    return (await queue.peek(100)).events;
  };
  return { ctx, queue, recorder, queued };
}

const facts = { notebookPath: 'hw1.ipynb', cellId: 'cell-0', cellIndex: 0, code: 'password = "hunter2"' };
const runCell: RecordAction = (recorder) => recorder.push(executionStartEvent(recorder.ctx, facts, recorder.settings()));
const opened: RecordAction = (recorder) => recorder.record('notebook_opened', { notebookPath: 'hw1.ipynb', metadata: { cells: 1 } });

it('what capture saw before the queue opened is queued after session_start, in order, with the time it happened', async () => {
  const times = ['2026-11-23T09:00:01.000Z', '2026-11-23T09:00:02.000Z'];
  const gate = new RecorderGate(() => new Date(times.shift()!));
  gate.use(opened);
  gate.use(runCell);
  assert.is(gate.current, undefined);
  const page = await openRecorder();
  new PageSession({ recorder: page.recorder, stash: new UnloadStash({ owner: { baseUrl: '/', user: 'student-1' }, storage: memoryStorage }) }).begin({});
  gate.open(page.recorder);
  assert.is(await gate.ready, page.recorder);
  const events = await page.queued();
  assert.equal(
    events.map((e) => [e.eventType, e.eventTime, e.userId, e.sessionId]),
    [
      ['session_start', '2026-11-23T09:00:10.000Z', 'student-1', page.ctx.sessionId],
      ['notebook_opened', '2026-11-23T09:00:01.000Z', 'student-1', page.ctx.sessionId],
      ['cell_execution_start', '2026-11-23T09:00:02.000Z', 'student-1', page.ctx.sessionId],
    ],
  );
  page.queue.close();
});

it('held events go through the settings and the privacy step of the recorder they wait for', async () => {
  const gate = new RecorderGate();
  gate.use(runCell);
  const masked = (event: CellEvent): CellEvent => (event.code ? { ...event, code: event.code.replace('hunter2', '[REDACTED:password-assignment]') } : event);
  const withCode = await openRecorder(DEFAULT_SETTINGS, masked);
  gate.open(withCode.recorder);
  assert.is((await withCode.queued())[0].code, 'password = "[REDACTED:password-assignment]"', 'prepare ran');
  withCode.queue.close();

  const noCode = new RecorderGate();
  noCode.use(runCell);
  const page = await openRecorder({ ...DEFAULT_SETTINGS, captureCode: false });
  noCode.open(page.recorder);
  assert.is((await page.queued())[0].code, undefined, 'the settings known at open decide');
  page.queue.close();

  const declined = new RecorderGate();
  declined.use(runCell);
  declined.use(opened);
  const off = await openRecorder({ ...DEFAULT_SETTINGS, enabled: false });
  declined.open(off.recorder);
  assert.equal(await off.queued(), [], 'not recording (consent not given): nothing held is queued');
  off.queue.close();
});

it('once open, an action runs at once with the recorder itself', async () => {
  const gate = new RecorderGate();
  const page = await openRecorder();
  gate.open(page.recorder);
  let seen: unknown;
  gate.use((recorder) => (seen = recorder));
  assert.is(seen, page.recorder);
  assert.is(gate.current, page.recorder);
  page.queue.close();
});

it('closed (no IndexedDB): what was held is dropped, nothing is held again, ready says undefined', async () => {
  const gate = new RecorderGate();
  let ran = 0;
  gate.use(() => ran++);
  gate.close();
  gate.use(() => ran++);
  assert.is(await gate.ready, undefined);
  assert.is(gate.current, undefined);
  assert.is(ran, 0);
});

it(`holds at most ${MAX_HELD} actions (a start-up that never ends does not grow without bound)`, async () => {
  const debug = console.debug;
  const lines: unknown[] = [];
  console.debug = (...args: unknown[]) => void lines.push(args);
  const gate = new RecorderGate();
  let ran = 0;
  try {
    for (let i = 0; i < MAX_HELD + 5; i++) gate.use(() => ran++);
  } finally {
    console.debug = debug;
  }
  const page = await openRecorder();
  gate.open(page.recorder);
  assert.is(ran, MAX_HELD);
  assert.is(lines.length, 1, 'one line for the developer console');
  page.queue.close();
});

it.run();
