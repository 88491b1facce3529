/** The class board: one card per student, most urgent first, with what to do when it is empty. */
import type { StudentStatus } from '@cell-monitor/shared';
import { visibleCards, type BoardView } from './boardState.ts';
import type { ClassOption } from './Header.tsx';
import type { Translate } from './i18n.ts';
import { StudentCard } from './StudentCard.tsx';

interface Props {
  t: Translate;
  board: BoardView | null;
  classes: ClassOption[] | null;
  statuses: Set<StudentStatus>;
  search: string;
  highlight: Set<string> | null;
  now: number;
  onOpen: (userId: string) => void;
  onClearHighlight: () => void;
}

/** From this many students on, the board uses smaller tiles. */
export const COMPACT_FROM = 60;

export function Board({ t, board, classes, statuses, search, highlight, now, onOpen, onClearHighlight }: Props) {
  if (!board) return <section class="board loading" aria-busy="true" />;
  const cards = visibleCards(board, { statuses, search });
  if (board.cards.size === 0) {
    return (
      <section class="board empty">
        <p class="hint">{classes && classes.length === 0 && board.classId === null ? t('board.noClasses') : t('board.noStudents')}</p>
      </section>
    );
  }
  return (
    <section class="board" aria-label={board.className ?? ''}>
      {highlight && (
        <p class="highlight-bar" role="status">
          {t('board.highlighting', { n: highlight.size })}{' '}
          <button type="button" onClick={onClearHighlight}>
            {t('board.clear')}
          </button>
        </p>
      )}
      {cards.length === 0 && <p class="hint">{t('board.none')}</p>}
      <ul class={board.cards.size > COMPACT_FROM ? 'cards compact' : 'cards'}>
        {cards.map((card) => (
          <StudentCard key={card.userId} t={t} card={card} now={now} highlighted={highlight?.has(card.userId) ?? false} dimmed={highlight !== null && !highlight.has(card.userId)} onOpen={onOpen} />
        ))}
      </ul>
    </section>
  );
}
