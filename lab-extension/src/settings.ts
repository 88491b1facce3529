/**
 * The extension's settings (Advanced Settings → cell-monitor). The JSON schema in
 * `schema/plugin.json` is what JupyterLab validates and shows; `readSettings` turns its composite
 * value into one typed object and keeps every number inside the range the rest of the code assumes,
 * so a hand-edited overrides.json cannot make the queue unbounded or a batch larger than the
 * collector takes.
 */
import { LIMITS } from '@cell-monitor/shared/limits';

export type OutputCapture = 'off' | 'truncated' | 'full';

export interface MonitorSettings {
  /** Record new events. Off: nothing is recorded; what is already queued is still delivered. */
  enabled: boolean;
  /** Send the cell source with each execution event. */
  captureCode: boolean;
  /** Cell output: none, plain text cut at `outputMaxChars`, or the nbformat outputs. */
  captureOutput: OutputCapture;
  outputMaxChars: number;
  /** Events per request (the collector takes at most 100). */
  batchSize: number;
  /** How long a partly filled batch may wait before it is sent, ms. */
  flushIntervalMs: number;
  /** Events kept in IndexedDB while the collector is unreachable; beyond it new events are counted and dropped. */
  maxQueueSize: number;
  /** Extra secret patterns (regular expressions) masked before anything is queued, besides the built-in ones. */
  redactPatterns: readonly string[];
  /** A snapshot of each notebook whose cells ran, every this many minutes (0: off); saves and hand-ins always take one. */
  snapshotIntervalMinutes: number;
}

export const DEFAULT_SETTINGS: MonitorSettings = {
  enabled: true,
  captureCode: true,
  captureOutput: 'truncated',
  outputMaxChars: 2_000,
  batchSize: 50,
  flushIntervalMs: 2_000,
  maxQueueSize: 10_000,
  redactPatterns: [],
  snapshotIntervalMinutes: 10,
};

export const SETTING_BOUNDS = {
  outputMaxChars: { min: 0, max: LIMITS.defaultOutputMaxChars },
  batchSize: { min: 1, max: LIMITS.maxBatchEvents },
  flushIntervalMs: { min: 100, max: 600_000 },
  maxQueueSize: { min: 100, max: 1_000_000 },
  snapshotIntervalMinutes: { min: 0, max: 1_440 },
} as const;

function bounded(value: unknown, key: keyof typeof SETTING_BOUNDS): number {
  const { min, max } = SETTING_BOUNDS[key];
  const fallback = DEFAULT_SETTINGS[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.round(value)));
}

export function readSettings(raw: Readonly<Record<string, unknown>> | undefined): MonitorSettings {
  const value = raw ?? {};
  const capture = value.captureOutput;
  return {
    enabled: typeof value.enabled === 'boolean' ? value.enabled : DEFAULT_SETTINGS.enabled,
    captureCode: typeof value.captureCode === 'boolean' ? value.captureCode : DEFAULT_SETTINGS.captureCode,
    captureOutput: capture === 'off' || capture === 'truncated' || capture === 'full' ? capture : DEFAULT_SETTINGS.captureOutput,
    outputMaxChars: bounded(value.outputMaxChars, 'outputMaxChars'),
    batchSize: bounded(value.batchSize, 'batchSize'),
    flushIntervalMs: bounded(value.flushIntervalMs, 'flushIntervalMs'),
    maxQueueSize: bounded(value.maxQueueSize, 'maxQueueSize'),
    snapshotIntervalMinutes: bounded(value.snapshotIntervalMinutes, 'snapshotIntervalMinutes'),
    redactPatterns: Array.isArray(value.redactPatterns) ? value.redactPatterns.filter((p): p is string => typeof p === 'string' && p.length > 0 && p.length <= 500).slice(0, 50) : DEFAULT_SETTINGS.redactPatterns,
  };
}

/** Where the settings come from: JupyterLab's ISettingRegistry, or a stand-in in tests. */
export interface SettingsSource {
  load(pluginId: string): Promise<{ readonly composite: unknown; readonly changed: { connect(slot: () => void): unknown } }>;
}

/**
 * The plugin's settings, re-read on every change (no reload needed). Where the registry cannot
 * load them, the defaults, with a line for a developer's console.
 */
export async function loadSettings(source: SettingsSource, pluginId: string): Promise<() => MonitorSettings> {
  let current = DEFAULT_SETTINGS;
  try {
    const loaded = await source.load(pluginId);
    current = readSettings(loaded.composite as Record<string, unknown>);
    loaded.changed.connect(() => {
      const next = readSettings(loaded.composite as Record<string, unknown>);
      // The same patterns keep the same array, so the redactor is rebuilt only when they change.
      current = JSON.stringify(next.redactPatterns) === JSON.stringify(current.redactPatterns) ? { ...next, redactPatterns: current.redactPatterns } : next;
    });
  } catch (error) {
    console.debug('cell-monitor: settings unavailable, using defaults', error);
  }
  return () => current;
}
