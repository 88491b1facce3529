/**
 * The board as the page holds it: the server's snapshot, then its deltas (`card` replaces one card,
 * `header` the counts, time to help and queue). Pure: the page renders what this returns, and the
 * test drives it in Node. Sorting is by urgency, longest-waiting help first.
 */
import { STUDENT_STATUSES, type BoardCard, type BoardSnapshot, type DashboardMessage, type HelpRequestView, type StatusCounts, type StudentStatus, type TimeToHelp } from '@cell-monitor/shared/dashboard';

export interface BoardView {
  classId: number | null;
  className: string | null;
  stuckErrors: number;
  cards: Map<string, BoardCard>;
  counts: StatusCounts;
  timeToHelp: TimeToHelp;
  helpQueue: HelpRequestView[];
  /** When the server last told us something (ms). */
  updatedAt: number;
}

export function fromSnapshot(snapshot: BoardSnapshot, now: number): BoardView {
  return {
    classId: snapshot.classId,
    className: snapshot.className,
    stuckErrors: snapshot.stuckErrors,
    cards: new Map(snapshot.cards.map((c) => [c.userId, c])),
    counts: snapshot.counts,
    timeToHelp: snapshot.timeToHelp,
    helpQueue: snapshot.helpQueue,
    updatedAt: now,
  };
}

/** A new view with the message applied (the old one is left as it was). */
export function applyMessage(view: BoardView, message: DashboardMessage, now: number): BoardView {
  if (message.type === 'card') {
    const cards = new Map(view.cards);
    cards.set(message.card.userId, message.card);
    return { ...view, cards, updatedAt: now };
  }
  if (message.type === 'removed') {
    const cards = new Map(view.cards);
    cards.delete(message.userId);
    return { ...view, cards, updatedAt: now };
  }
  if (message.type === 'header') return { ...view, counts: message.counts, timeToHelp: message.timeToHelp, helpQueue: message.helpQueue, updatedAt: now };
  return view;
}

/**
 * The deltas that arrive while a snapshot is being read. The server may have computed the snapshot
 * before some of them (its answer travels slower than the socket's messages), so taking the answer
 * as it is would lose them: a help request's card overwritten by the older "offline" one until the
 * student next changes. Each read records what the socket says meanwhile, and its answer is taken
 * with those messages applied in order. Cards and headers are whole replacements, so a message
 * older than the snapshot is followed by the newer one that superseded it, and the result is the
 * latest state either way.
 */
export interface DeltaLog {
  /** A message from the socket, for every read in flight. */
  record(message: DashboardMessage): void;
  /** Starts recording for one read; `settle` applies what came meanwhile to its answer and stops, `drop` just stops. */
  begin(): { settle(view: BoardView, now: number): BoardView; drop(): void };
}

export function createDeltaLog(): DeltaLog {
  const reads = new Set<DashboardMessage[]>();
  return {
    record(message) {
      for (const seen of reads) seen.push(message);
    },
    begin() {
      const seen: DashboardMessage[] = [];
      reads.add(seen);
      return {
        settle(view, now) {
          reads.delete(seen);
          return seen.reduce((v, message) => applyMessage(v, message, now), view);
        },
        drop: () => void reads.delete(seen),
      };
    },
  };
}

const rank = new Map<StudentStatus, number>(STUDENT_STATUSES.map((s, i) => [s, i]));

/** Most urgent first: help (longest waiting first), stuck, catching up, active, idle, offline; then by name. */
export function byUrgency(a: BoardCard, b: BoardCard): number {
  const byStatus = rank.get(a.status)! - rank.get(b.status)!;
  if (byStatus !== 0) return byStatus;
  if (a.status === 'help' && a.help && b.help) {
    const byWait = a.help.requestedAt.localeCompare(b.help.requestedAt);
    if (byWait !== 0) return byWait;
  }
  return a.displayName.localeCompare(b.displayName, undefined, { numeric: true, sensitivity: 'base' });
}

export interface CardFilter {
  /** Only these statuses (empty: all). */
  statuses: ReadonlySet<StudentStatus>;
  /** Case-insensitive part of the display name or user name. */
  search: string;
}

export function visibleCards(view: BoardView, filter: CardFilter): BoardCard[] {
  const needle = filter.search.trim().toLowerCase();
  return [...view.cards.values()]
    .filter((c) => filter.statuses.size === 0 || filter.statuses.has(c.status))
    .filter((c) => !needle || c.displayName.toLowerCase().includes(needle) || c.userId.toLowerCase().includes(needle))
    .sort(byUrgency);
}

/** "4 min", "1 h 05", "5 s" — for waiting times and time since last activity. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')}`;
}

/** Seconds as "1 min 30" / "45 s" / "—" for the header's time to help and the per-cell table. */
export function seconds(value: number | null): string {
  if (value === null) return '—';
  const s = Math.round(value);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')}`;
}

/** The status's colour (Okabe-Ito, colour-blind safe) and icon: never colour alone. */
export const STATUS_LOOK: Record<StudentStatus, { colour: string; icon: string }> = {
  help: { colour: '#D55E00', icon: '?' },
  stuck: { colour: '#E69F00', icon: '⚠' },
  catching_up: { colour: '#56B4E9', icon: '⟳' },
  active: { colour: '#009E73', icon: '▶' },
  idle: { colour: '#8C8C8C', icon: '‖' },
  offline: { colour: '#C8C8C8', icon: '○' },
};

export interface TeamGroup {
  /** null: the students without a team. */
  team: string | null;
  /** The most urgent status of a member: help or stuck if any member is. */
  status: StudentStatus;
  cards: BoardCard[];
}

/**
 * Cards grouped by team (cards already in urgency order keep it inside a team). Teams with a member
 * needing help or stuck come first, then by name (numbers in order); students without a team last.
 */
export function teamGroups(cards: readonly BoardCard[]): TeamGroup[] {
  const groups = new Map<string | null, BoardCard[]>();
  for (const card of cards) {
    const list = groups.get(card.team) ?? [];
    list.push(card);
    groups.set(card.team, list);
  }
  const urgent = (s: StudentStatus) => s === 'help' || s === 'stuck';
  return [...groups.entries()]
    .map(([team, members]) => ({ team, cards: members, status: members.map((c) => c.status).sort((a, b) => rank.get(a)! - rank.get(b)!)[0] }))
    .sort((a, b) => {
      if ((a.team === null) !== (b.team === null)) return a.team === null ? 1 : -1;
      if (urgent(a.status) !== urgent(b.status)) return urgent(a.status) ? -1 : 1;
      if (urgent(a.status) && a.status !== b.status) return rank.get(a.status)! - rank.get(b.status)!;
      return (a.team ?? '').localeCompare(b.team ?? '', undefined, { numeric: true, sensitivity: 'base' });
    });
}
