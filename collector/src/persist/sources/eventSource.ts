import { isSelfReportedUser, withoutServerMetadata, type CellEvent } from '@cell-monitor/shared';
import { rememberText } from '../eventRows.ts';

/** One unit of work handed to the persister: a stream entry (Redis) or a buffer row (embedded). */
export interface SourceEntry {
  id: string;
  eventId: string;
  body: string;
  /** A v1 client's event: the accepting collector's mark (buffer column, stream field), never from the body. */
  selfReported?: boolean;
}

/**
 * Where the persister reads from. `read` waits briefly for work and may return []; entries stay
 * owned (unacked) until `ack`, so a crash between read and ack means they are read again.
 */
export interface EventSource {
  readonly name: string;
  /**
   * Entries after the ones already read (read but unacked ones are not returned again, except after
   * an error of the source). `wait: false` answers at once, also with nothing (the persister holds
   * entries to persist meanwhile).
   */
  read(max: number, options?: { wait?: boolean }): Promise<SourceEntry[]>;
  /** Any subset of the entries read, in any order: only those leave the source. */
  ack(entries: SourceEntry[]): Promise<void>;
  deadLetter(entry: SourceEntry, reason: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The entry's event, or undefined when it cannot be one. The mark decides what the event is: a
 * self-reported (v1) event has a `v1:` user id, and any other event neither has one nor carries
 * the server's metadata keys (stripped at ingest already; rows buffered before the mark existed are
 * cleaned here). persist/selfReported.ts then acts on `v1:` user ids only.
 */
export function parseEntry(entry: SourceEntry): CellEvent | undefined {
  let event: CellEvent;
  try {
    event = JSON.parse(entry.body) as CellEvent;
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null || typeof event.eventId !== 'string' || typeof event.userId !== 'string') return undefined;
  if (entry.selfReported) return isSelfReportedUser(event.userId) ? remembered(event, entry.body) : undefined;
  if (isSelfReportedUser(event.userId)) return undefined;
  const clean = withoutServerMetadata(event);
  return clean === event ? remembered(event, entry.body) : clean;
}

/** Parsed once: the gate stores the entry's text as the event's payload (persist/eventRows.ts). */
function remembered(event: CellEvent, text: string): CellEvent {
  rememberText(event, text);
  return event;
}
