/**
 * The Versions sidebar, put together: the panel in the right area (beside the notebook it is
 * about) and a command, with a palette item, that opens it.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ICommandPalette } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import { historyIcon } from '@jupyterlab/ui-components';
import type { CollectorAwayFlag } from './collectorAway.ts';
import { StudentApi } from './studentApi.ts';
import { companionProbe } from './transport.ts';
import { VERSIONS_PANEL_ID, VersionsPanel } from './versionsPanel.ts';

export const OPEN_VERSIONS_COMMAND = 'cell-monitor:open-versions';

export interface VersionsSidebarOptions {
  app: JupyterFrontEnd;
  tracker: INotebookTracker;
  palette: ICommandPalette | null;
  away: CollectorAwayFlag;
}

export function addVersionsSidebar({ app, tracker, palette, away }: VersionsSidebarOptions): VersionsPanel {
  const server = app.serviceManager.serverSettings;
  const panel = new VersionsPanel({
    api: new StudentApi(server),
    tracker,
    contents: app.serviceManager.contents,
    open: (path) => void app.commands.execute('docmanager:open', { path }).catch((error) => console.warn('cell-monitor: opening the restored version failed', error)),
    away,
    probe: companionProbe(server),
  });
  panel.title.icon = historyIcon;
  app.shell.add(panel, 'right', { rank: 900 });
  app.commands.addCommand(OPEN_VERSIONS_COMMAND, {
    label: 'Versions: see, compare and restore earlier versions of this notebook',
    execute: () => app.shell.activateById(VERSIONS_PANEL_ID),
  });
  palette?.addItem({ command: OPEN_VERSIONS_COMMAND, category: 'cell-monitor' });
  return panel;
}
