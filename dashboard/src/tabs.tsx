/**
 * The page's tabs, in the order shown: each row names its label, who may see it, its view, and the
 * controls it adds to the tab bar. A new view is one row here; Dashboard.tsx renders the table.
 * Views are render functions, not components: the board and the seat map share the help queue's
 * place, so it stays mounted (and keeps its message) when switching between them.
 */
import type { ComponentChildren } from 'preact';
import type { InstructorView, StudentStatus } from '@cell-monitor/shared';
import { Board } from './Board.tsx';
import type { BoardView } from './boardState.ts';
import { BroadcastPanel } from './BroadcastPanel.tsx';
import { BufferAdmin } from './BufferAdmin.tsx';
import type { ClassOption } from './api/client.ts';
import { ErrorClusters } from './ErrorClusters.tsx';
import { HelpQueue } from './HelpQueue.tsx';
import type { ReplayFocus } from './history/replayState.ts';
import type { WordKey } from './i18n.ts';
import { useT } from './LanguageContext.tsx';
import { ProgressView } from './ProgressView.tsx';
import { RosterPanel } from './RosterPanel.tsx';
import { SeatMap } from './seatMap/SeatMap.tsx';
import { SessionsView } from './sessions/SessionsView.tsx';
import type { EnvironmentBadges } from './useEnvironmentBadges.ts';

export type TabId = 'board' | 'seats' | 'progress' | 'errors' | 'sessions' | 'broadcast' | 'roster' | 'buffer';

/** How the board is narrowed: status chips (header), search, by team (tab bar), an error cluster's students. */
export interface BoardFilters {
  statuses: Set<StudentStatus>;
  search: string;
  byTeam: boolean;
  highlight: Set<string> | null;
}

export const NO_FILTERS: BoardFilters = { statuses: new Set(), search: '', byTeam: false, highlight: null };

/** What a tab may read and do: the page's state, handed to the row that renders it. */
export interface PageState {
  classId: number | null;
  classes: ClassOption[] | null;
  board: BoardView | null;
  stale: number;
  now: number;
  environment: EnvironmentBadges | undefined;
  filters: BoardFilters;
  filter: (change: Partial<BoardFilters>) => void;
  /** Open a student; `focus`: at that moment of her notebook's history (a jump). */
  openStudent: (userId: string, focus?: ReplayFocus) => void;
  /** Show these students highlighted on the board. */
  showOnBoard: (userIds: string[]) => void;
  rosterChanged: () => void;
}

export interface Tab {
  id: TabId;
  label: WordKey;
  /** `instructor`: every signed-in instructor (admins too); `admin`: admins only. */
  who: 'instructor' | 'admin';
  view: (page: PageState) => ComponentChildren;
  /** Controls in the tab bar while the tab is shown. */
  tools?: (page: PageState) => ComponentChildren;
}

const helpQueue = (page: PageState) => <HelpQueue queue={page.board?.helpQueue ?? []} now={page.now} onOpen={page.openStudent} />;

function BoardTools({ board, filters, filter }: PageState) {
  const t = useT();
  return (
    <>
      {board && [...board.cards.values()].some((c) => c.team !== null) && (
        <label class="toggle by-team">
          <input type="checkbox" checked={filters.byTeam} onChange={(e) => filter({ byTeam: (e.target as HTMLInputElement).checked })} /> {t('board.byTeam')}
        </label>
      )}
      <input class="search" type="search" placeholder={t('board.search')} aria-label={t('board.search')} value={filters.search} onInput={(e) => filter({ search: (e.target as HTMLInputElement).value })} />
    </>
  );
}

export const TABS: readonly Tab[] = [
  {
    id: 'board',
    label: 'tab.board',
    who: 'instructor',
    view: (page) => (
      <div class="board-area">
        <Board board={page.board} classes={page.classes} statuses={page.filters.statuses} search={page.filters.search} highlight={page.filters.highlight} byTeam={page.filters.byTeam} environment={page.environment} now={page.now} onOpen={page.openStudent} onClearHighlight={() => page.filter({ highlight: null })} />
        {helpQueue(page)}
      </div>
    ),
    tools: (page) => <BoardTools {...page} />,
  },
  {
    id: 'seats',
    label: 'tab.seats',
    who: 'instructor',
    view: (page) => (
      <div class="board-area">
        <SeatMap classId={page.classId} board={page.board} onOpen={page.openStudent} />
        {helpQueue(page)}
      </div>
    ),
  },
  { id: 'progress', label: 'tab.progress', who: 'instructor', view: (page) => <ProgressView classId={page.classId} stale={page.stale} /> },
  { id: 'errors', label: 'tab.errors', who: 'instructor', view: (page) => <ErrorClusters classId={page.classId} stale={page.stale} board={page.board} onHighlight={page.showOnBoard} onOpen={page.openStudent} /> },
  { id: 'sessions', label: 'tab.sessions', who: 'instructor', view: (page) => <SessionsView classId={page.classId} /> },
  { id: 'broadcast', label: 'tab.broadcast', who: 'instructor', view: (page) => <BroadcastPanel classId={page.classId} stuckErrors={page.board?.stuckErrors ?? 3} /> },
  { id: 'roster', label: 'tab.roster', who: 'instructor', view: (page) => <RosterPanel classId={page.classId} onChanged={page.rosterChanged} /> },
  { id: 'buffer', label: 'tab.buffer', who: 'admin', view: () => <BufferAdmin /> },
];

export const tabsFor = (me: InstructorView): Tab[] => TABS.filter((tab) => tab.who === 'instructor' || me.role === 'admin');
