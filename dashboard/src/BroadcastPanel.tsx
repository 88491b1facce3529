/**
 * A short message to every student of the class, and the class's settings: the stuck threshold, what
 * the students' extensions may send (capture policy) and how long the class's data is kept.
 */
import { useRef, useState } from 'preact/hooks';
import { CAPTURE_POLICIES, type CapturePolicy } from '@cell-monitor/shared/capturePolicy';
import { client } from './api/client.ts';
import { messageOf } from './api/apiError.ts';
import { useSnapshot } from './api/useSnapshot.ts';
import { useT } from './LanguageContext.tsx';

const days = (retentionDays: number | null | undefined) => (retentionDays == null ? '' : String(retentionDays));

export function BroadcastPanel({ classId, stuckErrors }: { classId: number | null; stuckErrors: number }) {
  const t = useT();
  const [message, setMessage] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const [threshold, setThreshold] = useState(stuckErrors);
  const [policy, setPolicy] = useState<CapturePolicy | null>(null);
  const [retention, setRetention] = useState('');
  // Fields the instructor changed since the last save: a read that answers later (the first one, or a
  // refresh) must not put the stored value back over her choice before she saves it.
  const edited = useRef({ threshold: false, policy: false, retention: false });
  // The forms start from the class's settings as read (each read on its own: one failing leaves the other).
  const settings = useSnapshot(classId === null ? null : `settings:${classId}`, () => client.settings.get(classId!), {
    onLoad: (s) => {
      if (!edited.current.threshold) setThreshold(s.stuckErrors);
      if (!edited.current.retention) setRetention(days(s.retentionDays));
    },
  });
  const loadedRetention = days(settings.data?.retentionDays);
  useSnapshot(classId === null ? null : `capture-policy:${classId}`, () => client.capturePolicy.get(classId!), {
    onLoad: (p) => {
      if (!edited.current.policy) setPolicy(p.policy);
    },
  });
  if (classId === null) return <section class="view"><p class="hint">{t('broadcast.pickClass')}</p></section>;
  const fail = (err: unknown) => setResult(messageOf(err, t('error.generic')));
  const send = async (event: Event) => {
    event.preventDefault();
    try {
      const sent = await client.broadcast(classId, message);
      setResult(t(sent.recipients === 1 ? 'broadcast.sent1' : 'broadcast.sent', { n: sent.recipients }));
      setMessage('');
    } catch (err) {
      fail(err);
    }
  };
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      const saved = await client.settings.set(classId, {
        stuck_errors: threshold,
        // Retention only when changed: only owners may change it, co-teachers still save the rest.
        ...(retention.trim() !== loadedRetention ? { retention_days: retention.trim() === '' ? null : Number(retention) } : {}),
      });
      settings.update(() => saved);
      setThreshold(saved.stuckErrors);
      if (policy) await client.capturePolicy.set(classId, policy);
      edited.current = { threshold: false, policy: false, retention: false };
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
          <input type="number" min={2} max={20} value={threshold} onInput={(e) => ((edited.current.threshold = true), setThreshold(Number((e.target as HTMLInputElement).value)))} />
        </label>
        <label>
          {t('settings.policy')}{' '}
          <select value={policy ?? ''} onChange={(e) => ((edited.current.policy = true), setPolicy(CAPTURE_POLICIES.find((p) => p === (e.target as HTMLSelectElement).value) ?? null))} data-setting="capture-policy">
            <option value="code_and_output">{t('policy.code_and_output')}</option>
            <option value="code">{t('policy.code')}</option>
            <option value="metadata">{t('policy.metadata')}</option>
          </select>
        </label>
        <label>
          {t('settings.retention')}{' '}
          <input type="number" min={0} max={36500} placeholder={t('settings.retentionDefault')} value={retention} onInput={(e) => ((edited.current.retention = true), setRetention((e.target as HTMLInputElement).value))} data-setting="retention-days" />
        </label>
        <button type="submit">{t('settings.save')}</button>
      </form>
    </section>
  );
}
