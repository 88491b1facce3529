/**
 * What the student is owed and what the class allows, applied before anything is queued:
 *
 * - the notice (text set by the admin in the companion's config, or the default below) and, in
 *   consent mode, nothing recorded until the student agrees (kept per user and notice version);
 * - the class capture policy caps the local settings — it never widens them. It is read through the
 *   companion and remembered for when the collector is away: a default (her home class's) and one per
 *   assignment notebook of her classes (shared/studentApi.ts has the rule). Capture collects what the
 *   loosest of them allows; `prepare` then strips each event down to its own notebook's policy;
 * - secrets in code, output and tracebacks are masked (redaction/), with the admin's extra patterns.
 *
 * Pure except for the two `fetch`es and localStorage, both injected, so it is unit-tested in Node.
 */
import type { CellEvent, StudentPolicy } from '@cell-monitor/shared';
import { CAPTURE_POLICIES, loosestPolicy, policyForNotebook, type CapturePolicy } from '@cell-monitor/shared/capturePolicy';
import { createRedactor, redactEvent, type Redactor } from './redaction/index.ts';
import type { MonitorSettings } from './settings.ts';
import type { KeyValueStorage } from './storage.ts';

/** GET {baseUrl}cell-monitor/privacy (the companion). */
export interface PrivacyConfig {
  notice: string;
  consentRequired: boolean;
  /** Changes when the notice text does: the student is asked again. */
  version: string;
}

export type Consent = 'agreed' | 'declined' | 'unanswered';

export const DEFAULT_NOTICE = [
  'This JupyterLab records your learning activity for your class: the cells you run with their code, results and errors, saves, sessions and help requests.',
  'Passwords, API keys and other secrets in your code and output are masked in your browser before anything is sent.',
  "It goes through this Jupyter server to your class's cell-monitor collector. Your instructors see it on their dashboard; the collector's administrators can export or erase it on request.",
  'Help › About data collection shows what is recorded right now.',
  '',
  'この JupyterLab はクラスのために学習の記録をとります: 実行したセルとそのコード・結果・エラー、保存、セッション、ヘルプ要請です。',
  'コードや出力に含まれるパスワードや API キーなどの秘密情報は、送信前にブラウザ内で伏せ字にされます。',
  '記録はこの Jupyter サーバーを経由してクラスの cell-monitor コレクターに送られ、講師がダッシュボードで見ます。コレクターの管理者は依頼に応じて書き出し・削除ができます。',
  'ヘルプ › About data collection で、いま何が記録されているかを確認できます。',
].join('\n');

const FALLBACK: PrivacyConfig = { notice: DEFAULT_NOTICE, consentRequired: false, version: 'default' };

export interface PrivacyOptions {
  storage: KeyValueStorage;
  /** The Jupyter user (localStorage keys are per user: a shared browser profile must not carry consent over). */
  user: string;
  /** The companion's privacy config; rejects when the companion does not answer. */
  fetchConfig: () => Promise<PrivacyConfig>;
  /**
   * The student's capture policy: the default and the per-notebook ones (a bare policy: the default
   * only, as an older collector says); rejects when unknown (no credential, collector away).
   */
  fetchPolicy: () => Promise<CapturePolicy | Pick<StudentPolicy, 'policy' | 'notebooks'>>;
}

const isPolicy = (value: unknown): value is CapturePolicy => (CAPTURE_POLICIES as readonly unknown[]).includes(value);

/** Only well-formed entries (own keys, known policies) of a notebook map read from the wire or storage. */
function notebookPolicies(value: unknown): Record<string, CapturePolicy> {
  const out: Record<string, CapturePolicy> = Object.create(null);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [path, policy] of Object.entries(value)) if (isPolicy(policy)) out[path] = policy;
  return out;
}

export class Privacy {
  config: PrivacyConfig = FALLBACK;
  /** The default class policy in force (her home class's); null: none known (no cap). */
  policy: CapturePolicy | null = null;
  /** Assignment notebooks with their own policy (path → policy). */
  notebooks: Record<string, CapturePolicy> = Object.create(null);
  private redactor: Redactor = createRedactor();
  private redactPatterns: readonly string[] = [];

