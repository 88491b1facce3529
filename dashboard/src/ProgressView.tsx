/**
 * Where the class is in a notebook: per cell in notebook order the share who ran it and succeeded,
 * median attempts and time; a histogram of the cell each student is on now; progress per student.
 */
import { useState } from 'preact/hooks';
import { seconds } from './boardState.ts';
import { CellHistogram } from './CellHistogram.tsx';
import { client } from './api/client.ts';
import { useSnapshot } from './api/useSnapshot.ts';
import { useT } from './LanguageContext.tsx';

const pct = (share: number) => `${Math.round(share * 100)}%`;

export function ProgressView({ classId, stale }: { classId: number | null; stale: number }) {
  const t = useT();
  const [notebook, setNotebook] = useState<string | null>(null);
  const { data, error } = useSnapshot(JSON.stringify(['progress', classId, notebook || null]), () => client.progress(classId, notebook || null), { stale });
  if (error) return <p class="error">{error}</p>;
  if (!data) return <section class="view" aria-busy="true" />;
  if (data.cells.length === 0) return <section class="view"><p class="hint">{t('progress.empty')}</p></section>;
  return (
    <section class="view progress">
      <label class="picker">
        {t('progress.notebook')}{' '}
        <select value={data.notebookPath} onChange={(e) => setNotebook((e.target as HTMLSelectElement).value)}>
          {data.notebooks.map((n) => (
            <option value={n.notebookPath}>
              {n.notebookPath} ({n.students})
            </option>
          ))}
        </select>
      </label>
      <div class="progress-grid">
        <table class="cells">
          <thead>
            <tr>
              <th>{t('progress.cell')}</th>
              <th>{t('progress.ran')}</th>
              <th>{t('progress.succeeded')}</th>
              <th>{t('progress.attempts')}</th>
              <th>{t('progress.time')}</th>
            </tr>
          </thead>
          <tbody>
            {data.cells.map((c) => (
              <tr data-cell={c.cellId}>
                <td>{c.cellIndex !== null ? c.cellIndex + 1 : c.cellId}</td>
                <td>
                  <span class="bar" style={{ '--share': c.ranShare }} /> {pct(c.ranShare)}
                </td>
                <td>
                  <span class="bar ok" style={{ '--share': c.succeededShare }} /> {pct(c.succeededShare)}
                </td>
                <td>{c.medianAttemptsToSuccess ?? '—'}</td>
                <td>{seconds(c.medianSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div>
          <h3>{t('progress.now')}</h3>
          <CellHistogram bins={data.currentCell} />
          <h3>{t('progress.perStudent')}</h3>
          <ul class="per-student">
            {[...data.perStudent].sort((a, b) => a.progressPercent - b.progressPercent).map((s) => (
              <li>
                <span class="name">{s.displayName}</span>
                <span class="bar ok" style={{ '--share': s.progressPercent / 100 }} />
                <span>{s.progressPercent}%</span>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}
