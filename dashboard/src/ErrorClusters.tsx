/**
 * The class's errors grouped by what went wrong, largest first, live: "NameError: name '…' is not
 * defined — cell 5 — 14 students", with the latest example (traceback as text). Choosing one
 * highlights those students on the board.
 */
import { notebookName } from '@cell-monitor/shared/notebookName';
import { client } from './api/client.ts';
import { useSnapshot } from './api/useSnapshot.ts';
import { useT } from './LanguageContext.tsx';

export function ErrorClusters({ classId, stale, onHighlight }: { classId: number | null; stale: number; onHighlight: (userIds: string[]) => void }) {
  const t = useT();
  const { data, error } = useSnapshot(`errors:${classId}`, () => client.errors(classId), { stale });
  if (error) return <p class="error">{error}</p>;
  if (!data) return <section class="view" aria-busy="true" />;
  if (data.length === 0) return <section class="view"><p class="hint">{t('errors.empty')}</p></section>;
  return (
    <section class="view clusters">
      <ol>
        {data.map((cluster) => (
          <li class="cluster" data-signature={cluster.signature}>
            <details>
              <summary>
                <span class="count">{t(cluster.students === 1 ? 'errors.student' : 'errors.students', { n: cluster.students })}</span>
                <code class="signature">{cluster.signature}</code>
                <span class="where">
                  {[cluster.notebookPath && notebookName(cluster.notebookPath), cluster.cellIndex !== null ? `${t('card.cell')} ${cluster.cellIndex + 1}` : null].filter(Boolean).join(' · ')} · ×{cluster.occurrences}
                </span>
              </summary>
              <div class="example">
                <h4>
                  {t('errors.example')} ({cluster.example.userId})
                </h4>
                <pre>{cluster.example.traceback ?? cluster.example.message}</pre>
              </div>
            </details>
            <button type="button" onClick={() => onHighlight(cluster.userIds)}>
              {t('errors.highlight')}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
