/**
 * What several instructor routes do besides writing a row: a status change goes live to every
 * `/instructor/ws` client, and a token that stops being valid closes its sockets on every collector.
 * A failed publish is logged, never fatal: the database already holds the truth.
 */
import type { Knex } from 'knex';
import type { StatusUpdateMessage } from '@cell-monitor/shared';
import type { Revocation } from '../auth/tokens.ts';
import type { Channel } from '../broadcast/channel.ts';
import type { Logger } from '../core/logger.ts';
import { setStatus, statusView, type InstructorRow } from './store.ts';

export interface AccountActions {
  /** setStatus + a live `status_update`; undefined when the instructor does not exist. */
  changeStatus(id: number, status: InstructorRow['status'], session: string | null | undefined): Promise<InstructorRow | undefined>;
  /** The database already refuses the token; this closes its open sockets everywhere. */
  revoke(revocation: Revocation): Promise<void>;
}

export function createAccountActions(parts: { db: Knex; log: Logger; instructorStatus: Channel<StatusUpdateMessage>; revocations: Channel<Revocation> }): AccountActions {
  const { db, log } = parts;
  return {
    async changeStatus(id, status, session) {
      const row = await setStatus(db, id, status, session);
      if (row) {
        await parts.instructorStatus.publish({ type: 'status_update', ...statusView(row) }).catch((err: Error) => log.warn({ err }, 'status_update not published'));
      }
      return row;
    },
    revoke: (revocation) =>
      parts.revocations.publish(revocation).catch((err: Error) => log.warn({ err, reason: revocation.reason }, 'revocation not published; sockets close at token expiry')),
  };
}