  constructor(private readonly options: PrivacyOptions) {
    const kept = this.read('policy');
    if (isPolicy(kept)) this.policy = kept;
    try {
      this.notebooks = notebookPolicies(JSON.parse(this.read('notebooks') ?? '{}'));
    } catch {
      // unreadable: none known
    }
  }

  /** Reads the notice and the policy; what cannot be read keeps its last known value. */
  async load(): Promise<void> {
    await Promise.all([
      this.options.fetchConfig().then(
        (config) => {
          this.config = config;
          this.write('config', JSON.stringify(config));
        },
        () => {
          // The companion did not answer: the last notice and consent mode it gave still hold.
          const kept = this.read('config');
          if (kept) this.config = JSON.parse(kept) as PrivacyConfig;
        },
      ),
      this.refreshPolicy(),
    ]);
  }

  async refreshPolicy(): Promise<void> {
    try {
      const told = await this.options.fetchPolicy();
      const policy = typeof told === 'string' ? told : told.policy;
      if (!isPolicy(policy)) return;
      this.policy = policy;
      this.notebooks = notebookPolicies(typeof told === 'string' ? undefined : told.notebooks);
      this.write('policy', this.policy);
      this.write('notebooks', JSON.stringify(this.notebooks));
    } catch {
      // Unknown right now: the last known policy stays in force.
    }
  }

  get consent(): Consent {
    const value = this.read(`consent:${this.config.version}`);
    return value === 'agreed' || value === 'declined' ? value : 'unanswered';
  }

  setConsent(value: 'agreed' | 'declined'): void {
    this.write(`consent:${this.config.version}`, value);
    this.acknowledge();
  }

  /** Recording is allowed: no consent needed, or the student agreed. */
  get allowed(): boolean {
    return !this.config.consentRequired || this.consent === 'agreed';
  }

  /** The notice should be shown now: never seen in this version, or (consent mode) not yet answered. */
  get noticeDue(): boolean {
    if (this.config.consentRequired) return this.consent === 'unanswered';
    return this.read('notice') !== this.config.version;
  }

  acknowledge(): void {
    this.write('notice', this.config.version);
  }

  /** The policy for a notebook (none: the default); no cap while none is known. */
  policyFor(notebookPath: string | null | undefined): CapturePolicy {
    return this.policy === null ? 'code_and_output' : policyForNotebook({ policy: this.policy, notebooks: this.notebooks }, notebookPath);
  }

  /**
   * The local settings capped by consent and the class policy of a notebook (omitted: the default,
   * i.e. any notebook that is no assignment of hers).
   */
  effective(local: MonitorSettings, notebookPath?: string | null): MonitorSettings {
    return this.capped(local, this.policyFor(notebookPath));
  }

  /**
   * What capture may collect: capped by the loosest policy in force on any notebook (`prepare` cuts
   * each event down to its own notebook's policy before it is queued).
   */
  capture(local: MonitorSettings): MonitorSettings {
    return this.capped(local, this.policy === null ? 'code_and_output' : loosestPolicy([this.policy, ...Object.values(this.notebooks)]));
  }

  private capped(local: MonitorSettings, policy: CapturePolicy): MonitorSettings {
    return {
      ...local,
      enabled: local.enabled && this.allowed,
      captureCode: local.captureCode && policy !== 'metadata',
      captureOutput: policy === 'code_and_output' ? local.captureOutput : 'off',
    };
  }

  /**
   * The last step before the queue: what the policy does not allow is removed (whatever built the
   * event), then secrets are masked. A traceback shows code lines: only with code.
   */
  prepare(event: CellEvent, local: MonitorSettings): CellEvent {
    const redactor = this.redactorFor(local);
    const settings = this.effective(local, event.notebookPath);
    let out = event;
    if (!settings.captureCode && (out.code !== undefined || out.error?.traceback !== undefined)) {
      const { code: _code, ...rest } = out;
      out = rest.error?.traceback !== undefined ? { ...rest, error: { name: rest.error.name, message: rest.error.message } } : rest;
    }
    if (settings.captureOutput === 'off' && out.output !== undefined) {
      const { output: _output, ...rest } = out;
      out = rest;
    }
    return redactEvent(out, redactor);
  }

