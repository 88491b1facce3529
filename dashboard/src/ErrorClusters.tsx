/**
 * The class's errors grouped by what went wrong, largest first, live: "NameError: name '…' is not
 * defined — cell 5 — 14 students", with the latest example (traceback as text). Choosing one
 * highlights those students on the board; each of its students opens her notebook's history at
 * that error (the example's student at the example's time, the others at their newest such run).
 */
import type { ErrorCluster } from '@cell-monitor/shared';
import { notebookName } from '@cell-monitor/shared/notebookName';
import { client } from './api/client.ts';
import { useSnapshot } from './api/useSnapshot.ts';
import type { BoardView } from './boardState.ts';
import type { ReplayFocus } from './history/replayState.ts';
import { useT } from './LanguageContext.tsx';

interface Props {
  classId: number | null;
  stale: number;
  /** The board, for the students' names. */
  board: BoardView | null;
  onHighlight: (userIds: string[]) => void;
  onOpen: (userId: string, focus: ReplayFocus) => void;
}

/** The moment of `userId`'s history a cluster points at. */
export function clusterFocus(cluster: ErrorCluster, userId: string): ReplayFocus {
  return {
    notebookPath: cluster.notebookPath,
    cellId: cluster.cellId,
    cellIndex: cluster.cellIndex,
    errorName: cluster.errorName,
    at: cluster.example.userId === userId ? cluster.example.at : null,
  };
}

export function ErrorClusters({ classId, stale, board, onHighlight, onOpen }: Props) {
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
              <p class="cluster-students">
                {t('errors.replay')}{' '}
                {cluster.userIds.map((userId) => (
                  <button type="button" class="linkish" data-replay={userId} onClick={() => onOpen(userId, clusterFocus(cluster, userId))}>
                    {board?.cards.get(userId)?.displayName ?? userId}
                  </button>
                ))}
              </p>
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
