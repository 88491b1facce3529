import { isSelfReportedUser, SELF_REPORTED_PREFIX, withoutServerMetadata, type CellEvent } from '@cell-monitor/shared';

/**
 * A companion's event as the buffer takes it: a `v1:` user id is refused (that namespace is the
 * self-reported identities'), and the metadata keys the server acts on are dropped (only the server
 * sets them: shared/legacyEvent.ts).
 */
export function companionEvent(event: CellEvent): { ok: true; event: CellEvent } | { ok: false; error: string; message: string } {
  if (isSelfReportedUser(event.userId)) {
    return { ok: false, error: 'reserved_user_id', message: `user ids starting with ${SELF_REPORTED_PREFIX} are self-reported identities of v1 clients; a companion cannot use one` };
  }
  return { ok: true, event: withoutServerMetadata(event) };
}
