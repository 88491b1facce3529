/**
 * The Assignments sidebar, put together: the panel in the left area and a command (and a palette
 * item) that opens it. The notification poller (studentNotifications.ts) reloads it on a grading.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ICommandPalette } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import { listIcon } from '@jupyterlab/ui-components';
import { ASSIGNMENTS_PANEL_ID, AssignmentsPanel } from './assignmentsPanel.ts';
import { StudentApi } from './studentApi.ts';

export const OPEN_ASSIGNMENTS_COMMAND = 'cell-monitor:open-assignments';

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
  return panel;
}
