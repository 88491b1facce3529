/**
 * Whose queue: every event waits in a queue of its owner — the Jupyter server that will send it
 * (its base URL) and the user that server stamps (the companion's `user`) — and leaves only through
 * that server. IndexedDB, localStorage and Web Locks are per origin, and under JupyterHub every
 * student's server shares one origin (`/user/<name>/`): one queue per origin would let the next
 * student on a shared lab PC send the last one's events under his own name. So the database, the
 * drain lock and the unload stash are all named after the owner, and each batch tells the companion
 * whose it is (`X-Cell-Monitor-Owner`): a server that stamps someone else answers 409
 * `owner_mismatch` and the events stay queued.
 */

export interface QueueOwner {
  /** The path of the Jupyter server's base URL, e.g. `/user/alice/` under a hub, `/` alone. */
  baseUrl: string;
  /** The user that server's companion stamps events with. */
  user: string;
}

/** The path of `baseUrl` (which JupyterLab gives as an absolute URL), always ending in `/`. */
export function basePath(baseUrl: string): string {
  const path = new URL(baseUrl, 'http://origin.invalid/').pathname;
  return path.endsWith('/') ? path : `${path}/`;
}

/** One unambiguous string per owner (a user name may hold any character, `:` and `/` included). */
export function ownerKey(owner: QueueOwner): string {
  return JSON.stringify([basePath(owner.baseUrl), owner.user]);
}

/** The IndexedDB database of the owner's queue. */
export const queueName = (owner: QueueOwner): string => `cell-monitor:queue:${ownerKey(owner)}`;

/** The Web Lock held by the one tab that drains the owner's queue. */
export const drainLockName = (owner: QueueOwner): string => `cell-monitor:drain:${ownerKey(owner)}`;

/** The header each batch carries: the owner's user, percent-encoded UTF-8 (as the companion's stamp). */
export const OWNER_HEADER = 'X-Cell-Monitor-Owner';
