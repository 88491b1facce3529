/**
 * The signed-in page: the header, then the chosen tab's view (tabs.tsx) or one student. The board
 * (api/useBoard.ts) is a snapshot kept current by `/dashboard/ws` deltas and fetched again after
 * every (re)connect; the other views read their own snapshots (api/useSnapshot.ts).
 */
import { useEffect, useState } from 'preact/hooks';
import type { InstructorView } from '@cell-monitor/shared';
import { useBoard } from './api/useBoard.ts';
import { useClasses } from './api/useClasses.ts';
import { Header } from './Header.tsx';
import { useT } from './LanguageContext.tsx';
import type { ReplayFocus } from './history/replayState.ts';
import { StudentView } from './StudentView.tsx';
import { NO_FILTERS, tabsFor, type BoardFilters, type PageState, type TabId } from './tabs.tsx';
import { useEnvironmentBadges } from './useEnvironmentBadges.ts';

interface Props {
  me: InstructorView;
  onSignOut: () => void;
}

/** What the page shows: a tab, or one student opened from it (at a moment of her history, for a jump). */
interface Shown {
  tab: TabId;
  student: string | null;
  focus?: ReplayFocus | null;
}

/** The time the waiting and "ago" figures count from, ticking every few seconds. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export function Dashboard({ me, onSignOut }: Props) {
  const t = useT();
  const now = useNow(5_000);
  const { classes, classId, choose, drop } = useClasses();
  const [rosterVersion, setRosterVersion] = useState(0);
  const [classLost, setClassLost] = useState<{ name: string; reason: 'not_class_teacher' | 'class_not_found' } | null>(null);
  const { board, live, stale } = useBoard({
    ready: classes !== null,
    classId,
    version: rosterVersion,
    // Removed as a teacher of this class, or the class was deleted: leave it and say why.
    onClassLost: (reason) => setClassLost({ name: drop(classId)?.name ?? String(classId), reason }),
  });
  const environment = useEnvironmentBadges(classId, rosterVersion);
  const [shown, setShown] = useState<Shown>({ tab: 'board', student: null });
  const [filters, setFilters] = useState<BoardFilters>(NO_FILTERS);
  const [projector, setProjector] = useState(false);

  const page: PageState = {
    classId,
    classes,
    board,
    stale,
    now,
    environment,
    filters,
    filter: (change) => setFilters((old) => ({ ...old, ...change })),
    openStudent: (student, focus) => setShown((old) => ({ ...old, student, focus: focus ?? null })),
    showOnBoard: (userIds) => {
      setFilters((old) => ({ ...old, highlight: new Set(userIds) }));
      setShown({ tab: 'board', student: null });
    },
    rosterChanged: () => setRosterVersion((n) => n + 1),
  };
  const demo = classes?.find((c) => c.id === classId)?.demo === true;
  const tabs = tabsFor(me);
  const current = tabs.find((tab) => tab.id === shown.tab) ?? tabs[0];
  const onTab = (tab: TabId) => !shown.student && current.id === tab;
  return (
    <div class={projector ? 'page projector' : 'page'}>
      {demo && (
        <p class="demo-banner" role="note" data-demo>
          <strong class="demo-badge">{t('demo.badge')}</strong> {t('demo.banner')} <code>npm run demo -- --remove</code>
        </p>
      )}
      <Header
        me={me}
        classes={classes ?? []}
        classId={classId}
        onClass={(id) => {
          setClassLost(null);
          choose(id);
          page.filter({ highlight: null });
        }}
        board={board}
        live={live}
        statuses={filters.statuses}
        onStatuses={(statuses) => page.filter({ statuses })}
        projector={projector}
        onProjector={setProjector}
        onSignOut={onSignOut}
      />
      {classLost && (
        <p class="notice class-lost" role="alert">
          {t(classLost.reason === 'not_class_teacher' ? 'class.lostTeacher' : 'class.lostGone', { name: classLost.name })}
        </p>
      )}
      <nav class="tabs" role="tablist">
        {tabs.map((tab) => (
          <button type="button" role="tab" aria-selected={onTab(tab.id)} class={onTab(tab.id) ? 'on' : ''} onClick={() => setShown({ tab: tab.id, student: null })}>
            {t(tab.label)}
          </button>
        ))}
        {!shown.student && current.tools?.(page)}
      </nav>
      {shown.student ? (
        <StudentView userId={shown.student} classId={classId} now={now} focus={shown.focus ?? null} onBack={() => setShown((old) => ({ ...old, student: null }))} />
      ) : (
        current.view(page)
      )}
    </div>
  );
}
