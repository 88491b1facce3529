import { checkNotebookSnapshot, EVENT_TYPES, isSelfReportedUser, SELF_REPORTED_PREFIX, withoutServerMetadata, type CellEvent } from '@cell-monitor/shared';

/**
 * A companion's event as the buffer takes it: a `v1:` user id is refused (that namespace is the
 * self-reported identities'), and the metadata keys the server acts on are dropped (only the server
 * sets them: shared/legacyEvent.ts). A notebook snapshot whose payload is not one is refused here,
 * by index with its reason (`invalid_snapshot`), rather than carried to the persister for nothing.
 */
export function companionEvent(event: CellEvent): { ok: true; event: CellEvent } | { ok: false; error: string; message: string } {
  if (isSelfReportedUser(event.userId)) {
    return { ok: false, error: 'reserved_user_id', message: `user ids starting with ${SELF_REPORTED_PREFIX} are self-reported identities of v1 clients; a companion cannot use one` };
  }
  if (event.eventType === EVENT_TYPES.notebookSnapshot) {
    if (!event.notebookPath) return { ok: false, error: 'invalid_snapshot', message: 'a notebook snapshot needs its notebookPath' };
    const snapshot = checkNotebookSnapshot(event.metadata);
    if (!snapshot.ok) return snapshot;
  }
  return { ok: true, event: withoutServerMetadata(event) };
}
