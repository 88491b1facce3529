/**
 * A short message to every student of the class, and the class's settings: the stuck threshold, what
 * the students' extensions may send (capture policy) and how long the class's data is kept.
 */
import { useEffect, useState } from 'preact/hooks';
import type { BroadcastView, CapturePolicy, ClassSettings } from '@cell-monitor/shared';
import { api, ApiError } from './api.ts';
import type { Translate } from './i18n.ts';

export function BroadcastPanel({ t, classId, stuckErrors }: { t: Translate; classId: number | null; stuckErrors: number }) {
  const [message, setMessage] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const [threshold, setThreshold] = useState(stuckErrors);
  const [policy, setPolicy] = useState<CapturePolicy | null>(null);
  const [retention, setRetention] = useState('');
  const [loadedRetention, setLoadedRetention] = useState('');
  useEffect(() => {
    if (classId === null) return;
    api<ClassSettings>('GET', `/api/v1/classes/${classId}/settings`).then((s) => (setThreshold(s.stuckErrors), setRetention(s.retentionDays == null ? '' : String(s.retentionDays)), setLoadedRetention(s.retentionDays == null ? '' : String(s.retentionDays))), () => undefined);
    api<{ policy: CapturePolicy }>('GET', `/api/v1/classes/${classId}/capture-policy`).then((p) => setPolicy(p.policy), () => undefined);
  }, [classId]);
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
      const saved = await api<ClassSettings>('PUT', `/api/v1/classes/${classId}/settings`, {
        stuck_errors: threshold,
        // Retention only when changed: only owners may change it, co-teachers still save the rest.
        ...(retention.trim() !== loadedRetention ? { retention_days: retention.trim() === '' ? null : Number(retention) } : {}),
      });
      setLoadedRetention(saved.retentionDays == null ? '' : String(saved.retentionDays));
      setThreshold(saved.stuckErrors);
      if (policy) await api('PUT', `/api/v1/classes/${classId}/capture-policy`, { policy });
      setResult(t('settings.saved'));
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
        <h2>{t('settings.title')}</h2>
        <label>
          {t('settings.stuck')}{' '}
          <input type="number" min={2} max={20} value={threshold} onInput={(e) => setThreshold(Number((e.target as HTMLInputElement).value))} />
        </label>
        <label>
          {t('settings.policy')}{' '}
          <select value={policy ?? ''} onChange={(e) => setPolicy((e.target as HTMLSelectElement).value as CapturePolicy)} data-setting="capture-policy">
            <option value="code_and_output">{t('policy.code_and_output')}</option>
            <option value="code">{t('policy.code')}</option>
            <option value="metadata">{t('policy.metadata')}</option>
          </select>
        </label>
        <label>
          {t('settings.retention')}{' '}
          <input type="number" min={0} max={36500} placeholder={t('settings.retentionDefault')} value={retention} onInput={(e) => setRetention((e.target as HTMLInputElement).value)} data-setting="retention-days" />
        </label>
        <button type="submit">{t('settings.save')}</button>
      </form>
    </section>
  );
}
