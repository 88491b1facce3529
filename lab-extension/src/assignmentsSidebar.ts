/**
 * The Assignments sidebar, put together: the panel in the left area, a command (and a palette
 * item) that opens it, and the poller that shows each grading and reloads the panel.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification, type ICommandPalette } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import { listIcon } from '@jupyterlab/ui-components';
import { ASSIGNMENTS_PANEL_ID, AssignmentsPanel } from './assignmentsPanel.ts';
import { collectorAwayFlag } from './collectorAway.ts';
import { GradingPoller } from './gradingPoller.ts';
import { StudentApi } from './studentApi.ts';
import { companionProbe } from './transport.ts';

export const OPEN_ASSIGNMENTS_COMMAND = 'cell-monitor:open-assignments';
/** How often the student's gradings are checked, ms. */
const GRADING_POLL_MS = 5_000;

export interface AssignmentsSidebarOptions {
  app: JupyterFrontEnd;
  tracker: INotebookTracker;
  palette: ICommandPalette | null;
}

export function addAssignmentsSidebar({ app, tracker, palette }: AssignmentsSidebarOptions): AssignmentsPanel {
  const server = app.serviceManager.serverSettings;
  const api = new StudentApi(server);
  const panel = new AssignmentsPanel(api, tracker);
  panel.title.icon = listIcon;
  app.shell.add(panel, 'left', { rank: 900 });
  app.commands.addCommand(OPEN_ASSIGNMENTS_COMMAND, {
    label: 'Assignments: list, submit, see grades',
    execute: () => app.shell.activateById(ASSIGNMENTS_PANEL_ID),
  });
  palette?.addItem({ command: OPEN_ASSIGNMENTS_COMMAND, category: 'cell-monitor' });
  new GradingPoller({
    api,
    intervalMs: GRADING_POLL_MS,
    away: collectorAwayFlag(),
    probe: companionProbe(server),
    notify: (text) => Notification.info(text, { autoClose: false }),
    onGraded: () => void panel.refresh(),
  }).start();
  return panel;
}
