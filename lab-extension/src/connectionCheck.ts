/**
 * "Cell Monitor: Check connection": asks the companion (`POST {baseUrl}cell-monitor/check`) to send
 * a test event through to the collector and shows each hop — browser → companion → collector →
 * credential accepted → stored — with its timing and, for a failure, what to do. The hop list is
 * pure (unit-tested); the dialog shows it as text.
 */
import type { ConnectionCheck, ConnectionHop } from '@cell-monitor/shared';

export const CHECK_COMMAND = 'cell-monitor:check-connection';

export const HOP_LABELS: Record<ConnectionHop['hop'], string> = {
  companion: 'Browser → this Jupyter server (companion)',
  collector: 'Jupyter server → collector',
  credential: 'Collector accepts this student',
  stored: 'Test event stored',
};

/** The hops to show, from the companion's answer or from how the request to it failed. */
export function checkHops(answer: { status: number; body?: ConnectionCheck }, browserMs: number): ConnectionHop[] {
  if (answer.status === 404) {
    return [{ hop: 'companion', ok: false, ms: browserMs, status: 404, hint: "The cell-monitor server extension is not enabled on this Jupyter server: install the cell-monitor wheel on the server (pip install cell-monitor), check `jupyter server extension list`, and restart it." }];
  }
  if (answer.status === 403 || answer.status === 401) {
    return [{ hop: 'companion', ok: false, ms: browserMs, status: answer.status, hint: 'This Jupyter server did not accept the request: your login may have expired. Reload the page.' }];
  }
  if (answer.status === 0 || !answer.body) {
    return [{ hop: 'companion', ok: false, ms: answer.status === 0 ? null : browserMs, status: answer.status || undefined, hint: 'This Jupyter server cannot be reached from the browser (or answered something unexpected): check your network and reload.' }];
  }
  const serverMs = answer.body.hops.reduce((sum, h) => sum + (h.hop === 'companion' ? 0 : (h.ms ?? 0)), 0);
  return answer.body.hops.map((h) => (h.hop === 'companion' ? { ...h, ms: Math.max(0, Math.round(browserMs - serverMs)) } : h));
}