  /** The secret masking of these settings: the built-in rules and the admin's patterns (rebuilt when they change). */
  redactorFor(local: MonitorSettings): Redactor {
    if (local.redactPatterns !== this.redactPatterns) {
      this.redactPatterns = local.redactPatterns;
      this.redactor = createRedactor(local.redactPatterns);
    }
    return this.redactor;
  }

  /** Storage disabled (a locked-down profile): nothing is remembered, so consent is asked again. */
  private read(name: string): string | null {
    try {
      return this.options.storage.getItem(`cell-monitor:privacy:${this.options.user}:${name}`);
    } catch {
      return null;
    }
  }

  private write(name: string, value: string): void {
    try {
      this.options.storage.setItem(`cell-monitor:privacy:${this.options.user}:${name}`, value);
    } catch {
      // not kept
    }
  }
}

const POLICY_WORDS: Record<CapturePolicy, string> = { metadata: 'activity only, no code or output', code: 'activity and code, no output', code_and_output: 'activity, code and output' };

/** What is recorded right now, as label/value lines (pure: unit-tested). */
export function aboutLines(privacy: Privacy, local: MonitorSettings): Array<[string, string]> {
  const now = privacy.effective(local);
  const policy = privacy.policy ?? 'code_and_output';
  const why = !local.enabled ? ' (turned off in the settings)' : !privacy.allowed ? ' (waiting for your agreement)' : '';
  const capped = (allowedLocally: boolean, allowedByClass: boolean) => (!allowedLocally ? ' (settings)' : !allowedByClass ? " (your class's policy)" : '');
  const sent = now.enabled ? 'sent' : 'would be sent once recording is on';
  return [
    ['Recording', now.enabled ? 'on' : `off${why}`],
    ['What is recorded', 'cell runs (when, how long, success, error name and message), notebook opens and saves, kernel restarts and interrupts, sessions, help requests'],
    ['Notebook versions', now.captureCode ? `${sent}: the saved notebook's cells${now.captureOutput === 'off' ? '' : ' with their outputs'} at each save and hand-in${local.snapshotIntervalMinutes ? ` and every ${local.snapshotIntervalMinutes} minutes of runs` : ''}, for its version history` : 'not sent (no code is sent)'],
    ['Cell code', now.captureCode ? sent : `not sent${capped(local.captureCode, policy !== 'metadata')}`],
    ['Error tracebacks', now.captureCode ? sent : 'not sent'],
    ['Cell output', now.captureOutput === 'off' ? `not sent${capped(local.captureOutput !== 'off', policy === 'code_and_output')}` : now.captureOutput === 'full' ? `${sent} in full (up to 64 KiB)` : `${sent} as text, up to ${now.outputMaxChars} characters`],
    ['Secrets', `masked in this browser before sending (cloud keys, tokens, JWTs, private keys, passwords${local.redactPatterns.length ? `, and ${local.redactPatterns.length} patterns set by your administrator` : ''})`],
    ["Your class's policy", privacy.policy === null ? 'not known yet (your local settings apply)' : POLICY_WORDS[privacy.policy]],
    ...Object.entries(privacy.notebooks)
      .filter(([, policy]) => policy !== privacy.policy)
      .map(([path, policy]) => [`Assignment ${path}`, `its class's policy: ${POLICY_WORDS[policy]}`] as [string, string]),
    ['Where it goes', "through this Jupyter server to your class's cell-monitor collector"],
    ['Who sees it', 'your instructors, on their class dashboard; the collector\'s administrators, who can export or erase your data on request'],
    ...(privacy.config.consentRequired ? [['Your agreement', privacy.consent === 'agreed' ? 'given' : privacy.consent === 'declined' ? 'not given' : 'not asked yet'] as [string, string]] : []),
  ];
}
