/**
 * "self-reported": the student's identity came from a v1 extension's settings (LEGACY_V1_CLIENTS=1),
 * not from a credential — anyone could have sent it. Shown wherever a student is named (card, help
 * queue, timeline), as text, derived from the `v1:` user id namespace (shared/selfReported.ts).
 */
import { isSelfReportedUser } from '@cell-monitor/shared/selfReported';
import { useT } from './LanguageContext.tsx';

export function SelfReportedBadge({ userId }: { userId: string }) {
  const t = useT();
  if (!isSelfReportedUser(userId)) return null;
  return (
    <span class="self-reported" title={t('selfReported.title')} data-self-reported="">
      {t('selfReported.badge')}
    </span>
  );
}
