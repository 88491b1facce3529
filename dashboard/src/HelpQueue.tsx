/** The help queue, oldest first: who is waiting, for how long, who is on the way; claim and resolve. */
import { notebookName } from '@cell-monitor/shared/notebookName';
import { useState } from 'preact/hooks';
import type { HelpRequestView } from '@cell-monitor/shared';
import { duration } from './boardState.ts';
import { client } from './api/client.ts';
import { messageOf } from './api/apiError.ts';
import { useT } from './LanguageContext.tsx';
import { SelfReportedBadge } from './SelfReportedBadge.tsx';

export function HelpQueue({ queue, now, onOpen }: { queue: HelpRequestView[]; now: number; onOpen: (userId: string) => void }) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const act = (request: HelpRequestView, action: 'claim' | 'resolve') =>
    client.help[action](request.id).then(
      () => setError(null),
      (err) => setError(messageOf(err, t('error.generic'))),
    );
  return (
    <aside class="queue" aria-label={t('help.queue')}>
      <h2>
        {t('help.queue')} <span class="count">{queue.length}</span>
      </h2>
      {error && <p class="error" role="alert">{error}</p>}
      {queue.length === 0 && <p class="hint">{t('help.empty')}</p>}
      <ol>
        {queue.map((request) => (
          <li class={request.claimedBy ? 'request claimed' : 'request'} data-help={request.id}>
            <button type="button" class="linkish name" onClick={() => onOpen(request.userId)}>
              {request.displayName}
            </button>
            <SelfReportedBadge userId={request.userId} />
            <span class="wait">{duration(now - Date.parse(request.requestedAt))}</span>
            <div class="where">{[request.notebookPath && notebookName(request.notebookPath), request.cellIndex !== null ? `${t('card.cell')} ${request.cellIndex + 1}` : null].filter(Boolean).join(' · ')}</div>
            {request.claimedBy && (
              <div class="claimed">
                {t('card.claimedBy')} {request.claimedBy.name}
              </div>
            )}
            <div class="actions">
              {!request.claimedBy && (
                <button type="button" onClick={() => act(request, 'claim')}>
                  {t('help.claim')}
                </button>
              )}
              <button type="button" class="primary" onClick={() => act(request, 'resolve')}>
                {t('help.resolve')}
              </button>
            </div>
          </li>
        ))}
      </ol>
    </aside>
  );
}
