/** Redis key names shared by every collector of one deployment. */
export const STREAM_KEY = 'cell-monitor:events';
export const DEAD_LETTER_STREAM_KEY = 'cell-monitor:events:dead';
export const CONSUMER_GROUP = 'persisters';
/** Seed name (seed 000 "Redis"): live fan-out of persisted events to every collector. */
export const NOTIFY_CHANNEL = 'student_progress_notifications';
/** Instructor status changes, fanned out to every collector's /instructor/ws clients. */
export const INSTRUCTOR_STATUS_CHANNEL = 'instructor_status_notifications';
/** Revoked instructor tokens (logout, password change, deactivation): every collector closes their sockets. */
export const AUTH_REVOCATION_CHANNEL = 'cell-monitor:auth-revocations';
