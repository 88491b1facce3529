/** What the instructor route files are given (instructorRoutes.ts composes them). */
import type { Knex } from 'knex';
import type { StatusUpdateMessage } from '@cell-monitor/shared';
import type { LimiterFactory } from '../auth/loginThrottle.ts';
import type { Authenticated, Authenticator, Revocation } from '../auth/tokens.ts';
import type { Channel } from '../broadcast/channel.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';

export interface InstructorRouteParts {
  db: Knex;
  config: Config;
  log: Logger;
  authenticator: () => Authenticator | undefined;
  /** Status changes, live to every collector's `/instructor/ws` clients. */
  instructorStatus: Channel<StatusUpdateMessage>;
  /** Tells every collector to close the sockets of tokens that just stopped being valid. */
  revocations: Channel<Revocation>;
  /** The mode's rate limiters: login throttling is shared by the deployment's collectors (in-process when embedded). */
  limiter: LimiterFactory;
  /** Whether `who` may see this instructor's status: self, a co-teacher, or an admin (classes/colleagues.ts). */
  maySeeInstructor(db: Knex, who: Authenticated, instructorId: number): Promise<boolean>;
}
