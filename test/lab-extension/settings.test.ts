import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_SETTINGS, loadSettings, type SettingsSource } from '@cell-monitor/lab-extension/settings';

const it = suite('lab-extension settings loading');

/** A stand-in for JupyterLab's setting registry: one plugin's composite value and its changed signal. */
function registry(composite: Record<string, unknown>) {
  const slots: Array<() => void> = [];
  const loaded = { composite, changed: { connect: (slot: () => void) => slots.push(slot) } };
  const source: SettingsSource = { load: async () => loaded };
  return {
    source,
    change(next: Record<string, unknown>) {
      loaded.composite = next;
      for (const slot of slots) slot();
    },
  };
}

it('reads the registry once and again on every change, without a reload', async () => {
  const { source, change } = registry({ ...DEFAULT_SETTINGS, captureCode: true });
  const settings = await loadSettings(source, 'plugin');
  assert.is(settings().captureCode, true);
  change({ ...DEFAULT_SETTINGS, captureCode: false, batchSize: 10 });
  assert.is(settings().captureCode, false);
  assert.is(settings().batchSize, 10);
});

it('values out of range are held to the range the code assumes (readSettings)', async () => {
  const settings = await loadSettings(registry({ batchSize: 10_000 }).source, 'plugin');
  assert.is(settings().batchSize, 100);
});

it('a registry that cannot load the plugin gives the defaults, no error', async () => {
  const debug = console.debug;
  console.debug = () => undefined;
  try {
    const settings = await loadSettings({ load: async () => Promise.reject(new Error('no schema')) }, 'plugin');
    assert.equal(settings(), DEFAULT_SETTINGS);
  } finally {
    console.debug = debug;
  }
});

it.run();
