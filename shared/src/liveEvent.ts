import type { CellEvent } from './cellEvent.ts';

/**
 * What the live dashboard receives for one persisted event: everything but the cell source and
 * output (those stay in the database), replaced by their sizes, to keep fan-out small.
 */
export type LiveEvent = Omit<CellEvent, 'code' | 'output'> & { codeChars?: number; outputChars?: number };

export function toLiveEvent(event: CellEvent): LiveEvent {
  const { code, output, ...rest } = event;
  const live: LiveEvent = rest;
  if (code !== undefined) live.codeChars = code.length;
  if (output !== undefined) live.outputChars = JSON.stringify(output)?.length ?? 0;
  return live;
}
