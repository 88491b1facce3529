/**
 * The student's notifications, shown as JupyterLab notifications that stay until closed: gradings
 * (the Assignments panel reloads), help requests the instructor resolved (the help button resets),
 * messages the instructor sent to the class.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import type { CollectorAwayFlag } from './collectorAway.ts';
import { NotificationPoller, notificationCursorKey } from './notificationPoller.ts';
import { ownerKey, type QueueOwner } from './queueOwner.ts';
import { StudentApi } from './studentApi.ts';
import { companionProbe } from './transport.ts';

/** How often notifications are checked while the page is visible, ms: a resolved help request shows within seconds. */
export const NOTIFICATION_POLL_MS = 2_000;

/** `owner`: this server and the student it stamps, whose cursor this page keeps; `away`: the flag the drainer shares. */
export function startNotificationPoller(options: {
  app: JupyterFrontEnd;
  owner: QueueOwner;
  away: CollectorAwayFlag;
  onGraded: () => void;
  onHelpResolved: (notebookPath: string | null) => void;
}): NotificationPoller {
  const server = options.app.serviceManager.serverSettings;
  const poller = new NotificationPoller({
    api: new StudentApi(server),
    intervalMs: NOTIFICATION_POLL_MS,
    away: options.away,
    probe: companionProbe(server),
    notify: (text) => Notification.info(text, { autoClose: false }),
    onGraded: options.onGraded,
    onHelpResolved: options.onHelpResolved,
    cursorKey: notificationCursorKey(ownerKey(options.owner)),
  });
  poller.start();
  return poller;
}
