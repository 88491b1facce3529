import type { CellEvent, CellEventError } from './cellEvent.ts';

/** Longest error message a live event carries (the card shows its first line; the store keeps it whole). */
export const LIVE_ERROR_MESSAGE_CHARS = 1_000;

/**
 * What the live dashboard receives for one persisted event: everything but the cell source, the
 * output, the metadata and the traceback (those stay in the database), replaced by their sizes, and
 * the error message cut to LIVE_ERROR_MESSAGE_CHARS — so a student's heavy event costs every
 * collector's fan-out (and every board's parse) no more than a light one.
 */
export type LiveEvent = Omit<CellEvent, 'code' | 'output' | 'metadata' | 'error'> & {
  codeChars?: number;
  outputChars?: number;
  /** Keys at the top level of the event's metadata. */
  metadataKeys?: number;
  error?: Omit<CellEventError, 'traceback'> & { tracebackChars?: number; messageCut?: true };
};

export function toLiveEvent(event: CellEvent): LiveEvent {
  const { code, output, metadata, error, ...rest } = event;
  const live: LiveEvent = rest;
  if (code !== undefined) live.codeChars = code.length;
  if (output !== undefined) live.outputChars = JSON.stringify(output)?.length ?? 0;
  if (metadata !== undefined) live.metadataKeys = Object.keys(metadata).length;
  if (error !== undefined) {
    const { traceback, message, ...kept } = error;
    live.error = { ...kept, message: message.slice(0, LIVE_ERROR_MESSAGE_CHARS) };
    if (message.length > LIVE_ERROR_MESSAGE_CHARS) live.error.messageCut = true;
    if (traceback !== undefined) live.error.tracebackChars = traceback.length;
  }
  return live;
}
