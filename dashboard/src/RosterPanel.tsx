/**
 * The class roster: import a CSV (a preview first — what each line does and every bad line with its
 * reason; nothing is written until the instructor confirms), export it back, and edit a student's
 * display name or team in place. Every value from the file is rendered as text.
 */
import { useEffect, useState } from 'preact/hooks';
import type { RosterImportResult, RosterStudent } from '@cell-monitor/shared/roster';
import { client, type RosterChange } from './api/client.ts';
import { messageOf } from './api/apiError.ts';
import { useSnapshot } from './api/useSnapshot.ts';
import type { WordKey } from './i18n.ts';
import { useT } from './LanguageContext.tsx';

interface Props {
  classId: number | null;
  /** The roster changed: the board re-reads its snapshot (names, teams). */
  onChanged: () => void;
}

export function RosterPanel({ classId, onChanged }: Props) {
  const t = useT();
  const current = useSnapshot(classId === null ? null : `roster:${classId}`, () => client.roster.get(classId!));
  const roster = current.data;
  const [csv, setCsv] = useState('');
  const [preview, setPreview] = useState<RosterImportResult | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () => void current.reload();
  const fail = (err: unknown) => setMessage(messageOf(err, t('error.generic')));
  useEffect(() => {
    setPreview(null);
    setMessage(null);
  }, [classId]);
  const shown = current.error ?? message;

  if (classId === null) return <section class="view"><p class="hint">{t('broadcast.pickClass')}</p></section>;

  const send = async (apply: boolean) => {
    setBusy(true);
    setMessage(null);
    try {
      const result = await client.roster.import(classId, { csv, apply });
      if (apply) {
        setPreview(null);
        setCsv('');
        setMessage(t('roster.imported', { n: result.summary.valid }));
        load();
        onChanged();
      } else {
        setPreview(result);
      }
    } catch (err) {
      setPreview(null);
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  const exportCsv = async () => {
    try {
      const { blob, filename } = await client.roster.exportCsv(classId);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename ?? 'roster.csv';
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 1_000);
    } catch (err) {
      fail(err);
    }
  };

  const change = async (student: RosterStudent, fields: RosterChange) => {
    try {
      await client.roster.change(classId, student.userId, fields);
      load();
      onChanged();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section class="view roster">
      <div class="roster-import">
        <h2>{t('roster.import')}</h2>
        <p class="hint small">{t('roster.format')}</p>
        <div class="row">
          <input
            type="file"
            accept=".csv,.tsv,.txt,text/csv"
            aria-label={t('roster.file')}
            onChange={async (e) => {
              const file = (e.target as HTMLInputElement).files?.[0];
              if (file) {
                setCsv(await file.text());
                setPreview(null);
              }
            }}
          />
          <button type="button" onClick={() => send(false)} disabled={!csv.trim() || busy}>
            {t('roster.preview')}
          </button>
        </div>
        <textarea rows={4} value={csv} placeholder={'user_id,name,email,team,student_number'} aria-label={t('roster.paste')} onInput={(e) => (setCsv((e.target as HTMLTextAreaElement).value), setPreview(null))} />
        {shown && <p role="status">{shown}</p>}
        {preview && <Preview preview={preview} busy={busy} onConfirm={() => send(true)} onCancel={() => setPreview(null)} />}
      </div>
      <div class="roster-current">
        <h2>
          {t('roster.current', { n: roster?.students.length ?? 0 })}{' '}
          <button type="button" onClick={exportCsv}>
            {t('roster.export')}
          </button>
        </h2>
        <datalist id="team-names">
          {roster?.teams.map((team) => <option value={team.name} />)}
        </datalist>
        <table class="cells roster-table">
          <thead>
            <tr>
              <th>{t('roster.userId')}</th>
              <th>{t('roster.name')}</th>
              <th>{t('roster.team')}</th>
              <th>{t('roster.number')}</th>
              <th>{t('roster.email')}</th>
            </tr>
          </thead>
          <tbody>
            {roster?.students.map((s) => (
              <tr key={s.userId} data-user={s.userId}>
                <td>{s.userId}</td>
                <td>{s.name ?? ''}</td>
                <td>
                  <input
                    class="team-input"
                    list="team-names"
                    value={s.team ?? ''}
                    aria-label={`${t('roster.team')} ${s.name ?? s.userId}`}
                    onChange={(e) => {
                      const team = (e.target as HTMLInputElement).value.trim();
                      if (team !== (s.team ?? '')) change(s, { team: team || null });
                    }}
                  />
                </td>
                <td>{s.studentNumber ?? ''}</td>
                <td>{s.email ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const ACTION_WORD: Record<string, WordKey> = { create: 'roster.create', enroll: 'roster.enroll', update: 'roster.update', unchanged: 'roster.unchanged' };

function Preview({ preview, busy, onConfirm, onCancel }: { preview: RosterImportResult; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const t = useT();
  const { summary } = preview;
  const changing = preview.rows.filter((r) => r.action !== 'unchanged');
  return (
    <div class="roster-preview" role="region" aria-label={t('roster.preview')}>
      <p>
        <strong>{t('roster.summary', { valid: summary.valid, lines: summary.lines })}</strong> {t('roster.create')} {summary.create} · {t('roster.enroll')} {summary.enroll} · {t('roster.update')} {summary.update} · {t('roster.unchanged')} {summary.unchanged}
        {preview.newTeams.length > 0 && ` · ${t('roster.newTeams', { n: preview.newTeams.length })}`}
      </p>
      {preview.errors.length > 0 && (
        <div class="roster-errors">
          <p class="error">
            <strong>{t('roster.badLines', { n: preview.errors.length })}</strong>
          </p>
          <table class="cells">
            <thead>
              <tr>
                <th>{t('roster.line')}</th>
                <th>{t('roster.field')}</th>
                <th>{t('roster.problem')}</th>
              </tr>
            </thead>
            <tbody>
              {preview.errors.map((e) => (
                <tr key={e.line} data-error-line={e.line}>
                  <td>{e.line}</td>
                  <td>{e.field ?? ''}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview.notInFile.length > 0 && <p class="hint small">{t('roster.notInFile', { n: preview.notInFile.length })}</p>}
      {changing.length > 0 && (
        <details>
          <summary>{t('roster.changes', { n: changing.length })}</summary>
          <ul class="roster-changes">
            {changing.slice(0, 500).map((r) => (
              <li key={r.line}>
                <span class={`action action-${r.action}`}>{t(ACTION_WORD[r.action])}</span> {r.userId} {r.name ? `(${r.name})` : ''} {r.team ? `· ${r.team}` : ''}
              </li>
            ))}
          </ul>
        </details>
      )}
      <div class="row">
        <button type="button" onClick={onCancel}>
          {t('roster.cancel')}
        </button>
        <button type="button" class="primary" onClick={onConfirm} disabled={busy || summary.valid === 0}>
          {t('roster.confirm', { n: summary.valid })}
        </button>
      </div>
    </div>
  );
}
