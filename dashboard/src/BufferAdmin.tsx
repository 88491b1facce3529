/**
 * For admins: the collector's buffer (seed 000's Offline API) — how many events wait, how old the
 * oldest is, the file size, the queue, and the dead letters with their reasons: retry one or all once
 * the cause is fixed, or clear them after an explicit confirmation. Event bodies are never shown.
 */
import { useState } from 'preact/hooks';
import { duration } from './boardState.ts';
import { client } from './api/client.ts';
import { messageOf } from './api/apiError.ts';
import { useSnapshot } from './api/useSnapshot.ts';
import { useT } from './LanguageContext.tsx';

const readBuffer = () => Promise.all([client.buffer.status(), client.buffer.failed(), client.buffer.queue(50)]).then(([status, failed, queue]) => ({ status, failed, queue }));

export function BufferAdmin() {
  const t = useT();
  const buffer = useSnapshot('buffer', readBuffer, { everyMs: 5_000 });
  const { status = null, failed = [], queue = [] } = buffer.data ?? {};
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const fail = (err: unknown) => setMessage(messageOf(err, t('error.generic')));
  const load = () => buffer.reload();
  const shown = buffer.error ?? message;

  const retry = async (which: { ids: string[] } | { all: true }) => {
    try {
      const result = await client.buffer.retry(which);
      setMessage(t('buffer.retried', { n: result.retried }));
      await load();
    } catch (err) {
      fail(err);
    }
  };
  const clear = async () => {
    try {
      const result = await client.buffer.clear();
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
        <button type="button" onClick={() => client.buffer.sync().then(load, fail)}>
          {t('buffer.sync')}
        </button>
        {shown && <span role="status">{shown}</span>}
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
