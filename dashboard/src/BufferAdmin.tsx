/**
 * For admins: the collector's buffer (seed 000's Offline API) — how many events wait, how old the
 * oldest is, the file size, the queue, and the dead letters with their reasons: retry one or all once
 * the cause is fixed, or clear them after an explicit confirmation. Event bodies are never shown.
 */
import { useEffect, useState } from 'preact/hooks';
import { OFFLINE_CLEAR_CONFIRMATION, type DeadLetterView, type OfflineStatus, type QueuedEventView } from '@cell-monitor/shared/dashboard';
import { api, ApiError } from './api.ts';
import { duration } from './boardState.ts';
import type { Translate } from './i18n.ts';

const CONFIRMATION = OFFLINE_CLEAR_CONFIRMATION;

export function BufferAdmin({ t }: { t: Translate }) {
  const [status, setStatus] = useState<OfflineStatus | null>(null);
  const [failed, setFailed] = useState<DeadLetterView[]>([]);
  const [queue, setQueue] = useState<QueuedEventView[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const fail = (err: unknown) => setMessage(err instanceof ApiError ? err.message : t('error.generic'));
  const load = () =>
    Promise.all([api<OfflineStatus>('GET', '/api/v1/offline/status'), api<DeadLetterView[]>('GET', '/api/v1/offline/failed'), api<QueuedEventView[]>('GET', '/api/v1/offline/queue?limit=50')]).then(([s, f, q]) => {
      setStatus(s);
      setFailed(f);
      setQueue(q);
    }, fail);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 5_000);
    return () => clearInterval(timer);
  }, []);

  const retry = async (body: { ids?: string[]; all?: boolean }) => {
    try {
      const result = await api<{ retried: number }>('POST', '/api/v1/offline/failed/retry', body);
      setMessage(t('buffer.retried', { n: result.retried }));
      await load();
    } catch (err) {
      fail(err);
    }
  };
  const clear = async () => {
    try {
      const result = await api<{ cleared: number }>('DELETE', '/api/v1/offline/failed', { confirm: CONFIRMATION });
      setMessage(t('buffer.cleared', { n: result.cleared }));
      setConfirming(false);
      await load();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section class="view buffer-admin">
      <h2>{t('buffer.title')}</h2>
      {status && (
        <dl class="buffer-status">
          <dt>{t('buffer.mode')}</dt>
          <dd>{status.mode}</dd>
          <dt>{t('buffer.waiting')}</dt>
          <dd data-status="unforwarded">{status.unforwarded}</dd>
          <dt>{t('buffer.oldest')}</dt>
          <dd>{status.oldestUnforwardedAgeSeconds === null ? '—' : duration(status.oldestUnforwardedAgeSeconds * 1000)}</dd>
          <dt>{t('buffer.rows')}</dt>
          <dd>{status.rows}</dd>
          <dt>{t('buffer.size')}</dt>
          <dd>{(status.fileBytes / 1024 / 1024).toFixed(1)} MB</dd>
          <dt>{t('buffer.dead')}</dt>
          <dd data-status="dead">{status.deadLetters}</dd>
        </dl>
      )}
      <div class="row">
        <button type="button" onClick={() => api('POST', '/api/v1/offline/sync').then(load, fail)}>
          {t('buffer.sync')}
        </button>
        {message && <span role="status">{message}</span>}
      </div>
      <h3>{t('buffer.failed', { n: failed.length })}</h3>
      {failed.length === 0 ? (
        <p class="hint small">{t('buffer.noFailed')}</p>
      ) : (
        <>
          <table class="cells">
            <thead>
              <tr>
                <th>{t('buffer.when')}</th>
                <th>{t('buffer.student')}</th>
                <th>{t('buffer.type')}</th>
                <th>{t('buffer.reason')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {failed.map((f) => (
                <tr key={f.id} data-dead={f.eventId}>
                  <td>{new Date(f.failedAt).toLocaleString()}</td>
                  <td>{f.userId ?? '?'}</td>
                  <td>{f.eventType ?? '?'}</td>
                  <td>
                    <code>{f.reason}</code>
                  </td>
                  <td>
                    <button type="button" onClick={() => retry({ ids: [f.id] })}>
                      {t('buffer.retry')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="row">
            <button type="button" class="primary" onClick={() => retry({ all: true })}>
              {t('buffer.retryAll')}
            </button>
            {confirming ? (
              <span class="confirm-clear">
                {t('buffer.confirmClear', { n: failed.length })}{' '}
                <button type="button" class="danger" onClick={clear}>
                  {t('buffer.clearNow')}
                </button>{' '}
                <button type="button" onClick={() => setConfirming(false)}>
                  {t('roster.cancel')}
                </button>
              </span>
            ) : (
              <button type="button" onClick={() => setConfirming(true)}>
                {t('buffer.clear')}
              </button>
            )}
          </div>
        </>
      )}
      <h3>{t('buffer.queue', { n: status?.unforwarded ?? 0 })}</h3>
      <ul class="buffer-queue">
        {queue.map((q) => (
          <li key={q.seq}>
            {new Date(q.receivedAt).toLocaleTimeString()} · {q.userId ?? '?'} · {q.eventType ?? '?'}
          </li>
        ))}
      </ul>
    </section>
  );
}
