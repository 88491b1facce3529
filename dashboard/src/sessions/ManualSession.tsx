/**
 * "Add a session by hand": a meeting outside the timetable (a make-up class, an exam), from its
 * start and end in the browser's time zone and an optional title. Checked before it is sent
 * (sessionFormat.ts `manualWindow`); a refusal of the collector (not the class's owner, an overlap)
 * is shown with its message.
 */
import { useState } from 'preact/hooks';
import { client } from '../api/client.ts';
import { messageOf } from '../api/apiError.ts';
import { useT } from '../LanguageContext.tsx';
import { manualWindow } from './sessionFormat.ts';

export function ManualSession({ classId, onAdded }: { classId: number; onAdded: () => void }) {
  const t = useT();
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [title, setTitle] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (e: Event) => {
    e.preventDefault();
    const chosen = manualWindow(start, end);
    if ('problem' in chosen) {
      setMessage(t(chosen.problem === 'missing' ? 'manual.missing' : 'manual.order'));
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      await client.sessions.add(classId, { ...chosen, ...(title.trim() ? { title: title.trim() } : {}) });
      setStart('');
      setEnd('');
      setTitle('');
      onAdded();
    } catch (err) {
      setMessage(messageOf(err, t('error.generic')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="manual-session panel-box" aria-labelledby="manual-title">
      <h2 id="manual-title">{t('manual.title')}</h2>
      <p class="hint small">{t('manual.hint')}</p>
      <form onSubmit={add}>
        <label class="field">
          {t('manual.start')}
          <input type="datetime-local" name="start" value={start} onInput={(e) => setStart((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          {t('manual.end')}
          <input type="datetime-local" name="end" value={end} onInput={(e) => setEnd((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          {t('manual.name')}
          <input type="text" name="title" maxLength={200} value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {t('manual.add')}
        </button>
      </form>
      {message && (
        <p class="error" role="alert">
          {message}
        </p>
      )}
    </section>
  );
}
