/**
 * A class's window as a ProgSnap2 dataset (v1.0), one zip streamed entry by entry (yazl: each
 * entry's stream is made only when its turn comes, and the socket's backpressure paces the reads):
 *
 *   README.md                  what this dataset is and the custom (X-) event types
 *   DatasetMetadata.csv        Property,Value: Version 1.0, IsEventOrderingConsistent true,
 *                              EventOrderScope Global, CodeStateRepresentation Table
 *   MainTable.csv              one row per event (progsnap2Rows.ts has the mapping), page by page,
 *                              with the class's hand-ins and grades of the window between them by time
 *   CodeStates/CodeStates.csv  CodeStateID,Code: each code state the MainTable refers to, once
 *
 * The code states are a second pass over the same rows (classEvents.ts: both passes stop at the
 * row that was newest when the export began). Its one structure that grows with the export is the
 * set of code-state ids already written (24 characters each): distinct code, not events.
 */
import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { stringify } from 'csv-stringify/sync';
import yazl from 'yazl';
import { classHandInsBetween, submissionNotebook, type ClassHandIn } from '../assignments/submissionStore.ts';
import { cellSourceAt } from '../history/reads.ts';
import { studentIdsOf } from '../students/store.ts';
import { classEventPages, type ExportEvent } from './classEvents.ts';
import type { ExportPolicy } from './exportPolicy.ts';
import type { ExportRequest } from './exportRequest.ts';
import { codeStateId, gradeRow, isRun, MAIN_COLUMNS, mainRows, notebookCode, submitRow, type MainRow } from './progsnap2Rows.ts';

export const DATASET_METADATA: ReadonlyArray<[string, string]> = [
  ['Version', '1.0'],
  ['IsEventOrderingConsistent', 'true'],
  ['EventOrderScope', 'Global'],
  ['EventOrderScopeColumns', ''],
  ['CodeStateRepresentation', 'Table'],
];

const README = `# cell-monitor ProgSnap2 export

Events of one JupyterLab class in a time window, in ProgSnap2 v1.0 (CSSPLICE). Order follows the
order in which the collector stored the events (ServerTimestamp, one clock); ClientTimestamp is the
time on the student's machine. Timestamps are ISO 8601 UTC. A code state is the source of the cell a
Run.Program ran (from its event; when the event carries no code, from the notebook history's latest
save before the run). AssignmentID and CodeStateSection are the notebook path; ProblemID is the cell id.

Custom event types:

- X-Run.Start: a cell started running (Run.Program follows when it ends).
- X-Run.Error: the runtime exception of the parent Run.Program (ParentEventID); CompileMessageType is
  the exception class, CompileMessageData its message. Compile.Error is used for SyntaxError,
  IndentationError and TabError.
- X-Kernel.Restart, X-Kernel.Interrupt: the student restarted or interrupted the kernel.
- X-Help.Request, X-Help.Cancel: the student asked for help, or withdrew the request.
- X-Logging.Lost: the student's machine dropped events (its offline queue was full).
- X-<type>: any other event type, as the extension named it.

Hand-ins and grades: Submit is an assignment handed in (EventID submission-<n>; its code state is the
handed-in notebook's code cells, each after a "# %%" line). A grade, given by hand later, is an
Intervention with InterventionCategory EarnedGrade, InterventionType Score=<0-100>/100 and the
instructor's feedback as InterventionMessage; Submit rows carry no Score.
`;

/** Text chunks of a CSV: the header, then page after page (one chunk per page). */
async function* csvChunks<T>(columns: readonly string[], pages: AsyncIterable<T[]>, rowsOf: (page: T[]) => Array<Record<string, string>> | Promise<Array<Record<string, string>>>): AsyncGenerator<string> {
  yield stringify([], { header: true, columns: [...columns] });
  for await (const page of pages) {
    const rows = await rowsOf(page);
    if (rows.length > 0) yield stringify(rows, { columns: [...columns] });
  }
}

/**
 * The code state of each run of a page, under the policy (progsnap2Rows.ts says which code): none
 * when free text is dropped. `studentIds` caches user name → student id for the history fallback.
 */
async function codesOf(db: Knex, page: ExportEvent[], policy: ExportPolicy, studentIds: Map<string, number | undefined>): Promise<Map<string, string>> {
  const codes = new Map<string, string>();
  if (policy.dropFreeText) return codes;
  for (const event of page) {
    if (!isRun(event)) continue;
    let code = typeof event.payload.code === 'string' ? event.payload.code : undefined;
    if (code === undefined && event.cell_id && event.notebook_path) {
      if (!studentIds.has(event.user_id)) studentIds.set(event.user_id, (await studentIdsOf(db, [event.user_id])).get(event.user_id));
      const studentId = studentIds.get(event.user_id);
      if (studentId !== undefined) code = await cellSourceAt(db, { studentId, notebookPath: event.notebook_path, cellId: event.cell_id, at: event.event_time });
    }
    if (code !== undefined) codes.set(event.event_id, policy.freeText(code));
  }
  return codes;
}

