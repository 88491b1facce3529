/**
 * A class's window as a ProgSnap2 dataset (v1.0), one zip streamed entry by entry (yazl: each
 * entry's stream is made only when its turn comes, and the socket's backpressure paces the reads):
 *
 *   README.md                  what this dataset is and the custom (X-) event types
 *   DatasetMetadata.csv        Property,Value: Version 1.0, IsEventOrderingConsistent true,
 *                              EventOrderScope Global, CodeStateRepresentation Table
 *   MainTable.csv              one row per event (progsnap2Rows.ts has the mapping), page by page
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
import { cellSourceAt } from '../history/reads.ts';
import { studentIdsOf } from '../students/store.ts';
import { classEventPages, type ExportEvent } from './classEvents.ts';
import type { ExportPolicy } from './exportPolicy.ts';
import type { ExportRequest } from './exportRequest.ts';
import { codeStateId, isRun, MAIN_COLUMNS, mainRows } from './progsnap2Rows.ts';

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
  entry('MainTable.csv', () =>
    csvChunks(MAIN_COLUMNS, classEventPages(db, request, upTo), async (page) => {
      const codes = await codesOf(db, page, policy, studentIds);
      return page.flatMap((event) => mainRows(event, codes.get(event.event_id), { classId: request.classId, policy, nextOrder }));
    }),
  );
  const written = new Set<string>();
  entry('CodeStates/CodeStates.csv', () =>
    csvChunks(['CodeStateID', 'Code'], classEventPages(db, request, upTo), async (page) => {
      const codes = await codesOf(db, page, policy, studentIds);
      const rows: Array<Record<string, string>> = [];
      for (const event of page) {
        const code = codes.get(event.event_id);
        if (code === undefined) continue;
        const id = codeStateId(code);
        if (written.has(id)) continue;
        written.add(id);
        rows.push({ CodeStateID: id, Code: code });
      }
      return rows;
    }),
  );
  zip.end();
  return out;
}
