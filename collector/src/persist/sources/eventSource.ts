import type { CellEvent } from '@cell-monitor/shared';

/** One unit of work handed to the persister: a stream entry (Redis) or a buffer row (embedded). */
export interface SourceEntry {
  id: string;
  eventId: string;
  body: string;
}

/**
 * Where the persister reads from. `read` waits briefly for work and may return []; entries stay
 * owned (unacked) until `ack`, so a crash between read and ack means they are read again.
 */
export interface EventSource {
  readonly name: string;
  read(max: number): Promise<SourceEntry[]>;
  ack(entries: SourceEntry[]): Promise<void>;
  deadLetter(entry: SourceEntry, reason: string): Promise<void>;
  close(): Promise<void>;
}

export function parseEntry(entry: SourceEntry): CellEvent | undefined {
  try {
    const event = JSON.parse(entry.body) as CellEvent;
    return typeof event === 'object' && event !== null && typeof event.eventId === 'string' ? event : undefined;
  } catch {
    return undefined;
  }
}
