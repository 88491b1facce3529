/**
 * The report's per-cell section (chart and table, stuck cells marked by ⚠, bold and a tint — never
 * colour alone) and, when the notebook met before, the comparison with that previous meeting: the
 * headline figures then and now, and each cell's succeeded share then and now.
 */
import { useMemo } from 'preact/hooks';
import type { ReportComparison, SessionReport } from '@cell-monitor/shared/sessionReport';
import { seconds } from '../boardState.ts';
import type { WordKey } from '../i18n.ts';
import { useLanguage, useT } from '../LanguageContext.tsx';
import { CellChart } from './CellChart.tsx';
import { cellChanges, cellChartData, cellLabel, headlineChanges, headlineDifference, headlineValue, meetingWindow, percent, pointsChange, type HeadlineChange } from './sessionFormat.ts';

export function CellsSection({ report }: { report: SessionReport }) {
  const t = useT();
  // The same series while the report is the same: the chart is drawn again only when they change.
  const chart = useMemo(() => cellChartData(report.cells, report.stuckCells, report.previous), [report]);
  const stuck = new Set(report.stuckCells);
  const labels = new Map(report.cells.map((c) => [c.cellId, cellLabel(c)]));
  return (
    <section class="report-section cells-section" aria-labelledby="report-cells">
      <h2 id="report-cells">{t('cells.title')}</h2>
      {report.cells.length === 0 ? (
        <p class="hint small">{t('cells.none')}</p>
      ) : (
        <>
          {report.stuckCells.length > 0 && (
            <p class="stuck-summary" data-stuck-cells={report.stuckCells.join(' ')}>
              <span aria-hidden="true">⚠ </span>
              {t('cells.stuckMost', { cells: report.stuckCells.map((id) => `${t('card.cell')} ${labels.get(id) ?? id}`).join(', ') })}
            </p>
          )}
          <CellChart
            data={chart}
            names={{ ran: t('cells.ran'), succeeded: t('cells.succeeded'), previous: t('cells.previous'), stuck: t('cells.stuckLegend') }}
          />
          <table class="cells report-table per-cell">
            <thead>
              <tr>
                <th>{t('cells.cell')}</th>
                <th class="num">{t('cells.ran')}</th>
                <th class="num">{t('cells.succeeded')}</th>
                <th class="num">{t('cells.attempts')}</th>
                <th class="num">{t('cells.time')}</th>
                <th class="num">{t('cells.stuck')}</th>
              </tr>
            </thead>
            <tbody>
              {report.cells.map((c) => (
                <tr data-cell={c.cellId} class={stuck.has(c.cellId) ? 'stuck-cell' : undefined}>
                  <td>
                    {cellLabel(c)}
                    {stuck.has(c.cellId) && <span class="stuck-mark" title={t('cells.stuckLegend')}> ⚠</span>}
                  </td>
                  <td class="num">
                    {percent(c.ranShare)} <span class="muted">({c.ran})</span>
                  </td>
                  <td class="num">
                    {percent(c.succeededShare)} <span class="muted">({c.succeeded})</span>
                  </td>
                  <td class="num">{c.medianAttemptsToSuccess ?? '—'}</td>
                  <td class="num">{seconds(c.medianSeconds)}</td>
                  <td class="num">{c.stuck}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

const FIGURE_WORD: Record<HeadlineChange['key'], WordKey> = { active: 'previous.active', finished: 'previous.finished', errors: 'previous.errors', wait: 'previous.wait' };

export function Comparison({ report, previous, timeZone }: { report: SessionReport; previous: ReportComparison | null; timeZone?: string }) {
  const t = useT();
  const [language] = useLanguage();
  if (!previous) {
    return (
      <section class="report-section comparison-section" aria-labelledby="report-previous">
        <p class="hint small" id="report-previous">{t('previous.none')}</p>
      </section>
    );
  }
  return (
    <section class="report-section comparison-section" aria-labelledby="report-previous">
      <h2 id="report-previous">{t('previous.title', { when: meetingWindow(previous.start, previous.end, language, timeZone) })}</h2>
      <div class="comparison-grid">
        <table class="cells report-table headline-changes">
          <thead>
            <tr>
              <th>{t('previous.figure')}</th>
              <th class="num">{t('previous.then')}</th>
              <th class="num">{t('previous.now')}</th>
              <th class="num">{t('previous.change')}</th>
            </tr>
          </thead>
          <tbody>
            {headlineChanges(report, previous).map((change) => {
              const diff = headlineDifference(change);
              return (
                <tr data-change={change.key}>
                  <td>{t(FIGURE_WORD[change.key])}</td>
                  <td class="num">{headlineValue(change, change.then)}</td>
                  <td class="num">{headlineValue(change, change.now)}</td>
                  <td class={`num ${diff.better === null ? '' : diff.better ? 'better' : 'worse'}`}>{diff.text}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <table class="cells report-table cell-changes">
          <caption>{t('previous.cells')}</caption>
          <thead>
            <tr>
              <th>{t('cells.cell')}</th>
              <th class="num">{t('previous.then')}</th>
              <th class="num">{t('previous.now')}</th>
              <th class="num">{t('previous.change')}</th>
            </tr>
          </thead>
          <tbody>
            {cellChanges(report.cells, previous).map((c) => (
              <tr data-cell={c.cellId}>
                <td>{c.label}</td>
                <td class="num">{c.then === null ? <span class="muted">{t('previous.new')}</span> : percent(c.then)}</td>
                <td class="num">{percent(c.now)}</td>
                <td class="num">{c.then === null ? '—' : pointsChange(c.then, c.now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
