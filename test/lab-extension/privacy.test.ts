/**
 * The privacy rules of the extension, pure: the class policy caps the local settings (never widens
 * them) and strips what it does not allow whatever built the event; secrets are masked; in consent
 * mode nothing is recorded until the student agrees; the notice is shown once per version; the last
 * known policy holds while the collector is away.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CapturePolicy, CellEvent, StudentPolicy } from '@cell-monitor/shared';
import { DEFAULT_SETTINGS, type MonitorSettings } from '@cell-monitor/lab-extension/settings';
import { aboutLines, DEFAULT_NOTICE, Privacy, type PrivacyConfig } from '../../lab-extension/src/privacy.ts';
import { memoryStorage } from '../helpers/memoryStorage.ts';

const it = suite('lab-extension privacy: policy cap, masking, consent, notice');

const AWS_KEY = ['AKIA', 'Q3EXAMPLE7RT2WZN'].join('');
const event = (fields: Partial<CellEvent> = {}): CellEvent => ({
  schemaVersion: 1, eventId: 'e1', eventType: 'cell_execution_error', eventTime: '2026-11-30T10:00:00.000Z', userId: 'alice', sessionId: 's',
  code: `key = "${AWS_KEY}"\nprint(undefined_name)`,
  output: [{ output_type: 'stream', name: 'stdout', text: ['hello\n'] }],
  error: { name: 'NameError', message: "name 'undefined_name' is not defined", traceback: `Cell In[3], line 2\n----> 2 print(undefined_name)\nkey = "${AWS_KEY}"` },
  ...fields,
});

function privacy(options: { policy?: CapturePolicy | StudentPolicy | Error; config?: PrivacyConfig | Error; storage?: ReturnType<typeof memoryStorage>; user?: string } = {}) {
  const storage = options.storage ?? memoryStorage();
  const p = new Privacy({
    storage,
    user: options.user ?? 'alice',
    fetchConfig: async () => {
      if (options.config instanceof Error) throw options.config;
      return options.config ?? { notice: DEFAULT_NOTICE, consentRequired: false, version: 'default' };
    },
    fetchPolicy: async () => {
      if (options.policy instanceof Error) throw options.policy;
      return options.policy ?? 'code_and_output';
    },
  });
  return { p, storage };
}

const local: MonitorSettings = { ...DEFAULT_SETTINGS, captureCode: true, captureOutput: 'full' };

it('the class policy caps the local settings and never widens them', async () => {
  const cases: Array<[CapturePolicy, MonitorSettings, boolean, string]> = [
    ['code_and_output', local, true, 'full'],
    ['code', local, true, 'off'],
    ['metadata', local, false, 'off'],
    ['code_and_output', { ...local, captureCode: false, captureOutput: 'off' }, false, 'off'],
  ];
  for (const [policy, settings, code, output] of cases) {
    const { p } = privacy({ policy });
    await p.load();
    const effective = p.effective(settings);
    assert.equal([effective.captureCode, effective.captureOutput], [code, output], policy);
  }
});

it('"metadata only" strips code, traceback and output from an event even if something put them there; the error name and message stay', async () => {
  const { p } = privacy({ policy: 'metadata' });
  await p.load();
  const out = p.prepare(event(), local);
  assert.is(out.code, undefined);
  assert.is(out.output, undefined);
  assert.equal(out.error, { name: 'NameError', message: "name 'undefined_name' is not defined" });
  const code = privacy({ policy: 'code' });
  await code.p.load();
  const withCode = code.p.prepare(event(), local);
  assert.is(withCode.output, undefined);
  assert.ok(withCode.code?.includes('print(undefined_name)'));
});

it('a fake cloud access key is masked in code and traceback before queueing; extra patterns from the settings too', async () => {
  const { p } = privacy();
  await p.load();
  const out = p.prepare(event(), local);
  assert.not.ok(JSON.stringify(out).includes(AWS_KEY), JSON.stringify(out));
  assert.ok(out.code!.includes('[REDACTED:aws-access-key-id]'));
  assert.ok(out.error!.traceback!.includes('[REDACTED:aws-access-key-id]'));
  assert.is(out.metadata?.redactions, 2);
  const custom = p.prepare(event({ code: 'student_id = "S-2026-0042"' }), { ...local, redactPatterns: ['S-\\d{4}-\\d{4}'] });
  assert.is(custom.code, 'student_id = "[REDACTED:custom]"');
});

it('consent mode: nothing allowed until the student agrees; the answer is kept per user and asked again when the notice changes', async () => {
  const storage = memoryStorage();
  const config = { notice: 'We record your runs.', consentRequired: true, version: 'v1' };
  const { p } = privacy({ config, storage });
  await p.load();
  assert.is(p.allowed, false);
  assert.is(p.effective(local).enabled, false);
  assert.is(p.noticeDue, true);
  p.setConsent('agreed');
  assert.is(p.allowed, true);
  assert.is(p.effective(local).enabled, true);
  assert.is(p.noticeDue, false);
  const again = privacy({ config, storage });
  await again.p.load();
  assert.is(again.p.allowed, true, 'the next page load remembers');
  const bob = privacy({ config, storage, user: 'bob' });
  await bob.p.load();
  assert.is(bob.p.allowed, false, 'another user of the same browser is asked');
  const changed = privacy({ config: { ...config, notice: 'We now also record output.', version: 'v2' }, storage });
  await changed.p.load();
  assert.equal([changed.p.allowed, changed.p.noticeDue], [false, true], 'a new notice is asked again');
  changed.p.setConsent('declined');
  assert.equal([changed.p.allowed, changed.p.noticeDue], [false, false], 'declined: not nagged, not recorded');
});

it('consent mode stays on while the companion does not answer: the last config it gave holds', async () => {
  const storage = memoryStorage();
  const { p } = privacy({ storage, config: { notice: 'n', consentRequired: true, version: 'v1' } });
  await p.load();
  const later = privacy({ storage, config: new Error('companion restarting') });
  await later.p.load();
  assert.equal([later.p.config.consentRequired, later.p.allowed], [true, false]);
});

it('without consent mode the notice is shown once per version and recording is on', async () => {
  const storage = memoryStorage();
  const { p } = privacy({ storage });
  await p.load();
  assert.equal([p.allowed, p.noticeDue], [true, true]);
  p.acknowledge();
  const next = privacy({ storage });
  await next.p.load();
  assert.is(next.p.noticeDue, false);
});

it('the last known policy holds while the collector cannot say; unknown at first means the local settings', async () => {
  const storage = memoryStorage();
  const first = privacy({ storage, policy: new Error('collector away') });
  await first.p.load();
  assert.is(first.p.policy, null);
  assert.is(first.p.effective(local).captureCode, true);
  const told = privacy({ storage, policy: 'metadata' });
  await told.p.load();
  const away = privacy({ storage, policy: new Error('collector away') });
  await away.p.load();
  assert.is(away.p.policy, 'metadata');
  assert.is(away.p.effective(local).captureCode, false);
});

it("per notebook: an assignment notebook follows its class's policy, every other notebook the default (home class)", async () => {
  // Home class: code and output; Ben's class (joined later) set metadata on its own assignment only.
  const storage = memoryStorage();
  const { p } = privacy({ storage, policy: { policy: 'code_and_output', classes: [], notebooks: { 'ben/hw.ipynb': 'metadata', 'ann/hw1.ipynb': 'code' } } });
  await p.load();
  const inAnn = p.prepare(event({ notebookPath: 'ann/hw1.ipynb' }), local);
  assert.ok(inAnn.code?.includes('print(undefined_name)'), "Ann's assignment keeps its code");
  assert.is(inAnn.output, undefined, "…but not its output (Ann's policy: code)");
  const inBen = p.prepare(event({ notebookPath: 'ben/hw.ipynb' }), local);
  assert.equal([inBen.code, inBen.output, inBen.error?.traceback], [undefined, undefined, undefined], "Ben's assignment: metadata");
  const elsewhere = p.prepare(event({ notebookPath: 'scratch.ipynb' }), local);
  assert.ok(elsewhere.code && elsewhere.output, 'a notebook no class claims follows the home class');
  assert.ok(p.prepare(event({ notebookPath: 'constructor' }), local).code, 'a path that is an Object property name is just a path');
  // Capture collects what the loosest allows (prepare cuts per notebook); the About page shows the default and the exceptions.
  assert.equal([p.capture(local).captureCode, p.capture(local).captureOutput], [true, 'full']);
  const about = Object.fromEntries(aboutLines(p, local));
  assert.is(about['Assignment ben/hw.ipynb'], "its class's policy: activity only, no code or output");
  // Remembered while the collector is away.
  const away = privacy({ storage, policy: new Error('collector away') });
  await away.p.load();
  assert.is(away.p.prepare(event({ notebookPath: 'ben/hw.ipynb' }), local).code, undefined);
  assert.ok(away.p.prepare(event({ notebookPath: 'ann/hw1.ipynb' }), local).code);
});

it("a strict default with a looser assignment: capture still collects code, and only that notebook's events keep it", async () => {
  const { p } = privacy({ policy: { policy: 'metadata', classes: [], notebooks: { 'hw.ipynb': 'code_and_output' } } });
  await p.load();
  assert.is(p.capture(local).captureCode, true);
  assert.is(p.effective(local).captureCode, false, 'the default');
  assert.ok(p.prepare(event({ notebookPath: 'hw.ipynb' }), local).output);
  assert.is(p.prepare(event({ notebookPath: 'other.ipynb' }), local).code, undefined);
  assert.is(p.prepare(event(), local).code, undefined, 'an event without a notebook follows the default');
});

it('About data collection says what is sent now and why not', async () => {
  const { p } = privacy({ policy: 'metadata', config: { notice: 'n', consentRequired: true, version: 'v' } });
  await p.load();
  const lines = Object.fromEntries(aboutLines(p, local));
  assert.is(lines.Recording, 'off (waiting for your agreement)');
  assert.is(lines['Cell code'], "not sent (your class's policy)");
  assert.is(lines["Your class's policy"], 'activity only, no code or output');
  assert.is(lines['Notebook versions'], 'not sent (no code is sent)');
  const open = privacy({ policy: 'code' });
  await open.p.load();
  assert.is(
    Object.fromEntries(aboutLines(open.p, local))['Notebook versions'],
    "sent: the saved notebook's cells at each save and hand-in and every 10 minutes of runs, for its version history",
  );
  p.setConsent('agreed');
  assert.is(Object.fromEntries(aboutLines(p, local)).Recording, 'on');
});

it.run();
