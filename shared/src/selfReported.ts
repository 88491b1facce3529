/**
 * Self-reported identities (clients of the original v1 extension, LEGACY_V1_CLIENTS=1) live in their
 * own namespace: user id `v1:<email>`. The collector gives it only to events it marked as a v1
 * client's; a companion may not use it, so a self-reported student is never merged with a
 * credentialed one. Cards, timelines, help requests and exports show the mark (this module has no
 * dependencies: the dashboard page imports it).
 */

/** The namespace of self-reported (v1) identities. No credentialed user id may start with it. */
export const SELF_REPORTED_PREFIX = 'v1:';

/** The user id of a self-reported (v1) student: its own namespace, never a credentialed student's id. */
export function selfReportedUserId(email: string): string {
  return `${SELF_REPORTED_PREFIX}${email}`;
}

/** Whether a user id is a self-reported one (a v1 client's, identity not authenticated). */
export function isSelfReportedUser(userId: string | null | undefined): boolean {
  return typeof userId === 'string' && userId.startsWith(SELF_REPORTED_PREFIX);
}
