/** A failed call to the collector: its stable error id and message (`{ error, message }`), or `network`. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly id: string, message: string) {
    super(message);
  }
}

/** What to show for a failed call: the collector's message, or the page's generic one. */
export function messageOf(err: unknown, fallback: string): string {
  return err instanceof ApiError ? err.message : fallback;
}
