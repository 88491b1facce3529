/**
 * One student at a glance: name, status (word, icon and colour), where they are, how long since they
 * did something, runs and errors, the last error in one line, and a 30-minute activity sparkline.
 * Every student-controlled string is a text node.
 */
import { notebookName } from '@cell-monitor/shared/notebookName';
import type { BoardCard } from '@cell-monitor/shared';
import { duration, STATUS_LOOK } from './boardState.ts';
import type { ReplayFocus } from './history/replayState.ts';
import { statusWord } from './i18n.ts';
import { useT } from './LanguageContext.tsx';
import { SelfReportedBadge } from './SelfReportedBadge.tsx';
import { Sparkline } from './Sparkline.tsx';

interface Props {
  card: BoardCard;
  now: number;
  highlighted: boolean;
  dimmed: boolean;
  /** What the student's environment lacks for this class ("pandas >=2 (has 1.5.3)"); none: fine or unknown. */
  envProblems?: string[];
  /** Opens the student; a stuck card opens her history at the error run that made her stuck. */
  onOpen: (userId: string, focus?: ReplayFocus) => void;
}

/** Where a stuck card's history opens: the newest failed run of the stuck cell, with its error. */
export function stuckFocus(card: BoardCard): ReplayFocus | undefined {
  if (card.status !== 'stuck' || !card.stuck) return undefined;
  return { notebookPath: card.notebookPath, cellId: card.stuck.cellId, cellIndex: card.stuck.cellIndex, errorName: card.stuck.errorName };
}


export function StudentCard({ card, now, highlighted, dimmed, envProblems, onOpen }: Props) {
  const t = useT();
  const look = STATUS_LOOK[card.status];
  const where = card.notebookPath ? `${notebookName(card.notebookPath)}${card.cellIndex !== null ? ` · ${t('card.cell')} ${card.cellIndex + 1}` : ''}` : '';
  const since = card.lastActivityAt ? `${duration(now - Date.parse(card.lastActivityAt))} ${t('card.ago')}` : t('card.never');
  return (
    <li
      class={`card status-${card.status}${highlighted ? ' highlighted' : ''}${dimmed ? ' dimmed' : ''}`}
      style={{ '--status': look.colour }}
      data-card={card.userId}
      data-status={card.status}
    >
      <button type="button" class="card-button" onClick={() => onOpen(card.userId, stuckFocus(card))}>
        <span class="name">{card.displayName}</span>
        <span class="badges">
          <SelfReportedBadge userId={card.userId} />
          <span class="badge">
            <span aria-hidden="true" class="icon">{look.icon}</span> {statusWord(t, card.status)}
          </span>
          {envProblems && envProblems.length > 0 && (
            <span class="env-badge" title={envProblems.join('\n')} data-env-problems={envProblems.length}>
              <span aria-hidden="true">⚙</span> {t('env.badge')}
            </span>
          )}
        </span>
        {card.status === 'help' && card.help && (
          <div class="big-wait">
            {t('card.waiting')} <strong>{duration(now - Date.parse(card.help.requestedAt))}</strong>
            {card.help.claimedBy && (
              <span class="claimed">
                {t('card.claimedBy')} {card.help.claimedBy.name}
              </span>
            )}
          </div>
        )}
        {card.status === 'stuck' && card.stuck && (
          <div class="stuck-line">
            {t('card.cell')} {card.stuck.cellIndex !== null ? card.stuck.cellIndex + 1 : '?'} · {card.stuck.errorName} ×{card.stuck.count}
          </div>
        )}
        {card.status === 'catching_up' && (
          <div class="late-line">
            {t('card.lateBy')} {duration(card.lagSeconds * 1000)} — {t('card.incomplete')}
          </div>
        )}
        <div class="where">{where}</div>
        <div class="meta">
          <span>{since}</span>
          <span>
            {t(card.runs === 1 ? 'card.run' : 'card.runs', { n: card.runs })} · {t(card.errors === 1 ? 'card.error' : 'card.errors', { n: card.errors })}
          </span>
        </div>
        {card.lastError && <div class="last-error">{card.lastError}</div>}
        <Sparkline values={card.sparkline} />
      </button>
    </li>
  );
}
