/**
 * cell-monitor for JupyterLab 4: records sessions, notebooks, cell runs, kernel restarts/interrupts
 * and help requests into an IndexedDB queue and sends them, batched and gzipped, to this Jupyter
 * server's companion route `{baseUrl}cell-monitor`, which stamps the Jupyter user and forwards them
 * to the class's collector. Nothing is shown to the student except the "Ask for help" button.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { listIcon } from '@jupyterlab/ui-components';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { UUID } from '@lumino/coreutils';
import type { CellEvent } from '@cell-monitor/shared';
import { EVENT_TYPES } from '@cell-monitor/shared/eventTypes';
import { ASSIGNMENTS_PANEL_ID, AssignmentsPanel, pollGradings, StudentApi } from './assignments.ts';
import { Capture } from './capture.ts';
import { Drainer } from './drainer.ts';
import { makeEvent, overflowEvent, type EventContext } from './events.ts';
import { HELP_TOOLBAR_ITEM, HelpButton } from './helpButton.ts';
import { EventQueue } from './queue.ts';
import { Recorder } from './recorder.ts';
import { DEFAULT_SETTINGS, readSettings, type MonitorSettings } from './settings.ts';
import { localFlag } from './storage.ts';
import { companionPoster, companionProbe } from './transport.ts';

export const PLUGIN_ID = '@cell-monitor/lab-extension:plugin';
/** One performance mark per batch sent, with `{ events, bytes, jsonBytes, gzip, status }` as detail. */
export const BATCH_MARK = 'cell-monitor:batch';
const AWAY_KEY = 'cell-monitor:collector-away';
const STASH_PREFIX = 'cell-monitor:unload:';

function stash(event: CellEvent): void {
  try {
    localStorage.setItem(STASH_PREFIX + event.eventId, JSON.stringify(event));
  } catch {
    // storage full or disabled: the IndexedDB attempt is all there is
  }
}

function takeStashed(): CellEvent[] {
  const events: CellEvent[] = [];
  try {
    const keys = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i)).filter((k): k is string => !!k?.startsWith(STASH_PREFIX));
    for (const key of keys) {
      const text = localStorage.getItem(key);
      localStorage.removeItem(key);
      if (text) events.push(JSON.parse(text) as CellEvent);
    }
  } catch {
    // unreadable storage: nothing to recover
  }
  return events;
}


export const OPEN_ASSIGNMENTS_COMMAND = 'cell-monitor:open-assignments';
/** How often the student's gradings are checked, ms. */
const GRADING_POLL_MS = 5_000;

function addAssignments(app: JupyterFrontEnd, tracker: INotebookTracker, palette: ICommandPalette | null): AssignmentsPanel {
  const api = new StudentApi(app.serviceManager.serverSettings);
  const panel = new AssignmentsPanel(api, tracker);
  panel.title.icon = listIcon;
  app.shell.add(panel, 'left', { rank: 900 });
  app.commands.addCommand(OPEN_ASSIGNMENTS_COMMAND, {
    label: 'Assignments: list, submit, see grades',
    execute: () => app.shell.activateById(ASSIGNMENTS_PANEL_ID),
  });
  palette?.addItem({ command: OPEN_ASSIGNMENTS_COMMAND, category: 'cell-monitor' });
  pollGradings(api, {
    intervalMs: GRADING_POLL_MS,
    away: localFlag(AWAY_KEY),
    probe: companionProbe(app.serviceManager.serverSettings),
    onGraded: () => void panel.refresh(),
  });
  return panel;
}

async function activate(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  settingRegistry: ISettingRegistry,
  toolbarRegistry: IToolbarWidgetRegistry,
  palette: ICommandPalette | null,
): Promise<void> {
  let settings: MonitorSettings = DEFAULT_SETTINGS;
  let recorder: Recorder | undefined;

  // The toolbar factory must exist before the first notebook opens; the button records once the queue is open.
  toolbarRegistry.addFactory<NotebookPanel>('Notebook', HELP_TOOLBAR_ITEM, (panel) => new HelpButton(panel, () => recorder));

  try {
    const loaded = await settingRegistry.load(PLUGIN_ID);
    settings = readSettings(loaded.composite as Record<string, unknown>);
    loaded.changed.connect(() => {
      settings = readSettings(loaded.composite as Record<string, unknown>);
    });
  } catch (error) {
    console.debug('cell-monitor: settings unavailable, using defaults', error);
  }

  addAssignments(app, tracker, palette);

  const user = app.serviceManager.user;
  await user.ready.catch(() => undefined);
  const ctx: EventContext = {
    userId: user.identity?.username ?? 'unknown',
    sessionId: UUID.uuid4(),
    newId: () => UUID.uuid4(),
  };

  let queue: EventQueue;
  try {
    queue = await EventQueue.open({ newId: ctx.newId });
  } catch (error) {
    // No IndexedDB (a locked-down browser profile): record nothing rather than break JupyterLab.
    console.debug('cell-monitor: IndexedDB unavailable, not recording', error);
    return;
  }

  const drainer = new Drainer({
    queue,
    settings: () => settings,
    post: companionPoster(app.serviceManager.serverSettings, (stats) => performance.mark(BATCH_MARK, { detail: stats })),
    probe: companionProbe(app.serviceManager.serverSettings),
    awayMemory: localFlag(AWAY_KEY),
    overflowEvent: (drops) => overflowEvent(ctx, drops),
  });
  recorder = new Recorder(ctx, queue, drainer, () => settings);

  // session_end events of earlier page loads, kept in localStorage because an IndexedDB write
  // started while a page unloads is often lost.
  for (const event of takeStashed()) recorder.push(event);
  recorder.record(EVENT_TYPES.sessionStart, { metadata: { userAgent: navigator.userAgent, jupyterlab: app.version } });
  new Capture(app, tracker, recorder).start();

  window.addEventListener('online', () => drainer.backOnline());
  window.addEventListener('pagehide', () => {
    if (!settings.enabled) return;
    const end = makeEvent(ctx, EVENT_TYPES.sessionEnd);
    stash(end); // synchronous, survives the unload; sent by the next page load
    recorder?.push(end); // and try now (same eventId: if both arrive, the collector keeps one)
    void recorder?.flush();
  });
  void drainer.runExclusive();
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
