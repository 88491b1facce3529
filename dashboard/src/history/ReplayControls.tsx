/**
 * The replay's timeline: a slider over every moment (a native range input: arrows, Page Up/Down,
 * Home and End step through it), a strip of marks under it (saved versions tall, failed runs in
 * vermillion, each also told by its shape and the legend — never colour alone), the step buttons,
 * and what the current moment is in words: when, which version of how many, which cell ran and how.
 */
import { useLanguage, useT } from '../LanguageContext.tsx';
import type { Translate, WordKey } from '../i18n.ts';
import { nearestChange, nearestError, type Moment, type Replay } from './replayState.ts';

interface Props {
  replay: Replay;
  index: number;
  /** Where the moment's run is in the version shown (0-based), when the run does not say. */
  ranAt: number | null;
  onIndex: (index: number) => void;
}

export function momentTime(at: string, language: string): string {
  const date = new Date(at);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? date.toLocaleTimeString(language) : date.toLocaleString(language, { dateStyle: 'medium', timeStyle: 'medium' });
}

/**
 * What happened at a moment, in one line ("saved", "ran cell 4 — failed: NameError"). The cell's
 * number: the run's index, else its place in the version shown (`position`, 0-based).
 */
export function momentWords(t: Translate, moment: Moment, position: number | null = null): string {
  if (moment.kind === 'version') return t(`trigger.${moment.version.trigger}` as WordKey);
  const { run } = moment;
  const index = run.cell_index ?? position;
  const ran = index !== null ? t('history.ranCell', { n: index + 1 }) : t('history.ranUnknown');
  return run.success ? `${ran} — ${t('history.ok')}` : `${ran} — ${t('history.failed')}${run.error_name ? `: ${run.error_name}` : ''}`;
}

const markClass = (m: Moment) => (m.kind === 'version' ? 'mark version' : m.run.success ? 'mark run' : 'mark error');

export function ReplayControls({ replay, index, ranAt, onIndex }: Props) {
  const t = useT();
  const [language] = useLanguage();
  const moment = replay.moments[index];
  const last = replay.moments.length - 1;
  const step = (to: number | null) => to !== null && onIndex(Math.max(0, Math.min(last, to)));
  const prevChange = nearestChange(replay, index, -1);
  const nextChange = nearestChange(replay, index, 1);
  const prevError = nearestError(replay, index, -1);
  const nextError = nearestError(replay, index, 1);
  const versionLabel = moment.versionIndex >= 0 ? t('history.versionOf', { k: moment.versionIndex + 1, n: replay.versions.length }) : t('history.noVersion');
  const what = momentWords(t, moment, ranAt);
  const where = `${momentTime(moment.at, language)} — ${what}`;
  return (
    <div class="replay-controls">
      <div class="replay-now" aria-live="polite">
        <time dateTime={moment.at} class="replay-time">
          {momentTime(moment.at, language)}
        </time>
        <span class={`replay-what ${moment.kind === 'run' && !moment.run.success ? 'ko' : ''}`} data-moment-kind={moment.kind}>
          {what}
        </span>
        <strong class="replay-version" data-version-index={moment.versionIndex}>
          {versionLabel}
        </strong>
        <span class="replay-count">{t('history.moment', { i: index + 1, n: replay.moments.length })}</span>
      </div>
      <div class="replay-track">
        <input
          type="range"
          min={0}
          max={Math.max(0, last)}
          step={1}
          value={index}
          disabled={last <= 0}
          aria-label={t('history.slider')}
          aria-valuetext={`${where} · ${versionLabel}`}
          onInput={(e) => onIndex(Number((e.target as HTMLInputElement).value))}
        />
        <div class="replay-marks" aria-hidden="true">
          {replay.moments.map((m, i) => (
            <span class={`${markClass(m)}${i === index ? ' here' : ''}`} style={{ left: `${last > 0 ? (i / last) * 100 : 50}%` }} />
          ))}
        </div>
      </div>
      <div class="replay-buttons">
        <button type="button" disabled={prevChange === null} onClick={() => step(prevChange)}>
          <span aria-hidden="true">«</span> {t('history.prevChange')}
        </button>
        <button type="button" disabled={index <= 0} onClick={() => step(index - 1)}>
          <span aria-hidden="true">◀</span> {t('history.prev')}
        </button>
        <button type="button" disabled={index >= last} onClick={() => step(index + 1)}>
          {t('history.next')} <span aria-hidden="true">▶</span>
        </button>
        <button type="button" disabled={nextChange === null} onClick={() => step(nextChange)}>
          {t('history.nextChange')} <span aria-hidden="true">»</span>
        </button>
        <span class="replay-error-steps">
          <button type="button" class="error-step" disabled={prevError === null} onClick={() => step(prevError)}>
            <span aria-hidden="true">‹</span> <span class="mark error" aria-hidden="true" /> {t('history.prevError')}
          </button>
          <button type="button" class="error-step" disabled={nextError === null} onClick={() => step(nextError)}>
            <span class="mark error" aria-hidden="true" /> {t('history.nextError')} <span aria-hidden="true">›</span>
          </button>
        </span>
        <span class="replay-legend" aria-hidden="true">
          <span class="mark version" /> {t('history.legendVersion')} <span class="mark run" /> {t('history.legendRun')} <span class="mark error" /> {t('history.legendError')}
        </span>
      </div>
    </div>
  );
}
