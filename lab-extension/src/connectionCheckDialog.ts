/** The dialog of "Cell Monitor: Check connection" (connectionCheck.ts): one line per hop, as text. */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, showDialog, type ICommandPalette } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';
import type { ConnectionCheck } from '@cell-monitor/shared';
import { CHECK_COMMAND, checkHops, HOP_LABELS } from './connectionCheck.ts';
import { COMPANION_PATH } from './transport.ts';

async function runCheck(settings: ServerConnection.ISettings): Promise<{ status: number; body?: ConnectionCheck; ms: number }> {
  const start = performance.now();
  try {
    const response = await ServerConnection.makeRequest(URLExt.join(settings.baseUrl, COMPANION_PATH, 'check'), { method: 'POST', cache: 'no-store' }, settings);
    const body = response.ok ? ((await response.json()) as ConnectionCheck) : undefined;
    return { status: response.status, body, ms: performance.now() - start };
  } catch {
    return { status: 0, ms: performance.now() - start };
  }
}

function body(lines: ReturnType<typeof checkHops>, summary: string): Widget {
  const node = document.createElement('div');
  node.className = 'cm-check';
  const list = document.createElement('ol');
  for (const hop of lines) {
    const item = document.createElement('li');
    item.className = hop.ok ? 'cm-check-ok' : 'cm-check-fail';
    item.dataset.hop = hop.hop;
    item.dataset.ok = String(hop.ok);
    const head = document.createElement('div');
    head.textContent = `${hop.ok ? '✔' : '✘'} ${HOP_LABELS[hop.hop]}${hop.ms !== null ? ` — ${hop.ms} ms` : ''}`;
    item.append(head);
    if (hop.hint) {
      const hint = document.createElement('div');
      hint.className = 'cm-check-hint';
      hint.textContent = hop.hint;
      item.append(hint);
    }
    list.append(item);
  }
  const result = document.createElement('p');
  result.className = 'cm-check-summary';
  result.textContent = summary;
  node.append(list, result);
  return new Widget({ node });
}

export function addCheckCommand(app: JupyterFrontEnd, palette: ICommandPalette | null): void {
  app.commands.addCommand(CHECK_COMMAND, {
    label: 'Cell Monitor: Check connection',
    caption: 'Send a test event to the class collector and show each hop',
    execute: async () => {
      const answer = await runCheck(app.serviceManager.serverSettings);
      const hops = checkHops(answer, answer.ms);
      const ok = hops.length === 4 && hops.every((h) => h.ok);
      await showDialog({
        title: ok ? 'Connection OK' : 'Connection problem',
        body: body(hops, ok ? 'Your activity reaches the class collector and is stored.' : 'Your activity is kept in this browser and sent once the problem is fixed.'),
        buttons: [Dialog.okButton({ label: 'Close' })],
      });
    },
  });
  palette?.addItem({ command: CHECK_COMMAND, category: 'Cell Monitor' });
}
