/**
 * The notebook as it was at a moment: the cells of the version shown, in order, sources and
 * outputs as text (`outputText`; never HTML, markdown too). The cell of the moment's run is
 * highlighted and scrolled to, with beside it what ran: its error's name and message, and the code
 * that ran when it differs from the saved cell (the student edited without saving).
 */
import { useEffect, useRef } from 'preact/hooks';
import { outputText } from '@cell-monitor/shared/notebookDiff';
import type { HistoryVersionDetail, ReplayRun } from '@cell-monitor/shared/notebookHistory';
import { useT } from '../LanguageContext.tsx';
import { cellOfRun } from './replayState.ts';

interface Props {
  /** The version shown (null: nothing saved before this moment). */
  detail: HistoryVersionDetail | null;
  /** The run of this moment, if the moment is a run. */
  run: ReplayRun | null;
}

function RunAside({ run, saved }: { run: ReplayRun; saved: string | null }) {
  const t = useT();
  return (
    <aside class={`run-aside ${run.success ? 'ran-ok' : 'ran-ko'}`} data-run-result={run.success ? 'ok' : 'error'}>
      <p class="run-label">
        <span aria-hidden="true">{run.success ? '✓' : '✗'}</span> {t('history.ranHere')} — {t(run.success ? 'history.ok' : 'history.failed')}
      </p>
      {!run.success && (
        <div class="run-error">
          <span class="sr-label">{t('history.raised')}</span>
          <strong class="error-name">{run.error_name ?? '?'}</strong>
          {run.error_message && <pre class="error-message">{run.error_message}</pre>}
        </div>
      )}
      {run.code !== null && saved !== null && run.code !== saved && (
        <>
          <p class="run-label">{t('history.ranCode')}</p>
          <pre class="code">{run.code}</pre>
        </>
      )}
    </aside>
  );
}

export function NotebookAsOf({ detail, run }: Props) {
  const t = useT();
  const pane = useRef<HTMLOListElement>(null);
  const ranAt = detail && run ? cellOfRun(run, detail.cells) : null;
  useEffect(() => {
    const box = pane.current;
    const cell = box?.querySelector<HTMLElement>('.nb-cell.ran');
    // The list is the cells' offset parent (position: relative): scroll it, not the page.
    if (box && cell) box.scrollTop = Math.max(0, cell.offsetTop - 24);
  }, [detail?.id, ranAt, run?.event_id]);
  if (!detail) {
    return (
      <div class="notebook-as-of">
        <p class="hint">{t('history.noVersion')}</p>
        {run && <RunAside run={run} saved={null} />}
        {run?.code && <pre class="code">{run.code}</pre>}
      </div>
    );
  }
  return (
    <div class="notebook-as-of" data-version={detail.id}>
      {detail.truncated && <p class="notice">{t('history.truncated')}</p>}
      {run && ranAt === null && (
        <div class="cell-missing">
          <p>{t('history.cellMissing')}</p>
          {run.code && <pre class="code">{run.code}</pre>}
          <RunAside run={run} saved={null} />
        </div>
      )}
      <ol class="nb-cells" ref={pane}>
        {detail.cells.map((cell, i) => {
          const ran = run !== null && i === ranAt;
          const output = outputText(cell.outputs);
          return (
            <li class={`nb-cell nb-${cell.cell_type}${ran ? ` ran ${run.success ? 'ran-ok' : 'ran-ko'}` : ''}`} data-cell-position={i} data-cell-id={cell.cell_id ?? ''}>
              <div class="nb-gutter" aria-hidden="true">
                <span class="nb-number">{i + 1}</span>
                {cell.cell_type !== 'code' && <span class="nb-type">{cell.cell_type === 'markdown' ? 'md' : 'raw'}</span>}
              </div>
              <div class="nb-body">
                <pre class="nb-source">{cell.source}</pre>
                {output && <pre class="nb-output">{output}</pre>}
              </div>
              {ran && run && <RunAside run={run} saved={cell.source} />}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
