/**
 * Two versions compared cell by cell: `compareCells` from shared/notebookDiff.ts run here on the two
 * versions' cells, which the replay already holds (api/useVersionDetails.ts) — no round trip while the
 * instructor scrubs, and the same function the collector's `compare` route answers with. Added,
 * removed, moved and changed cells, each changed one with its line diff (+ / − / kept, marked by
 * sign and colour); unchanged cells folded unless asked for. All text.
 */
import { useMemo, useState } from 'preact/hooks';
import { compareCells, type CellChange, type LineChange } from '@cell-monitor/shared/notebookDiff';
import type { HistoryVersionDetail } from '@cell-monitor/shared/notebookHistory';
import type { WordKey } from '../i18n.ts';
import { useT } from '../LanguageContext.tsx';

interface Props {
  from: HistoryVersionDetail;
  to: HistoryVersionDetail;
  /** 1-based numbers of the two versions in the student's line, for the heading. */
  fromNumber: number;
  toNumber: number;
  outputs: boolean;
}

const SIGN = { add: '+', remove: '−', same: ' ' } as const;

function Lines({ lines, label }: { lines: LineChange[]; label?: string }) {
  return (
    <pre class="diff-lines" aria-label={label}>
      {lines.map((line) => (
        <span class={`diff-line diff-${line.op}`}>
          <span class="diff-sign" aria-hidden="true">{SIGN[line.op]}</span>
          {line.text}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

/** Where the cell is: "cell 3", "cell 2 → 4" (moved or shifted); an added cell where it is, a removed one where it was. */
const position = (change: CellChange) => {
  const from = change.from_position === null ? null : change.from_position + 1;
  const to = change.to_position === null ? null : change.to_position + 1;
  return from === null || to === null || from === to ? String(to ?? from) : `${from} → ${to}`;
};

/**
 * The source with a final newline, for the line diff: a cell's last line has none, so without this
 * jsdiff reports "x = 1" becoming "x = 1\ny = 2" as the line removed and added again.
 */
const ended = (source: string) => (source === '' || source.endsWith('\n') ? source : `${source}\n`);
const diffCell = (c: HistoryVersionDetail['cells'][number]) => ({ id: c.cell_id, type: c.cell_type, source: ended(c.source), outputs: c.outputs });

function Change({ change }: { change: CellChange }) {
  const t = useT();
  const shown = change.lines ?? change.source.replace(/\n$/, '').split('\n').map((text) => ({ op: 'same' as const, text }));
  return (
    <li class={`change change-${change.kind}`} data-change={change.kind} data-cell-id={change.cell_id ?? ''}>
      <div class="change-head">
        <span class="change-kind">{t(`diff.${change.kind}` as WordKey)}</span>
        <span class="change-where">
          {t('card.cell')} {position(change)} · {change.cell_type}
        </span>
        {change.outputs_changed && <span class="change-output">{t('compare.outputChanged')}</span>}
      </div>
      <Lines lines={shown} />
      {change.output_lines && <Lines lines={change.output_lines} label={t('compare.outputChanged')} />}
    </li>
  );
}

export function ComparisonView({ from, to, fromNumber, toNumber, outputs }: Props) {
  const t = useT();
  const [unchanged, setUnchanged] = useState(false);
  const comparison = useMemo(
    () =>
compareCells(from.cells.map(diffCell), to.cells.map(diffCell), { outputs }),
    [from, to, outputs],
  );
  const { statistics } = comparison;
  const kinds = (['changed', 'added', 'removed', 'moved', 'unchanged'] as const).filter((k) => statistics[k] > 0);
  const shown = comparison.changes.filter((c) => unchanged || c.kind !== 'unchanged' || c.outputs_changed);
  return (
    <section class="comparison" data-from={from.id} data-to={to.id}>
      <h4>{t('compare.title', { from: fromNumber, to: toNumber })}</h4>
      <p class="comparison-stats">
        {kinds.map((k) => (
          <span class={`stat change-${k}`} data-stat={k}>
            {statistics[k]} {t(`diff.${k}` as WordKey)}
          </span>
        ))}
        <label class="toggle">
          <input type="checkbox" checked={unchanged} onChange={(e) => setUnchanged((e.target as HTMLInputElement).checked)} /> {t('compare.unchanged')}
        </label>
      </p>
      {shown.length === 0 ? (
        <p class="hint">{t('compare.same')}</p>
      ) : (
        <ol class="changes">
          {shown.map((change) => (
            <Change change={change} />
          ))}
        </ol>
      )}
    </section>
  );
}
