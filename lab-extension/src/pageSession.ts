/**
 * One page load of JupyterLab is one session: `begin()` queues the session_end events earlier page
 * loads left in the unload stash, then this page's session_start; `end()` (on `pagehide`) records
 * session_end twice over — stashed synchronously, which survives the unload and is sent by the next
 * page load, and queued now, in case the page lives long enough — with one eventId, so the
 * collector keeps one.
 */
import { EVENT_TYPES } from '@cell-monitor/shared/eventTypes';
import { makeEvent } from './events.ts';
import type { Recorder } from './recorder.ts';
import type { UnloadStash } from './unloadStash.ts';

export interface PageSessionOptions {
  recorder: Pick<Recorder, 'ctx' | 'settings' | 'record' | 'push' | 'flush'>;
  stash: Pick<UnloadStash, 'put' | 'takeAll'>;
}

export class PageSession {
  constructor(private readonly options: PageSessionOptions) {}

  /** `metadata`: what describes this page load (user agent, JupyterLab version). */
  begin(metadata: Record<string, unknown>): void {
    const { recorder, stash } = this.options;
    for (const event of stash.takeAll()) recorder.push(event);
    recorder.record(EVENT_TYPES.sessionStart, { metadata });
  }

  end(): void {
    const { recorder, stash } = this.options;
    if (!recorder.settings().enabled) return;
    const end = makeEvent(recorder.ctx, EVENT_TYPES.sessionEnd);
    stash.put(end);
    recorder.push(end);
    void recorder.flush();
  }
}
