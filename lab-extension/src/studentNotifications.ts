/**
 * The student's notifications, shown as JupyterLab notifications that stay until closed: gradings
 * (the Assignments panel reloads), help requests the instructor resolved (the help button resets),
 * messages the instructor sent to the class.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { collectorAwayFlag } from './collectorAway.ts';
import { NotificationPoller } from './notificationPoller.ts';
import { StudentApi } from './studentApi.ts';
import { companionProbe } from './transport.ts';

/** How often notifications are checked while the page is visible, ms: a resolved help request shows within seconds. */
export const NOTIFICATION_POLL_MS = 2_000;

export function startNotificationPoller(options: { app: JupyterFrontEnd; onGraded: () => void; onHelpResolved: (notebookPath: string | null) => void }): NotificationPoller {
  const server = options.app.serviceManager.serverSettings;
  const poller = new NotificationPoller({
    api: new StudentApi(server),
    intervalMs: NOTIFICATION_POLL_MS,
    away: collectorAwayFlag(),
    probe: companionProbe(server),
    notify: (text) => Notification.info(text, { autoClose: false }),
    onGraded: options.onGraded,
    onHelpResolved: options.onHelpResolved,
  });
  poller.start();
  return poller;
}
