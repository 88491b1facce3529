/**
 * What an instructor reads first: the class, how many students are in each status (each a filter),
 * time to help, their own status, and whether the page is live.
 */
import type { InstructorView, StudentStatus } from '@cell-monitor/shared';
import { STUDENT_STATUSES } from '@cell-monitor/shared/dashboard';
import { seconds, STATUS_LOOK, type BoardView } from './boardState.ts';
import type { ClassOption } from './api/client.ts';
import { InstructorStatus } from './InstructorStatus.tsx';
import { statusWord } from './i18n.ts';
import { useT } from './LanguageContext.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';

interface Props {
  me: InstructorView;
  classes: ClassOption[];
  classId: number | null;
  onClass: (id: number | null) => void;
  board: BoardView | null;
  live: boolean;
  statuses: Set<StudentStatus>;
  onStatuses: (statuses: Set<StudentStatus>) => void;
  projector: boolean;
  onProjector: (on: boolean) => void;
  onSignOut: () => void;
}

export function Header(props: Props) {
  const t = useT();
  const { board } = props;
  const toggle = (status: StudentStatus) => {
    const next = new Set(props.statuses);
    if (next.has(status)) next.delete(status);
    else next.add(status);
    props.onStatuses(next);
  };
  const updated = board ? new Date(board.updatedAt).toLocaleTimeString() : '—';
  return (
    <header class="header">
      <div class="header-row">
        <label class="class-picker">
          <span>{t('header.class')}</span>
          <select value={props.classId ?? ''} onChange={(e) => props.onClass((e.target as HTMLSelectElement).value ? Number((e.target as HTMLSelectElement).value) : null)}>
            {props.classes.map((c) => (
              <option value={c.id}>{c.name}</option>
            ))}
            <option value="">{t('header.everyone')}</option>
          </select>
        </label>
        <div class="chips" role="group" aria-label="status filter">
          {STUDENT_STATUSES.map((status) => (
            <button
              type="button"
              class={`chip chip-${status}${props.statuses.has(status) ? ' on' : ''}`}
              aria-pressed={props.statuses.has(status)}
              style={{ '--status': STATUS_LOOK[status].colour }}
              onClick={() => toggle(status)}
              data-status={status}
            >
              <span class="chip-icon" aria-hidden="true">{STATUS_LOOK[status].icon}</span>
              <span class="chip-word">{statusWord(t, status)}</span>
              <strong class="chip-count">{board?.counts[status] ?? 0}</strong>
            </button>
          ))}
        </div>
        <div class="tth" title={`${board?.timeToHelp.resolved ?? 0}`}>
          <span>{t('header.timeToHelp')}</span>
          <strong>
            {t('header.median')} {seconds(board?.timeToHelp.medianSeconds ?? null)} · {t('header.p90')} {seconds(board?.timeToHelp.p90Seconds ?? null)}
          </strong>
        </div>
      </div>
      <div class="header-row small">
        <span class={props.live ? 'conn live' : 'conn down'} role="status">
          {props.live ? `● ${t('header.live')}` : `○ ${t('header.reconnecting')} ${t('header.lastUpdate')} ${updated}`}
        </span>
        <InstructorStatus me={props.me} />
        <label class="toggle">
          <input type="checkbox" checked={props.projector} onChange={(e) => props.onProjector((e.target as HTMLInputElement).checked)} />
          {t('header.projector')}
        </label>
        <LanguageSwitch />
        <span class="me">{props.me.name}</span>
        <button type="button" onClick={props.onSignOut}>
          {t('header.signOut')}
        </button>
      </div>
    </header>
  );
}
