/**
 * A class's timetable: shown in one line, edited as rows of weekly slots (day, start, minutes) in
 * one time zone. Checked before it is sent (sessionFormat.ts `slotProblems`); the collector checks
 * again and may refuse (only a class's owner may change it: its message is shown as it came).
 */
import { useState } from 'preact/hooks';
import type { ClassSchedule, ScheduleSlot } from '@cell-monitor/shared/sessionReport';
import { client } from '../api/client.ts';
import { messageOf } from '../api/apiError.ts';
import type { WordKey } from '../i18n.ts';
import { useLanguage, useT } from '../LanguageContext.tsx';
import { MAX_SLOT_MINUTES, scheduleLine, slotProblems, weekdayName } from './sessionFormat.ts';

interface Props {
  classId: number;
  schedule: ClassSchedule | null;
  onSaved: () => void;
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const NEW_SLOT: ScheduleSlot = { weekday: 1, start: '09:00', minutes: 90 };

export function ScheduleEditor({ classId, schedule, onSaved }: Props) {
  const t = useT();
  const [language] = useLanguage();
  const [editing, setEditing] = useState(false);
  const [timezone, setTimezone] = useState('');
  const [slots, setSlots] = useState<ScheduleSlot[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const edit = async () => {
    setMessage(null);
    // The timetable as stored now (another teacher may have changed it since the list was read).
    const current = await client.sessions.schedule(classId).catch(() => schedule);
    setTimezone(current?.timezone || browserZone());
    setSlots(current?.slots.length ? current.slots.map((s) => ({ ...s })) : [{ ...NEW_SLOT }]);
    setEditing(true);
  };
  const change = (index: number, field: Partial<ScheduleSlot>) => setSlots((old) => old.map((s, i) => (i === index ? { ...s, ...field } : s)));
  const problems = slotProblems(slots);
  const save = async (e: Event) => {
    e.preventDefault();
    if (problems.length > 0) return;
    setBusy(true);
    setMessage(null);
    try {
      await client.sessions.setSchedule(classId, { timezone: timezone.trim(), slots });
      setEditing(false);
      onSaved();
    } catch (err) {
      setMessage(messageOf(err, t('error.generic')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="schedule panel-box" aria-labelledby="schedule-title">
      <h2 id="schedule-title">{t('schedule.title')}</h2>
      {!editing && <p class="schedule-line">{schedule && schedule.slots.length > 0 ? scheduleLine(schedule, language) : <span class="muted">{t('schedule.none')}</span>}</p>}
      {!editing && (
        <button type="button" onClick={() => void edit()}>
          {t('schedule.edit')}
        </button>
      )}
      {editing && (
        <form onSubmit={save}>
          <label class="field">
            {t('schedule.timezone')}
            <input type="text" value={timezone} placeholder="Asia/Tokyo" onInput={(e) => setTimezone((e.target as HTMLInputElement).value)} />
          </label>
          <table class="slots">
            <thead>
              <tr>
                <th>{t('schedule.weekday')}</th>
                <th>{t('schedule.start')}</th>
                <th>{t('schedule.minutes')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {slots.map((slot, i) => (
                <tr data-slot={i}>
                  <td>
                    <select aria-label={t('schedule.weekday')} value={slot.weekday} onChange={(e) => change(i, { weekday: Number((e.target as HTMLSelectElement).value) })}>
                      {[1, 2, 3, 4, 5, 6, 0].map((d) => (
                        <option value={d}>{weekdayName(d, language)}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input type="time" aria-label={t('schedule.start')} value={slot.start} onInput={(e) => change(i, { start: (e.target as HTMLInputElement).value })} />
                  </td>
                  <td>
                    <input type="number" min={1} max={MAX_SLOT_MINUTES} aria-label={t('schedule.minutes')} value={slot.minutes} onInput={(e) => change(i, { minutes: Number((e.target as HTMLInputElement).value) })} />
                  </td>
                  <td>
                    <button type="button" onClick={() => setSlots((old) => old.filter((_, k) => k !== i))}>
                      {t('schedule.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {problems.length > 0 && (
            <ul class="error problems">
              {problems.map((p) => (
                <li>{t(`schedule.problem.${p.problem}` as WordKey, { n: p.index + 1 })}</li>
              ))}
            </ul>
          )}
          <div class="row">
            <button type="button" onClick={() => setSlots((old) => [...old, { ...NEW_SLOT }])}>
              {t('schedule.add')}
            </button>
            <button type="submit" class="primary" disabled={busy || problems.length > 0 || !timezone.trim()}>
              {t('schedule.save')}
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              {t('roster.cancel')}
            </button>
          </div>
        </form>
      )}
      {message && (
        <p class="error" role="alert">
          {message}
        </p>
      )}
    </section>
  );
}
