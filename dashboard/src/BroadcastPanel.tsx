/** A short message to every student of the class, and the class's stuck threshold. */
import { useState } from 'preact/hooks';
import type { BroadcastView, ClassSettings } from '@cell-monitor/shared';
import { api, ApiError } from './api.ts';
import type { Translate } from './i18n.ts';

export function BroadcastPanel({ t, classId, stuckErrors }: { t: Translate; classId: number | null; stuckErrors: number }) {
  const [message, setMessage] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const [threshold, setThreshold] = useState(stuckErrors);
  if (classId === null) return <section class="view"><p class="hint">{t('broadcast.pickClass')}</p></section>;
  const fail = (err: unknown) => setResult(err instanceof ApiError ? err.message : t('error.generic'));
  const send = async (event: Event) => {
    event.preventDefault();
    try {
      const sent = await api<BroadcastView>('POST', `/api/v1/classes/${classId}/broadcasts`, { message });
      setResult(t(sent.recipients === 1 ? 'broadcast.sent1' : 'broadcast.sent', { n: sent.recipients }));
      setMessage('');
    } catch (err) {
      fail(err);
    }
  };
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      const saved = await api<ClassSettings>('PUT', `/api/v1/classes/${classId}/settings`, { stuck_errors: threshold });
      setThreshold(saved.stuckErrors);
      setResult(null);
    } catch (err) {
      fail(err);
    }
  };
  return (
    <section class="view broadcast">
      <form onSubmit={send}>
        <label>
          {t('broadcast.label')}
          <textarea maxLength={500} rows={3} value={message} onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)} required />
        </label>
        <div class="row">
          <span class="hint">{message.length}/500</span>
          <button type="submit" class="primary" disabled={!message.trim()}>
            {t('broadcast.send')}
          </button>
        </div>
      </form>
      {result && <p role="status">{result}</p>}
      <form onSubmit={save} class="settings">
        <label>
          {t('settings.stuck')}{' '}
          <input type="number" min={2} max={20} value={threshold} onInput={(e) => setThreshold(Number((e.target as HTMLInputElement).value))} />
        </label>
        <button type="submit">{t('settings.save')}</button>
      </form>
    </section>
  );
}
