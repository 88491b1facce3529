/**
 * One student: their card, per-cell attempts (✓/✗ in order), the history of their notebooks (the
 * replay, history/HistorySection.tsx: opened at the moment a jump names), and the timeline — runs
 * with their code, duration and result, errors with traceback, saves, help requests, kernel
 * restarts. All as text.
 */
import { notebookName } from '@cell-monitor/shared/notebookName';
import type { TimelineEntry } from '@cell-monitor/shared';
import { client } from './api/client.ts';
import { useSnapshot } from './api/useSnapshot.ts';
import { HistorySection } from './history/HistorySection.tsx';
import type { ReplayFocus } from './history/replayState.ts';
import { useT } from './LanguageContext.tsx';
import { SelfReportedBadge } from './SelfReportedBadge.tsx';
import { StudentCard } from './StudentCard.tsx';

function Entry({ entry }: { entry: TimelineEntry }) {
  const t = useT();
  const time = new Date(entry.at).toLocaleTimeString();
  const cell = entry.cellIndex !== null ? ` · cell ${entry.cellIndex + 1}` : '';
  return (
    <li class={`entry ${entry.success === false ? 'failed' : ''}`} data-event={entry.eventType}>
      <div class="entry-head">
        <time>{time}</time> <strong>{entry.eventType.replace(/_/g, ' ')}</strong>
        <span class="where">
          {entry.notebookPath ? notebookName(entry.notebookPath) : ''}
          {cell}
        </span>
        {entry.durationMs !== null && <span class="duration">{Math.round(entry.durationMs)} ms</span>}
        {entry.success !== null && <span class={entry.success ? 'ok' : 'ko'}>{entry.success ? '✓' : '✗'}</span>}
      </div>
      {entry.code && <pre class="code">{entry.code}</pre>}
      {entry.codeTruncated && <p class="cut">{t('student.codeCut', { n: Math.ceil((entry.codeBytes ?? 0) / 1024) })}</p>}
      {entry.error && <pre class="traceback">{entry.error.traceback ?? `${entry.error.name}: ${entry.error.message}`}</pre>}
      {!entry.error && entry.output && <pre class="output">{entry.output}</pre>}
    </li>
  );
}

interface Props {
  userId: string;
  classId: number | null;
  now: number;
  /** Where the history opens (a jump from an error cluster or a stuck card); null: the newest moment. */
  focus: ReplayFocus | null;
  onBack: () => void;
}

export function StudentView({ userId, classId, now, focus, onBack }: Props) {
  const t = useT();
  const { data, error } = useSnapshot(JSON.stringify(['timeline', userId, classId]), () => client.timeline(userId, classId));
  return (
    <section class="view student">
      <button type="button" onClick={onBack}>
        ← {t('student.back')}
      </button>
      {error && <p class="error">{error}</p>}
      {data && (
        <div class="student-grid">
          <div>
            <h2>
              {data.displayName} <SelfReportedBadge userId={userId} />
            </h2>
            {data.card && (
              <ul class="cards single">
                <StudentCard card={data.card} now={now} highlighted={false} dimmed={false} onOpen={() => undefined} />
              </ul>
            )}
            <h3>{t('student.attempts')}</h3>
            <table class="attempts">
              {data.attempts.map((a) => (
                <tr>
                  <th>{a.cellIndex !== null ? a.cellIndex + 1 : a.cellId}</th>
                  <td>
                    {a.results.map((ok) => (
                      <span class={ok ? 'ok' : 'ko'}>{ok ? '✓' : '✗'}</span>
                    ))}
                  </td>
                </tr>
              ))}
            </table>
          </div>
          <div class="student-main">
            <HistorySection key={JSON.stringify(focus)} userId={userId} classId={classId} focus={focus} />
            <h3>{t('student.timeline')}</h3>
            <ol class="timeline">
              {data.entries.map((entry) => (
                <Entry entry={entry} />
              ))}
            </ol>
          </div>
        </div>
      )}
    </section>
  );
}
