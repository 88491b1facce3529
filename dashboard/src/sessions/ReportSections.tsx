/**
 * The after-class report's sections other than the per-cell one (CellsSection.tsx): the headline,
 * attendance, the largest error clusters, help requests and the students who did not reach the end.
 * Each renders figures of the SessionReport as they came; every name and message is text.
 */
import type { ErrorCluster } from '@cell-monitor/shared';
import { notebookName } from '@cell-monitor/shared/notebookName';
import type { AttendanceRow, ReportHelp, SessionReport, UnfinishedStudent } from '@cell-monitor/shared/sessionReport';
import { seconds } from '../boardState.ts';
import type { WordKey } from '../i18n.ts';
import { useLanguage, useT } from '../LanguageContext.tsx';
import { attendanceGroups, cellLabel, clock, minutesAfter } from './sessionFormat.ts';

export function Headline({ report }: { report: SessionReport }) {
  const t = useT();
  const h = report.headline;
  const figures: Array<[string, WordKey, string]> = [
    ['active', 'headline.active', t('headline.of', { n: h.activeStudents, m: h.enrolled })],
    ['runs', 'headline.runs', String(h.runs)],
    ['errors', 'headline.errors', String(h.errors)],
    ['help', 'headline.help', String(h.helpRequests)],
    ['wait', 'headline.wait', seconds(h.medianWaitSeconds)],
  ];
  return (
    <dl class="report-headline">
      {figures.map(([id, label, value]) => (
        <div data-figure={id}>
          <dt>{t(label)}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Attendance({ report, timeZone }: { report: SessionReport; timeZone?: string }) {
  const t = useT();
  const [language] = useLanguage();
  const groups = attendanceGroups(report.attendance);
  const none = <span class="muted">{t('attendance.none')}</span>;
  // Each name whole on its line (a Japanese name would otherwise break between any two characters).
  const names = (rows: AttendanceRow[]) => rows.map((r, i) => <><span class="who">{r.displayName || r.userId}</span>{i < rows.length - 1 ? ', ' : ''}</>);
  return (
    <section class="report-section attendance" aria-labelledby="report-attendance">
      <h2 id="report-attendance">{t('attendance.title')}</h2>
      <div class="attendance-groups">
        <div data-attendance="on_time">
          <h3>{t('attendance.on_time', { n: groups.on_time.length })}</h3>
          <p class="names">{groups.on_time.length ? names(groups.on_time) : none}</p>
        </div>
        <div data-attendance="late">
          <h3>{t('attendance.late', { n: groups.late.length })}</h3>
          {groups.late.length ? (
            <ul class="names">
              {groups.late.map((r) => (
                <li>
                  <span class="who">{r.displayName || r.userId}</span>{' '}
                  <span class="muted">
                    {clock(r.firstAt!, language, timeZone)} ({t('attendance.lateBy', { n: minutesAfter(report.start, r.firstAt!) })})
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p class="names">{none}</p>
          )}
        </div>
        <div data-attendance="absent">
          <h3>{t('attendance.absent', { n: groups.absent.length })}</h3>
          <p class="names">{groups.absent.length ? names(groups.absent) : none}</p>
        </div>
      </div>
      <p class="hint small">{t('report.lateAfter', { n: report.lateAfterMinutes })}</p>
    </section>
  );
}

function Cluster({ cluster }: { cluster: ErrorCluster }) {
  const t = useT();
  const where = [cluster.notebookPath && notebookName(cluster.notebookPath), cluster.cellIndex !== null || cluster.cellId ? `${t('card.cell')} ${cellLabel(cluster)}` : null].filter(Boolean).join(' · ');
  return (
    <li class="report-cluster" data-signature={cluster.signature}>
      <div class="cluster-head">
        <strong class="count">{t(cluster.students === 1 ? 'errors.student' : 'errors.students', { n: cluster.students })}</strong>
        <code class="signature">{cluster.signature}</code>
        <span class="muted">
          {where} · {cluster.occurrences === 1 ? t('clusters.once') : t('clusters.times', { n: cluster.occurrences })}
        </span>
      </div>
      <div class="cluster-example">
        <span class="muted">{t('clusters.example')}:</span>
        <pre>{cluster.example.message}</pre>
      </div>
    </li>
  );
}

export function Clusters({ clusters }: { clusters: ErrorCluster[] }) {
  const t = useT();
  return (
    <section class="report-section clusters-section" aria-labelledby="report-clusters">
      <h2 id="report-clusters">{t('clusters.title')}</h2>
      {clusters.length === 0 ? (
        <p class="hint small">{t('clusters.none')}</p>
      ) : (
        <ol class="report-clusters">
          {clusters.map((c) => (
            <Cluster cluster={c} />
          ))}
        </ol>
      )}
    </section>
  );
}

/** `cellLabels`: a cell id's number in the notebook (the report's cells), for the waits' cells. */
export function Help({ help, cellLabels, timeZone }: { help: ReportHelp; cellLabels: Map<string, string>; timeZone?: string }) {
  const t = useT();
  const [language] = useLanguage();
  return (
    <section class="report-section help-section" aria-labelledby="report-help">
      <h2 id="report-help">{t('helpReport.title')}</h2>
      {help.count === 0 ? (
        <p class="hint small">{t('helpReport.none')}</p>
      ) : (
        <>
          <dl class="report-figures">
            <div data-figure="help-count">
              <dt>{t('helpReport.title')}</dt>
              <dd>{t('helpReport.count', { n: help.count, r: help.resolved })}</dd>
            </div>
            <div data-figure="help-median">
              <dt>{t('helpReport.median')}</dt>
              <dd>{seconds(help.medianWaitSeconds)}</dd>
            </div>
            <div data-figure="help-p90">
              <dt>{t('helpReport.p90')}</dt>
              <dd>{seconds(help.p90WaitSeconds)}</dd>
            </div>
          </dl>
          <h3>{t('helpReport.longest')}</h3>
          <table class="cells report-table longest-waits">
            <thead>
              <tr>
                <th>{t('helpReport.student')}</th>
                <th>{t('cells.cell')}</th>
                <th>{t('helpReport.asked')}</th>
                <th class="num">{t('helpReport.waited')}</th>
                <th>{t('helpReport.resolvedBy')}</th>
              </tr>
            </thead>
            <tbody>
              {help.longestWaits.map((w) => (
                <tr data-help={w.helpRequestId}>
                  <td>{w.displayName || w.userId}</td>
                  <td>{w.cellId ? (cellLabels.get(w.cellId) ?? w.cellId) : '—'}</td>
                  <td>{clock(w.requestedAt, language, timeZone)}</td>
                  <td class="num">{seconds(w.waitSeconds)}</td>
                  <td>{w.resolved ? (w.resolvedBy ?? '—') : <em>{t('helpReport.unresolved')}</em>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {help.resolvers.length > 0 && (
            <p class="resolvers">
              <strong>{t('helpReport.resolvers')}:</strong> {help.resolvers.map((r) => `${r.name} (${r.count})`).join(', ')}
            </p>
          )}
        </>
      )}
    </section>
  );
}

const where = (id: string | null, index: number | null) => (id === null && index === null ? null : cellLabel({ cellId: id, cellIndex: index }));

export function Unfinished({ students }: { students: UnfinishedStudent[] }) {
  const t = useT();
  return (
    <section class="report-section unfinished-section" aria-labelledby="report-unfinished">
      <h2 id="report-unfinished">{t('unfinished.title', { n: students.length })}</h2>
      {students.length === 0 ? (
        <p class="hint small">{t('unfinished.none')}</p>
      ) : (
        <table class="cells report-table unfinished">
          <thead>
            <tr>
              <th>{t('unfinished.student')}</th>
              <th>{t('unfinished.furthest')}</th>
              <th>{t('unfinished.last')}</th>
            </tr>
          </thead>
          <tbody>
            {students.map((s) => (
              <tr data-unfinished={s.userId}>
                <td>{s.displayName || s.userId}</td>
                <td>{where(s.furthestCellId, s.furthestCellIndex) ?? <span class="muted">{t('unfinished.nothing')}</span>}</td>
                <td>
                  {where(s.lastCellId, s.lastCellIndex) ?? '—'}
                  {s.lastSucceeded !== null && (
                    <span class={s.lastSucceeded ? 'ok' : 'ko'}> {s.lastSucceeded ? `✓ ${t('unfinished.ok')}` : `✗ ${t('unfinished.failed')}`}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
