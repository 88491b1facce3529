/** The instructor's own status (seed 000 instructor status API), shown and settable. */
import type { InstructorStatus as Status, InstructorView } from '@cell-monitor/shared';
import { client } from './api/client.ts';
import { useSnapshot } from './api/useSnapshot.ts';
import { useT } from './LanguageContext.tsx';

const STATUSES: readonly Status[] = ['available', 'in_session', 'busy', 'break', 'offline'];

export function InstructorStatus({ me }: { me: InstructorView }) {
  const t = useT();
  const mine = useSnapshot(`status:${me.id}`, () => client.instructorStatus.get(me.id));
  const status = mine.data?.status ?? me.status;
  const change = async (value: string) => {
    const next = STATUSES.find((s) => s === value);
    const answer = next && (await client.instructorStatus.set(me.id, next).catch(() => undefined));
    if (answer) mine.update(() => answer);
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
