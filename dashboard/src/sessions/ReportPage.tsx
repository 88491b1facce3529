/**
 * The after-class report of one meeting (issue 22): a notebook picker, CSV downloads and Print in a
 * toolbar that is not printed, then the report as an article that prints on its own to A4 or
 * Letter (sessions.css, `@media print`): what, when and which notebook, the headline, attendance,
 * per cell, error clusters, help, who did not reach the end, and the previous meeting compared.
 * Every figure is the collector's (GET …/sessions/report); the page lays them out.
 */
import { useState } from 'preact/hooks';
import { notebookName } from '@cell-monitor/shared/notebookName';
import type { SessionReport } from '@cell-monitor/shared/sessionReport';
import { client, type ReportTable, type SessionWindow } from '../api/client.ts';
import { messageOf } from '../api/apiError.ts';
import { useSnapshot } from '../api/useSnapshot.ts';
import type { WordKey } from '../i18n.ts';
import { useLanguage, useT } from '../LanguageContext.tsx';
import { CellsSection, Comparison } from './CellsSection.tsx';
import { Attendance, Clusters, Headline, Help, Unfinished } from './ReportSections.tsx';
import { cellLabel, clock, csvName, day, meetingWindow } from './sessionFormat.ts';

interface Props {
  classId: number;
  meeting: SessionWindow;
  /** The class's time zone (its timetable's), else the browser's. */
  timeZone?: string;
  onBack: () => void;
}

const TABLES: ReportTable[] = ['attendance', 'cells', 'help', 'unfinished', 'clusters'];

/** Saves a downloaded Blob under its name (the token went in the request's header, not in a link). */
function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

function Report({ report, timeZone }: { report: SessionReport; timeZone?: string }) {
  const t = useT();
  const [language] = useLanguage();
  const labels = new Map(report.cells.map((c) => [c.cellId, cellLabel(c)]));
  return (
    <article class="report" data-notebook={report.notebookPath ?? ''}>
      <header class="report-head">
        <h1>
          {t('report.title')} — {report.className}
        </h1>
        <p class="report-when">{meetingWindow(report.start, report.end, language, timeZone)}</p>
        <p class="report-meta">
          {report.notebookPath && (
            <span>
              {t('report.notebook')}: <strong>{notebookName(report.notebookPath)}</strong>
              {report.notebookPath !== notebookName(report.notebookPath) && <span class="muted"> ({report.notebookPath})</span>}
            </span>
          )}
          <span class="muted">{t('report.generated', { at: `${day(report.generatedAt, language, timeZone)} ${clock(report.generatedAt, language, timeZone)}` })}</span>
        </p>
      </header>
      <Headline report={report} />
      <Attendance report={report} timeZone={timeZone} />
      <CellsSection report={report} />
      <Clusters clusters={report.errorClusters} />
      <Help help={report.help} cellLabels={labels} timeZone={timeZone} />
      <Unfinished students={report.unfinished} />
      <Comparison report={report} previous={report.previous} timeZone={timeZone} />
    </article>
  );
}

export function ReportPage({ classId, meeting, timeZone, onBack }: Props) {
  const t = useT();
  const [notebook, setNotebook] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const report = useSnapshot(JSON.stringify(['session-report', classId, meeting.start, meeting.end, notebook]), () => client.sessions.report(classId, meeting, notebook));
  const data = report.data;

  const download = async (table: ReportTable) => {
    setMessage(null);
    try {
      const { blob, filename } = await client.sessions.reportCsv(classId, meeting, table, data?.notebookPath ?? notebook);
      save(blob, filename ?? csvName(table, meeting.start));
    } catch (err) {
      setMessage(messageOf(err, t('error.generic')));
    }
  };

  return (
    <section class="view report-page">
      <div class="report-toolbar no-print">
        <button type="button" onClick={onBack}>
          <span aria-hidden="true">← </span>
          {t('report.back')}
        </button>
        {data && data.notebooks.length > 0 && (
          <label class="picker">
            {t('report.notebook')}{' '}
            <select value={data.notebookPath ?? ''} onChange={(e) => setNotebook((e.target as HTMLSelectElement).value)}>
              {data.notebooks.map((n) => (
                <option value={n.notebookPath} title={n.notebookPath}>
                  {notebookName(n.notebookPath)} ({n.students})
                </option>
              ))}
            </select>
          </label>
        )}
        {data && (
          <span class="csv-links">
            {t('report.csv')}{' '}
            {TABLES.map((table) => (
              <button type="button" class="small" data-csv={table} onClick={() => void download(table)}>
                {t(`csv.${table}` as WordKey)}
              </button>
            ))}
          </span>
        )}
        <button type="button" class="primary print-button" disabled={!data} onClick={() => print()}>
          {t('report.print')}
        </button>
      </div>
      {(report.error ?? message) && (
        <p class="error no-print" role="alert">
          {report.error ?? message}
        </p>
      )}
      {!data && !report.error && (
        <p class="hint" aria-busy="true">
          {t('report.loading')}
        </p>
      )}
      {data && <Report report={data} timeZone={timeZone} />}
    </section>
  );
}
