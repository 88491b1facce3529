/** The class board: one card per student, most urgent first, with what to do when it is empty. */
import type { StudentStatus } from '@cell-monitor/shared';
import { STATUS_LOOK, teamGroups, visibleCards, type BoardView } from './boardState.ts';
import type { ClassOption } from './api/client.ts';
import type { ReplayFocus } from './history/replayState.ts';
import { statusWord } from './i18n.ts';
import { useT } from './LanguageContext.tsx';
import { StudentCard } from './StudentCard.tsx';

interface Props {
  board: BoardView | null;
  classes: ClassOption[] | null;
  statuses: Set<StudentStatus>;
  search: string;
  highlight: Set<string> | null;
  /** Cards in one section per team, each headed by the team's most urgent status. */
  byTeam: boolean;
  /** The class's environment analysis: each student's problems, and one line per failing requirement. */
  environment?: { problems: Map<string, string[]>; summary: string[] };
  now: number;
  onOpen: (userId: string, focus?: ReplayFocus) => void;
  onClearHighlight: () => void;
}

/** From this many students on, the board uses smaller tiles. */
export const COMPACT_FROM = 60;

export function Board({ board, classes, statuses, search, highlight, byTeam, environment, now, onOpen, onClearHighlight }: Props) {
  const t = useT();
  if (!board) return <section class="board loading" aria-busy="true" />;
  const cards = visibleCards(board, { statuses, search });
  if (board.cards.size === 0) {
    return (
      <section class="board empty">
        <p class="hint">{classes && classes.length === 0 && board.classId === null ? t('board.noClasses') : t('board.noStudents')}</p>
      </section>
    );
  }
  const list = (shown: typeof cards) => (
    <ul class={board.cards.size > COMPACT_FROM ? 'cards compact' : 'cards'}>
      {shown.map((card) => (
        <StudentCard key={card.userId} card={card} now={now} envProblems={environment?.problems.get(card.userId)} highlighted={highlight?.has(card.userId) ?? false} dimmed={highlight !== null && !highlight.has(card.userId)} onOpen={onOpen} />
      ))}
    </ul>
  );
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
      {environment && environment.summary.length > 0 && (
        <p class="env-summary" role="status">
          <span aria-hidden="true">⚙</span> {environment.summary.join(' · ')}
        </p>
      )}
      {cards.length === 0 && <p class="hint">{t('board.none')}</p>}
      {byTeam ? (
        teamGroups(cards).map((group) => {
          const look = STATUS_LOOK[group.status];
          return (
            <section class={`team team-${group.status}`} style={{ '--status': look.colour }} data-team={group.team ?? ''} key={group.team ?? ''}>
              <h3>
                <span class="team-name">{group.team ?? t('team.none')}</span>
                <span class="badge">
                  <span class="icon" aria-hidden="true">{look.icon}</span> {statusWord(t, group.status)}
                </span>
                <span class="team-size">{t('team.members', { n: group.cards.length })}</span>
              </h3>
              {list(group.cards)}
            </section>
          );
        })
      ) : (
        list(cards)
      )}
    </section>
  );
}
