/**
 * Size limits and the schema version of the wire format, with no dependency (the browser extension
 * bundles this file; the yup schema in cellEvent.ts stays on the server side).
 */

/** Version of the canonical event shape (cellEvent.ts). Bump it (and add a normaliser step) on a breaking change. */
export const SCHEMA_VERSION = 1;

export const LIMITS = {
  maxBatchEvents: 100,
  maxIdLength: 128,
  maxUserIdLength: 255,
  maxPathLength: 1024,
  maxCodeChars: 1_000_000,
  maxErrorMessageChars: 10_000,
  maxTracebackChars: 200_000,
  /** Output larger than this (serialised, in characters) is replaced by a truncated preview. */
  defaultOutputMaxChars: 64 * 1024,
} as const;
