/**
 * One team or student on the seat map, coloured by the live status from the board (help and stuck
 * larger and outlined, with their word and icon). Viewing: a student's marker opens the student, a
 * team's lists its members. Editing: dragged with the pointer, nudged with the arrow keys, removed
 * with ×. Every name is a text node.
 */
import type { BoardCard, StudentStatus } from '@cell-monitor/shared/dashboard';
import type { SeatPlacement } from '@cell-monitor/shared/roster';
import { STATUS_LOOK } from '../boardState.ts';
import { statusWord } from '../i18n.ts';
import { useT } from '../LanguageContext.tsx';
import type { SeatPlacementState } from './useSeatPlacement.ts';

interface Props {
  place: SeatPlacement;
  label: string;
  status: StudentStatus | null;
  /** A team's members, most urgent first (the list a team's marker opens). */
  members: BoardCard[];
  editing: boolean;
  seats: SeatPlacementState;
  open: boolean;
  onToggle: () => void;
  onOpen: (userId: string) => void;
}

export function SeatMarker({ place: p, label, status, members, editing, seats, open, onToggle, onOpen }: Props) {
  const t = useT();
  const look = status ? STATUS_LOOK[status] : null;
  const urgent = status === 'help' || status === 'stuck';
  return (
    <div
      class={`seat seat-${p.kind}${status ? ` seat-${status}` : ' seat-unknown'}${urgent ? ' urgent' : ''}${editing ? ' editing' : ''}`}
      style={{ left: `${p.x * 100}%`, top: `${p.y * 100}%`, '--status': look?.colour ?? '#c8c8c8' }}
      data-seat={`${p.kind}:${p.key}`}
      data-status={status ?? ''}
      onPointerDown={(e) => {
        if (!editing || (e.target as HTMLElement).closest('.seat-remove')) return;
        e.preventDefault();
        (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
        seats.dragStart(p);
      }}
      onPointerMove={(e) => editing && seats.dragMove(p, e)}
      onPointerUp={seats.dragEnd}
    >
      <button
        type="button"
        class="seat-button"
        onClick={(e) => {
          e.stopPropagation();
          if (editing) return;
          if (p.kind === 'student') onOpen(p.key);
          else onToggle();
        }}
        onKeyDown={(e) => {
          if (editing && seats.nudge(p, e.key, e.shiftKey)) e.preventDefault();
        }}
      >
        <span class="seat-label">{label}</span>
        {status && look && (
          <span class="seat-status">
            <span aria-hidden="true">{look.icon}</span> {statusWord(t, status)}
          </span>
        )}
      </button>
      {editing && (
        <button type="button" class="seat-remove" aria-label={`${t('seat.remove')} ${label}`} onClick={(e) => (e.stopPropagation(), seats.remove(p))}>
          ×
        </button>
      )}
      {!editing && open && p.kind === 'team' && (
        <ul class="seat-members">
          {members.map((c) => (
            <li key={c.userId}>
              <button type="button" class="linkish" onClick={() => onOpen(c.userId)}>
                {c.displayName}
              </button>{' '}
              <span class="badge" style={{ '--status': STATUS_LOOK[c.status].colour }}>
                <span aria-hidden="true">{STATUS_LOOK[c.status].icon}</span> {statusWord(t, c.status)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
