/**
 * cell-monitor for JupyterLab 4: records sessions, notebooks, cell runs, kernel restarts/interrupts
 * and help requests into an IndexedDB queue and sends them, batched and gzipped, to this Jupyter
 * server's companion route `{baseUrl}cell-monitor`, which stamps the Jupyter user and forwards them
 * to the class's collector. Shown to the student: the "Ask for help" button and the Assignments
 * sidebar, and notifications (gradings, resolved help requests, class messages). This file only
 * wires; each part is a module of its own.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { addAssignmentsSidebar } from './assignmentsSidebar.ts';
import { CellMonitor } from './cellMonitor.ts';
import { collectorAwayFlag, noteFailedRequest, type CollectorAwayFlag } from './collectorAway.ts';
import { addCheckCommand } from './connectionCheckDialog.ts';
import { HELP_TOOLBAR_ITEM, HelpButton, helpResolved } from './helpButton.ts';
import { DEFAULT_NOTICE, Privacy } from './privacy.ts';
import { addAboutCommand, showNoticeIfDue, type AboutParts } from './privacyNotice.ts';
import { loadSettings } from './settings.ts';
import { startSnapshots } from './snapshots.ts';
import { browserStorage } from './storage.ts';
import { addVersionsSidebar } from './versionsSidebar.ts';
import { companionPrivacy, StudentApi } from './studentApi.ts';
import { companionProbe } from './transport.ts';
import { startNotificationPoller } from './studentNotifications.ts';

export const PLUGIN_ID = '@cell-monitor/lab-extension:plugin';

/**
 * Synchronous: JupyterLab waits for activate, so everything that needs an answer (settings, the
 * companion, the class policy, IndexedDB) starts here and follows in `startRecording`. The UI and
 * the capture are in place at once; what capture sees before the queue is open waits for it.
 */
function activate(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  settingRegistry: ISettingRegistry,
  toolbarRegistry: IToolbarWidgetRegistry,
  palette: ICommandPalette | null,
): void {
  const away = collectorAwayFlag();
  const monitor = new CellMonitor({ app, tracker, away });
  monitor.listen();
  // The toolbar factory must exist before the first notebook opens; a click counts once the queue is open.
  toolbarRegistry.addFactory<NotebookPanel>('Notebook', HELP_TOOLBAR_ITEM, (panel) => new HelpButton(panel, monitor.started));
  const assignments = addAssignmentsSidebar({ app, tracker, palette });
  addCheckCommand(app, palette);
  addVersionsSidebar({ app, tracker, palette, away });
  const parts = startRecording({ app, settingRegistry, monitor, away, onGraded: () => void assignments.refresh() });
  addAboutCommand({ app, palette, parts });
  startSnapshots({ app, tracker, recorder: monitor.started, parts, submitted: assignments.submitted });
  parts.catch((error) => {
    if (error instanceof Visiting) console.info(`cell-monitor: this server belongs to ${error.owner}; nothing is recorded while you visit it`);
    else console.warn('cell-monitor: start-up failed, not recording', error);
    monitor.close();
  });
}

class Visiting extends Error {
  constructor(readonly owner: string) {
    super(`visiting the server of ${owner}`);
  }
}

/** Who records, what the class allows, the queue: in this order, then the notice if it is due. */
async function startRecording(options: { app: JupyterFrontEnd; settingRegistry: ISettingRegistry; monitor: CellMonitor; away: CollectorAwayFlag; onGraded: () => void }): Promise<AboutParts> {
  const { app, monitor, away } = options;
  const local = await loadSettings(options.settingRegistry, PLUGIN_ID);
  const server = app.serviceManager.serverSettings;
  await app.serviceManager.user.ready.catch(() => undefined);
  // The student the companion stamps events with owns the consent (not the browser's Jupyter identity).
  const companion = await companionPrivacy(server).catch(() => null);
  // A hub admin visiting a student's server: what they do is not hers, and not a student's at all.
  if (companion?.visitor) throw new Visiting(companion.user);
  // Whose queue this page records into and drains: this server and the student it stamps (queueOwner.ts).
  const owner = { baseUrl: server.baseUrl, user: companion?.user || app.serviceManager.user.identity?.username || 'unknown' };
  const probe = companionProbe(server);
  const privacy = new Privacy({
    storage: browserStorage(),
    user: owner.user,
    fetchConfig: async () => {
      if (!companion) throw new Error('the companion did not answer');
      return { notice: companion.notice || DEFAULT_NOTICE, consentRequired: companion.consentRequired, version: companion.version };
    },
    fetchPolicy: async () => {
      // While the collector is away, asking would only fail (a console error): probe first, as the
      // drainer and the poller do (a 200 from the student's own server), and ask once it is back. A
      // flag an earlier page left must not skip the read: the policy caps what this page sends.
      if (away.get()) {
        if (!(await probe())) throw new Error('the collector is away');
        away.set(false);
      }
      try {
        return await new StudentApi(server).policy();
      } catch (error) {
        noteFailedRequest(away, error);
        throw error;
      }
    },
  });
  await privacy.load();
  // The class may change its policy during the session: read it again every minute.
  setInterval(() => void privacy.refreshPolicy(), 60_000);
  startNotificationPoller({ app, owner, away, onGraded: options.onGraded, onHelpResolved: helpResolved });
  // Capture collects what some notebook's policy allows; prepare() cuts each event to its notebook's.
  const settings = () => privacy.capture(local());
  await monitor.start(owner, settings, (event) => privacy.prepare(event, local()));
  const onConsent = () => monitor.recorder?.record('consent_given', { metadata: { noticeVersion: privacy.config.version } });
  void app.restored.then(() => showNoticeIfDue(privacy, onConsent));
  return { privacy, local, onConsent };
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Records notebook activity for the class collector and adds an "Ask for help" button.',
  autoStart: true,
  requires: [INotebookTracker, ISettingRegistry, IToolbarWidgetRegistry],
  optional: [ICommandPalette],
  activate,
};

export default plugin;
