/**
 * Package versions and requirements, pure: a requirement is a distribution name and a PEP 440-like
 * specifier (`>=2`, `==1.26.4`, `>=1.3,<2`, `~=2.1`, or empty for "installed"). Versions compare by
 * their release numbers (`2.2.3`, `2.0.0rc1` → 2.0.0); names compare normalised (PEP 503).
 */
export interface Requirement {
  name: string;
  spec: string;
}

export type Problem = { package: string; required: string; found: string | null; kind: 'missing' | 'wrong_version' };

export const normaliseName = (name: string) => name.trim().toLowerCase().replace(/[-_.]+/g, '-');

function release(version: string): number[] {
  const match = /^\s*v?(\d+(?:\.\d+)*)/i.exec(version);
  return match ? match[1].split('.').map(Number) : [];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const CLAUSE = /^(===|==|!=|~=|>=|<=|>|<)\s*([0-9][0-9A-Za-z.*+!-]*)$/;

/** A specifier is valid when every comma-separated clause is an operator and a version. */
export function validSpec(spec: string): boolean {
  return spec.trim() === '' || spec.split(',').every((c) => CLAUSE.test(c.trim()));
}

export function satisfies(version: string, spec: string): boolean {
  if (spec.trim() === '') return true;
  const v = release(version);
  return spec.split(',').every((clause) => {
    const [, op, wanted] = CLAUSE.exec(clause.trim()) ?? [];
    if (!op) return false;
    if (wanted.endsWith('.*')) {
      const prefix = release(wanted.slice(0, -2));
      const same = prefix.every((n, i) => v[i] === n);
      return op === '!=' ? !same : same;
    }
    const w = release(wanted);
    const c = compare(v, w);
    switch (op) {
      case '==':
      case '===':
        return c === 0;
      case '!=':
        return c !== 0;
      case '>=':
        return c >= 0;
      case '<=':
        return c <= 0;
      case '>':
        return c > 0;
      case '<':
        return c < 0;
      case '~=': {
        // ~=2.1 means >=2.1,==2.*; ~=2.1.3 means >=2.1.3,==2.1.*
        const upper = w.slice(0, Math.max(1, w.length - 1));
        return c >= 0 && upper.every((n, i) => v[i] === n);
      }
      default:
        return false;
    }
  });
}

/** What an environment lacks against the requirements. */
export function problems(packages: Readonly<Record<string, string>>, requirements: readonly Requirement[]): Problem[] {
  const installed = new Map(Object.entries(packages).map(([name, version]) => [normaliseName(name), version]));
  const out: Problem[] = [];
  for (const r of requirements) {
    const found = installed.get(normaliseName(r.name)) ?? null;
    if (found === null) out.push({ package: r.name, required: r.spec, found: null, kind: 'missing' });
    else if (!satisfies(found, r.spec)) out.push({ package: r.name, required: r.spec, found, kind: 'wrong_version' });
  }
  return out;
}

/** Packages added, removed and changed from one snapshot to the next. */
export function diffPackages(from: Readonly<Record<string, string>>, to: Readonly<Record<string, string>>) {
  const added = Object.keys(to).filter((n) => !(n in from)).sort().map((name) => ({ name, version: to[name] }));
  const removed = Object.keys(from).filter((n) => !(n in to)).sort().map((name) => ({ name, version: from[name] }));
  const changed = Object.keys(to).filter((n) => n in from && from[n] !== to[n]).sort().map((name) => ({ name, from: from[name], to: to[name] }));
  return { added, removed, changed };
}
