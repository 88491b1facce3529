/**
 * The signed-in page: the header, then the board (with the help queue beside it) or one of the views
 * one click away. The board is a snapshot from the server kept current by `/dashboard/ws` deltas;
 * after every (re)connect the snapshot is fetched again, so nothing is missed.
 */
import { useEffect, useState } from 'preact/hooks';
import type { BoardSnapshot, InstructorView, StudentStatus } from '@cell-monitor/shared';
import type { EnvironmentAnalysis, EnvironmentProblem } from '@cell-monitor/shared/roster';
import { api, session } from './api.ts';
import { applyMessage, fromSnapshot, type BoardView } from './boardState.ts';
import { Board } from './Board.tsx';
import { BroadcastPanel } from './BroadcastPanel.tsx';
import { BufferAdmin } from './BufferAdmin.tsx';
import { ErrorClusters } from './ErrorClusters.tsx';
import { Header, type ClassOption } from './Header.tsx';
import { HelpQueue } from './HelpQueue.tsx';
import type { Language, Translate, WordKey } from './i18n.ts';
import { openLiveSocket } from './liveSocket.ts';
import { ProgressView } from './ProgressView.tsx';
import { RosterPanel } from './RosterPanel.tsx';
import { SeatMap } from './SeatMap.tsx';
import { StudentView } from './StudentView.tsx';

type Tab = 'board' | 'seats' | 'progress' | 'errors' | 'broadcast' | 'roster' | 'buffer';
const TABS: Array<[Tab, WordKey]> = [['board', 'tab.board'], ['seats', 'tab.seats'], ['progress', 'tab.progress'], ['errors', 'tab.errors'], ['broadcast', 'tab.broadcast'], ['roster', 'tab.roster']];
const CLASS_KEY = 'cell-monitor:dashboard-class';

interface Props {
  t: Translate;
  me: InstructorView;
  language: Language;
  onLanguage: (language: Language) => void;
  onSignOut: () => void;
  onSessionEnded: () => void;
}

