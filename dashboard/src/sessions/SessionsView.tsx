/**
 * The "Sessions & reports" tab (issue 22): a class's past meetings, newest first, with their
 * headline figures, each opening its after-class report (ReportPage.tsx); older ones a page at a
 * time. Below, the class's timetable (ScheduleEditor.tsx) and a form to add a meeting by hand
 * (ManualSession.tsx). With no session yet, the page says how one comes to exist.
 */
import { useEffect, useState } from 'preact/hooks';
import './sessions.css';
import { notebookName } from '@cell-monitor/shared/notebookName';
import type { ClassSession, SessionList } from '@cell-monitor/shared/sessionReport';
import { client } from '../api/client.ts';
import { messageOf } from '../api/apiError.ts';
import { useSnapshot } from '../api/useSnapshot.ts';
import { seconds } from '../boardState.ts';
import type { WordKey } from '../i18n.ts';
import { useLanguage, useT } from '../LanguageContext.tsx';
import { ManualSession } from './ManualSession.tsx';
import { ReportPage } from './ReportPage.tsx';
import { ScheduleEditor } from './ScheduleEditor.tsx';
import { meetingWindow } from './sessionFormat.ts';

const PAGE = 20;

function SessionRow({ session, timeZone, onOpen, onDelete }: { session: ClassSession; timeZone?: string; onOpen: () => void; onDelete: () => void }) {
  const t = useT();
  const [language] = useLanguage();
  const h = session.headline;
  return (
    <tr data-session={session.id} data-source={session.source}>
      <td>
        <button type="button" class="linkish" onClick={onOpen}>
          {meetingWindow(session.start, session.end, language, timeZone)}
        </button>
        {session.title && <div class="session-title">{session.title}</div>}
      </td>
      <td>
        <span class={`source source-${session.source}`}>{t(`source.${session.source}` as WordKey)}</span>
      </td>
      <td title={session.notebookPath ?? undefined}>{session.notebookPath ? notebookName(session.notebookPath) : '—'}</td>
      <td class="num">
        {h.activeStudents} / {h.enrolled}
      </td>
      <td class="num">{h.runs}</td>
      <td class="num">{h.errors}</td>
      <td class="num">{h.helpRequests}</td>
      <td class="num">{seconds(h.medianWaitSeconds)}</td>
      <td class="actions">
        <div class="row-actions">
        <button type="button" onClick={onOpen}>
          {t('sessions.open')}
        </button>
        {session.manualId !== undefined && (
          <button type="button" onClick={onDelete}>
            {t('sessions.delete')}
          </button>
        )}
        </div>
      </td>
    </tr>
  );
}

export function SessionsView({ classId }: { classId: number | null }) {
  const t = useT();
  const list = useSnapshot<SessionList>(classId === null ? null : `sessions:${classId}`, () => client.sessions.list(classId!, null, PAGE));
  /** Older pages read so far, and the `before` of the next one (undefined: not read yet, null: none). */
  const [older, setOlder] = useState<ClassSession[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [open, setOpen] = useState<ClassSession | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    setOlder([]);
    setNext(undefined);
    setOpen(null);
    setMessage(null);
  }, [classId]);

  if (classId === null) return <section class="view"><p class="hint">{t('sessions.pickClass')}</p></section>;
  const timeZone = list.data?.schedule?.timezone;
  if (open) return <ReportPage classId={classId} meeting={open} timeZone={timeZone} onBack={() => setOpen(null)} />;

  const sessions = [...(list.data?.sessions ?? []), ...older];
  // The next page starts where the collector says (a page looks back a few weeks at most), else
  // before the oldest meeting shown.
  const nextBefore = next !== undefined ? next : list.data?.nextBefore !== undefined ? list.data.nextBefore : sessions.length >= PAGE ? sessions[sessions.length - 1].start : null;
  // Said once the list shows the change (a deleted meeting gone, an added one there).
  const changed = async (said: string) => {
    setOlder([]);
    setNext(undefined);
    setMessage(null);
    await list.reload();
    setMessage(said);
  };
  const loadOlder = async () => {
    try {
      const page = await client.sessions.list(classId, nextBefore, PAGE);
      setOlder((old) => [...old, ...page.sessions]);
      setNext(page.nextBefore !== undefined ? page.nextBefore : page.sessions.length === PAGE ? page.sessions[page.sessions.length - 1].start : null);
    } catch (err) {
      setMessage(messageOf(err, t('error.generic')));
    }
  };
  const remove = async (session: ClassSession) => {
    try {
      await client.sessions.remove(classId, session.manualId!);
      await changed(t('sessions.deleted'));
    } catch (err) {
      setMessage(messageOf(err, t('error.generic')));
    }
  };

  return (
    <section class="view sessions">
      {(list.error ?? message) && (
        <p class={list.error ? 'error' : 'notice'} role="status">
          {list.error ?? message}
        </p>
      )}
      {list.data && sessions.length === 0 && <p class="hint sessions-empty">{t('sessions.empty')}</p>}
      {sessions.length > 0 && (
          <table class="cells sessions-table">
            <thead>
              <tr>
                <th>{t('sessions.when')}</th>
                <th>{t('sessions.source')}</th>
                <th>{t('sessions.notebook')}</th>
                <th class="num">{t('sessions.active')}</th>
                <th class="num">{t('sessions.runs')}</th>
                <th class="num">{t('sessions.errors')}</th>
                <th class="num">{t('sessions.help')}</th>
                <th class="num">{t('sessions.wait')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <SessionRow
                  key={`${s.source}:${s.id}`}
                  session={s}
                  timeZone={timeZone}
                  onOpen={() => {
                    setOpen(s);
                    scrollTo(0, 0);
                  }}
                  onDelete={() => void remove(s)}
                />
              ))}
            </tbody>
          </table>
      )}
      {list.data && (
        <p class="sessions-foot">
          <span class="muted">{t('sessions.timesIn', { zone: timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone })}</span>
          {nextBefore && (
            <button type="button" onClick={() => void loadOlder()}>
              {t('sessions.older')}
            </button>
          )}
        </p>
      )}
      <div class="sessions-forms">
        {list.data && <ScheduleEditor classId={classId} schedule={list.data.schedule} onSaved={() => void changed(t('schedule.saved'))} />}
        <ManualSession classId={classId} onAdded={() => void changed(t('manual.added'))} />
      </div>
    </section>
  );
}
