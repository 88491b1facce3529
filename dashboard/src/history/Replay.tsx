/**
 * One notebook's replay: the controls (ReplayControls.tsx) over the moments, and below them the
 * notebook as of the moment (NotebookAsOf.tsx) — or, once an earlier version is picked in
 * "compare with", the comparison of that version with the one shown (ComparisonView.tsx). Opens at
 * the focus of a jump (replayState.ts `focusIndex`), else at the newest moment.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ReplayTimeline } from '@cell-monitor/shared/notebookHistory';
import type { WordKey } from '../i18n.ts';
import { useLanguage, useT } from '../LanguageContext.tsx';
import { ComparisonView } from './ComparisonView.tsx';
import { NotebookAsOf } from './NotebookAsOf.tsx';
import { momentTime, ReplayControls } from './ReplayControls.tsx';
import { cellOfRun, focusIndex, replayOf, versionAt, type ReplayFocus } from './replayState.ts';
import { useVersionDetails } from '../api/useVersionDetails.ts';

/** Up to this many versions, all are fetched when the replay opens. */
const PREFETCH_ALL = 30;

export function Replay({ timeline, focus }: { timeline: ReplayTimeline; focus: ReplayFocus | null }) {
  const t = useT();
  const [language] = useLanguage();
  const replay = useMemo(() => replayOf(timeline), [timeline]);
  const [index, setIndex] = useState(() => focusIndex(replay, focus));
  const [compareWith, setCompareWith] = useState<number | null>(null);
  const [outputs, setOutputs] = useState(false);
  const details = useVersionDetails();
  const moment = replay.moments[index] ?? null;
  const version = moment ? versionAt(replay, index) : null;
  const earlier = moment ? replay.versions.slice(0, Math.max(0, moment.versionIndex)) : [];
  const from = earlier.find((v) => v.id === compareWith) ?? null;

  useEffect(() => {
    // A short history is read whole at once, so scrubbing never waits; a long one: the version
    // shown, its neighbours (the next step is likely one of them) and the compared one.
    if (replay.versions.length <= PREFETCH_ALL) details.want(...replay.versions.map((v) => v.id));
    const at = moment?.versionIndex ?? -1;
    details.want(version?.id, replay.versions[at + 1]?.id, replay.versions[at - 1]?.id, from?.id);
  }, [replay, version?.id, from?.id]);

  if (!moment) return <p class="hint">{t('history.empty')}</p>;
  const detail = details.get(version?.id) ?? null;
  const fromDetail = details.get(from?.id) ?? null;
  const loading = (version && !detail) || (from && !fromDetail);
  return (
    <div class="replay">
      <ReplayControls replay={replay} index={index} ranAt={detail && moment.kind === 'run' ? cellOfRun(moment.run, detail.cells) : null} onIndex={setIndex} />
      <div class="compare-bar">
        <label>
          {t('compare.with')}{' '}
          <select value={from ? String(from.id) : ''} disabled={earlier.length === 0} onChange={(e) => setCompareWith(Number((e.target as HTMLSelectElement).value) || null)}>
            <option value="">{t('compare.none')}</option>
            {earlier.map((v, i) => (
              <option value={String(v.id)}>
                {t('history.versionOf', { k: i + 1, n: replay.versions.length })} · {momentTime(v.saved_at, language)} · {t(`trigger.${v.trigger}` as WordKey)}
              </option>
            ))}
          </select>
        </label>
        {from && (
          <>
            <label class="toggle">
              <input type="checkbox" checked={outputs} onChange={(e) => setOutputs((e.target as HTMLInputElement).checked)} /> {t('compare.outputs')}
            </label>
            <button type="button" onClick={() => setCompareWith(null)}>
              {t('compare.close')}
            </button>
          </>
        )}
      </div>
      {details.error && <p class="error">{details.error}</p>}
      {loading ? (
        <p class="hint" aria-busy="true">
          {t('history.loading')}
        </p>
      ) : from && fromDetail && detail ? (
        <ComparisonView from={fromDetail} to={detail} fromNumber={earlier.indexOf(from) + 1} toNumber={moment.versionIndex + 1} outputs={outputs} />
      ) : (
        <NotebookAsOf detail={detail} run={moment.kind === 'run' ? moment.run : null} />
      )}
    </div>
  );
}
