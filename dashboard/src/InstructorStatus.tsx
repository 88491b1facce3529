/** The instructor's own status (seed 000 instructor status API), shown and settable. */
import { useEffect, useState } from 'preact/hooks';
import type { InstructorStatusView, InstructorView } from '@cell-monitor/shared';
import { api } from './api.ts';
import type { Translate } from './i18n.ts';

const STATUSES = ['available', 'in_session', 'busy', 'break', 'offline'] as const;

export function InstructorStatus({ t, me }: { t: Translate; me: InstructorView }) {
  const [status, setStatus] = useState<string>(me.status);
  useEffect(() => {
    api<InstructorStatusView>('GET', `/api/v1/instructor_status/${me.id}`).then((s) => setStatus(s.status), () => undefined);
  }, [me.id]);
  const change = async (next: string) => {
    const answer = await api<InstructorStatusView>('PUT', `/api/v1/instructor_status/${me.id}`, { status: next }).catch(() => undefined);
    if (answer) setStatus(answer.status);
  };
  return (
    <label class="my-status">
      <span>{t('header.myStatus')}</span>
      <select value={status} onChange={(e) => change((e.target as HTMLSelectElement).value)}>
        {STATUSES.map((s) => (
          <option value={s}>{s.replace('_', ' ')}</option>
        ))}
      </select>
    </label>
  );
}