export function Dashboard({ t, me, language, onLanguage, onSignOut, onSessionEnded }: Props) {
  const [classes, setClasses] = useState<ClassOption[] | null>(null);
  const [classId, setClassId] = useState<number | null>(null);
  const [board, setBoard] = useState<BoardView | null>(null);
  const [live, setLive] = useState(false);
  const [tab, setTab] = useState<Tab>('board');
  const [student, setStudent] = useState<string | null>(null);
  const [statuses, setStatuses] = useState<Set<StudentStatus>>(new Set());
  const [search, setSearch] = useState('');
  const [projector, setProjector] = useState(false);
  const [highlight, setHighlight] = useState<Set<string> | null>(null);
  const [stale, setStale] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [byTeam, setByTeam] = useState(false);
  const [environment, setEnvironment] = useState<{ problems: Map<string, string[]>; summary: string[] } | undefined>(undefined);
  const [rosterVersion, setRosterVersion] = useState(0);
  const [classLost, setClassLost] = useState<{ name: string; reason: 'not_class_teacher' | 'class_not_found' } | null>(null);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    api<ClassOption[]>('GET', '/api/v1/classes?limit=200').then((list) => {
      setClasses(list);
      const kept = Number(sessionStorage.getItem(CLASS_KEY));
      setClassId(list.some((c) => c.id === kept) ? kept : (list[0]?.id ?? null));
    }, () => setClasses([]));
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    if (classes === null) return;
    sessionStorage.setItem(CLASS_KEY, String(classId ?? ''));
    let current = true;
    const query = classId === null ? '' : `?class_id=${classId}`;
    const resync = () => api<BoardSnapshot>('GET', `/api/v1/dashboard/board${query}`).then((s) => current && setBoard(fromSnapshot(s, Date.now())), () => undefined);
    setBoard(null);
    resync();
    const socket = openLiveSocket({
      classId,
      token: session.token() ?? '',
      onOpen: () => {
        setLive(true);
        resync();
      },
      onMessage: (message) => {
        if (message.type === 'stale') setStale((n) => n + 1);
        else setBoard((view) => (view ? applyMessage(view, message, Date.now()) : view));
      },
      onDown: () => setLive(false),
      onSessionEnded,
      // Removed as a teacher of this class, or the class was deleted: leave it and say why.
      onClassLost: (reason) => {
        setLive(false);
        setBoard(null);
        const lost = classes.find((c) => c.id === classId);
        setClassLost({ name: lost?.name ?? String(classId), reason });
        const rest = classes.filter((c) => c.id !== classId);
        setClasses(rest);
        setClassId(rest[0]?.id ?? null);
      },
    });
    return () => {
      current = false;
      socket.close();
    };
  }, [classes, classId, rosterVersion]);

  // The class's environment analysis: a badge on the cards of students lacking a required package.
  useEffect(() => {
    setEnvironment(undefined);
    if (classId === null) return;
    let current = true;
    const load = () =>
      api<EnvironmentAnalysis>('GET', `/api/v1/classes/${classId}/environment/analyze`).then((analysis) => {
        if (!current) return;
        const describe = (p: EnvironmentProblem) => (p.kind === 'missing' ? t('env.missing', { name: p.package, spec: p.required }) : t('env.wrong', { name: p.package, spec: p.required, found: p.found ?? '' }));
        setEnvironment({
          problems: new Map(analysis.students.filter((s) => s.problems.length).map((s) => [s.userId, s.problems.map(describe)])),
          summary: analysis.summary.map((s) => t(s.missing + s.wrongVersion === 1 ? 'env.summary1' : 'env.summary', { n: s.missing + s.wrongVersion, name: s.package, spec: s.required })),
        });
      }, () => undefined);
    load();
    const timer = setInterval(load, 60_000);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [classId, rosterVersion]);

  const openStudent = (userId: string) => setStudent(userId);
  return (
    <div class={projector ? 'page projector' : 'page'}>
      <Header
        t={t}
        me={me}
        classes={classes ?? []}
        classId={classId}
        onClass={(id) => {
          setClassLost(null);
          setClassId(id);
          setHighlight(null);
        }}
        board={board}
        live={live}
        statuses={statuses}
        onStatuses={setStatuses}
        projector={projector}
        onProjector={setProjector}
        language={language}
        onLanguage={onLanguage}
        onSignOut={onSignOut}
      />
      {classLost && (
        <p class="notice class-lost" role="alert">
          {t(classLost.reason === 'not_class_teacher' ? 'class.lostTeacher' : 'class.lostGone', { name: classLost.name })}
        </p>
      )}
      <nav class="tabs" role="tablist">
        {[...TABS, ...(me.role === 'admin' ? ([['buffer', 'tab.buffer']] as Array<[Tab, WordKey]>) : [])].map(([id, word]) => (
          <button type="button" role="tab" aria-selected={tab === id && !student} class={tab === id && !student ? 'on' : ''} onClick={() => (setTab(id), setStudent(null))}>
            {t(word)}
          </button>
        ))}
        {tab === 'board' && !student && board && [...board.cards.values()].some((c) => c.team !== null) && (
          <label class="toggle by-team">
            <input type="checkbox" checked={byTeam} onChange={(e) => setByTeam((e.target as HTMLInputElement).checked)} /> {t('board.byTeam')}
          </label>
        )}
        {tab === 'board' && !student && (
          <input class="search" type="search" placeholder={t('board.search')} aria-label={t('board.search')} value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        )}
      </nav>
      {student ? (
        <StudentView t={t} userId={student} classId={classId} now={now} onBack={() => setStudent(null)} />
      ) : tab === 'board' ? (
        <div class="board-area">
          <Board t={t} board={board} classes={classes} statuses={statuses} search={search} highlight={highlight} byTeam={byTeam} environment={environment} now={now} onOpen={openStudent} onClearHighlight={() => setHighlight(null)} />
          <HelpQueue t={t} queue={board?.helpQueue ?? []} now={now} onOpen={openStudent} />
        </div>
      ) : tab === 'seats' ? (
        <div class="board-area">
          <SeatMap t={t} classId={classId} board={board} onOpen={openStudent} />
          <HelpQueue t={t} queue={board?.helpQueue ?? []} now={now} onOpen={openStudent} />
        </div>
      ) : tab === 'progress' ? (
        <ProgressView t={t} classId={classId} stale={stale} />
      ) : tab === 'errors' ? (
        <ErrorClusters
          t={t}
          classId={classId}
          stale={stale}
          onHighlight={(users) => {
            setHighlight(new Set(users));
            setTab('board');
          }}
        />
      ) : tab === 'buffer' ? (
        <BufferAdmin t={t} />
      ) : tab === 'roster' ? (
        <RosterPanel t={t} classId={classId} onChanged={() => setRosterVersion((n) => n + 1)} />
      ) : (
        <BroadcastPanel t={t} classId={classId} stuckErrors={board?.stuckErrors ?? 3} />
      )}
    </div>
  );
}
