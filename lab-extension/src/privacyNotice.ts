/**
 * What the student sees of privacy.ts: the first-run notice (in consent mode with "I agree" / "Not
 * now"; nothing is recorded until they agree) and Help › About data collection, which lists what is
 * recorded right now and lets them give or withdraw consent. Every text is a text node.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, showDialog, type ICommandPalette } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { aboutLines, type Privacy } from './privacy.ts';
import type { MonitorSettings } from './settings.ts';

export const ABOUT_COMMAND = 'cell-monitor:about-data';

function textBody(paragraphs: string[], lines: Array<[string, string]> = []): Widget {
  const body = document.createElement('div');
  body.className = 'cm-privacy';
  for (const paragraph of paragraphs) {
    const p = document.createElement('p');
    p.textContent = paragraph;
    body.append(p);
  }
  if (lines.length) {
    const list = document.createElement('dl');
    for (const [label, value] of lines) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value;
      list.append(dt, dd);
    }
    body.append(list);
  }
  return new Widget({ node: body });
}

/** The first-run notice, when due. Resolves once the student answered (or closed it). */
export async function showNoticeIfDue(privacy: Privacy, onConsent: () => void): Promise<void> {
  if (!privacy.noticeDue) return;
  const consent = privacy.config.consentRequired;
  const result = await showDialog({
    title: consent ? 'Data collection in this course: your agreement' : 'Data collection in this course',
    body: textBody([...privacy.config.notice.split('\n'), ...(consent ? ['', 'Nothing is recorded until you agree. You can change your answer at any time under Help › About data collection.'] : [])]),
    buttons: consent ? [Dialog.cancelButton({ label: 'Not now' }), Dialog.okButton({ label: 'I agree' })] : [Dialog.okButton({ label: 'OK' })],
    hasClose: !consent,
  });
  if (!consent) return privacy.acknowledge();
  privacy.setConsent(result.button.accept ? 'agreed' : 'declined');
  if (result.button.accept) onConsent();
}

/** What the About dialog reads: the privacy state, the local settings, what to record when the student agrees. */
export interface AboutParts {
  privacy: Privacy;
  local: () => MonitorSettings;
  onConsent: () => void;
}

/** Registered at activation; `parts` resolve once recording has started (until then the command waits for them). */
export function addAboutCommand(options: { app: JupyterFrontEnd; palette: ICommandPalette | null; parts: Promise<AboutParts> }): void {
  const { app, palette } = options;
  app.commands.addCommand(ABOUT_COMMAND, {
    label: 'About data collection',
    caption: 'What cell-monitor records right now, where it goes and who sees it',
    execute: async () => {
      const { privacy, local, onConsent } = await options.parts;
      await privacy.refreshPolicy();
      const consent = privacy.config.consentRequired;
      const agreed = privacy.consent === 'agreed';
      const result = await showDialog({
        title: 'About data collection',
        body: textBody(privacy.config.notice.split('\n'), aboutLines(privacy, local())),
        buttons: consent ? [Dialog.cancelButton({ label: 'Close' }), agreed ? Dialog.warnButton({ label: 'Withdraw my agreement' }) : Dialog.okButton({ label: 'I agree' })] : [Dialog.okButton({ label: 'Close' })],
      });
      if (!consent || !result.button.accept) return;
      privacy.setConsent(agreed ? 'declined' : 'agreed');
      if (!agreed) onConsent();
    },
  });
  palette?.addItem({ command: ABOUT_COMMAND, category: 'Cell Monitor' });
}
