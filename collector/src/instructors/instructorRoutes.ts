/**
 * Every instructor route, in one call: the session (`/api/v1/auth`), accounts (`/api/v1/instructors`)
 * and status (`/api/v1/instructor_status`), one file each.
 */
import type { Knex } from 'knex';
import type { StatusUpdateMessage } from '@cell-monitor/shared';
import type { Authenticator, Revocation } from '../auth/tokens.ts';
import type { Channel } from '../broadcast/channel.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { RouteTable } from '../http/routeTable.ts';
import type { InstructorRouteParts } from './routeParts.ts';
import { createAccountActions } from './accountActions.ts';
import { addAccountRoutes } from './accountRoutes.ts';
import { addSessionRoutes } from './sessionRoutes.ts';
import { addStatusRoutes } from './statusRoutes.ts';

export function addInstructorRoutes(table: RouteTable, parts: InstructorRouteParts): void {
  const actions = createAccountActions({ db: parts.db, log: parts.log, instructorStatus: parts.instructorStatus, revocations: parts.revocations });
  addSessionRoutes(table, parts, actions);
  addAccountRoutes(table, parts, actions);
  addStatusRoutes(table, parts, actions);
}
