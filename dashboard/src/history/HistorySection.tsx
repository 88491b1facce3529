/**
 * The "History" section of a student's view: which of her notebooks (those with saved versions),
 * then that notebook's replay (Replay.tsx). The history routes take the students table's id; the
 * board knows the Jupyter user name, so the id is looked up first (client.history.studentId). A
 * jump (an error cluster, a stuck card) names its notebook and moment: the section opens on them.
 */
import { useState } from 'preact/hooks';
import './history.css';
import { notebookName } from '@cell-monitor/shared/notebookName';
import { client, type HistoryNotebook } from '../api/client.ts';
import { useSnapshot } from '../api/useSnapshot.ts';
import { useLanguage, useT } from '../LanguageContext.tsx';
import { Replay } from './Replay.tsx';
import { momentTime } from './ReplayControls.tsx';
import type { ReplayFocus } from './replayState.ts';

interface Props {
  userId: string;
  classId: number | null;
  focus: ReplayFocus | null;
}

/** The notebook a jump names, among hers: the same path, else the same file name. */
function focusedPath(notebooks: HistoryNotebook[], focus: ReplayFocus | null): string | null {
  const wanted = focus?.notebookPath;
  if (!wanted) return null;
  const same = notebooks.find((n) => n.notebook_path === wanted) ?? notebooks.find((n) => notebookName(n.notebook_path) === notebookName(wanted));
  return same?.notebook_path ?? null;
}

export function HistorySection({ userId, classId, focus }: Props) {
  const t = useT();
  const [language] = useLanguage();
  const student = useSnapshot(JSON.stringify(['student-id', userId, classId]), async () => ({ id: await client.history.studentId(userId, classId) }));
  const studentId = student.data?.id ?? null;
  const notebooks = useSnapshot(studentId !== null ? `history-notebooks:${studentId}` : null, () => client.history.notebooks(studentId as number));
  const [chosen, setChosen] = useState<string | null>(null);
  const list = notebooks.data ?? [];
  const path = chosen ?? focusedPath(list, focus) ?? list[0]?.notebook_path ?? null;
  const timeline = useSnapshot(studentId !== null && path ? JSON.stringify(['replay', studentId, path]) : null, () => client.history.timeline(studentId as number, path as string));
  const error = student.error ?? notebooks.error ?? timeline.error;
  const jumped = focus && path === focusedPath(list, focus) ? focus : null;

  return (
    <section class="history" aria-labelledby="history-title">
      <div class="history-head">
        <h3 id="history-title">{t('history.title')}</h3>
        {list.length > 0 && (
          <label class="picker">
            {t('history.notebook')}{' '}
            <select value={path ?? ''} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
              {list.map((n) => (
                <option value={n.notebook_path} title={n.notebook_path}>
                  {notebookName(n.notebook_path)} · {t('history.versions', { n: n.versions })} · {momentTime(n.last_saved_at, language)}
                </option>
              ))}
            </select>
          </label>
        )}
        {path && path !== notebookName(path) && <span class="history-path">{path}</span>}
        {studentId !== null && (
          <button type="button" class="history-refresh" onClick={() => void notebooks.reload().then(() => timeline.reload())}>
            <span aria-hidden="true">↻</span> {t('history.refresh')}
          </button>
        )}
      </div>
      {error && <p class="error">{error}</p>}
      {student.data && studentId === null && <p class="hint">{t('history.notOnRoster')}</p>}
      {notebooks.data && list.length === 0 && <p class="hint">{t('history.none')}</p>}
      {timeline.data && path && <Replay key={`${path}|${JSON.stringify(jumped)}`} timeline={timeline.data} focus={jumped} />}
      {path && !timeline.data && !timeline.error && (
        <p class="hint" aria-busy="true">
          {t('history.loading')}
        </p>
      )}
    </section>
  );
}
