/**
 * The class's environment analysis as the board shows it: per student, what their Python lacks for
 * this class ("pandas >=2 (has 1.5.3)", the card's ⚙ badge), and one line per failing requirement
 * ("4 students lack pandas >=2"). Re-read every minute and when the roster changes (`version`).
 */
import { useMemo } from 'preact/hooks';
import type { EnvironmentProblem } from '@cell-monitor/shared/roster';
import { client } from './api/client.ts';
import { useSnapshot } from './api/useSnapshot.ts';
import { useT } from './LanguageContext.tsx';

export interface EnvironmentBadges {
  problems: Map<string, string[]>;
  summary: string[];
}

export function useEnvironmentBadges(classId: number | null, version: number): EnvironmentBadges | undefined {
  const t = useT();
  const { data } = useSnapshot(classId === null ? null : `environment:${classId}|${version}`, () => client.environment(classId!), { everyMs: 60_000 });
  return useMemo(() => {
    if (!data) return undefined;
    const describe = (p: EnvironmentProblem) => (p.kind === 'missing' ? t('env.missing', { name: p.package, spec: p.required }) : t('env.wrong', { name: p.package, spec: p.required, found: p.found ?? '' }));
    return {
      problems: new Map(data.students.filter((s) => s.problems.length).map((s) => [s.userId, s.problems.map(describe)])),
      summary: data.summary.map((s) => t(s.missing + s.wrongVersion === 1 ? 'env.summary1' : 'env.summary', { n: s.missing + s.wrongVersion, name: s.package, spec: s.required })),
    };
  }, [data, t]);
}