/** A hand-in or a grade at its time: the MainTable puts it before the first event stored after it. */
interface HandInMoment {
  at: number;
  kind: 'submit' | 'grade';
  handIn: ClassHandIn;
}

function handInMoments(handIns: ClassHandIn[], request: ExportRequest): HandInMoment[] {
  const from = Date.parse(request.from);
  const to = Date.parse(request.to);
  const moments: HandInMoment[] = [];
  for (const handIn of handIns) {
    for (const [kind, time] of [['submit', handIn.submitted_at], ['grade', handIn.graded_at]] as const) {
      const at = time === null ? NaN : Date.parse(time);
      if (at >= from && at < to) moments.push({ at, kind, handIn });
    }
  }
  return moments.sort((a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === 'submit' ? -1 : 1) || a.handIn.id - b.handIn.id);
}

/** A hand-in's code state under the policy: none when free text is dropped or the notebook is gone. */
async function handInCode(db: Knex, handIn: ClassHandIn, policy: ExportPolicy): Promise<string | undefined> {
  if (policy.dropFreeText) return undefined;
  const code = notebookCode(await submissionNotebook(db, handIn.id));
  return code === undefined ? undefined : policy.freeText(code);
}

/** The zip as a stream; `upTo` is the export's last row (classEvents.ts exportUpTo). */
export function progsnap2Zip(db: Knex, request: ExportRequest, policy: ExportPolicy, upTo: number): Readable {
  const zip = new yazl.ZipFile();
  const out = zip.outputStream as Readable;
  // yazl does not watch a lazy entry's stream for errors: a failed read ends the whole zip with it.
  const fail = (err: Error) => out.destroy(err);
  let current: Readable | undefined;
  // A client gone midway: the entry being read stops (its generator returns), nothing reads on.
  out.on('close', () => current?.destroy());
  // Entries dated at the window's end: the same data gives the same bytes.
  const mtime = new Date(request.to);
  const entry = (name: string, chunks: () => AsyncIterable<string>) =>
    zip.addReadStreamLazy(name, { mtime }, (done) => {
      current = Readable.from(chunks(), { highWaterMark: 1 }); // one page held at a time
      current.on('error', fail);
      done(null, current);
    });
  zip.addBuffer(Buffer.from(README), 'README.md', { mtime });
  zip.addBuffer(Buffer.from(stringify(DATASET_METADATA.map(([p, v]) => ({ Property: p, Value: v })), { header: true, columns: ['Property', 'Value'] })), 'DatasetMetadata.csv', { mtime });
  let order = 0;
  const nextOrder = () => ++order;
  const studentIds = new Map<string, number | undefined>();
  const options = { classId: request.classId, policy, nextOrder };
  const momentRow = async (moment: HandInMoment): Promise<MainRow> =>
    moment.kind === 'submit' ? submitRow(moment.handIn, await handInCode(db, moment.handIn, policy), options) : gradeRow({ ...moment.handIn, graded_at: moment.handIn.graded_at! }, options);
  async function* mainTablePages(): AsyncGenerator<MainRow[]> {
    const moments = handInMoments(await classHandInsBetween(db, request), request);
    let next = 0;
    for await (const page of classEventPages(db, request, upTo)) {
      const codes = await codesOf(db, page, policy, studentIds);
      const rows: MainRow[] = [];
      for (const event of page) {
        // Strictly before: an event's stored time may be cut to the second (SQLite), a hand-in's is not.
        const stored = Date.parse(event.persisted_at);
        while (next < moments.length && moments[next].at < stored) rows.push(await momentRow(moments[next++]));
        rows.push(...mainRows(event, codes.get(event.event_id), options));
      }
      yield rows;
    }
    const rest: MainRow[] = [];
    while (next < moments.length) rest.push(await momentRow(moments[next++]));
    yield rest;
  }
  entry('MainTable.csv', () => csvChunks(MAIN_COLUMNS, mainTablePages(), (rows) => rows as Array<Record<string, string>>));
  const written = new Set<string>();
  const codeStates = (codes: Iterable<string | undefined>) => {
    const rows: Array<Record<string, string>> = [];
    for (const code of codes) {
      if (code === undefined) continue;
      const id = codeStateId(code);
      if (written.has(id)) continue;
      written.add(id);
      rows.push({ CodeStateID: id, Code: code });
    }
    return rows;
  };
  async function* codeStatePages(): AsyncGenerator<Array<Record<string, string>>> {
    for await (const page of classEventPages(db, request, upTo)) {
      const codes = await codesOf(db, page, policy, studentIds);
      yield codeStates(page.map((event) => codes.get(event.event_id)));
    }
    const submits = handInMoments(await classHandInsBetween(db, request), request).filter((m) => m.kind === 'submit');
    const handInCodes: Array<string | undefined> = [];
    for (const moment of submits) handInCodes.push(await handInCode(db, moment.handIn, policy));
    yield codeStates(handInCodes);
  }
  entry('CodeStates/CodeStates.csv', () => csvChunks(['CodeStateID', 'Code'], codeStatePages(), (rows) => rows));
  zip.end();
  return out;
}
