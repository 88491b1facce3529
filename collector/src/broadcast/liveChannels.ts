/**
 * Every live channel of a deployment, by name. A new live feature (dashboard progress, help queue,
 * notifications) adds its channel here and nowhere else. The mode's coordination object
 * (coordination/) builds them over its transport and hands them to the features.
 */
import type { BroadcastView, LiveEvent, StatusUpdateMessage } from '@cell-monitor/shared';
import type { Revocation } from '../auth/tokens.ts';
import type { Logger } from '../core/logger.ts';
import { createChannel, type Channel } from './channel.ts';
import type { PubSub } from './pubSub.ts';

/** Seed name (seed 000 "Redis"): persisted events, for every collector's /ws clients. */
export const LIVE_EVENTS_CHANNEL = 'student_progress_notifications';
/** Instructor status changes, for every collector's /instructor/ws clients. */
export const INSTRUCTOR_STATUS_CHANNEL = 'instructor_status_notifications';
/** A student's help request was claimed or resolved: every collector's dashboard boards re-read it. */
export const HELP_REQUESTS_CHANNEL = 'cell-monitor:help-requests';
/** Revoked instructor tokens (logout, password change, deactivation): every collector closes their sockets. */
export const AUTH_REVOCATION_CHANNEL = 'cell-monitor:auth-revocations';
/** A student's data was erased: every collector deletes that student's rows from its own buffer file. */
export const ERASURES_CHANNEL = 'cell-monitor:erasures';
/** A teacher left a class or the class was deleted: every collector closes the sockets watching it. */
export const CLASS_ACCESS_CHANNEL = 'cell-monitor:class-access';
/** Seed 000's name: a class broadcast, for any other consumer of the deployment's Redis (no collector listens). */
export const SEED_BROADCAST_CHANNEL = 'broadcast';
/** Seed 003's per-student channel: her gradings, for any other consumer of the deployment's Redis (no collector listens). */
export const seedNotificationsChannel = (userId: string) => `notifications:${userId}`;

/** What the seed's `broadcast` channel carries: the broadcast as its route answers it, typed `system_message`. */
export type SystemMessage = { type: 'system_message' } & BroadcastView;
/** What the seed's `notifications:{user}` channel carries (`event`: what happened, e.g. `assignment_graded`). */
export type SeedNotification = { event: string } & Record<string, unknown>;

/**
 * Someone lost a class: `instructorId` was removed from its teachers, or (instructorId null) the class
 * was deleted. `/dashboard/ws` sockets on the class close with 4403 within a second; `/ws` re-reads
 * its roster. The 10 s refresh of each socket re-checks the same thing if a message is lost.
 */
export interface ClassAccessRevocation {
  classId: number;
  instructorId: number | null;
  reason: 'teacher_removed' | 'class_deleted';
}

export interface LiveChannels {
  /** Events the pipeline persisted (once each: a redelivered entry inserts nothing and is not published). */
  events: Channel<LiveEvent[]>;
  /** Instructor status changes, as `/instructor/ws` clients receive them (shared/liveMessages.ts). */
  instructorStatus: Channel<StatusUpdateMessage>;
  revocations: Channel<Revocation>;
  /** Help requests claimed or resolved (by student); opening and cancelling travel with the events. */
  helpRequests: Channel<{ userId: string }>;
  /** Students erased (privacy/studentData.ts), by Jupyter user name. */
  erasures: Channel<{ userId: string }>;
  /** Teachers removed from a class, classes deleted (lms/teacherRoutes.ts, lms/classRoutes.ts). */
  classAccess: Channel<ClassAccessRevocation>;
  /** Class broadcasts on the seed's `broadcast` channel (classes/classroomRoutes.ts). */
  broadcast: Channel<SystemMessage>;
  /** A student's gradings on the seed's `notifications:{user}` channel (assignments/submissionRoutes.ts). */
  notifications(userId: string): Channel<SeedNotification>;
}

export function createLiveChannels(pubsub: PubSub, log: Logger): LiveChannels {
  return {
    events: createChannel(LIVE_EVENTS_CHANNEL, pubsub, log),
    instructorStatus: createChannel(INSTRUCTOR_STATUS_CHANNEL, pubsub, log),
    revocations: createChannel(AUTH_REVOCATION_CHANNEL, pubsub, log),
    helpRequests: createChannel(HELP_REQUESTS_CHANNEL, pubsub, log),
    erasures: createChannel(ERASURES_CHANNEL, pubsub, log),
    classAccess: createChannel(CLASS_ACCESS_CHANNEL, pubsub, log),
    broadcast: createChannel(SEED_BROADCAST_CHANNEL, pubsub, log),
    notifications: (userId) => createChannel(seedNotificationsChannel(userId), pubsub, log),
  };
}
