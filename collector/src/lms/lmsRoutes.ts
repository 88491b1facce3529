/**
 * Every LMS route, in one call, one file per resource: for instructors classes, their teachers,
 * enrollment, assignments, submissions (grading) and what they read about students and events; for
 * students (through the companion) their assignments, hand-ins and notifications.
 */
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { Channel } from '../broadcast/channel.ts';
import type { ClassAccessRevocation } from '../broadcast/liveChannels.ts';
import type { Logger } from '../core/logger.ts';
import type { RouteTable } from '../http/routeTable.ts';
import { addAssignmentRoutes } from './assignmentRoutes.ts';
import { addClassRoutes } from './classRoutes.ts';
import { addEnrollmentRoutes } from './enrollmentRoutes.ts';
import { addEventRoutes } from './eventRoutes.ts';
import { addPolicyRoutes } from './policyRoutes.ts';
import { addRosterRoutes } from './rosterRoutes.ts';
import { addStudentRecordRoutes } from './studentRecordRoutes.ts';
import { addStudentRoutes } from './studentRoutes.ts';
import { addSubmissionRoutes } from './submissionRoutes.ts';
import { addTeacherRoutes } from './teacherRoutes.ts';

export interface LmsParts {
  db: Knex;
  log: Logger;
  /** For the seed's `notifications:{user}` channel; none when embedded. */
  redis?: Redis;
  /** Largest notebook a submission may carry (the companion's limit). */
  submissionMaxBytes: number;
  /** Submissions kept per student and assignment. */
  submissionsKept: number;
  /** Told when a teacher is removed or a class deleted: every collector closes the sockets on it. */
  classAccess: Channel<ClassAccessRevocation>;
}

export function addLmsRoutes(table: RouteTable, parts: LmsParts): void {
  addClassRoutes(table, parts);
  addTeacherRoutes(table, parts);
  addEnrollmentRoutes(table, parts);
  addRosterRoutes(table, parts);
  addAssignmentRoutes(table, parts);
  addSubmissionRoutes(table, parts);
  addStudentRecordRoutes(table, parts);
  addEventRoutes(table, parts);
  addStudentRoutes(table, parts);
  addPolicyRoutes(table, parts);
}
