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
  /**
   * notebookPath is indexed (events, notebooks): a btree entry must stay well under PostgreSQL's
   * ~2,700-byte limit, and 1,024 characters of CJK text are over 3,000 bytes. Counted in UTF-8 bytes.
   */
  maxPathBytes: 1024,
  /** executionCount and cellIndex are stored as 32-bit integers. */
  maxCount: 2_147_483_647,
  /** Objects/arrays nested deeper than this in one event are refused (JSON.stringify and yup recurse). */
  maxDepth: 64,
  /** Events may not claim a time before this… */
  earliestEventTime: '2000-01-01T00:00:00.000Z',
  /** …nor more than this far ahead of the collector's clock (a skewed laptop is fine, year 9999 is not). */
  maxFutureMs: 24 * 60 * 60 * 1000,
  /**
   * Keys and array items in an event's metadata, counted at every level (unknown top-level fields
   * count too: they become metadata). An environment report lists its packages there (the store
   * keeps 5,000 at most); 250,000 keys cost half a second of the ingest thread for one event.
   */
  maxMetadataKeys: 10_000,
  maxCodeChars: 1_000_000,
  maxErrorMessageChars: 10_000,
  maxTracebackChars: 200_000,
  /** Output larger than this (serialised, in characters) is replaced by a truncated preview. */
  defaultOutputMaxChars: 64 * 1024,
} as const;
