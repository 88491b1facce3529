/**
 * A class's window as raw events, one CSV row per stored event in the store's arrival order,
 * streamed page by page (classEvents.ts): the columns of `events` and the payload as JSON text,
 * all under the export's policy (exportPolicy.ts: pseudonyms, free text kept or dropped).
 */
import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { stringify } from 'csv-stringify/sync';
import { classEventPages } from './classEvents.ts';
import type { ExportPolicy } from './exportPolicy.ts';
import type { ExportWindow } from './classEvents.ts';

export const EVENT_COLUMNS = ['row', 'event_id', 'event_type', 'event_time', 'persisted_at', 'user_id', 'session_id', 'notebook_path', 'cell_id', 'payload'] as const;

async function* chunks(db: Knex, window: ExportWindow, policy: ExportPolicy, upTo: number): AsyncGenerator<string> {
  yield stringify([], { header: true, columns: [...EVENT_COLUMNS] });
  let row = 0;
  // Neither option: the payload goes out as stored, never parsed and serialised again.
  const asStored = !policy.pseudonymise && !policy.dropFreeText;
  for await (const page of classEventPages(db, window, upTo, { parse: !asStored })) {
    yield stringify(
      page.map((e) => ({
        row: String(++row),
        event_id: policy.text(e.event_id),
        event_type: e.event_type,
        event_time: e.event_time,
        persisted_at: e.persisted_at,
        user_id: policy.subject(e.user_id),
        session_id: policy.text(e.session_id),
        notebook_path: policy.text(e.notebook_path),
        cell_id: policy.text(e.cell_id),
        payload: asStored ? e.payloadText! : JSON.stringify(policy.payload(e.payload)),
      })),
      { columns: [...EVENT_COLUMNS] },
    );
  }
}

/** The CSV as a stream; `upTo` is the export's last row (classEvents.ts exportUpTo). */
export function eventsCsv(db: Knex, window: ExportWindow, policy: ExportPolicy, upTo: number): Readable {
  // One page held at a time (the default would buffer 16): the socket's pace is the read's pace.
  return Readable.from(chunks(db, window, policy, upTo), { highWaterMark: 1 });
}
